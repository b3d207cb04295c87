"""Practice-card grouping: the same groups as plain average linkage, and incremental.

The reference below is the textbook algorithm (merge the two groups with the highest
average pairwise similarity while it reaches the threshold), cubic and obviously right;
search.knowledge.practices must give the same groups faster, and keep its earlier groups
when new statements arrive.
"""

from __future__ import annotations

import numpy as np
import pytest

from search.embedders.adapter import SCALE
from search.embedders.base import REFERENCE, CosineScale
from search.knowledge.practices import (
    MERGE_AT,
    SHARED_WORD_BONUS,
    group_statements,
    rare_stems,
)


def reference_groups(
    texts: list[str], vectors: np.ndarray, scale: CosineScale = REFERENCE
) -> set[frozenset[int]]:
    """Cosines read on plain e5-small's scale, then the plain model's bonus and threshold."""
    rare = rare_stems(texts)
    shared = np.array([[min(2, len(a & b)) for b in rare] for a in rare], dtype=np.float32)
    cosines = vectors @ vectors.T
    similarity = scale.offset + scale.slope * cosines + SHARED_WORD_BONUS * shared
    groups = [[i] for i in range(len(texts))]
    while len(groups) > 1:
        best, pair = -np.inf, None
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                average = similarity[np.ix_(groups[x], groups[y])].mean()
                if average > best:
                    best, pair = average, (x, y)
        if best < MERGE_AT:
            break
        x, y = pair
        groups[x] += groups.pop(y)
    return {frozenset(g) for g in groups}


TOPICS = [
    "mobiliser les élus locaux dès le début du projet",
    "associer les habitants aux décisions du quartier",
    "financer la coordination sur plusieurs années",
    "partager les données entre les partenaires du territoire",
    "former les animateurs à la coopération",
    "évaluer les effets sur l'emploi local",
]


def statements(count: int, seed: int, spread: float = 0.16) -> tuple[list[str], np.ndarray]:
    """Paraphrases around a few topics: near vectors, some words in common, some copies
    (a copy has its text's vector, as a model gives it)."""
    centres = np.random.default_rng(0).normal(size=(len(TOPICS), 32))  # shared by all calls
    rng = np.random.default_rng(seed)
    texts, vectors, seen = [], [], {}
    for _ in range(count):
        topic = int(rng.integers(len(TOPICS)))
        words = TOPICS[topic].split()
        if rng.random() < 0.7:  # a paraphrase drops a word; the rest are verbatim copies
            del words[int(rng.integers(len(words)))]
        texts.append(" ".join(words))
        noise = rng.normal(scale=spread, size=32)
        vectors.append(seen.setdefault(texts[-1], centres[topic] + noise))
    vectors = np.array(vectors, dtype=np.float32)
    return texts, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def as_set(groups: list[list[int]]) -> set[frozenset[int]]:
    return {frozenset(g) for g in groups}


@pytest.mark.parametrize(("scale", "spread"), [(REFERENCE, 0.16), (SCALE, 0.3)])
@pytest.mark.parametrize("seed", range(4))
def test_groups_are_those_of_plain_average_linkage(seed, scale, spread):
    """On the plain model's scale, and on the adapter's (a model that spreads paraphrases)."""
    texts, vectors = statements(60, seed, spread)
    expected = reference_groups(texts, vectors, scale)
    assert 1 < len(expected) < len(texts)  # the data has real groups and real splits
    assert as_set(group_statements(texts, vectors, scale=scale)) == expected


def test_a_first_build_in_batches_gives_the_same_groups(monkeypatch):
    texts, vectors = statements(60, 7)
    whole = as_set(group_statements(texts, vectors))
    monkeypatch.setattr("search.knowledge.practices.BATCH", 8)
    assert as_set(group_statements(texts, vectors)) == whole


def test_new_statements_join_the_groups_they_belong_to_and_others_are_kept():
    texts, vectors = statements(40, 3)
    before = group_statements(texts, vectors)
    more_texts, more_vectors = statements(6, 11)
    # An unrelated statement, far from every topic, must stay alone.
    lone = np.zeros((1, vectors.shape[1]), dtype=np.float32)
    lone[0, 0] = 1.0
    all_texts = texts + more_texts + ["tenir un registre des prêts de matériel"]
    all_vectors = np.vstack([vectors, more_vectors, lone])
    after = group_statements(all_texts, all_vectors, before)
    old, new = set(range(40)), set(range(40, 46))
    for group in after:
        earlier = [g for g in before if set(g) & set(group)]
        # Earlier groups are never split: each lies whole inside one group of now.
        assert all(set(g) <= set(group) for g in earlier)
    for index in new:
        home = next(g for g in after if index in g)
        assert set(home) & old, "a paraphrase of a known topic joins its group"
    assert [len(all_texts) - 1] in after
    assert sorted(i for g in after for i in g) == list(range(len(all_texts)))


def test_identical_texts_always_share_a_group():
    texts, vectors = statements(30, 5)
    texts.append(texts[0])
    vectors = np.vstack([vectors, vectors[:1]])
    groups = group_statements(texts, vectors)
    assert any({0, 30} <= set(g) for g in groups)


def test_another_model_s_cosines_are_read_on_its_scale():
    """A model that spreads paraphrases (the adapter's) groups them at its own cosines:
    read on plain e5-small's scale they would stay apart."""
    texts, vectors = statements(60, 2, spread=0.3)
    plain = as_set(group_statements(texts, vectors))
    spread = as_set(group_statements(texts, vectors, scale=SCALE))
    assert len(spread) < len(plain) / 3
    # Agglomeration only goes further: every group read on the plain scale lies inside one.
    assert all(any(group <= bigger for bigger in spread) for group in plain)
