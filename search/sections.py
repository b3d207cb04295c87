"""Section titles as a retrieval unit: a question often says what a heading says.

Proceedings file their answers under headings that name the subject in a few words
(« Bonnes pratiques », « Les leviers pour valoriser… », « La nécessité de faire un pas de
côté »), while the passages under them speak around it. Each distinct section (its last
two titles) is embedded once; a passage gets its section's closeness to the question,
standardised over the collection's sections, as a third signal of the fusion
(search.fusion.SECTION_WEIGHT). Measured in docs/EVALUATION.md.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ingest.store import PassageRow


@lru_cache(maxsize=1 << 16)
def section_label(section: str) -> str:
    """The last two titles of a section path: the heading and what it stands under (kept:
    a reload after a write asks it of every passage again, and passages share sections)."""
    return " › ".join(section.split(" › ")[-2:])


def section_labels(passages: list[PassageRow]) -> list[str]:
    """The distinct section labels of these passages, sorted: one vector each."""
    return sorted({section_label(p.section) for p in passages if p.section})


class SectionIndex:
    """One vector per section label; each passage row points to its section's vector."""

    def __init__(
        self, passages: list[PassageRow], vectors_of, previous: SectionIndex | None = None
    ):
        """`vectors_of(labels)` returns one passage-side vector per label (cached);
        `previous`, the index in service, lends the vectors of the labels it has."""
        of_row = [section_label(p.section) if p.section else None for p in passages]
        labels = sorted({label for label in of_row if label is not None})
        position = {label: i for i, label in enumerate(labels)}
        self.labels = labels
        known = {label: i for i, label in enumerate(previous.labels)} if previous else {}
        new = [label for label in labels if label not in known]
        if not labels:
            self.vectors = np.zeros((0, 1), dtype=np.float32)
        elif not known:
            self.vectors = vectors_of(labels)
        else:
            fetched = dict(zip(new, vectors_of(new), strict=True)) if new else {}
            self.vectors = np.stack(
                [fetched[x] if x in fetched else previous.vectors[known[x]] for x in labels]
            )
        # -1: a passage with no section gets the sections' mean (a z-score of 0).
        self.row_section = np.array(
            [-1 if label is None else position[label] for label in of_row],
            dtype=np.int64,
        )

    def zscores(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """How far each row's section stands above the sections' mean for this question."""
        if not len(self.labels):
            return np.zeros(len(rows), dtype=np.float32)
        cosines = self.vectors @ query_vector
        spread = float(cosines.std()) or 1.0
        z = np.append((cosines - cosines.mean()) / spread, 0.0)  # index -1 → 0
        return z[self.row_section[rows]].astype(np.float32)
