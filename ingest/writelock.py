"""One writer at a time on a data folder, across processes (CLI and server alike).

SQLite serialises single transactions, but a write here is longer: an ingest, then the
embeddings, cards and indexes derived from it. Two of them interleaved (a CLI ingest and
a server upload) raced on derived files and refreshed from half-written states. An
advisory `flock` on a file in the data folder makes them queue instead; the kernel drops
it when its holder dies, so a killed writer never leaves the folder locked.

A second file lock covers the write's search part only (ingest.store.WriteGuard): the
writer lets go of it once its passages and vectors are committed (`publish`), and counts
that in a small file beside it, which servers read with the store's version.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from ingest.atomic import replacing

LOCK_NAME = "write.lock"
SEARCH_LOCK_NAME = "search.lock"
PUBLISHED_NAME = "published"


def published(data_dir: Path) -> int:
    """How many writes published their search state in this folder (0 before the first)."""
    try:
        return int((data_dir / PUBLISHED_NAME).read_text() or 0)
    except FileNotFoundError:
        return 0


class WriteLock:
    """Exclusive for writers (`with lock:`), and a non-blocking probe for readers (`idle`).

    The thread lock keeps two threads of one process from both waiting on the file lock
    (flock is held per open file, so one process could otherwise deadlock itself).
    """

    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_NAME
        self.search_path = self.data_dir / SEARCH_LOCK_NAME
        self._threads = threading.Lock()
        self._handle: int | None = None
        self._search: int | None = None

    def _open(self, path: Path) -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

    def _hold(self, path: Path) -> int:
        handle = self._open(path)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        return handle

    def __enter__(self) -> WriteLock:
        self._threads.acquire()
        try:
            self._handle = self._hold(self.path)
            self._search = self._hold(self.search_path)  # always after the write lock
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        for handle in (self._search, self._handle):
            if handle is not None:
                os.close(handle)  # closing the file releases the flock
        self._handle = self._search = None
        self._threads.release()

    def publish(self) -> None:
        """The write's search state is committed: count it, then let readers load it."""
        if self._search is None:
            return  # published already
        with replacing(self.data_dir / PUBLISHED_NAME) as partial:
            partial.write_text(str(published(self.data_dir) + 1))
        os.close(self._search)
        self._search = None

    def idle(self) -> AbstractContextManager[bool]:
        """Whether no writer holds the folder now; while inside, none can start (shared lock).

        A reader uses it to load a complete state: never one an ingest is half-way through.
        """
        return self._probe(self.path)

    def searchable(self) -> AbstractContextManager[bool]:
        """Whether no writer is before its `publish`; while inside, none can start."""
        return self._probe(self.search_path)

    @contextmanager
    def _probe(self, path: Path) -> Iterator[bool]:
        handle = self._open(path)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(handle)
