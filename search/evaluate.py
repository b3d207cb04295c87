"""Retrieval evaluation: nDCG@10, recall@10, MRR and hit@1, per query kind.

A query line is `{"id", "kind", "query", "gold": [{"file", "span", "grade"}]}`; a query
with no gold is one the collection cannot answer, scored 1 when nothing comes back. A result
is relevant to a gold item when its text, or the text of one of its `also_in` sources,
contains the span once all whitespace and footnote calls are ignored (line wrapping and
calls differ between the source and clean passages). Each gold item is credited once, at
its first result.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.clean import FOOTNOTE_CALL
from search.engine import Hit

K = 10
_SPACE = re.compile(r"\s+")


@dataclass
class Gold:
    file: str
    span: str
    grade: int


@dataclass
class Query:
    id: str
    kind: str
    query: str
    gold: list[Gold]


class EvalFileError(ValueError):
    pass


def load(path: Path) -> list[Query]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            gold = [Gold(g["file"], g["span"], int(g.get("grade", 1))) for g in raw["gold"]]
            queries.append(Query(str(raw["id"]), raw.get("kind", "other"), raw["query"], gold))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise EvalFileError(f"{path}:{number}: not a valid query line ({exc})") from exc
    if not queries:
        raise EvalFileError(f"{path}: no queries")
    return queries


def squash(text: str) -> str:
    """`text` without its spaces and footnote calls, the two things cleaning changes: a
    gold excerpt copied from the source (« … impact social15. Ces ») still names the
    passage whose clean text dropped the call (calls before spaces: « ODD 17 » is no call)."""
    return _SPACE.sub("", FOOTNOTE_CALL.sub("", text))


def grades(hits: list[Hit], gold: list[Gold]) -> list[int]:
    """Gain of each result: the best grade among gold items it is the first to contain."""
    credited: set[int] = set()
    out = []
    spans = [squash(g.span) for g in gold]
    for hit in hits[:K]:
        texts = [squash(hit.passage.text)] + [squash(p.text) for p, _ in hit.also_in]
        best = 0
        for index, span in enumerate(spans):
            if index not in credited and any(span in text for text in texts):
                credited.add(index)
                best = max(best, gold[index].grade)
        out.append(best)
    return out


def score(hits: list[Hit], gold: list[Gold]) -> dict[str, float]:
    if not gold:  # a question the collection cannot answer: right when nothing comes back
        empty = 0.0 if hits else 1.0
        return {"ndcg@10": empty, "recall@10": empty, "mrr": empty, "hit@1": empty, "found": 0}
    gains = grades(hits, gold)
    dcg = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))
    ideal = sorted((g.grade for g in gold), reverse=True)[:K]
    idcg = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    found = sum(1 for g in gains if g > 0)
    first = next((rank for rank, g in enumerate(gains, 1) if g > 0), None)
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "recall@10": _recall(hits, gold),
        "mrr": 1 / first if first else 0.0,
        "hit@1": 1.0 if gains and gains[0] > 0 else 0.0,
        "found": found,
    }


def _recall(hits: list[Hit], gold: list[Gold]) -> float:
    texts = [squash(h.passage.text) for h in hits[:K]]
    texts += [squash(p.text) for h in hits[:K] for p, _ in h.also_in]
    covered = sum(1 for g in gold if any(squash(g.span) in t for t in texts))
    return covered / len(gold)


METRICS = ("ndcg@10", "recall@10", "mrr", "hit@1")


def evaluate(
    queries: list[Query], search: Callable[[str], list[Hit]]
) -> tuple[dict[str, dict[str, float]], list[dict]]:
    """Mean metrics per kind (and 'all'), plus the per-query rows."""
    rows = []
    for query in queries:
        metrics = score(search(query.query), query.gold)
        rows.append({"id": query.id, "kind": query.kind, **metrics})
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
        by_kind["all"].append(row)
    summary = {
        kind: {m: sum(r[m] for r in kind_rows) / len(kind_rows) for m in METRICS}
        | {"queries": len(kind_rows)}
        for kind, kind_rows in sorted(by_kind.items(), key=lambda kv: (kv[0] == "all", kv[0]))
    }
    return summary, rows
