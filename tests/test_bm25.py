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
    index = BM25.build([str(i) for i in range(len(TEXTS))], TEXTS)
    for query in ("élus territoire", "entreprises financent", "coopération", "requête"):
        assert np.allclose(index.scores(query), reference_scores(query), atol=1e-5)


def test_search_orders_and_skips_non_matches():
    index = BM25.build([str(i) for i in range(len(TEXTS))], TEXTS)
    ranked = index.search("elus", 10)
    assert [pid for pid, _ in ranked] == ["2", "0"]
    assert index.search("inexistant", 10) == []


def test_postings_saved_on_disk_give_the_same_scores(fresh_store, tmp_path):
    """The cache round-trips, is used while the texts match and rebuilt when one changes."""
    from search import lexical_cache

    ids = [str(i) for i in range(len(TEXTS))]
    built = lexical_cache.load_or_build_bm25(fresh_store, ids, TEXTS)
    path = lexical_cache.cache_path(fresh_store)
    stamp = path.stat().st_mtime_ns
    loaded = lexical_cache.load_or_build_bm25(fresh_store, ids, TEXTS)
    assert path.stat().st_mtime_ns == stamp  # read back, not rebuilt
    for query in ("élus territoire", "entreprises financent", "requête"):
        assert np.allclose(loaded.scores(query), reference_scores(query), atol=1e-5)
    for query in ("élus territoire", "teritoire"):  # the typo goes through the speller
        assert np.array_equal(loaded.scores(query), built.scores(query))
    assert loaded.scores("teritoire").any()

    changed = [*TEXTS[:3], "Un texte sur les élus."]
    rebuilt = lexical_cache.load_or_build_bm25(fresh_store, ids, changed)
    assert rebuilt.search("elus", 10)[0][0] == "3" and path.stat().st_mtime_ns != stamp
    assert not list(path.parent.glob("*.tmp*"))


def test_read_only_store_builds_postings_without_writing(fresh_store, tmp_path):
    from ingest.store import open_store
    from search import lexical_cache

    read_only = open_store(fresh_store.data_dir, read_only=True)
    index = lexical_cache.load_or_build_bm25(read_only, ["0", "1"], TEXTS[:2])
    assert index.search("entreprises", 5)[0][0] == "1"
    assert not lexical_cache.cache_path(read_only).exists()


def test_unreadable_saved_postings_are_rebuilt(fresh_store):
    from search import lexical_cache

    path = lexical_cache.cache_path(fresh_store)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 not a whole archive")
    index = lexical_cache.load_or_build_bm25(fresh_store, ["0", "1"], TEXTS[:2])
    assert index.search("entreprises", 5)[0][0] == "1"
    again = lexical_cache.load_or_build_bm25(fresh_store, ["0", "1"], TEXTS[:2])
    assert np.array_equal(again.scores("élus"), index.scores("élus"))
