"""Scale benchmark: vector index and lexical search from 10k to 1M items.

Run: `make bench-scale` (or `python bench/scale_bench.py [--sizes 10000 100000 1000000]`),
about 30 minutes.

Collections are generated from the corpus (bench/generated.py): vectors mixing real chunk
vectors, texts (for BM25) stringing real sentences; queries are real query embeddings.

For each size it measures, for exact (flat) inner-product search, IVF-Flat (the engine's
`ivf_flat`, at several probe counts), HNSW and IVF-PQ: build time, index memory, warm
p50/p95 latency of one query, recall@10 against exact search; HNSW and IVF-PQ only up to
--graph-max vectors (their builds dominate). At each size the engine's own choice is also
timed with the query embedding included, on real query texts. BM25: build time and
p50/p95 latency up to --lexical-max items. Embedding time is extrapolated from the
measured chunk rate, stated as such.
Results: bench/results/scale.json and docs/scale.png; prints the tables of
docs/BENCHMARKS.md (`--tables` prints them again from the saved JSON). Sizes not given in
--sizes keep their saved results, so one size can be measured again alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generated import corpus, query_texts, synthetic_texts, synthetic_vectors  # noqa: E402
from tables import markdown_table  # noqa: E402

from search.bm25 import BM25  # noqa: E402
from search.embedders import get_embedder  # noqa: E402
from search.vectors import APPROXIMATE_ABOVE, ivf_flat  # noqa: E402

QUERIES = 200
K = 10


def timed_queries(search, queries: np.ndarray) -> tuple[list[float], list[np.ndarray]]:
    latencies, results = [], []
    for query in queries:
        started = time.perf_counter()
        results.append(search(query))
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, results


def index_bytes(index: faiss.Index) -> int:
    return int(faiss.serialize_index(index).size)


def measure_index(
    name: str, make, data: np.ndarray, queries: np.ndarray, truth: list[np.ndarray] | None
) -> tuple[list[dict], faiss.Index]:
    """Build once; measure, for HNSW at several search depths and for IVF at several probe
    counts. Returns the measures and the index (left at its default settings)."""
    started = time.perf_counter()
    index = make(data)
    build = {
        "build_s": round(time.perf_counter() - started, 2),
        "memory_mb": round(index_bytes(index) / 1e6, 1),
    }

    def top(query: np.ndarray, k: int = K) -> np.ndarray:
        return index.search(query.reshape(1, -1), k)[1][0]

    if name == "hnsw":
        results = []
        for depth in (512, 1024, 2048):
            index.hnsw.efSearch = depth
            results.append(measure(f"hnsw ef={depth}", top, build, queries, truth))
        return results, index
    if name == "ivf":
        results = []
        lists = index.nlist
        default = index.nprobe
        for probes in sorted({lists // 64, lists // 32, default, lists // 8}):
            index.nprobe = probes
            label = f"ivf nprobe={probes}/{lists}" + (" (engine)" if probes == default else "")
            results.append(measure(label, top, build, queries, truth))
        index.nprobe = default
        return results, index
    return [measure(name, top, build, queries, truth)], index


def measure(
    label: str, search, build: dict, queries: np.ndarray, truth: list[np.ndarray] | None
) -> dict:
    """Latency and recall@10 of one way of searching (truth None: it is the truth)."""
    search(queries[0])
    latencies, found = timed_queries(search, queries)
    overlaps = [len(set(a) & set(b)) / K for a, b in zip(found, truth or found, strict=True)]
    return {
        "index": label,
        **build,
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "recall@10": round(float(np.mean(overlaps)), 4),
        "_found": found,
    }


def flat(data: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(data.shape[1])
    index.add(data)
    return index


def ivf(data: np.ndarray) -> faiss.Index:
    index = ivf_flat(data)
    index.add(data)
    return index


def hnsw(data: np.ndarray) -> faiss.Index:
    index = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.add(data)
    index.hnsw.efSearch = 128
    return index


def trained_ivfpq(data: np.ndarray) -> faiss.Index:
    lists = max(16, int(4 * np.sqrt(len(data))))
    quantizer = faiss.IndexFlatIP(data.shape[1])
    index = faiss.IndexIVFPQ(quantizer, data.shape[1], lists, 48, 8, faiss.METRIC_INNER_PRODUCT)
    sample = data[np.random.default_rng(1).permutation(len(data))[: max(lists * 40, 20_000)]]
    index.train(sample)
    index.nprobe = 32
    return index


def ivfpq(data: np.ndarray) -> faiss.Index:
    index = trained_ivfpq(data)
    index.add(data)
    return index


def engine_latency(embedder, index: faiss.Index, texts: list[str]) -> dict:
    """What a search pays for its dense side: the query embedding plus the index search."""
    latencies = []
    for text in texts:
        started = time.perf_counter()
        index.search(embedder.embed_query(text).reshape(1, -1), K)
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
    }


def measure_lexical(texts: list[str], queries: list[str]) -> dict:
    """BM25 build, save and load times and latency (a function, so its postings are freed
    on return). Loading is what the engine pays at start-up when nothing changed."""
    started = time.perf_counter()
    lexical = BM25.build([str(i) for i in range(len(texts))], texts)
    build = time.perf_counter() - started
    latencies, _ = timed_queries(lexical.scores, queries * 3)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bm25.npz"
        np.savez(path, **lexical.to_arrays())
        started = time.perf_counter()
        with np.load(path) as saved:
            BM25.from_arrays(lexical.ids, {name: saved[name] for name in saved.files})
        load = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
    return {
        "build_s": round(build, 1),
        "load_s": round(load, 2),
        "file_mb": round(size_mb, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
    }


def run(sizes: list[int], lexical_max: int, graph_max: int) -> dict:
    embedder = get_embedder()
    real, sentences, query_vectors, rate = corpus(embedder)
    rng = np.random.default_rng(0)
    queries = query_vectors[rng.integers(0, len(query_vectors), QUERIES)]
    texts = query_texts()
    rows = []
    for size in sizes:
        data = synthetic_vectors(real, size, rng)
        (exact,), engine_index = measure_index("exact", flat, data, queries, None)
        truth = exact.pop("_found")
        entry = {
            "size": size,
            "embedding_h_extrapolated": round(size / rate / 3600, 2),
            "vectors_mb": round(data.nbytes / 1e6, 1),
            "indexes": [exact],
        }
        makers = [("ivf", ivf)]
        if size <= graph_max:
            makers += [("hnsw", hnsw), ("ivfpq", ivfpq)]
        for name, make in makers:
            results, index = measure_index(name, make, data, queries, truth)
            for result in results:
                result.pop("_found")
                entry["indexes"].append(result)
            if name == "ivf" and size > APPROXIMATE_ABOVE:
                engine_index = index
            del index
        entry["engine"] = {
            "index": "ivf" if size > APPROXIMATE_ABOVE else "exact",
            **engine_latency(embedder, engine_index, texts * 3),
        }
        del engine_index
        if size <= lexical_max:
            entry["bm25"] = measure_lexical(synthetic_texts(sentences, size, rng), texts)
        rows.append(entry)
        print(json.dumps(entry), flush=True)
        del data
    return {
        "chunks_per_s": round(rate, 1),
        "query_embedding_ms": query_embedding_ms(embedder),
        "sizes": rows,
    }


def query_embedding_ms(embedder) -> float:
    latencies = []
    for text in ["comment mobiliser les élus locaux ?"] * 30:
        started = time.perf_counter()
        embedder.embed_query(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(latencies), 2)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row["size"] for row in results["sizes"]]
    figure, (latency, memory) = plt.subplots(1, 2, figsize=(10, 4))
    series = {
        "exact": lambda label: label == "exact",
        "ivf, engine's nprobe": lambda label: label.endswith("(engine)"),
        "hnsw ef=2048": lambda label: label == "hnsw ef=2048",
        "ivfpq": lambda label: label == "ivfpq",
    }
    for name, wanted in series.items():
        found = [
            (row["size"], index)
            for row in results["sizes"]
            for index in row["indexes"]
            if wanted(index["index"])
        ]
        xs = [size for size, _ in found]
        latency.plot(xs, [v["p95_ms"] for _, v in found], marker="o", label=f"{name} p95")
        memory.plot(xs, [v["memory_mb"] for _, v in found], marker="o", label=name)
    latency.plot(
        sizes,
        [row["engine"]["p95_ms"] for row in results["sizes"]],
        marker="s",
        linestyle="--",
        label="engine + query embedding p95",
    )
    for axis, label in ((latency, "latency per query (ms)"), (memory, "index memory (MB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("vectors in the index")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.suptitle("Vector search at scale (2 cores, generated from the corpus)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def markdown(results: dict) -> str:
    """The tables of docs/BENCHMARKS.md: indexes per size, the engine's choice, BM25."""
    sizes = results["sizes"]
    measures = ["build_s", "memory_mb", "p50_ms", "p95_ms", "recall@10"]
    indexes = markdown_table(
        ["vectors", "index", "build (s)", "memory (MB)", "p50 (ms)", "p95 (ms)", "recall@10"],
        [
            [f"{row['size']:,}", i["index"], *(i[m] for m in measures)]
            for row in sizes
            for i in row["indexes"]
        ],
    )
    engine = markdown_table(
        ["vectors", "engine's index", "query embedding + search p50 (ms)", "p95 (ms)"],
        [
            [f"{row['size']:,}", *(row["engine"][m] for m in ("index", "p50_ms", "p95_ms"))]
            for row in sizes
        ],
    )
    measures = ["build_s", "load_s", "file_mb", "p50_ms", "p95_ms"]
    lexical = markdown_table(
        ["passages", "BM25 build (s)", "postings load (s)", "file (MB)", "p50 (ms)", "p95 (ms)"],
        [
            [f"{row['size']:,}", *(row["bm25"].get(m, "—") for m in measures)]
            for row in sizes
            if "bm25" in row
        ],
    )
    return "\n".join([indexes, engine, lexical])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000, 1_000_000, 2_700_000]
    )
    parser.add_argument("--lexical-max", type=int, default=1_000_000)
    parser.add_argument("--graph-max", type=int, default=1_000_000)
    parser.add_argument("--tables", action="store_true", help="print tables of the saved JSON")
    args = parser.parse_args()
    saved = ROOT / "bench" / "results" / "scale.json"
    if args.tables:
        print(markdown(json.loads(saved.read_text())))
        sys.exit()
    results = run(args.sizes, args.lexical_max, args.graph_max)
    if saved.exists():  # sizes not measured this time keep their saved results
        earlier = json.loads(saved.read_text())["sizes"]
        kept = [row for row in earlier if row["size"] not in args.sizes]
        results["sizes"] = sorted(kept + results["sizes"], key=lambda row: row["size"])
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(results, indent=2))
    plot(results, ROOT / "docs" / "scale.png")
    print(markdown(results))
