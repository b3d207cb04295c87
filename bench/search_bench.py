"""Search benchmark on the corpus: cold start, embedding and index build, warm latency.

Run: `make bench` (or `python bench/search_bench.py [--out docs/BENCHMARKS.md]`).
Measures, on a fresh store in a temporary folder:
- ingest time (read, clean, cut, store) and embedding time / passages per second;
- FAISS build time; cold start (store + BM25 + index + model loaded);
- warm hybrid search latency p50/p95 over every query of eval/queries.jsonl and
  eval/hard_queries.jsonl plus reformulations (200 queries), query embedding included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tables import markdown_table  # noqa: E402

from ingest.pipeline import ingest  # noqa: E402
from ingest.store import open_store  # noqa: E402
from search.embedders import get_embedder  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.vectors import (  # noqa: E402
    all_chunks,
    build_faiss,
    ensure_embeddings,
    load_or_build,
)


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def queries() -> list[str]:
    """Every question of both evaluation sets (the blind one included: its questions are
    longer and name people by role), then reformulations up to 200."""
    base = [
        json.loads(line)["query"]
        for name in ("queries.jsonl", "hard_queries.jsonl")
        for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
    ]
    variants = [q.rstrip(" ?") + " ?" if not q.endswith("?") else q[:-1] for q in base]
    return (base + variants)[: max(200, len(base))]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder)
        started = time.perf_counter()
        report = ingest(store, [ROOT / "corpus"])
        ingest_seconds = time.perf_counter() - started
        embedder = get_embedder()
        passages = len(store.passages())
        characters = sum(len(p.text) for p in store.passages())
        chunks = all_chunks(store.passages()).texts
        started = time.perf_counter()
        ensure_embeddings(store, embedder)
        embed_seconds = time.perf_counter() - started
        index = load_or_build(store, embedder)
        started = time.perf_counter()
        build_faiss(index.chunks.astype(np.float32))
        build_seconds = time.perf_counter() - started
        del index
        started = time.perf_counter()
        engine = SearchEngine(open_store(folder), get_embedder())
        cold_seconds = time.perf_counter() - started
        texts = queries()
        for text in texts[:5]:
            engine.search(text, 10)
        latencies = []
        for text in texts:
            started = time.perf_counter()
            engine.search(text, 10)
            latencies.append((time.perf_counter() - started) * 1000)
        embed_latency = []
        for text in texts[:50]:
            started = time.perf_counter()
            engine.embedder.embed_query(text)
            embed_latency.append((time.perf_counter() - started) * 1000)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "documents": report.count("added"),
        "passages": passages,
        "mean_passage_chars": round(characters / passages),
        "ingest_s": round(ingest_seconds, 2),
        "embed_s": round(embed_seconds, 1),
        "chunks": len(chunks),
        "passages_per_s": round(passages / embed_seconds, 1),
        "chunks_per_s": round(len(chunks) / embed_seconds, 1),
        "faiss_build_ms": round(build_seconds * 1000, 2),
        "cold_start_s": round(cold_seconds, 2),
        "queries": len(latencies),
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(percentile(latencies, 0.95), 1),
        "query_embedding_p50_ms": round(statistics.median(embed_latency), 1),
    }


def markdown(result: dict) -> str:
    return markdown_table(["measure", "value"], [[key, value] for key, value in result.items()])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    result = run()
    print(json.dumps(result, indent=2) if args.json else markdown(result))
