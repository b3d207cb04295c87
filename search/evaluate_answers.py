"""Answers against the search evaluation's gold: does the answer put the practice first?

For each practice question of a query file, the first `FIRST` items of `answer()` (in the
order the response gives them: practices, pitfalls, testimonies, cases; pitfalls first for
a question about what to avoid) are read, and the question counts as answered when one of
their evidence passages holds a gold span. The
same is measured for search's own first passages, so that the answer is judged against
what it is built from: it should do no worse, and it gives them as practices with sources.
"""

from __future__ import annotations

from pathlib import Path

from search.answer import answer
from search.engine import SearchEngine
from search.evaluate import load, squash

FIRST = 5


def _holds(texts: list[str], spans: list[str]) -> bool:
    return any(span in squash(text) for text in texts for span in spans)


def score(engine: SearchEngine, path: Path, kind: str = "practice") -> dict:
    """Questions answered within the first items of the answer, and of search, with the
    ids of those the answer misses."""
    questions = [q for q in load(path) if q.kind == kind and q.gold]
    by_answer, by_search, misses = 0, 0, []
    for question in questions:
        spans = [squash(g.span) for g in question.gold]
        found = answer(engine, question.query)
        items = [i for items in found.sections.values() for i in items][:FIRST]
        answered = _holds([e.passage.text for i in items for e in i.evidence], spans)
        by_answer += answered
        by_search += _holds([h.passage.text for h in engine.search(question.query, FIRST)], spans)
        if not answered:
            misses.append(question.id)
    return {
        "questions": len(questions),
        "answered": by_answer,
        "search_answered": by_search,
        "first": FIRST,
        "misses": misses,
    }
