"""Where the heavy work of an ingest runs: here, or spread over a Ray cluster (issue #15).

An ingest has two heavy parts, reading documents into passages and embedding their chunks,
and one part that must stay in one place, writing to the store under its write lock. An
executor takes the first two: `map` builds documents (a function of a file alone, see
ingest.pipeline.build_job); a Ray executor's `mapper` also feeds batches to workers each
holding one loaded model (the embedder; locally the writer embeds itself). The process
that called stays the only writer, committing in file order, so the store ends up as a
local ingest leaves it.

Ray is optional (`pip install -e '.[ray]'`): nothing here imports it unless asked for.
Workers of a cluster joined by address must have Recueil installed and see the files at
the same paths (a shared folder): they read them there, as the local ingest does.
"""

from __future__ import annotations

import logging
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

A = TypeVar("A")
B = TypeVar("B")


class ExecutorUnavailable(RuntimeError):
    """The executor cannot start: its package is missing or its cluster cannot be reached.
    The message is French, for the command line to show as it is."""


class Executor(Protocol):
    def map(
        self, function: Callable[[A], B], items: Iterable[A], wanted: Callable[[A], bool]
    ) -> Iterator[tuple[A, B | None]]:
        """Each item with `function(item)` if `wanted(item)`, else None, in the items' order."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """In this process, each item built when the caller asks for it: files are read one
    after the other, each after the previous one is committed (and embedded)."""

    def map(
        self, function: Callable[[A], B], items: Iterable[A], wanted: Callable[[A], bool]
    ) -> Iterator[tuple[A, B | None]]:
        for item in items:
            yield item, function(item) if wanted(item) else None

    def close(self) -> None:
        pass


class _Holder:
    """A Ray actor keeping what its factory made (a loaded model) between calls."""

    def __init__(self, factory: Callable[[], Callable[[Any], Any]]) -> None:
        self.function = factory()

    def call(self, item: Any) -> Any:
        return self.function(item)


class RayExecutor:
    """Documents built as Ray tasks, and one actor per worker for `mapper`.

    Without `address` a local cluster of `workers` CPUs is started (and stopped by
    `close`); with it, that cluster is joined. At most two tasks per worker are in flight
    ahead of the writer, so memory stays bounded whatever the number of files. The actors
    hold no CPU once placed (Ray's default for actors) and are spread over the nodes: a
    worker's core goes to whichever of reading or embedding has work, and the build tasks
    are never left waiting for a CPU the actors keep."""

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        """`workers`: actors for `mapper` and build tasks in flight; by default one per CPU
        of the cluster (of this machine for a local one)."""
        try:
            import ray
        except ImportError as exc:
            raise ExecutorUnavailable(
                "l’exécuteur ray demande le paquet ray : pip install -e '.[ray]'"
            ) from exc
        self.ray = ray
        quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
        where = f"à {address}" if address else "local"
        try:
            if address:
                _reachable(address)
                ray.init(address=address, **quiet)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, **quiet)
        except (OSError, RuntimeError, ValueError) as exc:  # ConnectionError is an OSError
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise ExecutorUnavailable(f"cluster Ray {where} injoignable ({reason})") from exc
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))

    def map(
        self, function: Callable[[A], B], items: Iterable[A], wanted: Callable[[A], bool]
    ) -> Iterator[tuple[A, B | None]]:
        task = self.ray.remote(num_cpus=1)(function)
        queue: deque[tuple[A, Any]] = deque()
        in_flight = 0
        for item in items:
            submitted = task.remote(item) if wanted(item) else None
            queue.append((item, submitted))
            in_flight += submitted is not None
            while queue and (queue[0][1] is None or in_flight > 2 * self.workers):
                first, ref = queue.popleft()
                in_flight -= ref is not None
                yield first, None if ref is None else self.ray.get(ref)
        for item, ref in queue:
            yield item, None if ref is None else self.ray.get(ref)

    def mapper(
        self, factory: Callable[[], Callable[[A], B]]
    ) -> Callable[[Iterable[A]], Iterator[B]]:
        """A function mapping inputs, in order, through what `factory` makes: one actor per
        worker calls `factory` once (loads the model) and is fed inputs as it frees up."""
        from ray.util import ActorPool

        holder = self.ray.remote(_Holder).options(scheduling_strategy="SPREAD")
        pool = ActorPool([holder.remote(factory) for _ in range(self.workers)])
        return lambda inputs: pool.map(lambda actor, item: actor.call.remote(item), inputs)

    def close(self) -> None:
        """Leave the cluster (a local one stops with it)."""
        self.ray.shutdown()


def _reachable(address: str, seconds: float = 5.0) -> None:
    """Fail fast on an address where nothing listens: Ray itself retries for minutes (over
    ten measured on 2.60 for a closed port) before it gives up. `auto` and addresses
    without a port are left to Ray."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if host and port.isdigit():
        socket.create_connection((host, int(port)), timeout=seconds).close()


def open_executor(name: str, workers: int | None = None, address: str | None = None) -> Executor:
    """The executor a command line names: `local` (the default) or `ray`."""
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        return RayExecutor(workers, address)
    raise ExecutorUnavailable(f"exécuteur inconnu « {name} » : local ou ray")
