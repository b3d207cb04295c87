"""One writer at a time on a data folder, across processes (CLI and server alike).

SQLite serialises single transactions, but a write here is longer: an ingest, then the
embeddings, cards and indexes derived from it. Two of them interleaved (a CLI ingest and
a server upload) raced on derived files and refreshed from half-written states. An
advisory `flock` on a file in the data folder makes them queue instead; the kernel drops
it when its holder dies, so a killed writer never leaves the folder locked.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "write.lock"


class WriteLock:
    """Exclusive for writers (`with lock:`), and a non-blocking probe for readers (`idle`).

    The thread lock keeps two threads of one process from both waiting on the file lock
    (flock is held per open file, so one process could otherwise deadlock itself).
    """

    def __init__(self, data_dir: Path | str):
        self.path = Path(data_dir) / LOCK_NAME
        self._threads = threading.Lock()
        self._handle: int | None = None

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def __enter__(self) -> WriteLock:
        self._threads.acquire()
        try:
            handle = self._open()
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._handle = handle
        return self

    def __exit__(self, *exc_info: object) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            os.close(handle)  # closing the file releases the flock
        self._threads.release()

    @contextmanager
    def idle(self) -> Iterator[bool]:
        """Whether no writer holds the folder now; while inside, none can start (shared lock).

        A reader uses it to load a complete state: never one an ingest is half-way through.
        """
        handle = self._open()
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(handle)
