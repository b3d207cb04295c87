"""Text folding shared by ingestion (case keys) and search (analysis, filters)."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9]+")


@cache
def _without_combining() -> dict[int, None]:
    """A str.translate table deleting every combining mark (built once, on first need)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))}


def fold(text: str) -> str:
    """Lower-case and strip accents; œ/æ become oe/ae.

    Every passage goes through here when BM25, cases or filters are built, so the common
    cases are fast: ASCII text is only lower-cased, and accents go in one translate call
    rather than a Python test per character.
    """
    return unaccented(text.lower())


def unaccented(text: str) -> str:
    """Accents stripped, case kept: capitals drop their accents in French writing
    (« Economie » for « économie »); œ/æ become oe/ae."""
    if text.isascii():
        return text
    for ligature, letters in (("œ", "oe"), ("æ", "ae"), ("Œ", "OE"), ("Æ", "AE")):
        text = text.replace(ligature, letters)
    return unicodedata.normalize("NFKD", text).translate(_without_combining())


@lru_cache(maxsize=1 << 14)
def name_key(text: str) -> str:
    """A name as a person may type it: folded, hyphens, apostrophes and dots as spaces
    (« jean francois caron » finds « Jean-François CARON », « m. dupont » « M DUPONT »).
    Kept per name: a speaker filter compares it with every passage's speaker, a few
    hundred distinct names."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def holds_name(text: str, name: str) -> bool:
    """Whether `text` holds `name` as a person may type it (name_key). A name with no
    letter or digit (« \\x00 », « -- ») holds nothing: as an empty key it was in every
    text, and a filter on it let everything through."""
    key = name_key(name)
    return bool(key) and key in name_key(text)
