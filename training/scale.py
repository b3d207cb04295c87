"""Measure how a model's cosines read on plain e5-small's scale (search.embedders.base.
CosineScale), for the knowledge layer's thresholds.

    python -m training.scale --data DIR [--model e5-small-recueil]

Both models embed the same sentences, the distinct ones of 40 to 300 characters in the
store's passages, and every pair's cosine is taken in each space. Matching the two
distributions share by share (a q-q plot) from the median pair to the closest 0.02 %, a
straight line `plain = offset + slope × model` is fitted: the pairs the knowledge layer
cares about (a card's statements, an answer's twin items) sit in that upper tail. The line
is printed with its largest gap, and the model's cosines for the plain thresholds.
"""

from __future__ import annotations

import argparse
import re

import numpy as np

from ingest.store import open_store
from search.answer import MERGE_AT as ITEMS_MERGE_AT
from search.embedders import get_embedder
from search.embedders.base import CosineScale
from search.knowledge.practices import MERGE_AT as CARDS_MERGE_AT

# Shares of pairs, from the median to the closest few, where the line is fitted.
SHARES = (0.5, 0.2, 0.1, 0.03, 0.01, 0.003, 0.001, 0.0005, 0.0002)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(data: str) -> list[str]:
    """The store's distinct sentences of 40 to 300 characters, sorted."""
    found = set()
    for passage in open_store(data, read_only=True).passages():
        for sentence in _SENTENCE_END.split(passage.text):
            sentence = " ".join(sentence.split())
            if 40 <= len(sentence) <= 300:
                found.add(sentence)
    return sorted(found)


def fit(reference: np.ndarray, model: np.ndarray) -> tuple[CosineScale, float]:
    """The q-q line from `model`'s pair cosines to `reference`'s, and its largest gap."""
    upper = np.triu_indices(len(reference), 1)
    quantiles = [1 - share for share in SHARES]
    plain = np.quantile((reference @ reference.T)[upper], quantiles)
    theirs = np.quantile((model @ model.T)[upper], quantiles)
    slope, offset = np.polyfit(theirs, plain, 1)
    scale = CosineScale(round(float(offset), 3), round(float(slope), 3))
    return scale, float(np.abs(scale.offset + scale.slope * theirs - plain).max())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="a store holding the corpus")
    parser.add_argument("--model", default="e5-small-recueil", help="the model measured")
    args = parser.parse_args(argv)
    texts = sentences(args.data)
    reference = get_embedder("e5-small-onnx").embed_passages(texts)
    scale, gap = fit(reference, get_embedder(args.model).embed_passages(texts))
    pairs = len(texts) * (len(texts) - 1) // 2
    print(f"{len(texts)} sentences, {pairs} pairs: {scale} (largest gap {gap:.3f})")
    for what, plain in (("cards", CARDS_MERGE_AT), ("answer items", ITEMS_MERGE_AT)):
        print(f"{what}: plain {plain} -> {scale.threshold(plain):.3f}")


if __name__ == "__main__":
    main()
