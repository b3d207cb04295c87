"""After a write, the engine is built from the one in service (issue #13: the cost of a write
follows the write, not the store). What it builds that way must be what a build from
nothing gives: passages, postings, vectors and the FAISS index, exact or approximate."""

from __future__ import annotations

import shutil
from pathlib import Path

import faiss
import numpy as np
import pytest

from ingest.pipeline import ingest_file
from ingest.store import open_store
from search import vectors
from search.engine import SearchEngine
from tests.test_bm25 import _same_index

QUERIES = ("financement de l'ingénierie territoriale", "coopération entre élus et entreprises")


def _from_nothing(data: Path, target: Path, embedder) -> SearchEngine:
    """An engine over a copy of the store without any derived file."""
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("index"))
    return SearchEngine(open_store(target), embedder)


def _same_search(
    built: SearchEngine, reference: SearchEngine, queries: tuple[str, ...] = QUERIES
) -> None:
    assert built.ids == reference.ids and built.passages == reference.passages
    assert built.documents == reference.documents
    _same_index(built.lexical, reference.lexical)
    assert built.vectors.hashes == reference.vectors.hashes
    assert np.array_equal(built.vectors.chunks, reference.vectors.chunks)
    assert np.array_equal(built.vectors.starts, reference.vectors.starts)
    for query in queries:
        ours, theirs = built.search(query, 10), reference.search(query, 10)
        assert [h.passage.id for h in ours] == [h.passage.id for h in theirs]
        assert np.allclose([h.score for h in ours], [h.score for h in theirs], atol=1e-6)


@pytest.fixture
def copied(corpus_data, tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(corpus_data, data)
    return data


def test_engine_after_a_delete_and_an_upload_equals_one_built_from_nothing(
    copied, engine, tmp_path
):
    store = open_store(copied)
    first = SearchEngine(store, engine.embedder)
    victim = sorted(first.documents)[1]
    path = Path(first.documents[victim].path)
    store.delete_document(victim)
    after_delete = SearchEngine(store, engine.embedder, previous=first, knowledge=False)
    assert after_delete.vectors.manifest.kind == "flat"
    assert after_delete.knowledge is first.knowledge  # rebuilt by the next engine
    _same_search(after_delete, _from_nothing(copied, tmp_path / "a", engine.embedder))

    assert ingest_file(store, path).status == "added"
    after_upload = SearchEngine(store, engine.embedder, previous=after_delete)
    assert after_upload.knowledge is not first.knowledge
    _same_search(after_upload, _from_nothing(copied, tmp_path / "b", engine.embedder))
    # Saved after the swap, the caches give the next process the same engine.
    after_upload.save()
    _same_search(SearchEngine(open_store(copied), engine.embedder), after_upload)


def test_approximate_index_updated_in_place_holds_what_a_rebuild_would(copied, engine, monkeypatch):
    """Above the threshold (lowered here), the IVF index keeps its training: a delete
    removes the document's chunks by id and an upload adds them under new ids; the lists
    then hold exactly the store's chunks, as an index with that training filled anew."""
    monkeypatch.setattr(vectors, "APPROXIMATE_ABOVE", 200)
    store = open_store(copied)
    shutil.rmtree(copied / "index")
    first = SearchEngine(store, engine.embedder)
    assert first.vectors.manifest.kind == "ivf" and first.vectors.faiss_ids is None
    victim = sorted(first.documents)[0]
    path = Path(first.documents[victim].path)
    store.delete_document(victim)
    after_delete = SearchEngine(store, engine.embedder, previous=first, knowledge=False)
    assert ingest_file(store, path).status == "added"
    after_upload = SearchEngine(store, engine.embedder, previous=after_delete, knowledge=False)
    for built in (after_delete, after_upload):
        index = built.vectors
        assert index.manifest.kind == "ivf" and index.faiss_ids is not None
        assert index.index.ntotal == len(index.hashes) == len(set(index.faiss_ids.tolist()))
        refilled = faiss.clone_index(index.index)
        refilled.reset()
        stored = store.embeddings(engine.embedder.model_id, index.hashes)
        refilled.add_with_ids(np.stack([stored[h] for h in index.hashes]), index.faiss_ids)
        probe = np.stack([engine.embedder.embed_query(q) for q in QUERIES])
        ours, theirs = index.index.search(probe, 20), refilled.search(probe, 20)
        for row in range(len(QUERIES)):
            # The same scores; the same chunks above the last score, where two chunks of
            # one text (a passage repeated across documents) tie and either may be cut.
            assert sorted(ours[0][row]) == sorted(theirs[0][row])
            last = ours[0][row].min()
            assert _above(ours, row, last) == _above(theirs, row, last)
    assert after_upload.search("Loos-en-Gohelle", 3)
    after_upload.save()
    reloaded = SearchEngine(open_store(copied), engine.embedder)  # ids saved with the index
    assert np.array_equal(reloaded.vectors.faiss_ids, after_upload.vectors.faiss_ids)
    for query in QUERIES:
        ours, theirs = reloaded.search(query, 10), after_upload.search(query, 10)
        assert [h.passage.id for h in ours] == [h.passage.id for h in theirs]


def _above(found: tuple[np.ndarray, np.ndarray], row: int, score: float) -> set[int]:
    """The ids of a FAISS search's row scoring above `score`."""
    scores, ids = found
    return {int(i) for d, i in zip(scores[row], ids[row], strict=True) if d > score}


# Three short reports of our own; « beta » sorts between the two others, so its upload
# moves the rows of « gamma » and its deletion moves them back.
REPORTS = {
    "alpha": (
        "Compte rendu de la rencontre des territoires\n\n"
        "Les élus locaux ont présenté le financement de la maison de santé.\n\n"
        "Une coopérative d'habitants mutualise ses achats de matériel agricole.\n\n"
        "Le conseil départemental soutient l'ingénierie territoriale des petites communes."
    ),
    "beta": (
        "Atelier sur la mobilité rurale\n\n"
        "Le transport à la demande dessert les hameaux isolés depuis deux ans.\n\n"
        "Les Quintalvers, une association de covoiturage, relient les villages au marché.\n\n"
        "Les élus ont financé le covoiturage solidaire avec les entreprises du territoire."
    ),
    "gamma": (
        "Journée d'échanges sur l'alimentation\n\n"
        "La cantine scolaire achète ses légumes aux maraîchers du canton.\n\n"
        "Un projet alimentaire territorial réunit élus, agriculteurs et associations.\n\n"
        "Le financement de la légumerie associe la région et les communes."
    ),
}
REPORT_QUERIES = (
    "financement par les élus",
    "covoiturage entre villages",
    "Quintalver",  # a word of « beta » alone: gone with it, from the speller too
    "legumrie",  # a typo, corrected towards the indexed words
)


def test_engine_refreshed_after_a_write_ranks_as_one_built_from_nothing(
    tmp_path, engine, monkeypatch
):
    """Issue #15: another process's engine follows an upload then a delete from the one it
    serves, counting only the changed rows (no BM25 build from all analyses), and ranks
    exactly as an engine built from nothing; it starts from the files a first engine
    saved, as a server's process does."""
    from ingest.pipeline import ingest
    from search.bm25 import BM25

    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    upload = folder / "beta.txt"
    upload.rename(tmp_path / "beta.txt")
    data = tmp_path / "data"
    store = open_store(data)
    assert ingest(store, [folder]).count("added") == 2
    SearchEngine(store, engine.embedder).save()
    served = SearchEngine(open_store(data), engine.embedder)  # the postings read back
    assert served.lexical.saved

    full_builds: list[int] = []
    build = BM25.from_analyses.__func__
    monkeypatch.setattr(
        BM25,
        "from_analyses",
        classmethod(lambda cls, *args: full_builds.append(1) or build(cls, *args)),
    )
    assert ingest_file(store, tmp_path / "beta.txt").status == "added"
    after_upload = SearchEngine(store, engine.embedder, previous=served, knowledge=False)
    assert not full_builds
    assert after_upload.ids[-1].startswith("gamma") and any("beta" in i for i in after_upload.ids)
    _same_search(after_upload, _from_nothing(data, tmp_path / "a", engine.embedder), REPORT_QUERIES)
    assert after_upload.lexical.search("Quintalvers", 3)

    store.delete_document("beta")
    full_builds.clear()
    after_delete = SearchEngine(store, engine.embedder, previous=after_upload, knowledge=False)
    assert not full_builds
    _same_search(after_delete, _from_nothing(data, tmp_path / "b", engine.embedder), REPORT_QUERIES)
    assert not after_delete.lexical.search("Quintalvers", 3)
