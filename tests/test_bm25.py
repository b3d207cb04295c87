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
    assert path.stat().st_mtime_ns != stamp
    assert "3" in {pid for pid, _ in rebuilt.search("elus", 10)}  # the changed text counts
    assert np.allclose(rebuilt.scores("elus"), BM25.build(ids, changed).scores("elus"))
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


def _postings(index: BM25) -> dict:
    """Each term's rows and weights, as lists."""
    return {term: tuple(a.tolist() for a in index.posting(term)) for term in index.terms()}


def _same_index(first: BM25, second: BM25) -> None:
    assert first.ids == second.ids
    assert _postings(first) == _postings(second)  # rows and weights, bit for bit
    assert first._surface == second._surface


def test_index_built_after_a_write_equals_a_full_build(fresh_store, corpus_data):
    """Passages of the real corpus: an index rebuilt from the kept analyses after a document
    goes in or out is, posting for posting, the one a build from nothing gives; the file
    on disk and the index in memory both serve as the starting point."""
    from ingest.store import open_store
    from search import lexical_cache
    from search.vectors import embedding_input

    passages = open_store(corpus_data).searchable_passages()
    first_document = passages[0].document_id
    rest = [p for p in passages if p.document_id != first_document]

    def texts(rows):
        return [p.id for p in rows], [embedding_input(p) for p in rows]

    before = lexical_cache.load_or_build_bm25(fresh_store, *texts(rest))
    _same_index(before, BM25.build(*texts(rest)))
    after_upload = lexical_cache.load_or_build_bm25(fresh_store, *texts(passages), before)
    _same_index(after_upload, BM25.build(*texts(passages)))
    # Only the uploaded document's passages were analysed: the rest came from `before`.
    assert (
        after_upload.analyses.by_hash[before.hashes[0]] is before.analyses.by_hash[before.hashes[0]]
    )
    after_delete = lexical_cache.load_or_build_bm25(fresh_store, *texts(rest), after_upload)
    _same_index(after_delete, before)
    assert set(after_delete.analyses.by_hash) == set(before.hashes)  # nothing deleted kept
    # A new process: the analyses come from the file the last build saved.
    from_file = lexical_cache.load_or_build_bm25(fresh_store, *texts(passages))
    _same_index(from_file, after_upload)
