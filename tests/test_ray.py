"""`recueil ingest --executor ray`: a real local Ray cluster leaves the store a local ingest
leaves, and a cluster that cannot be used is one French line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, free_port
from tests.factories import MARKDOWN
from tests.test_cli import run

QUERIES = [
    "comment impliquer les entreprises ?",
    "programme de la rencontre des pionniers",
    "coopérative d'habitants et jardins partagés",
    "table ronde sur l'action collective d'intérêt général",
]
# Small corpus files with their sidecars, and three files with one stem: the first empty
# (it fails), so the second takes the bare id only once the first has failed, although
# the cluster plans all three before the first is committed.
CORPUS_FILES = ["000_77cdf74dd2895607.txt", "003_c2577a908f8cbfbf.txt"]
CORPUS_FILES_IDS = [name.removesuffix(".txt") for name in CORPUS_FILES]


def _folder(root: Path) -> Path:
    folder = root / "docs"
    for name in CORPUS_FILES:
        for source in CORPUS.glob(f"{name}*"):
            (folder / "corpus").mkdir(parents=True, exist_ok=True)
            shutil.copy(source, folder / "corpus" / source.name)
    for part, text in [("a", ""), ("b", MARKDOWN), ("c", MARKDOWN.replace("Trappes", "Rennes"))]:
        (folder / part).mkdir()
        (folder / part / "notes.md").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_ray_ingest_stores_what_a_local_ingest_stores(tmp_path):
    """The local side runs in this process as the command runs it (its embedder and
    refresh), the cluster side as a user runs it: a command line, and a cluster of two."""
    from api.cli import _DocumentEmbedder
    from ingest.pipeline import ingest
    from ingest.store import open_store
    from search.embedders import get_embedder
    from search.engine import SearchEngine
    from search.knowledge.build import refresh
    from search.vectors import all_chunks

    folder = _folder(tmp_path)
    spread = run(
        "ingest", str(folder), "--executor", "ray", "--ray-workers", "2", "--json",
        data=tmp_path / "ray", check=False,
    )  # fmt: skip
    assert spread.returncode == 1, spread.stderr  # the empty file
    assert "fichier vide" in spread.stderr and "Traceback" not in spread.stderr
    one = open_store(tmp_path / "local")
    embedding = _DocumentEmbedder(one)
    report = ingest(one, [folder], ingested=embedding)
    refresh(one, embedding.embedder)
    assert json.loads(spread.stdout)["files"] == [r.__dict__ for r in report.results]

    other = open_store(tmp_path / "ray")
    ids = sorted(d.id for d in other.documents())
    assert ids[:2] == CORPUS_FILES_IDS
    assert "notes" in ids and any(i.startswith("notes-") for i in ids)
    assert other.document("notes").path.endswith("b/notes.md")
    assert sorted(d.id for d in one.documents()) == ids
    assert [p.__dict__ for p in one.passages()] == [p.__dict__ for p in other.passages()]
    for table in ("quotes", "statements", "mentions", "actor_mentions", "practices", "cases"):
        assert one.records(table) == other.records(table), table

    # The same vectors: each document batched as a local ingest batches it (the workers'
    # single thread against the writer's two moves them in the seventh decimal).
    model = get_embedder().model_id
    hashes = all_chunks(one.searchable_passages()).hashes
    mine, theirs = one.embeddings(model, hashes), other.embeddings(model, hashes)
    assert mine.keys() == theirs.keys() == set(hashes)
    assert min(float(mine[h] @ theirs[h]) for h in hashes) > 0.9999

    first, second = SearchEngine(one), SearchEngine(other)
    for query in QUERIES:
        expected = [hit.passage.id for hit in first.search(query, k=10)]
        assert [hit.passage.id for hit in second.search(query, k=10)] == expected, query


def test_an_unreachable_cluster_is_one_french_line(tmp_path):
    address = f"127.0.0.1:{free_port()}"
    done = run(
        "ingest", str(CORPUS / CORPUS_FILES[0]), "--executor", "ray", "--address", address,
        data=tmp_path / "data", check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert f"erreur : cluster Ray à {address} injoignable" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_ray_installed_the_error_says_how_to_install_it(tmp_path):
    """A `ray` package that cannot be imported stands for one that is not installed."""
    missing = tmp_path / "site" / "ray"
    missing.mkdir(parents=True)
    (missing / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    done = run(
        "ingest", str(CORPUS / CORPUS_FILES[0]), "--executor", "ray",
        data=tmp_path / "data", check=False, env={"PYTHONPATH": str(tmp_path / "site")},
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "pip install -e '.[ray]'" in done.stderr


def test_ray_options_need_the_ray_executor(tmp_path):
    done = run(
        "ingest", str(CORPUS / CORPUS_FILES[0]), "--ray-workers", "2",
        data=tmp_path / "data", check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "--executor ray" in done.stderr
