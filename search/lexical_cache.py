"""BM25 postings kept on disk next to the FAISS index, so start-up does not re-analyse.

Analysing a million passages takes minutes (docs/BENCHMARKS.md); reading their postings
back takes seconds. The file is keyed by a digest of exactly what BM25 reads (every
passage's indexed text, in order) and of the analysis code, so any change to a passage,
its section title or the analyser rebuilds it; like the FAISS file, it is a cache that
can always be deleted.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from pathlib import Path

import numpy as np

from ingest.atomic import replacing
from ingest.store import Store
from search.bm25 import BM25

log = logging.getLogger(__name__)

_ANALYSIS_CODE = ("bm25.py", "french.py")


def analysis_version() -> str:
    digest = hashlib.sha1()
    for name in _ANALYSIS_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:12]


def inputs_digest(texts: list[str]) -> str:
    digest = hashlib.sha1(analysis_version().encode())
    for text in texts:
        digest.update(hashlib.sha1(text.encode()).digest())
    return digest.hexdigest()


def cache_path(store: Store) -> Path:
    return store.data_dir / "index" / "bm25.npz"


def _read(path: Path) -> dict[str, np.ndarray] | None:
    """The saved arrays, or None when there is no file or it cannot be read (rebuilt, with a
    warning: a truncated file is a cache to redo, not a reason to stop searching)."""
    if not path.exists():
        return None
    try:
        with np.load(path) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("%s is unreadable (%s): rebuilding the postings from the store", path, exc)
        return None
    needed = {"digest", "words", "word_terms", "terms", "offsets", "rows", "weights"}
    if not needed <= arrays.keys():
        log.warning("%s lacks %s: rebuilding the postings", path, sorted(needed - arrays.keys()))
        return None
    return arrays


def load_or_build_bm25(store: Store, ids: list[str], texts: list[str]) -> BM25:
    """The saved postings when they match these texts, else a fresh build (saved)."""
    path = cache_path(store)
    digest = inputs_digest(texts)
    saved = _read(path)
    if saved is not None and str(saved.pop("digest")) == digest:
        return BM25.from_arrays(ids, saved)
    index = BM25.build(ids, texts)
    if not store.read_only:
        # A reader sees the old file or the new one, never half.
        with replacing(path) as partial, partial.open("wb") as handle:
            np.savez(handle, digest=np.array(digest), **index.to_arrays())
    return index
