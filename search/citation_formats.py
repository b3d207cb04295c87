"""Citations a reference manager imports: CSL-JSON, BibTeX and RIS.

A researcher collects passages and quotes into Zotero (or any manager that reads these
formats): each item carries its document, event, place, date, pages, speaker, the full
quoted text and a URL that opens the passage in its document (`/documents/{id}#p-{n}`).

Types follow what Zotero maps them to, and keep the pages: a passage of proceedings is a
paper of the conference (@inproceedings, CPAPER), its speaker its author; a speaker's
words in another document are a part of it (CSL « chapter », Zotero's book section:
@incollection, CHAP); anything else is a report (@techreport, RPRT). A speaker's words were
a CSL « speech » (@misc, SLIDE), Zotero's presentation, which has no pages: a researcher's
import lost the page of every quote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ingest.normalise import fold
from ingest.store import DocumentRow, PassageRow
from search.citations import at_span, reported_from
from search.snippet import cited_words


@dataclass(frozen=True)
class Citable:
    """One passage or quote, as cited: the exact text and where it stands."""

    id: str
    text: str
    speaker: str | None
    document: DocumentRow
    page_start: int
    page_end: int
    section: str
    url: str
    # Whose words a report gives (« X a présenté… »): the report's words, not X's speech.
    reported_from: str | None = None
    role: str | None = None  # the speaker's, as the document gives it


def _speaking(speaker: str | None, speech: str | None) -> dict:
    """A speaker is the author of their own words only; reported, they are noted."""
    if speaker and speech == "reported":
        return {"speaker": None, "reported_from": speaker}
    return {"speaker": speaker}


def _note(item: Citable) -> str | None:
    """Who speaks, in what capacity (a reference manager's author has no role): « Jean-Paul
    MOREAU, dirigeant de la menuiserie… », « propos rapportés de Nadia HAMIDI, … »."""
    who = reported_from(item.reported_from) if item.reported_from else item.speaker
    if who and item.role:
        return f"{who}, {item.role}"
    return who if item.reported_from else None


def passage_url(base_url: str, passage: PassageRow, span: tuple[int, int] | None = None) -> str:
    """Where the document view shows the passage, highlighted; with a quote's `span` (its
    offsets in the document), the quote's own words within it, as the page's « Voir le
    contexte » does: four quotes of one passage are four addresses, not one."""
    address = f"{base_url.rstrip('/')}/documents/{quote(passage.document_id)}"
    if span:
        address += "?" + urlencode({"passage": passage.id, "start": span[0], "end": span[1]})
    return f"{address}#p-{passage.ordinal}"


def from_passage(passage: PassageRow, document: DocumentRow, base_url: str) -> Citable:
    return Citable(
        id=passage.id,
        text=" ".join(cited_words(passage).split()),
        **_speaking(passage.speaker, passage.speech),
        role=passage.speaker_role if passage.speaker else None,
        document=document,
        page_start=passage.page_start,
        page_end=passage.page_end,
        section=passage.section,
        url=passage_url(base_url, passage),
    )


def from_quote(record: dict, passage: PassageRow, document: DocumentRow, base_url: str) -> Citable:
    """A quote: the speaker's words only, on the pages they stand on."""
    cited = at_span(passage, document, record["start"], record["end"])
    return Citable(
        id=record["id"],
        text=" ".join(record["text"].split()),
        **_speaking(record["speaker"], record["speech"]),
        role=record["role"] or None,
        document=document,
        page_start=cited.page_start,
        page_end=cited.page_end,
        section=passage.section,
        url=passage_url(base_url, passage, (record["start"], record["end"])),
    )


# -- shared fields ------------------------------------------------------------------


def _kind(item: Citable) -> str:
    if item.document.kind == "proceedings":
        return "paper-conference"
    return "chapter" if item.speaker else "report"


def _title(item: Citable) -> str:
    """A paper or a speaker's part is titled by its section; a report by its document."""
    if _kind(item) != "report" and item.section:
        return item.section.split(" › ")[-1]
    return item.document.title


def _container(item: Citable) -> str | None:
    title = _title(item)
    return item.document.title if title != item.document.title else None


def _name(speaker: str) -> tuple[str, str]:
    """(family, given): French documents write the family name in capitals
    (« Jean-François CARON »); otherwise the last word is taken as the family name. The
    capitals mark the name in running text, they are not its spelling: a reference
    manager gets « Caron » (a style that prints « CARON, J.-F. » from « CARON » would
    shout it), « Rossat-Mignod », « du Bouetiez »."""
    words = speaker.split()
    family = [w for w in words if w.isupper() and len(w) > 1]
    if not family:
        return words[-1], " ".join(words[:-1])
    given = " ".join(w for w in words if w not in family)
    last = len(family) - 1
    return " ".join(_spelled(w, i < last) for i, w in enumerate(family)), given


_PARTICLES = frozenset({"de", "du", "des", "d'", "d’"})


def _spelled(word: str, before_another: bool) -> str:
    """A family name's word written in capitals, in its usual case: each part after a
    hyphen or an apostrophe capitalised, a particle before another word in lower case."""
    lowered = word.lower()
    if before_another and lowered in _PARTICLES:
        return lowered
    return re.sub(r"(^|[-'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), lowered)


def _date(item: Citable) -> list[int]:
    """[year, month, day] as far as the document's ISO date goes."""
    return [int(part) for part in (item.document.date or "").split("-") if part.isdigit()]


def _pages(item: Citable, dash: str) -> str:
    if item.page_start == item.page_end:
        return str(item.page_start)
    return f"{item.page_start}{dash}{item.page_end}"


# -- CSL-JSON -----------------------------------------------------------------------


def csl_item(item: Citable) -> dict:
    family, given = _name(item.speaker) if item.speaker else (None, None)
    fields = {
        "id": item.id,
        "type": _kind(item),
        "title": _title(item),
        "container-title": _container(item),
        "event-title": item.document.event,
        "event": item.document.event,  # before CSL 1.0.2, still read by some managers
        "event-place": item.document.place,
        "publisher-place": item.document.place,
        "author": [{"family": family, "given": given}] if family else None,
        "issued": {"date-parts": [_date(item)]} if _date(item) else None,
        "page": _pages(item, "-"),
        "URL": item.url,
        "abstract": item.text,
        "note": _note(item),
        "language": "fr",
        "source": "Recueil",
    }
    return {key: value for key, value in fields.items() if value}


def to_csl(items: list[Citable]) -> str:
    return json.dumps([csl_item(i) for i in items], ensure_ascii=False, indent=2) + "\n"


# -- BibTeX -------------------------------------------------------------------------

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_TYPES = {
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
}


def tex(text: str) -> str:
    """Text safe inside a BibTeX field: LaTeX specials escaped, braces balanced; accents
    stay as UTF-8, which Zotero and biber read."""
    return "".join(_TEX_SPECIALS.get(char, char) for char in text)


def bibtex_key(item: Citable, taken: set[str]) -> str:
    """`caron2019p12`: the speaker's (or title's) first word, year and page, in ASCII
    letters and digits, made unique within one export by a letter."""
    who = _name(item.speaker)[0] if item.speaker else item.document.title
    word = re.sub(r"[^a-z0-9]", "", (re.findall(r"[\w-]{3,}", fold(who)) or ["recueil"])[0])
    year = str(_date(item)[0]) if _date(item) else ""
    base = f"{word or 'recueil'}{year}p{item.page_start}"
    key, suffix = base, ord("a")
    while key in taken:
        key, suffix = f"{base}{chr(suffix)}", suffix + 1
    taken.add(key)
    return key


def bibtex_entry(item: Citable, key: str) -> str:
    date = _date(item)
    family, given = _name(item.speaker) if item.speaker else (None, None)
    kind = _kind(item)
    fields = {
        "author": f"{family}, {given}" if given else family,
        "title": _title(item),
        "booktitle": _container(item) if kind != "report" else None,
        "eventtitle": item.document.event,
        "address": item.document.place,
        "year": str(date[0]) if date else None,
        "month": str(date[1]) if len(date) > 1 else None,
        "date": item.document.date,
        "pages": _pages(item, "--"),
        "url": item.url,
        "abstract": item.text,
        "note": _note(item),
        "language": "french",
    }
    lines = [
        f"  {name} = {{{value if name == 'url' else tex(value)}}}"
        for name, value in fields.items()
        if value
    ]
    return f"@{_BIBTEX_TYPES[kind]}{{{key},\n" + ",\n".join(lines) + "\n}\n"


def to_bibtex(items: list[Citable]) -> str:
    taken: set[str] = set()
    return "\n".join(bibtex_entry(item, bibtex_key(item, taken)) for item in items)


# -- RIS ----------------------------------------------------------------------------

_RIS_TYPES = {"chapter": "CHAP", "paper-conference": "CPAPER", "report": "RPRT"}


def _ris_date(date: list[int]) -> str:
    """RIS dates are `YYYY/MM/DD/`, parts left empty when unknown (`2019///`)."""
    parts = [f"{date[0]:04d}", *(f"{n:02d}" for n in date[1:])]
    return "/".join(parts + [""] * (3 - len(parts))) + "/"


def ris_record(item: Citable) -> str:
    date = _date(item)
    family, given = _name(item.speaker) if item.speaker else (None, None)
    tags = [
        ("TY", _RIS_TYPES[_kind(item)]),
        ("AU", f"{family}, {given}" if given else family),
        ("TI", _title(item)),
        ("T2", _container(item) or item.document.event),
        ("C3", item.document.event),
        ("CY", item.document.place),
        ("PY", str(date[0]) if date else None),
        ("DA", _ris_date(date) if date else None),
        ("SP", str(item.page_start)),
        ("EP", str(item.page_end)),
        ("UR", item.url),
        ("AB", item.text),
        ("N1", _note(item)),
        ("LA", "fr"),
        ("DB", "Recueil"),
    ]
    # Each value on one line: RIS ends a field at the line break.
    lines = [f"{tag}  - {' '.join(value.split())}" for tag, value in tags if value]
    return "\n".join([*lines, "ER  - "]) + "\n"


def to_ris(items: list[Citable]) -> str:
    return "\n".join(ris_record(item) for item in items)


@dataclass(frozen=True)
class Format:
    write: Callable[[list[Citable]], str]
    media_type: str
    extension: str


FORMATS = {
    "csl": Format(to_csl, "application/vnd.citationstyles.csl+json", "json"),
    "bibtex": Format(to_bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": Format(to_ris, "application/x-research-info-systems; charset=utf-8", "ris"),
}
