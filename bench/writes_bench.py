"""Write benchmark: what an ingest, an upload and a delete cost as the store grows.

Run: `make bench-writes` (or `python bench/writes_bench.py [--sizes 10 100 1000]`); the
1,000-document store takes about 40 minutes on 2 cores, nearly all of it spaCy's
entity recognition while reading.

For each size, a fresh store is filled with that many documents generated from the
corpus: document k is corpus file k mod 5 with 4% of its words replaced by other words
of the corpus, so that its passages and statements are near-duplicates, not copies, of
the corpus's (identical texts would be counted once). A hashing embedder stands in for
e5-small (a signed hash of each word stem into 384 dimensions): embedding costs the
same per passage at any size and is measured by `make bench-embed`; here it would take
hours and hide what grows with the store.

It then measures:
- the ingest: reading, then each stage of the refresh (embeddings, practice cards,
  cases, actors, index), and the share of practice cards in the total;
- an upload: one new document ingested, the store refreshed and the search engine
  reloaded, until a search finds it; then a delete of that document, until a search no
  longer finds it.
Results: bench/results/writes.json; prints the table of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import re
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

from ingest.pipeline import ingest, ingest_file  # noqa: E402
from ingest.store import open_store  # noqa: E402
from search.embedders.base import normalise  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.french import analyse  # noqa: E402
from search.knowledge.build import refresh  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "writes.json"
CORPUS = sorted((ROOT / "corpus").glob("*.txt"))
MUTATION = 0.04
_WORD = re.compile(r"\w{4,}")


class HashingEmbedder:
    """Bag of stems hashed into 384 signed dimensions: cheap, and similar texts stay close."""

    model_id = "bench-hashing-384"
    dim = 384

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for stem in analyse(text):
            digest = int.from_bytes(hashlib.blake2b(stem.encode(), digest_size=8).digest())
            vector[digest % self.dim] += 1.0 if digest >> 63 else -1.0
        return vector

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return (
            normalise(np.stack([self._vector(t) for t in texts]))
            if texts
            else np.zeros((0, self.dim), dtype=np.float32)
        )

    def embed_query(self, text: str) -> np.ndarray:
        return normalise(self._vector(text))


def generate(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """`count` documents varied from the corpus files, written as text files."""
    texts = [path.read_text(encoding="utf-8") for path in CORPUS]
    vocabulary = sorted({w for text in texts for w in _WORD.findall(text)})
    rng = random.Random(seed)
    paths = []
    for k in range(count):
        source = texts[k % len(texts)]

        def vary(match: re.Match) -> str:
            return rng.choice(vocabulary) if rng.random() < MUTATION else match.group(0)

        path = folder / f"doc{k:05d}.txt"
        path.write_text(f"Rencontre n° {k}\n\n" + _WORD.sub(vary, source), encoding="utf-8")
        paths.append(path)
    return paths


def measure(count: int, work: Path) -> dict:
    documents, data = work / "docs", work / "data"
    documents.mkdir()
    generate(documents, count)
    store, embedder = open_store(data), HashingEmbedder()
    started = time.perf_counter()
    report = ingest(store, [documents])
    reading = time.perf_counter() - started
    counts = refresh(store, embedder)
    stages = {"reading": round(reading, 2)} | counts["seconds"]
    total = sum(stages.values())
    engine = SearchEngine(store, embedder)

    extra = work / "upload" / "nouveau.txt"
    extra.parent.mkdir()
    marker = "Zorbalinde"
    extra.write_text(
        f"Compte rendu\n\n{marker} : une coopérative de quartier qui mutualise ses achats.\n"
        + CORPUS[0].read_text(encoding="utf-8")[:6000],
        encoding="utf-8",
    )
    started = time.perf_counter()
    uploaded = ingest_file(store, extra)
    upload_stages = refresh(store, embedder)["seconds"]
    engine.reload()
    assert engine.search(marker, 3), "the upload is not found"
    upload = time.perf_counter() - started

    started = time.perf_counter()
    store.delete_document(uploaded.document_id)
    delete_stages = refresh(store, embedder)["seconds"]
    engine.reload()
    assert not any(marker in h.passage.text for h in engine.search(marker, 3))
    delete = time.perf_counter() - started
    return {
        "documents": count,
        "passages": len(engine.ids),
        "statements": len(store.records("statements")),
        "ingest_seconds": round(total, 2),
        "ingest_stages": stages,
        "cards_share": round(stages["practices"] / total, 4),
        "upload_seconds": round(upload, 2),
        "upload_stages": upload_stages,
        "delete_seconds": round(delete, 2),
        "delete_stages": delete_stages,
        "failed": len(report.failed),
    }


def table(results: list[dict]) -> str:
    rows = [
        [
            r["documents"],
            r["passages"],
            r["statements"],
            f"{r['ingest_seconds']:.1f}",
            f"{r['ingest_stages']['reading']:.1f}",
            f"{r['ingest_stages']['practices']:.2f} ({100 * r['cards_share']:.1f} %)",
            f"{r['upload_seconds']:.2f}",
            f"{r['delete_seconds']:.2f}",
        ]
        for r in results
    ]
    header = [
        "documents",
        "passages",
        "statements",
        "ingest s",
        "of which reading s",
        "practice cards s (share)",
        "upload → found s",
        "delete → gone s",
    ]
    return markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"sizes": {}}
    for count in args.sizes:
        with tempfile.TemporaryDirectory() as work:
            result = measure(count, Path(work))
        print(json.dumps(result), flush=True)
        saved["sizes"][str(count)] = result
    saved["machine"] = f"{platform.machine()}, {platform.processor() or 'cpu'}, Python " + (
        platform.python_version()
    )
    saved["date"] = datetime.now(UTC).strftime("%Y-%m-%d")
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n")
    print(table([saved["sizes"][k] for k in sorted(saved["sizes"], key=int)]))


if __name__ == "__main__":
    main()
