"""From fused scores to the final order: what the question asks for, and what the passage is.

Fusion (search.fusion) says how well a passage matches the words and meaning of the
question. This stage adds what the question is about:

- a question about a person puts that person's words first (search.people): the passages
  they speak in, and those where the report gives their view (« Selon X, … »);
- a how-to question favours passages that give practices, lessons, conditions or
  propositions (the practice statements ingest extracted, or the cues that announce them);
- a question about what to avoid (« quels pièges ? ») favours passages that warn: those
  holding statements to avoid, or standing under a heading such as « Écueils »;
- a question that asks for precedents (« des cas similaires ? ») favours passages that
  describe a documented case (search.knowledge.cases);
- a year the question names (« le programme 2019 ») favours the documents of that year,
  without excluding the others (a filter, `--year`, does that);
- a query found word for word in a passage (a quote pasted to find its source) comes first;
- passages that are not content (programme, participant lists, lists of questions, a
  moderator's question, a table of contents) never outrank content, unless the question
  asks for them (« le programme de la rencontre 2019 »).

Each boost is in the fused score's unit (a standard deviation of the collection's
scores); the values were chosen on both evaluation sets (docs/EVALUATION.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from itertools import groupby

from ingest.extract.polarity import cautions_in, warns
from ingest.store import DocumentRow, PassageRow
from search.fusion import Ranked
from search.intent import CASE, HOWTO, WHO, Intent
from search.vectors import context

# A query this long found word for word in a passage is a quote being looked up.
QUOTE_MIN_CHARS = 24
_SPACE = re.compile(r"\s+")
SPEAKER_BOOST = 1.5
PRACTICE_BOOST = 0.5
# A passage describing a documented case, for a question asking for precedents.
CASE_BOOST = 0.5
# A moderator's question or a guest's introduction: below the guest's own words, but it
# does describe who they are and what they do, which a case question may want.
INTRO_PENALTY = 0.5
# A passage of the kind the question asks for (programme, participants…).
ASKED_BOOST = 0.5
# A passage of a document of the year the question names: the question designates those
# documents as « le maire de Lille » designates a person (0.5 and 1.0 left the 2016
# programme, whose section title is the bare word « PROGRAMME », above 2019's).
YEAR_BOOST = 1.5
# Years as a question writes them: « 2019 », « en 2016 » (not « 12019 » nor « 2019-2020 »'s
# second half, which the first already names).
_YEAR = re.compile(r"(?<![\d-])(?:19|20)\d{2}(?!\d)")
# Kinds that are below content, whatever their score, unless the question asks for them.
# How far below the tier above a lower tier's first result is shown (see _in_order).
TIER_GAP = 0.01
_FURNITURE = frozenset({"programme", "participants", "questions", "toc", "references"})
# Cues by which a text announces advice, whatever extracted statements there are.
_PRACTICE_CUES = re.compile(
    r"\b(?:il faut|il est (?:essentiel|important|nécessaire|indispensable)|bonnes? pratiques?|"
    r"ce que (?:je|nous) (?:ne )?referai(?:s|t|ons)|leviers?|conditions? (?:de|d['’]|pour)|"
    r"recommand\w*|propositions? \d|conseils?|écueils?|éviter|veiller à|s['’]appuyer sur|"
    r"enseignements?|points? de vigilance|facteurs? clés?)\b",
    re.I,
)
# Words by which a text states a condition or a necessity (« nécessite », « indispensable »,
# « il faudrait »). As a ranking cue they lifted passages that only mention one (practice
# questions: first set −0.020, held-out +0.011); among search's strongest passages they
# tell those that advise from those that narrate (search.answer, docs/EVALUATION.md).
_CONDITION_CUES = re.compile(
    r"\b(?:faudrait|nécessite\w*|nécessaires?|indispensables?|essentiel\w*|primordiale?s?)\b",
    re.I,
)


def gives_practice(passage: PassageRow, statements: int) -> bool:
    return statements > 0 or _cues_practice(passage.text)


@lru_cache(maxsize=1 << 14)
def _cues_practice(text: str) -> bool:
    """Cached: it is asked of every candidate of every how-to question, and a passage's
    text object hashes once (a third of a search's Python time was such regexes)."""
    return bool(_PRACTICE_CUES.search(text))


def advises(text: str) -> bool:
    """Whether a text gives advice or states a condition, by its words alone."""
    return bool(_PRACTICE_CUES.search(text) or _CONDITION_CUES.search(text))


def warns_against(passage: PassageRow, warning: set[str]) -> bool:
    """A passage holding statements of what to avoid, or under a heading that warns."""
    return passage.id in warning or warns(context(passage))


def warns_in(passage: PassageRow, sentences: str) -> bool:
    """Whether sentences of a passage warn: under a heading that warns, or saying what not
    to do or what is hard (ingest.extract.polarity). One warning elsewhere in the passage
    (a sentence of a long talk) does not make its other sentences warnings."""
    return warns(context(passage)) or cautions_in(sentences)


def squash(text: str) -> str:
    """Lower case without white space: a quote pasted from the source matches across line
    breaks (fast: it runs on every candidate of a long query)."""
    return _SPACE.sub("", text.lower())


def adjust(
    query: str,
    ranked: list[Ranked],
    passage_of: Callable[[str], PassageRow],
    intent: Intent,
    voiced: frozenset[str],
    statements: dict[str, int],
    holds_every_word: set[str],
    describes_case: set[str] = frozenset(),
    warning: set[str] = frozenset(),
    document_of: Callable[[PassageRow], DocumentRow | None] = lambda passage: None,
) -> list[Ranked]:
    """Re-rank fused results: boosts by intent and person, then content before the rest.

    `voiced`: the passages of the people a question asks about (empty when it asks who
    stood where, « qui a représenté… », which the programme answers)."""
    years = {int(y) for y in _YEAR.findall(query)}
    out = []
    for item in ranked:
        passage = passage_of(item.passage_id)
        bonus = 0.0
        if passage.id in voiced:
            bonus += SPEAKER_BOOST
        if intent.kind == HOWTO and gives_practice(passage, statements.get(passage.id, 0)):
            bonus += PRACTICE_BOOST
        if intent.warns and warns_against(passage, warning):
            bonus += PRACTICE_BOOST
        document = document_of(passage)
        if years and document is not None and document.year in years:
            bonus += YEAR_BOOST
        if intent.kind == CASE and passage.id in describes_case:
            bonus += CASE_BOOST
        if passage.kind == "intro" and "intro" not in intent.asks:
            bonus -= INTRO_PENALTY
        elif passage.kind in intent.asks or (document is not None and document.kind in intent.asks):
            # « le programme de la rencontre »: the programme itself, and a programme's pages
            bonus += ASKED_BOOST
        if bonus:
            item = replace(item, score=item.score + bonus, components={**item.components})
            item.components["boost"] = round(bonus, 3)
        out.append(item)
    below = _FURNITURE - intent.asks
    # The person's words, not their introduction; a how-to's practices, not the
    # introduction of the session that holds them.
    if intent.kind in (WHO, HOWTO) or voiced:
        below = below | ({"intro"} - intent.asks)

    # Only a passage holding every word of the query can hold it word for word.
    quoted = squash(query) if len(query) >= QUOTE_MIN_CHARS and holds_every_word else None

    def tier(item: Ranked) -> tuple[bool, bool, bool, float]:
        passage = passage_of(item.passage_id)
        # A pasted quote finds its passage first; then the designated person's own words,
        # other content, and the furniture last.
        found = (
            quoted is not None and passage.id in holds_every_word and quoted in squash(passage.text)
        )
        other = bool(voiced) and passage.id not in voiced
        return not found, passage.kind in below, other, -item.score

    return _in_order(sorted(((tier(item), item) for item in out), key=lambda pair: pair[0]))


def _in_order(ranked: list[tuple[tuple, Ranked]]) -> list[Ranked]:
    """Scores that read in the order shown, from (tier key, item) pairs in order. A lower
    tier (a programme line after the content) may score above the tier before it: its
    scores are all lowered by the same amount, to just below, so its own order and gaps
    stay, and the shift is shown among the score's components (`tier`). A person reading
    « 0.71 » then « 1.39 » would think the ranking broken."""
    out: list[Ranked] = []
    for _, pairs in groupby(ranked, key=lambda pair: pair[0][:-1]):
        out.extend(_below([item for _, item in pairs], out[-1].score if out else None))
    return out


def _below(members: list[Ranked], floor: float | None) -> list[Ranked]:
    shift = 0.0 if floor is None else max(0.0, members[0].score - floor + TIER_GAP)
    if not shift:
        return members
    return [
        replace(m, score=m.score - shift, components={**m.components, "tier": round(-shift, 3)})
        for m in members
    ]
