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
- an upload, as the server makes it: one new document committed, its vectors and the
  index brought up to date, and an engine built from the one in service, until a search
  finds it ("upload → found"); then cards, cases and actors rebuilt and an engine with
  them ("complete"); then a delete of that document, until a search no longer finds it,
  and until its knowledge is gone too.
With `--keep DIR`, each filled store is kept in DIR and copied from there on later runs
(the 1,000-document ingest takes 20 to 30 minutes); each measured write still runs on a
fresh copy, and the ingest figures are those of the run that filled it.
Results: bench/results/writes.json; prints the table of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import re
import shutil
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

from ingest.pipeline import build_document, ingest, ingest_file  # noqa: E402
from ingest.store import Store, open_store  # noqa: E402
from search.embedders.base import normalise  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.french import analyse  # noqa: E402
from search.knowledge.build import refresh, refresh_knowledge  # noqa: E402

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


def filled(count: int, work: Path, keep: Path | None) -> tuple[Store, dict]:
    """A store of `count` generated documents, ingested and refreshed, with its ingest's
    stages in seconds.

    With `keep`, the filled store is kept in `keep/<count>` (with its stages) the first
    time and copied from there afterwards: reading 1,000 documents takes 20 minutes, what
    is measured after it a minute. Every measured write still runs on a fresh copy.
    """
    data = work / "data"
    kept = keep / str(count) if keep else None
    if kept is not None and (kept / "stages.json").exists():
        shutil.copytree(kept / "data", data)
        saved = json.loads((kept / "stages.json").read_text())
        return open_store(data), saved
    documents = work / "docs"
    documents.mkdir()
    generate(documents, count)
    store = open_store(data)
    started = time.perf_counter()
    report = ingest(store, [documents])
    reading = time.perf_counter() - started
    counts = refresh(store, HashingEmbedder())
    saved = {"stages": {"reading": round(reading, 2)} | counts["seconds"]}
    saved["failed"] = len(report.failed)
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        shutil.copytree(data, kept / "data", dirs_exist_ok=True)
        (kept / "stages.json").write_text(json.dumps(saved))
    return store, saved


class Timeline:
    """Seconds of each step of one write, and when it became visible, then complete."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = round(now - self.last, 3)
        self.last = now

    def since_start(self) -> float:
        return round(time.perf_counter() - self.started, 2)


def write(store: Store, engine: SearchEngine, commit, check) -> tuple[SearchEngine, dict]:
    """One write as the server makes it (api.routers.documents): committed, made
    searchable (`check` passes on the engine then in service), then knowledge rebuilt."""
    embedder = engine.embedder
    timeline = Timeline()
    commit()
    timeline.step("commit")
    # New vectors embedded, the index and the postings updated from the engine in service.
    engine = SearchEngine(store, embedder, previous=engine, knowledge=False)
    timeline.step("engine")
    assert check(engine)
    visible = timeline.since_start()
    engine.save()  # the postings and the index on disk, for the next process
    timeline.step("save")
    timeline.stages |= refresh_knowledge(store, embedder)["seconds"]
    timeline.last = time.perf_counter()
    engine = SearchEngine(store, embedder, previous=engine)
    timeline.step("knowledge engine")
    return engine, {"visible": visible, "complete": timeline.since_start()} | {
        "stages": timeline.stages
    }


def measure(count: int, work: Path, keep: Path | None = None) -> dict:
    store, saved = filled(count, work, keep)
    stages = saved["stages"]
    total = sum(stages.values())
    embedder = HashingEmbedder()
    # A kept store may predate derived files the code now keeps (caches): bring it up to
    # date first, as a server start would, so the write measured is a steady-state one.
    refresh(store, embedder)
    engine = SearchEngine(store, embedder)

    extra = work / "upload" / "nouveau.txt"
    extra.parent.mkdir()
    marker = "Zorbalinde"
    extra.write_text(
        f"Compte rendu\n\n{marker} : une coopérative de quartier qui mutualise ses achats.\n"
        + CORPUS[0].read_text(encoding="utf-8")[:6000],
        encoding="utf-8",
    )
    # The first file a process reads loads spaCy's model (about 10 s, once): a server has
    # paid it at its first upload. Read one file, without storing it, before timing.
    build_document(CORPUS[0], CORPUS[0].read_bytes(), "warm-up")
    uploaded = []
    engine, upload = write(
        store,
        engine,
        lambda: uploaded.append(ingest_file(store, extra)),
        lambda engine: engine.search(marker, 3),
    )
    engine, delete = write(
        store,
        engine,
        lambda: store.delete_document(uploaded[0].document_id),
        lambda engine: not any(marker in h.passage.text for h in engine.search(marker, 3)),
    )
    return {
        "documents": count,
        "passages": len(engine.ids),
        "statements": len(store.records("statements")),
        "ingest_seconds": round(total, 2),
        "ingest_stages": stages,
        "cards_share": round(stages["practices"] / total, 4),
        "upload_seconds": upload["visible"],
        "upload_complete_seconds": upload["complete"],
        "upload_stages": upload["stages"],
        "delete_seconds": delete["visible"],
        "delete_complete_seconds": delete["complete"],
        "delete_stages": delete["stages"],
        "failed": saved["failed"],
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
            f"{r['upload_complete_seconds']:.1f} / {r['delete_complete_seconds']:.1f}",
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
        "upload / delete → cards, cases, actors s",
    ]
    return markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument(
        "--keep",
        type=Path,
        help="folder where filled stores are kept and reused (the ingest is then measured once)",
    )
    args = parser.parse_args()
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"sizes": {}}
    for count in args.sizes:
        with tempfile.TemporaryDirectory() as work:
            result = measure(count, Path(work), args.keep)
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
