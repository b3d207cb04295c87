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


def score(engine: SearchEngine, path: Path) -> dict:
    """Descriptions with a comparable case (grade ≥ 1) among the first three of
    `similar_to_text`, and with a closely comparable one (2) where there is one."""
    comparable = close = with_close = 0
    misses = []
    judged = {qid: item for qid, item in load(path).items() if max(item[1].values()) > 0}
    for qid, (text, grades) in judged.items():
        first = [s.case.id for s in engine.knowledge.similar_to_text(text, FIRST)]
        found = [grades.get(case_id, 0) for case_id in first]
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
