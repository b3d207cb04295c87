"""Text folding shared by ingestion (case keys) and search (analysis, filters)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents; œ/æ become oe/ae."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
