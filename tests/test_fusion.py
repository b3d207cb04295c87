"""Score fusion: calibrated z-scores, exact components, stable ordering."""

import numpy as np

from search.fusion import combine, ranks, zscores


def test_zscores_use_the_reference_distribution():
    reference = np.array([0.0, 1.0, 2.0, 3.0])
    z = zscores(np.array([1.5, 3.0]), reference)
    assert np.allclose(z, [0.0, 1.5 / reference.std()])
    assert np.allclose(zscores(np.array([2.0]), np.array([2.0, 2.0])), [0.0])


def test_agreement_beats_a_single_strong_retriever():
    ids = ["a", "b", "c", "d"]
    lexical = np.array([10.0, 6.0, 0.0, 0.0])
    dense = np.array([0.70, 0.86, 0.88, 0.60])
    rows = np.arange(4)
    ranked = combine(ids, rows, lexical, dense, lexical, dense)
    assert ranked[0].passage_id == "b"  # good on both beats best on one
    assert ranked[0].components["lexical_rank"] == 2
    assert ranked[0].components["dense_rank"] == 2


def test_single_mode_keeps_raw_scores():
    ids = ["a", "b"]
    ranked = combine(ids, np.arange(2), None, np.array([0.1, 0.9]), None, None)
    assert [r.passage_id for r in ranked] == ["b", "a"]
    assert ranked[0].score == 0.9 and "lexical" not in ranked[0].components


def test_ranks():
    assert ranks(np.array([0.2, 0.9, 0.5]), np.array([0, 1, 2])) == {1: 1, 2: 2, 0: 3}
