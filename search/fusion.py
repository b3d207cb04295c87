"""Fusing lexical and dense evidence into one ranking.

Each retriever's score is turned into a z-score against *the whole collection's*
distribution of scores for this query (BM25 over every passage; cosine over a fixed
sample of passage vectors), and the two z-scores are averaged. Candidates are the union
of both retrievers' top lists, each scored exactly by both retrievers.

Measured on eval/queries.jsonl (docs/EVALUATION.md): reciprocal rank fusion 0.593
nDCG@10, z-scores over the truncated top lists 0.608, collection-calibrated z-scores
0.641; the weight between 0.4 and 0.6 changes it by less than 0.01, so both count alike,
except for English questions (search.language), where BM25 over French text is weighed less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEXICAL_WEIGHT = 0.5
# Added to the two retrievers' average: how close the passage's section title is to the
# question (search.sections), as a z-score over the collection's sections.
SECTION_WEIGHT = 0.2
# English questions about French text: BM25 only matches stray shared words.
ENGLISH_LEXICAL_WEIGHT = 0.25


@dataclass
class Ranked:
    passage_id: str
    score: float
    components: dict[str, float | int | None]


def zscores(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Scores standardised by the mean and spread of a reference set of scores."""
    spread = float(reference.std())
    return (scores - float(reference.mean())) / (spread if spread > 1e-9 else 1.0)


def ranks(scores: np.ndarray, rows: np.ndarray) -> dict[int, int]:
    """1-based rank of each of `rows` among them by descending score."""
    order = rows[np.argsort(-scores[rows], kind="stable")]
    return {int(row): rank for rank, row in enumerate(order, 1)}


def combine(
    ids: list[str],
    rows: np.ndarray,
    lexical: np.ndarray | None,
    dense: np.ndarray | None,
    lexical_reference: np.ndarray | None,
    dense_reference: np.ndarray | None,
    lexical_weight: float = LEXICAL_WEIGHT,
    section: np.ndarray | None = None,
) -> list[Ranked]:
    """Rank candidate `rows`; `lexical`/`dense` hold each retriever's score per row,
    `section` the section-title z-score of each of `rows` (hybrid only)."""
    total = np.zeros(len(ids), dtype=np.float64)
    components: dict[str, dict[int, float | int]] = {}
    if lexical is not None and dense is not None:
        total[rows] = lexical_weight * zscores(lexical[rows], lexical_reference) + (
            1 - lexical_weight
        ) * zscores(dense[rows], dense_reference)
        if section is not None:
            total[rows] += SECTION_WEIGHT * section
            components["section"] = {
                int(r): round(float(z), 3) for r, z in zip(rows, section, strict=True)
            }
    else:
        only = lexical if lexical is not None else dense
        total[rows] = only[rows]
    for name, scores in (("lexical", lexical), ("dense", dense)):
        if scores is not None:
            components[name] = {int(r): float(scores[r]) for r in rows}
            components[f"{name}_rank"] = ranks(scores, rows)
    order = rows[np.argsort(-total[rows], kind="stable")]
    return [
        Ranked(
            ids[row],
            float(total[row]),
            {name: values.get(int(row)) for name, values in components.items()},
        )
        for row in order
    ]
