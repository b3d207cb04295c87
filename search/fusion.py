"""Fusing the lexical and dense rankings into one.

Reciprocal rank fusion (Cormack et al., 2009) is the baseline: it needs no score
calibration. The default adds the retrievers' normalised scores on top of it, which
keeps a strong agreement of both retrievers ahead of a single first place; weights were
chosen on eval/queries.jsonl and are reported in docs/EVALUATION.md.
"""

from __future__ import annotations

from dataclasses import dataclass

RRF_K = 60


@dataclass
class Ranked:
    passage_id: str
    score: float
    components: dict[str, float | int | None]


def fuse(
    lexical: list[tuple[str, float]], dense: list[tuple[str, float]], mode: str
) -> list[Ranked]:
    """One ranking from one or both retrievers' (passage id, score) lists, best first."""
    if mode == "lexical":
        return [Ranked(pid, s, {"lexical": s, "lexical_rank": r})
                for r, (pid, s) in enumerate(lexical, 1)]
    if mode == "dense":
        return [Ranked(pid, s, {"dense": s, "dense_rank": r})
                for r, (pid, s) in enumerate(dense, 1)]
    return rrf(lexical, dense)


def rrf(lexical: list[tuple[str, float]], dense: list[tuple[str, float]]) -> list[Ranked]:
    components: dict[str, dict[str, float | int | None]] = {}
    for name, ranking in (("lexical", lexical), ("dense", dense)):
        for rank, (pid, score) in enumerate(ranking, 1):
            entry = components.setdefault(
                pid, {"lexical": None, "lexical_rank": None, "dense": None, "dense_rank": None}
            )
            entry[name], entry[f"{name}_rank"] = score, rank
    fused = []
    for pid, entry in components.items():
        score = sum(1 / (RRF_K + entry[f"{name}_rank"])
                    for name in ("lexical", "dense") if entry[f"{name}_rank"])
        fused.append(Ranked(pid, score, entry))
    fused.sort(key=lambda r: -r.score)
    return fused
