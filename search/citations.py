"""Citations a person can check: fields, and a formatted French reference."""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.normalise import fold
from ingest.store import DocumentRow, PassageRow
from ingest.voice import OPENING, closing_of

MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_date(iso: str | None) -> str | None:
    """'2019-06-26' → '26 juin 2019'; partial dates keep what they have."""
    if not iso:
        return None
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS_FR[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = int(parts[2])
    return f"{'1er' if day == 1 else day} {month} {parts[0]}"


def at_span(passage: PassageRow, document: DocumentRow, start: int, end: int) -> PassageRow:
    """The passage as cited for words of it between two offsets of the document: on the
    pages those words stand on (« p. 2-3 » for a quotation over a page break), not the
    passage's, nor only the page it opens on."""
    return replace(
        passage, page_start=document.page_at(start), page_end=document.page_at(max(start, end - 1))
    )


def pages_label(passage: PassageRow) -> str:
    if passage.page_start == passage.page_end:
        return f"p. {passage.page_start}"
    return f"p. {passage.page_start}-{passage.page_end}"


def quote_excerpt(text: str, limit: int = 160) -> str:
    """The passage's opening words, cut at a word boundary, for the « … » of a reference."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " […]"


# Guillemets and curly quotes, as they open and close a quotation.
def unquoted(text: str) -> str:
    """The text without the guillemets of its own around it, which the citation's stand for
    (« « Il faut … » » would quote it twice): « Il faut … » → Il faut …; one that opens a
    quotation going on in the next paragraph (« Dans nos missions, … ») loses its opening
    mark; « a » et « b » keeps its own."""
    flat = text.strip()
    if not flat or flat[0] not in OPENING:
        return text
    close = closing_of(flat)
    if close is not None and close < len(flat) - 1:
        return text  # the first quotation closes before the end: part of the text
    return (flat[1:-1] if close is not None else flat[1:]).strip()


def reported_from(speaker: str) -> str:
    """« propos rapportés de Paul MARTIN », « … d’Alexia GAZEL »: words a report gives of
    someone, which are the report's, not theirs."""
    return f"propos rapportés {'d’' if fold(speaker[:1]) in 'aeiouy' else 'de '}{speaker}"


def reference(document: DocumentRow, passage: PassageRow, excerpt: str | None = None) -> str:
    """« excerpt » — Speaker, Title, Event, Place, date, p. N, section « … ». Words a
    report gives of a speaker (« X a présenté… ») are the report's: not put in the
    speaker's mouth, they are said to be reported."""
    reported = passage.speaker and passage.speech == "reported"
    parts = [passage.speaker] if passage.speaker and not reported else []
    # The event, place and date, unless the title (or the event) already says them: « … —
    # Bordeaux, 12 mars 2024 » is not followed by « Bordeaux, 12 mars 2024 » again.
    for part in (document.title, document.event, document.place, french_date(document.date)):
        if part and part.lower() not in ", ".join(parts).lower():
            parts.append(part)
    parts.append(pages_label(passage))
    section = passage.section.split(" › ")[-1] if passage.section else None
    # A document's first heading is often its title: « section « <the title> » » again.
    if section and section.lower() != (document.title or "").lower():
        parts.append(f"section « {nested(section)} »")
    if reported:
        parts.append(reported_from(passage.speaker))
    quoted = nested(unquoted(excerpt if excerpt is not None else quote_excerpt(passage.text)))
    return f"« {quoted} » — " + ", ".join(parts) + "."


_INNER_OPENING = re.compile(r"«\s*")
_INNER_CLOSING = re.compile(r"\s*»")


def nested(text: str) -> str:
    """Guillemets inside a citation's own become second-level quotation marks, as French
    typography writes them: « “On est devant une page blanche” ; ce qui oblige… » (it
    read « « On est devant… » ; … »). A quotation the excerpt cuts before its end is
    closed where the excerpt stops, so the citation's own » closes the citation."""
    text = _INNER_CLOSING.sub("”", _INNER_OPENING.sub("“", text))
    return text + "”" * (text.count("“") - text.count("”"))
