"""The server follows its store when another process writes to it (a CLI ingest, a restore).

Without this, a server kept serving the state it loaded (27 documents against 32 in the
store) until its own next write or a restart. A thread reads the store's versions
(`Store.watch`: SQLite's `PRAGMA data_version`, a version row on PostgreSQL), which change
whenever another connection commits or a writer publishes its search state: on
PostgreSQL as soon as a writer notifies (LISTEN), and every few seconds on both backends
(on SQLite, and whenever a notification was missed). On a change, and only while no
writer is half-way through (never a half-done ingest), it builds a new engine beside the
one in service and swaps it in (api.app.Recueil.reload_if_changed). Searches go on
against the old engine meanwhile: they never wait for a rebuild.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from ingest.store import StoreUnavailable, VersionWatch

log = logging.getLogger(__name__)


class Reloadable(Protocol):
    def reload_if_changed(self) -> bool: ...


class Watcher:
    """Calls `reload_if_changed` whenever `watch` wakes it up, and every `every` seconds at
    least, in a daemon thread until stopped."""

    def __init__(self, target: Reloadable, watch: VersionWatch, every: float):
        self.target = target
        self.watch = watch
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.watch.wait(self.every, self._stop)
            if self._stop.is_set():
                return
            try:
                if self.target.reload_if_changed():
                    log.info("store changed by another process: engine reloaded")
            except StoreUnavailable as exc:  # the engine in service goes on; no traceback
                log.warning("store unreachable, engine kept: %s", exc)
            except Exception:  # a failed reload keeps the engine in service; retried later
                log.exception("reloading the engine after a store change failed")
