"""Several workers benchmark: how long after a write another server process searches it.

Run: `make bench-workers` (or `python bench/workers_bench.py [--sizes 5 300] [--keep DIR]`).

For each size, a store of that many documents (the corpus itself at 5, else documents
generated from it as `make bench-writes` makes them, with its hashing embedder; `--keep`
shares its kept stores) is served on each backend: SQLite in its data folder, and a copy
in an embedded PostgreSQL. A second process, the follower, holds a server's state
(api.app.Recueil) and its watcher, as one of `recueil serve --workers N`'s processes
does, with the default RECUEIL_RELOAD_SECONDS (2 s). This process writes as an upload
does (api.routers.documents): one new document committed, the engine with its vectors
built, the search state published, then cards, cases and actors rebuilt; then a delete
of that document the same way. Measured, from the start of each write: when the writer
published, when the follower's engine had the document (or no longer had it), when the
writer was done (the upload's answer), and when the follower had the new knowledge too.
Results: bench/results/workers.json; prints the table of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tables import markdown_table  # noqa: E402
from writes_bench import CORPUS, HashingEmbedder, filled  # noqa: E402

from ingest.pipeline import build_document, ingest, ingest_file  # noqa: E402
from ingest.store import Store, open_store  # noqa: E402
from ingest.transfer import transfer  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.knowledge.build import refresh, refresh_knowledge  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "workers.json"
MARKER = "Zorbalinde"
DOCUMENT = "nouveau"

# The follower: a server's state and watcher over the store, reporting on stdout when its
# engine gains or loses the document, and when the knowledge it serves is replaced.
FOLLOWER = """
import sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/bench"]
from pathlib import Path
import api.app
from writes_bench import HashingEmbedder
api.app.get_embedder = lambda model: HashingEmbedder()
from api.reloader import Watcher
server = api.app.Recueil(Path(sys.argv[2]), None)
Watcher(server, server.version, 2.0).start()
print("ready", flush=True)
has, knowledge = False, server.engine.knowledge
while True:
    engine = server.engine
    if (sys.argv[3] in engine.documents) != has:
        has = not has
        print("has" if has else "gone", time.time(), flush=True)
    if engine.knowledge is not knowledge:
        knowledge = engine.knowledge
        print("knowledge", time.time(), flush=True)
    time.sleep(0.01)
"""


def follower(data: Path, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", FOLLOWER, str(ROOT), str(data), DOCUMENT],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def events(process: subprocess.Popen, wanted: set[str]) -> dict[str, float]:
    """The follower's next lines until each wanted event came: event → time."""
    seen: dict[str, float] = {}
    while not wanted <= set(seen):
        name, at = process.stdout.readline().split()
        seen.setdefault(name, float(at))
    return seen


def write(store: Store, engine: SearchEngine, commit) -> tuple[SearchEngine, dict[str, float]]:
    """One write as the server makes it: committed, searched, published, then knowledge."""
    with store.write_lock() as lock:
        started = time.time()
        commit()
        engine = SearchEngine(store, engine.embedder, previous=engine, knowledge=False)
        engine.save()
        lock.publish()
        published = time.time()
        refresh_knowledge(store, engine.embedder)
        engine = SearchEngine(store, engine.embedder, previous=engine)
    return engine, {"started": started, "published": published, "done": time.time()}


def measure(store: Store, data: Path, env: dict[str, str], extra: Path) -> dict:
    """An upload then a delete, followed by another process: seconds from each start."""
    embedder = HashingEmbedder()
    refresh(store, embedder)
    engine = SearchEngine(store, embedder)
    engine.save()
    process = follower(data, env)
    try:
        engine, upload = write(store, engine, lambda: ingest_file(store, extra))
        upload |= events(process, {"has", "knowledge"})
        engine, delete = write(store, engine, lambda: store.delete_document(DOCUMENT))
        delete |= events(process, {"gone", "knowledge"})
    finally:
        process.kill()
        process.wait()
    return {
        name: {
            "published": round(times["published"] - times["started"], 2),
            "followed": round(times[seen] - times["started"], 2),
            "after_publish": round(times[seen] - times["published"], 2),
            "done": round(times["done"] - times["started"], 2),
            "knowledge_followed": round(times["knowledge"] - times["started"], 2),
        }
        for name, times, seen in (("upload", upload, "has"), ("delete", delete, "gone"))
    }


def sqlite_store(count: int, work: Path, keep: Path | None) -> Store:
    if count == len(CORPUS):
        store = open_store(work / "data", backend="sqlite")
        ingest(store, CORPUS)
        return store
    store, _ = filled(count, work, keep)
    return store


def run(count: int, work: Path, keep: Path | None) -> dict:
    from ingest.backends.embedded import embedded_server
    from ingest.backends.postgres import PostgresStore

    extra = work / "upload" / f"{DOCUMENT}.txt"
    extra.parent.mkdir()
    extra.write_text(
        f"Compte rendu\n\n{MARKER} : une coopérative de quartier qui mutualise ses achats.\n"
        + CORPUS[0].read_text(encoding="utf-8")[:6000],
        encoding="utf-8",
    )
    build_document(CORPUS[0], CORPUS[0].read_bytes(), "warm-up")  # spaCy loaded once
    sqlite = sqlite_store(count, work, keep)
    result = {"documents": count, "passages": sqlite.count("passages")}
    result["sqlite"] = measure(sqlite, sqlite.data_dir, {"RECUEIL_BACKEND": "sqlite"}, extra)
    server = embedded_server(work / "server")
    try:
        postgres = PostgresStore(server.url, work / "pg-data")
        transfer(sqlite, postgres)
        env = {"RECUEIL_DATABASE_URL": server.url}
        result["postgres"] = measure(postgres, postgres.data_dir, env, extra)
        postgres.close()
    finally:
        server.release()
    return result


def table(results: list[dict]) -> str:
    rows = [
        [
            r["documents"],
            r["passages"],
            backend,
            write,
            f"{r[backend][write]['published']:.2f}",
            f"{r[backend][write]['followed']:.2f}",
            f"{r[backend][write]['after_publish']:.2f}",
            f"{r[backend][write]['done']:.2f}",
            f"{r[backend][write]['knowledge_followed']:.2f}",
        ]
        for r in results
        for backend in ("sqlite", "postgres")
        for write in ("upload", "delete")
    ]
    header = [
        "documents",
        "passages",
        "backend",
        "write",
        "published s",
        "other worker searches it s",
        "of which after publishing s",
        "writer done (answer) s",
        "other worker's knowledge s",
    ]
    return markdown_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[len(CORPUS), 300])
    parser.add_argument("--keep", type=Path, help="kept stores, as `make bench-writes --keep`")
    args = parser.parse_args()
    results = {}
    for count in args.sizes:
        work = Path(tempfile.mkdtemp(prefix="recueil-workers-"))
        try:
            results[str(count)] = run(count, work, args.keep)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(json.dumps(results[str(count)]), flush=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    RESULTS.write_text(
        json.dumps({"machine": machine, "date": today, "sizes": results}, indent=2) + "\n"
    )
    print(table(list(results.values())))


if __name__ == "__main__":
    main()
