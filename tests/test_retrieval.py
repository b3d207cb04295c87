"""Where candidates come from (search.retrieval): BM25 computed inside PostgreSQL on
passages written here, and the choice RECUEIL_RETRIEVAL makes."""

from __future__ import annotations

import math
from dataclasses import replace

import psycopg
import pytest

from ingest.backends.postgres import PostgresStore
from ingest.store import NOT_SEARCHED_KINDS, Okapi
from search.bm25 import K1, B
from search.engine import SearchEngine
from search.retrieval import MemoryRetriever, RetrievalError, SqlRetriever, retriever_for
from tests.test_cli import run
from tests.test_store import document, passages

TEXTS = [
    "Les élus coopèrent avec les élus voisins, et les élus financent.",
    "Les élus parlent du budget de la commune.",
    "Une note sur les élus.",
    "Le budget de la coopérative funéraire reste fragile.",
]


def written(url: str, folder) -> PostgresStore:
    """A store holding one document of four passages, the third a note (not searched)."""
    store = PostgresStore(url, folder)
    rows = [
        replace(p, text=text, section="", speaker=None)
        for p, text in zip(passages(1), TEXTS, strict=True)
    ]
    store.replace_document(document(1), rows)
    return store


def expected_bm25(url: str, query: str, okapi: Okapi) -> dict[str, float]:
    """Okapi BM25 by hand over the tsvectors PostgreSQL made: tf a lexeme's positions, df
    the searchable passages holding it."""
    with psycopg.connect(url) as conn:
        terms = set(
            conn.execute(
                "SELECT tsvector_to_array(to_tsvector('recueil_french', %s))", [query]
            ).fetchone()[0]
        )
        entries = conn.execute(
            "SELECT id, (unnest(tsv)).lexeme, cardinality((unnest(tsv)).positions) "
            "FROM passages WHERE kind <> ALL(%s)",
            [NOT_SEARCHED_KINDS],
        ).fetchall()
    tf: dict[str, dict[str, int]] = {}
    for passage_id, lexeme, count in entries:
        tf.setdefault(passage_id, {})[lexeme] = count
    df = {t: sum(t in counts for counts in tf.values()) for t in terms}
    scores = {}
    for passage_id, counts in tf.items():
        length = sum(counts.values())
        norm = okapi.k1 * (1 - okapi.b + okapi.b * length / okapi.average_length)
        score = sum(
            math.log(1 + (okapi.passages - df[t] + 0.5) / (df[t] + 0.5))
            * counts[t]
            * (okapi.k1 + 1)
            / (counts[t] + norm)
            for t in terms & counts.keys()
        )
        if score:
            scores[passage_id] = score
    return scores


def test_bm25_in_postgres_is_an_or_of_the_words_scored_as_okapi(postgres_url, tmp_path):
    store = written(postgres_url, tmp_path)
    count, average = store.lexical_statistics()
    assert count == 3  # the note is not searched
    okapi = Okapi(K1, B, count, average)
    found = store.bm25("élus coopérative", 10, okapi)
    # An OR: the passage naming the cooperative only is found too; the note is not.
    assert {p for p, _ in found} == {"doc-1-p0", "doc-1-p1", "doc-1-p3"}
    expected = expected_bm25(postgres_url, "élus coopérative", okapi)
    assert [p for p, _ in found] == sorted(expected, key=lambda p: -expected[p])
    for passage_id, score in found:
        assert score == pytest.approx(expected[passage_id], rel=1e-6)
    # Restricted to some passages, each keeps its score: the words' weights are the store's.
    restricted = store.bm25("élus coopérative", 10, okapi, ids=["doc-1-p1"])
    assert restricted == [("doc-1-p1", pytest.approx(expected["doc-1-p1"], rel=1e-6))]
    assert store.bm25("de la", 10, okapi) == []  # stop words only: nothing to match
    store.close()


def test_retrieval_is_chosen_once_from_the_environment(engine, monkeypatch):
    monkeypatch.delenv("RECUEIL_RETRIEVAL", raising=False)
    assert type(retriever_for(engine, 100)) is MemoryRetriever
    monkeypatch.setenv("RECUEIL_RETRIEVAL", "sql")
    with pytest.raises(RetrievalError, match="demande le stockage PostgreSQL"):
        retriever_for(engine, 100)  # the session's store is SQLite
    monkeypatch.setenv("RECUEIL_RETRIEVAL", "faiss")
    with pytest.raises(RetrievalError, match="inconnu"):
        retriever_for(engine, 100)


def test_sql_retrieval_is_picked_on_postgres(engine, postgres_url, tmp_path, monkeypatch):
    store = written(postgres_url, tmp_path)
    monkeypatch.setenv("RECUEIL_RETRIEVAL", "sql")
    on_postgres = SearchEngine(store, engine.embedder)
    assert type(on_postgres.retriever) is SqlRetriever
    assert on_postgres.retriever.okapi.passages == 3
    hits = on_postgres.search("coopérative funéraire", 3, "lexical")
    assert hits[0].passage.id == "doc-1-p3"
    store.close()


def test_the_cli_says_in_french_that_sql_retrieval_needs_postgres(corpus_data):
    done = run("search", "budget", data=corpus_data, check=False, env={"RECUEIL_RETRIEVAL": "sql"})
    assert done.returncode != 0
    assert "RECUEIL_RETRIEVAL=sql demande le stockage PostgreSQL" in done.stderr
    assert "Traceback" not in done.stderr
