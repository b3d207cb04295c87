"""Typo tolerance and language detection for lexical search."""

import numpy as np

from search.bm25 import BM25
from search.french import analyse
from search.language import looks_english
from search.spelling import Speller, distance, max_distance


def test_distance_with_cap():
    assert distance("territoire", "teritoire", 2) == 1
    assert distance("caisse", "caise", 1) == 1
    assert distance("abcdef", "uvwxyz", 2) == 3  # stops past the cap


def test_short_terms_are_never_corrected():
    assert max_distance("elu") == 0 and max_distance("confiance") == 2


def test_nearest_prefers_the_closest_and_same_initial():
    speller = Speller(["territori", "territoir", "terrain", "meritoir"])
    assert speller.nearest(analyse("teritoire")[0]) == ["territoir"]
    assert speller.nearest("xyz") == []


def test_bm25_reaches_the_text_through_a_typo():
    index = BM25.build(["a", "b"], ["La Banque des Territoires finance.", "Un texte sans rapport."])
    assert index.scores("teritoires")[0] > 0 and index.scores("teritoires")[1] == 0
    exact, typo = index.scores("territoires")[0], index.scores("teritoires")[0]
    assert np.isclose(typo, 0.8 * exact)


def test_english_queries_are_recognised():
    assert looks_english("how were companies involved in local partnerships?")
    assert looks_english("What is a low-density territory?")
    assert not looks_english("comment mobiliser les élus ?")
    assert not looks_english("RSE teritoriale mythe ou realite")
