"""Whether the derived records (cards, cases, actors) were rebuilt from the store as it is.

A document is committed before its derived records are rebuilt (search.knowledge.build):
a crash or an error between the two leaves cards and cases that do not know it, and a
repeated upload of the same bytes would be `unchanged` and leave them so. `refresh()` writes
the store fingerprint it rebuilt from once it has finished; a mismatch says a rebuild is
owed, and the next write pays it.
"""

from __future__ import annotations

from ingest.atomic import replacing
from ingest.store import Store

MARKER = "derived.fingerprint"


def derived_fresh(store: Store) -> bool:
    """True when the last finished refresh saw the store's current documents."""
    try:
        recorded = (store.data_dir / MARKER).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return recorded == store.fingerprint()


def mark_derived(store: Store, fingerprint: str) -> None:
    """Record that the derived records match the store at `fingerprint` (atomic, unique temp)."""
    with replacing(store.data_dir / MARKER) as partial:
        partial.write_text(fingerprint, encoding="ascii")
