"""The FAISS index is derived: fresh when the store is unchanged, rebuilt when it changes."""

from __future__ import annotations

import json

import faiss
import numpy as np

from ingest.pipeline import ingest
from search import vectors
from search.embedders import get_embedder
from tests.factories import MARKDOWN


class CountingEmbedder:
    """Wraps e5 and counts how many passages it is asked to embed."""

    def __init__(self):
        self.inner = get_embedder()
        self.model_id, self.dim, self.embedded = self.inner.model_id, self.inner.dim, 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_stale_index_is_detected_and_rebuilt_with_only_new_vectors(fresh_store, tmp_path):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    ingest(fresh_store, [path])
    embedder = CountingEmbedder()
    first = vectors.load_or_build(fresh_store, embedder)
    chunks = vectors.all_chunks(fresh_store.passages()).texts
    assert first.manifest.count == len(chunks) and embedder.embedded == len(set(chunks))
    assert vectors.is_fresh(fresh_store, embedder.model_id)

    embedded = embedder.embedded
    again = vectors.load_or_build(fresh_store, embedder)  # loaded, nothing embedded
    assert embedder.embedded == embedded and again.manifest.built_at == first.manifest.built_at

    path.write_text(MARKDOWN + "\n## Suite\n\nUn paragraphe nouveau sur les vergers.\n", "utf-8")
    ingest(fresh_store, [path])
    assert not vectors.is_fresh(fresh_store, embedder.model_id)
    rebuilt = vectors.load_or_build(fresh_store, embedder)
    chunks = vectors.all_chunks(fresh_store.passages()).texts
    assert rebuilt.manifest.count == len(chunks)
    assert embedder.embedded - embedded < len(chunks)  # only what changed
    assert vectors.is_fresh(fresh_store, embedder.model_id)


def test_manifest_is_written_next_to_the_index(fresh_store, tmp_path):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    ingest(fresh_store, [path])
    vectors.load_or_build(fresh_store, get_embedder())
    manifests = list((fresh_store.data_dir / "index").glob("*.json"))
    manifest = json.loads(manifests[0].read_text())
    assert manifest["model"] == "e5-small-recueil-int8-v3-65a7b843" and manifest["dim"] == 384
    assert manifest["fingerprint"] == fresh_store.fingerprint()
    assert not list((fresh_store.data_dir / "index").glob("*.tmp"))


def test_ivf_above_the_threshold_agrees_with_exact_search():
    """Clustered vectors, as text embeddings are: the probed lists hold the neighbours."""
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(40, 64)).astype(np.float32)
    data = centres[rng.integers(0, 40, 20_000)] + 0.4 * rng.normal(size=(20_000, 64))
    data = (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)
    exact, kind_exact = vectors.build_faiss(data, approximate_above=50_000)
    approx, kind_approx = vectors.build_faiss(data, approximate_above=1000)
    assert (kind_exact, kind_approx) == ("flat", "ivf")
    ivf = faiss.extract_index_ivf(approx)
    assert 100 < ivf.nlist <= 20_000 // 39 and ivf.nprobe == ivf.nlist // 16
    queries = data[:50] + 0.05 * rng.normal(size=(50, 64)).astype(np.float32)
    _, truth = exact.search(queries, 10)
    _, found = approx.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True)])
    assert recall > 0.9


def test_passages_are_scored_by_their_best_chunk(engine):
    long = max(engine.passages.values(), key=lambda p: len(vectors.chunk_inputs(p)))
    pieces = vectors.chunk_inputs(long)
    assert len(pieces) >= 3
    title = vectors.context(long) + ": "
    rebuilt = " ".join(p.removeprefix(title) for p in pieces)
    assert "".join(rebuilt.split()) == "".join(long.text.split())  # nothing lost
    row = engine.vectors.row_of[long.id]
    query = engine.embedder.embed_query(pieces[-1])
    own = engine.vectors.chunks[engine.vectors.starts[row] : engine.vectors.starts[row + 1]]
    score = engine.vectors.passage_scores(query, np.array([row]))[0]
    assert np.isclose(score, float((own @ query).max()), atol=1e-5)
    assert engine.vectors.search(query, 3)[0][0] == long.id


def test_a_query_searches_faiss_on_one_thread_and_leaves_its_threads_as_they_were(engine):
    """One query on one thread (its OpenMP threads would spin on the embedder's cores), and
    the builds after it keep FAISS's threads."""
    seen: list[int] = []
    index = engine.vectors.index
    search = index.search

    def watched(*args, **kwargs):
        seen.append(faiss.omp_get_max_threads())
        return search(*args, **kwargs)

    faiss.omp_set_num_threads(2)
    index.search = watched
    try:
        found = engine.vectors.search(engine.embedder.embed_query("mobiliser les élus"), 3)
    finally:
        del index.search
    assert seen == [1] and len(found) == 3
    assert faiss.omp_get_max_threads() == 2


def test_unchanged_start_maps_the_saved_matrix_instead_of_reading_sqlite(
    fresh_store, tmp_path, monkeypatch
):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    ingest(fresh_store, [path])
    embedder = get_embedder()
    built = vectors.load_or_build(fresh_store, embedder)
    (matrix,) = (fresh_store.data_dir / "index").glob("*-*.npy")

    def no_sqlite(*args):
        raise AssertionError("vectors read from SQLite on an unchanged start")

    with monkeypatch.context() as patch:
        patch.setattr(fresh_store, "embeddings", no_sqlite)
        loaded = vectors.load_or_build(fresh_store, embedder)
    assert np.array_equal(loaded.chunks, built.chunks) and loaded.chunks.dtype == np.float16
    query = embedder.embed_query("jardins partagés")
    assert loaded.search(query, 3) == built.search(query, 3)

    matrix.write_bytes(b"\x93NUMPY broken")  # unreadable: read from SQLite again
    reread = vectors.load_or_build(fresh_store, embedder)
    assert np.array_equal(reread.chunks, built.chunks)

    path.write_text(MARKDOWN + "\n## Suite\n\nUn paragraphe nouveau sur les vergers.\n", "utf-8")
    ingest(fresh_store, [path])
    vectors.load_or_build(fresh_store, embedder)
    (replaced,) = (fresh_store.data_dir / "index").glob("*-*.npy")
    assert replaced != matrix  # the old chunk set's matrix is gone


def test_store_says_which_texts_are_embedded_without_reading_vectors(fresh_store):
    vector = np.ones(4, dtype=np.float32)
    fresh_store.save_embeddings("m", {"a": vector, "b": 2 * vector})
    fresh_store.save_embeddings("other", {"c": vector})
    assert fresh_store.embedded_hashes("m", ["a", "c", "z", "a"]) == {"a"}
    found = fresh_store.embeddings("m", ["b", "c"])
    assert list(found) == ["b"] and np.array_equal(found["b"], 2 * vector)


def test_a_credit_in_parentheses_stays_with_the_sentence_it_ends():
    """Workshop notes credit a line to its author's initials or votes after its last word
    (« … les résultats ? (AB) », « … indicateurs. (++) »): a window (and the label read
    from it) never opens on them, wherever the size limit falls."""
    need = "Où mettre le curseur entre les indicateurs et les résultats obtenus sur le terrain ?"
    for filler in range(0, 320, 7):
        context = f"{'Une phrase de contexte. ' * (filler // 24)}{'x' * (filler % 24)}."
        text = f"{context} {need} (AB)\n16. Écouter la communauté (++)"
        cut = vectors.windows(text)
        assert not any(w.startswith("(") for w in cut), cut
        assert any(w.endswith(f"{need} (AB)") or f"{need} (AB) " in w for w in cut), cut


def test_etc_ends_no_sentence_window_or_label():
    """« les acteurs - entreprises, citoyens, etc. - se sont pris par la main » is one
    sentence: a window or an answer's label never opens on « - se sont pris… »."""
    from search.snippet import split_sentences
    from search.vectors import windows

    text = (
        "Il ne faut pas oublier que les acteurs - entreprises, associations, citoyens, etc. - "
        "se sont pris par la main pour diversifier l'économie rurale. Ce monde n'existe plus."
    )
    assert not any(w.lstrip("- ").startswith("se sont") for w in windows(text))
    first, second = split_sentences(text)
    assert "etc. - se sont pris" in first and second == "Ce monde n'existe plus."
