"""Whether the derived records (cards, cases, actors) were rebuilt from the store as it is.

A document is committed before its derived records are rebuilt (search.knowledge.build):
a crash or an error between the two leaves cards and cases that do not know it, and a
repeated upload of the same bytes would be `unchanged` and leave them so. `refresh()` writes
the store fingerprint it rebuilt from once it has finished; a mismatch says a rebuild is
owed, and the next write pays it.

The mark names the embedder too: practice cards group statements by their vectors' cosines
(search.knowledge.practices), so cards built with one model are owed again when a store is
opened with another (the default model changed from e5-small to its adapted form).
"""

from __future__ import annotations

from ingest.atomic import replacing
from ingest.store import Store

MARKER = "derived.fingerprint"


def derived_fresh(store: Store, model_id: str) -> bool:
    """True when the last finished refresh saw the store's current documents, with this model."""
    try:
        recorded = (store.data_dir / MARKER).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return recorded == _mark(store.fingerprint(), model_id)


def mark_derived(store: Store, fingerprint: str, model_id: str) -> None:
    """Record that the derived records match the store at `fingerprint`, built with the model
    `model_id` (atomic, unique temp)."""
    with replacing(store.data_dir / MARKER) as partial:
        partial.write_text(_mark(fingerprint, model_id), encoding="utf-8")


def _mark(fingerprint: str, model_id: str) -> str:
    return f"{fingerprint}\n{model_id}"
