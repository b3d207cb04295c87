"""Distributed ingest benchmark: reading and embedding with 1, 2 and 4 Ray workers, against
the local path (`recueil ingest --executor ray`, ingest/executors.py).

Run: `make bench-ray` (or `python bench/ray_bench.py [--json]`), about 10 minutes on 2 cores.
The collection is the corpus cut into pieces of about 12,000 characters at line ends
(about twenty files), so that reading has more than five documents to spread. For each
executor, in a fresh SQLite store:
- start: the local cluster started (`ray.init(num_cpus=workers)`) and every worker's
  embedder loaded (one call each), what a run pays once;
- reading: `ingest` through the executor (documents built on the workers, committed here);
  the workers' first task loads spaCy's French model, as in a real run;
- embedding: every searchable chunk, each document batched as the ingest batches it, the
  batches spread over the workers' actors (one thread each), the vectors saved here.
The writer's own share (committing documents, saving vectors) is timed apart: one writer
caps what any number of workers can reach. So is the CPU each stage burns, in this process
and every process under it (the local cluster's raylet and workers): on a machine shared
with other work, wall-clock rates follow the load, CPU seconds per chunk much less, and
they are what the extrapolation to more machines rests on. The load average is recorded
with each run. Writes bench/results/ray.json.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import machine  # noqa: E402
from tables import bench_main, markdown_table  # noqa: E402

from ingest.executors import Executor, LocalExecutor, RayExecutor  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402
from ingest.store import Store, open_store  # noqa: E402
from search.embedders import configured_model, get_embedder, passage_embedding  # noqa: E402
from search.vectors import all_chunks, ensure_embeddings  # noqa: E402

PIECE = 12_000  # characters per generated file
WORKERS = [1, 2, 4]


def collection(folder: Path) -> Path:
    """The corpus's texts cut into ~PIECE-character files at line ends."""
    target = folder / "collection"
    target.mkdir()
    for source in sorted((ROOT / "corpus").glob("*.txt")):
        lines, size, part = [], 0, 0
        for line in source.read_text(encoding="utf-8").splitlines(keepends=True):
            lines.append(line)
            size += len(line)
            if size >= PIECE:
                (target / f"{source.stem}-{part:02d}.txt").write_text("".join(lines), "utf-8")
                lines, size, part = [], 0, part + 1
        if "".join(lines).strip():
            (target / f"{source.stem}-{part:02d}.txt").write_text("".join(lines), "utf-8")
    return target


@contextmanager
def timed_writes(store: Store, spent: dict[str, float]):
    """The writer's seconds in the two writes of an ingest, whatever executes the rest."""
    originals = {name: getattr(store, name) for name in ("replace_document", "save_embeddings")}

    def timing(name, *args, **kwargs):
        started = time.perf_counter()
        try:
            return originals[name](*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    for name in originals:
        setattr(store, name, partial(timing, name))
    try:
        yield
    finally:
        for name in originals:
            delattr(store, name)


def cpu_seconds() -> float:
    """User and system CPU of this process and of every live process under it."""
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@contextmanager
def stage(into: dict[str, float], name: str):
    """Wall-clock and CPU seconds of a block, as `name_s` and `name_cpu_s`."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    yield
    into[f"{name}_s"] = time.perf_counter() - wall
    into[f"{name}_cpu_s"] = cpu_seconds() - cpu


def measure(folder: Path, workers: int | None, embedder) -> dict:
    """One executor's run on the collection: None is the local path."""
    model = configured_model()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    executor: Executor = LocalExecutor() if workers is None else RayExecutor(workers)
    embed = None
    if isinstance(executor, RayExecutor):
        embed = executor.mapper(partial(passage_embedding, model))
        list(embed([["échauffement"]] * workers))  # every actor's model loaded
    start = time.perf_counter() - started
    try:
        with tempfile.TemporaryDirectory() as data:
            store = open_store(Path(data))
            spent: dict[str, float] = {}
            stages: dict[str, float] = {}
            with timed_writes(store, spent):
                with stage(stages, "reading"):
                    report = ingest(store, [folder], executor=executor)
                documents = [d.id for d in store.documents()]
                parts = [all_chunks(store.searchable_passages([d])) for d in documents]
                with stage(stages, "embedding"):
                    chunks = ensure_embeddings(store, embedder, parts, embed=embed)
            passages = sum(len(part.ids) for part in parts)
    finally:
        executor.close()
    row = {
        "executor": "local" if workers is None else f"ray × {workers}",
        "load_average": round(load, 1),
        "start_s": round(start, 1),
        "files": len(report.results),
        "passages": report.passages,
        "reading_s": round(stages["reading_s"], 1),
        "reading_cpu_s": round(stages["reading_cpu_s"], 1),
        "files_per_s": round(len(report.results) / stages["reading_s"], 2),
        "writer_commit_s": round(spent.get("replace_document", 0.0), 2),
        "searchable_passages": passages,
        "chunks": chunks,
        "embedding_s": round(stages["embedding_s"], 1),
        "embedding_cpu_s": round(stages["embedding_cpu_s"], 1),
        "chunks_per_s": round(chunks / stages["embedding_s"], 1),
        "passages_per_s": round(passages / stages["embedding_s"], 1),
        "cpu_ms_per_chunk": round(1000 * stages["embedding_cpu_s"] / chunks, 1),
        "writer_save_s": round(spent.get("save_embeddings", 0.0), 2),
    }
    print(row, file=sys.stderr)
    return row


def run() -> dict:
    embedder = get_embedder()  # the writer's: its model id, and the local path's embedder
    with tempfile.TemporaryDirectory() as folder:
        files = collection(Path(folder))
        rows = [measure(files, workers, embedder) for workers in [None, *WORKERS]]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "model": embedder.model_id,
        "piece_chars": PIECE,
        "runs": rows,
    }


def markdown(results: dict) -> str:
    header = [
        "executor",
        "load average",
        "start (s)",
        "reading (s, CPU s)",
        "files/s",
        "embedding (s, CPU s)",
        "chunks/s",
        "passages/s",
        "CPU ms per chunk",
        "writer: commits + vector saves (s)",
    ]
    rows = [
        [
            row["executor"],
            row["load_average"],
            row["start_s"],
            f"{row['reading_s']} ({row['reading_cpu_s']})",
            row["files_per_s"],
            f"{row['embedding_s']} ({row['embedding_cpu_s']})",
            row["chunks_per_s"],
            row["passages_per_s"],
            row["cpu_ms_per_chunk"],
            f"{row['writer_commit_s']} + {row['writer_save_s']}",
        ]
        for row in results["runs"]
    ]
    return markdown_table(header, rows)


if __name__ == "__main__":
    bench_main(__doc__, run, markdown, ROOT / "bench" / "results" / "ray.json")
