"""bench/backends_bench.py's smallest path: one tiny collection through both backends, a
real SQLite store and a database of the session's real PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import backends_bench
from generated import embedder_queries, material, query_texts

from search.embedders import get_embedder


def test_a_tiny_collection_is_measured_on_both_backends(store, postgres_server, tmp_path):
    embedder = get_embedder()
    real, sentences = material(store, embedder.model_id)
    words = query_texts()[:12]
    queries = embedder_queries(embedder, words)
    entry = backends_bench.measure(
        300, (real, sentences, queries, words), np.random.default_rng(0), postgres_server, tmp_path
    )
    sqlite, postgres = entry["sqlite"], entry["postgres"]
    assert sqlite["faiss_index"] == "flat" and sqlite["recall@10"] == 1.0
    assert [h["ef_search"] for h in postgres["hnsw"]] == list(backends_bench.EF_SEARCH)
    assert postgres["hnsw"][-1]["recall@10"] >= 0.95  # ef_search 400 over 300 vectors
    for side in ("dense", "lexical"):
        for measured in (sqlite[side], postgres[side]):
            assert [c["clients"] for c in measured] == list(backends_bench.CLIENTS)
            assert all(0 < c["p50_ms"] <= c["p95_ms"] and c["qps"] > 0 for c in measured)
    for backend in (sqlite, postgres):
        assert backend["ingest"]["passages_per_s"] > 0 and backend["ingest"]["vectors_per_s"] > 0
    assert postgres["hnsw_mb"] > 0 and postgres["gin_mb"] > 0 and postgres["server_pss_mb"] > 0
    assert "| 300 | postgres |" in backends_bench.markdown({"sizes": [entry]})
    with psycopg.connect(postgres_server) as conn:  # the size's database is dropped
        assert not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench_300'").fetchone()
    assert not list(tmp_path.glob("sqlite-*"))  # and the SQLite store removed
