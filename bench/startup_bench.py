"""Start-up benchmark: what the engine reads and builds before its first search, at scale.

Run: `make bench-startup` (or `python bench/startup_bench.py [--sizes 270000 2700000]`),
about 10 minutes. For each size, chunk vectors generated as in bench/scale_bench.py are
written into a real store (SQLite, in a temporary folder), then timed as the engine
meets them (search/vectors.py):
- reading every vector back from SQLite, keyed by text hash, and stacking them (a first
  start, or one after a change);
- mapping the saved float16 chunk matrix and reading each of its pages once (a start
  without changes);
- building the FAISS index (exact, or IVF-Flat above RECUEIL_APPROXIMATE_ABOVE), which
  happens after a change to the store;
- writing that index and reading it back, which is what a start without changes pays.
270k and 2.7M chunks are what 100k and a million passages make. Writes
bench/results/startup.json and prints the table of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_bench import corpus, synthetic_vectors  # noqa: E402
from search_bench import machine  # noqa: E402
from tables import markdown_table  # noqa: E402

from ingest.store import open_store  # noqa: E402
from search.embedders import get_embedder  # noqa: E402
from search.vectors import build_faiss  # noqa: E402

WRITE_BATCH = 20_000


def measure(size: int, real: np.ndarray, model: str, rng: np.random.Generator) -> dict:
    vectors = synthetic_vectors(real, size, rng)
    hashes = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(size)]
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder)
        started = time.perf_counter()
        for start in range(0, size, WRITE_BATCH):
            batch = slice(start, start + WRITE_BATCH)
            store.save_embeddings(model, dict(zip(hashes[batch], vectors[batch], strict=True)))
        write = round(time.perf_counter() - started, 1)
        del vectors
        clock = time.perf_counter()
        found = store.embeddings(model, hashes)
        read, clock = time.perf_counter() - clock, time.perf_counter()
        stacked = np.stack([found[h] for h in hashes])
        stack, clock = time.perf_counter() - clock, time.perf_counter()
        del found
        matrix = Path(folder) / "chunks.npy"
        np.save(matrix, stacked.astype(np.float16))
        clock = time.perf_counter()
        mapped = np.load(matrix, mmap_mode="r")  # what an unchanged start reads instead
        float(mapped[:, 0].sum())  # every page read once
        mapped_s, clock = time.perf_counter() - clock, time.perf_counter()
        del mapped
        index, kind = build_faiss(stacked)
        build, clock = time.perf_counter() - clock, time.perf_counter()
        path = str(Path(folder) / "index.faiss")
        faiss.write_index(index, path)
        save, clock = time.perf_counter() - clock, time.perf_counter()
        del index
        faiss.read_index(path)
        load = time.perf_counter() - clock
        database_mb = round(sum(f.stat().st_size for f in Path(folder).glob("*.db*")) / 1e6)
    return {
        "chunks": size,
        "sqlite_write_s": write,
        "database_mb": database_mb,
        "read_vectors_s": round(read, 2),
        "stack_s": round(stack, 2),
        "index": kind,
        "build_index_s": round(build, 2),
        "save_index_s": round(save, 2),
        "load_index_s": round(load, 2),
        "map_saved_matrix_s": round(mapped_s, 2),
        "start_unchanged_s": round(mapped_s + load, 1),
        "start_after_change_s": round(read + stack + build, 1),
    }


def markdown(results: dict) -> str:
    keys = ["read_vectors_s", "stack_s", "map_saved_matrix_s", "index", "build_index_s"]
    keys += ["load_index_s"]
    keys += ["start_unchanged_s", "start_after_change_s", "database_mb"]
    return markdown_table(
        [
            *("chunks", "read vectors (s)", "stack (s)", "map saved float16 matrix (s)"),
            *("index", "build (s)"),
            *("load saved (s)", "start, unchanged (s)", "start after a change (s)", "SQLite (MB)"),
        ],
        [[f"{row['chunks']:,}", *(row[k] for k in keys)] for row in results["sizes"]],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[270_000, 2_700_000])
    args = parser.parse_args()
    embedder = get_embedder()
    real, _, _, _ = corpus(embedder)
    rng = np.random.default_rng(0)
    rows = []
    for size in args.sizes:
        rows.append(measure(size, real, embedder.model_id, rng))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "sizes": rows,
    }
    out = ROOT / "bench" / "results" / "startup.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
