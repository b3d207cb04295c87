"""Similar cases against case-level judgments: is a comparable case among the first three?

`eval/labels/similar_cases.jsonl` holds, for each case description of the evaluation sets,
a grade for every case of the corpus (2 closely comparable, 1 partly, 0 not), given by
judges who saw the descriptions and the cases' excerpts, never the ranking
(eval/labels/similar_cases_JUDGING.md). Judging every case, not a pool, leaves no case
unjudged. A description none of whose cases is comparable is left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from search.engine import SearchEngine
from search.evaluate import EvalFileError
from search.knowledge.slugs import slug_id

FIRST = 3


def load(path: Path) -> dict[str, tuple[str, dict[str, int]]]:
    """Description id → (its text, the grade of each case id)."""
    judged: dict[str, tuple[str, dict[str, int]]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            judged.setdefault(row["qid"], (row["query"], {}))[1][row["case_id"]] = int(row["grade"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise EvalFileError(f"{path}:{number}: not a valid judgment line ({exc})") from exc
    if not judged:
        raise EvalFileError(f"{path}: no judgments")
    return judged


def _judged_names(engine: SearchEngine) -> dict[str, set[str]]:
    """Each case's id and the ids its mentions' keys had as cases of their own: judges
    graded « PTCE Les Mureaux » and « Mureaux en Ile-de-France » apart, and a case merging
    both is comparable wherever either was."""
    keys = {m["id"]: m["key"] for m in engine.store.records("mentions")}
    return {
        case.id: {case.id} | {slug_id("case", keys[i]) for i in case.mention_ids if i in keys}
        for case in engine.knowledge.cases
    }


def score(engine: SearchEngine, path: Path) -> dict:
    """Descriptions with a comparable case (grade ≥ 1) among the first three of
    `similar_to_text`, and with a closely comparable one (2) where there is one."""
    comparable = close = with_close = 0
    misses = []
    judged = {qid: item for qid, item in load(path).items() if max(item[1].values()) > 0}
    names = _judged_names(engine)
    for qid, (text, grades) in judged.items():
        first = [s.case for s in engine.knowledge.similar_to_text(text, FIRST)]
        found = [max(grades.get(i, 0) for i in names.get(c.id, {c.id})) for c in first]
        comparable += any(g >= 1 for g in found)
        if max(grades.values()) == 2:
            with_close += 1
            close += 2 in found
        if not any(g >= 1 for g in found):
            misses.append(qid)
    return {
        "descriptions": len(judged),
        "comparable": comparable,
        "with_close": with_close,
        "close": close,
        "first": FIRST,
        "misses": misses,
    }
