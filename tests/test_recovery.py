"""Derived files are caches: truncated (a full disk, a kill), they are rebuilt from the
store with a warning, in the library and in every command that reads them."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from ingest.store import open_store
from search.engine import SearchEngine
from tests.conftest import CORPUS
from tests.test_cli import run

# Each file under data/index, by what it holds.
DERIVED = {
    "faiss": "*.faiss",
    "manifest": "*.json",
    "matrix": "*-*.npy",
    "postings": "bm25.npz",
}
QUERY = "comment impliquer les entreprises ?"


@pytest.fixture
def copied(corpus_data: Path, tmp_path: Path) -> Path:
    """A copy of the embedded corpus store, with its index files, to damage."""
    return Path(shutil.copytree(corpus_data, tmp_path / "data"))


def truncate(data: Path, pattern: str) -> Path:
    (path,) = (data / "index").glob(pattern)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def ids(hits) -> list[str]:
    return [hit.passage.id for hit in hits]


def warnings_about(caplog, path: Path) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and str(path) in r.getMessage()
    ]


@pytest.mark.parametrize("pattern", DERIVED.values(), ids=list(DERIVED))
def test_library_search_rebuilds_a_truncated_file_with_a_warning(copied, engine, pattern, caplog):
    broken = truncate(copied, pattern)
    with caplog.at_level(logging.WARNING):
        rebuilt = SearchEngine(open_store(copied), engine.embedder)
    assert warnings_about(caplog, broken)
    assert ids(rebuilt.search(QUERY)) == ids(engine.search(QUERY))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        SearchEngine(open_store(copied), engine.embedder)  # the file is whole again
    assert not warnings_about(caplog, broken)


@pytest.mark.parametrize("pattern", DERIVED.values(), ids=list(DERIVED))
def test_cli_search_rebuilds_a_truncated_file_with_a_warning(copied, corpus_data, pattern):
    broken = truncate(copied, pattern)
    done = run("search", QUERY, "--json", data=copied)
    assert f"{broken} is unreadable" in done.stderr
    expected = json.loads(run("search", QUERY, "--json", data=corpus_data).stdout)
    found = json.loads(done.stdout)
    assert [r["passage_id"] for r in found["results"]] == [
        r["passage_id"] for r in expected["results"]
    ]


def test_cli_build_and_ingest_rebuild_truncated_files(copied):
    index = truncate(copied, DERIVED["faiss"])
    built = run("build", data=copied)
    assert f"{index} is unreadable" in built.stderr
    manifest = truncate(copied, DERIVED["manifest"])
    ingested = run("ingest", str(CORPUS), data=copied)
    assert f"{manifest} is unreadable" in ingested.stderr
    assert "5 inchangés, 0 en échec" in ingested.stdout
    searched = run("search", QUERY, data=copied)  # both were written whole again
    assert "unreadable" not in searched.stderr and searched.stdout.startswith(" 1. ")
