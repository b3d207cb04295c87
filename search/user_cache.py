"""Where files built once per machine live (the int8 embedder graph, the French word
list): `RECUEIL_CACHE`, default ~/.cache/recueil. They depend on the installed packages,
never on a store, and are rebuilt when missing."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("RECUEIL_CACHE", Path.home() / ".cache" / "recueil"))
