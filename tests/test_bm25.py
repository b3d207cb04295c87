"""BM25 against a direct transcription of the Okapi formula."""

import math

import numpy as np

from search.bm25 import BM25, K1, B
from search.french import analyse

TEXTS = [
    "Les élus locaux mobilisent les habitants autour du projet.",
    "Les entreprises du territoire financent l'animation.",
    "Élus, entreprises et associations coopèrent sur le territoire, élus en tête.",
    "Un texte sans rapport avec la requête.",
]


def reference_scores(query: str) -> list[float]:
    docs = [analyse(t) for t in TEXTS]
    average = sum(len(d) for d in docs) / len(docs)
    scores = []
    for doc in docs:
        score = 0.0
        for term in set(analyse(query)):
            df = sum(1 for d in docs if term in d)
            if not df:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc) / average))
        scores.append(score)
    return scores


def test_matches_the_reference_formula():
    index = BM25([str(i) for i in range(len(TEXTS))], TEXTS)
    for query in ("élus territoire", "entreprises financent", "coopération", "requête"):
        assert np.allclose(index.scores(query), reference_scores(query), atol=1e-5)


def test_search_orders_and_skips_non_matches():
    index = BM25([str(i) for i in range(len(TEXTS))], TEXTS)
    ranked = index.search("elus", 10)
    assert [pid for pid, _ in ranked] == ["2", "0"]
    assert index.search("inexistant", 10) == []
