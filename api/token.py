"""The write token: `RECUEIL_TOKEN`, or else the data folder's `token` file.

`make run` takes `RECUEIL_TOKEN` if set, otherwise makes one once in `<data>/token`
(mode 600) and hands it to the server. `recueil serve` started by hand on the same folder
(as an ops team does, `--workers N`) must reach the same decision, or writes are off for
no visible reason: both the server (api.app) and the start message of `recueil serve`
read the token here. The token itself is never printed or logged: only where it comes
from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TOKEN_FILE = "token"


@dataclass(frozen=True)
class WriteToken:
    """The token writes must carry (None: writes refused), and where it was found."""

    value: bytes | None
    source: str | None  # "RECUEIL_TOKEN", the token file's path, or None

    def announcement(self, data_dir: Path) -> str:
        """The line a server says at start: whether writes are on, and how to turn them on."""
        if self.value is not None:
            return f"Écritures permises avec le jeton de {self.source}."
        return (
            "Écritures désactivées : définissez RECUEIL_TOKEN, ou mettez un jeton dans "
            f"{data_dir / TOKEN_FILE} (`make run` en crée un), puis redémarrez."
        )


def write_token(data_dir: Path) -> WriteToken:
    """`RECUEIL_TOKEN` if set, else the content of `<data_dir>/token` if it holds one.

    As bytes: the environment's through os.fsencode (which undoes its decoding), the
    file's as written; both are compared byte for byte with the request's header
    (api.routers.deps). Surrounding white space (the file's newline) is not part of it,
    as in `make run`, whose shell `$(cat …)` drops the newline. A file that exists but
    cannot be read raises OSError: the server must not start with writes silently off.
    """
    variable = os.environ.get("RECUEIL_TOKEN")
    if variable:
        return WriteToken(os.fsencode(variable), "RECUEIL_TOKEN")
    path = data_dir / TOKEN_FILE
    try:
        content = path.read_bytes().strip()
    except (FileNotFoundError, NotADirectoryError):
        return WriteToken(None, None)
    return WriteToken(content, str(path)) if content else WriteToken(None, None)
