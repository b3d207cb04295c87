"""BM25 postings kept on disk next to the FAISS index, so start-up does not re-analyse.

Analysing a million passages takes minutes (docs/BENCHMARKS.md); reading their postings
back takes seconds. The file is keyed by a digest of exactly what BM25 reads (every
passage's indexed text, in order) and of the analysis code, so any change to a passage,
its section title or the analyser rebuilds it; like the FAISS file, it is a cache that
can always be deleted. Beside the postings it keeps each text's analysis (search.bm25.
Analyses): a rebuild after a write analyses only the texts it has not seen, whether the
analyses come from the engine in service or from this file.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ingest.atomic import replacing
from ingest.store import Store
from search.bm25 import BM25, Analyses, text_hash

log = logging.getLogger(__name__)

_ANALYSIS_CODE = ("bm25.py", "french.py")


def analysis_version() -> str:
    digest = hashlib.sha1()
    for name in _ANALYSIS_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:12]


def inputs_digest(hashes: list[str]) -> str:
    """The digest of the analysis code and of every text, by their hashes (text_hash)."""
    digest = hashlib.sha1(analysis_version().encode())
    for text in hashes:
        digest.update(bytes.fromhex(text))
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
    needed = {"digest", "words", "word_terms", "terms", "offsets", "rows", "tf", "lengths"}
    if not needed <= arrays.keys():
        log.warning("%s lacks %s: rebuilding the postings", path, sorted(needed - arrays.keys()))
        return None
    return arrays


def load_or_build_bm25(
    store: Store,
    ids: list[str],
    texts: list[str] | Callable[[int], str],
    previous: BM25 | None = None,
    save: bool = True,
    hashes: list[str] | None = None,
) -> BM25:
    """The saved postings when they match these texts, else a build that analyses only
    the texts neither `previous` (the index in service) nor the file has analysed, and
    from `previous` counts only the rows that changed; saved unless `save` is False (the
    caller saves it later: see `save_bm25`). `texts` and `hashes` as BM25.build takes them."""
    if hashes is None:
        assert isinstance(texts, list)
        hashes = [text_hash(text) for text in texts]
    if previous is not None and previous.analyses is not None:
        if previous.hashes == hashes and previous.ids == ids:
            return previous
        return BM25.build(ids, texts, hashes=hashes, previous=previous)
    analyses = None
    saved = _read(cache_path(store))
    if saved is not None:
        kept = Analyses.from_arrays(saved) if _has_analyses(saved) else None
        if str(saved.pop("digest")) == inputs_digest(hashes):
            index = BM25.from_arrays(ids, saved)
            if kept is not None:
                index.analyses, index.hashes = kept, hashes
            return index
        analyses = kept  # the file's analyses stand in for an index in service
    index = BM25.build(ids, texts, analyses, hashes)
    if save:
        save_bm25(store, index)
    return index


def save_bm25(store: Store, index: BM25) -> None:
    """Write the postings and the analyses they were built from (not for a read-only
    store); a reader sees the old file or the new one, never half."""
    if store.read_only or index.analyses is None or index.saved:
        return
    with replacing(cache_path(store)) as partial, partial.open("wb") as handle:
        np.savez(
            handle,
            digest=np.array(inputs_digest(index.hashes)),
            version=np.array(analysis_version()),
            **index.to_arrays(),
            **index.analyses.to_arrays(index.hashes),
        )
    index.saved = True


def _has_analyses(arrays: dict[str, np.ndarray]) -> bool:
    """Whether the file holds analyses made by this analysis code."""
    return "analysis_hashes" in arrays and str(arrays.get("version")) == analysis_version()
