"""Files written whole or not at all, under a name no other writer uses.

The CLI and the server may write the same derived file (index, postings, matrix) at the
same moment on one data folder: a fixed temporary name let one writer rename the other's
half-written file, or find it gone (`FileNotFoundError …npy.tmp`). A unique temporary
file in the target's folder, renamed over the target, gives each writer its own file and
every reader the old version or the new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A fresh temporary path beside `target`: write it, and on success it becomes `target`.

    On failure the temporary file is removed and `target` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
