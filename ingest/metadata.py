"""Document metadata: inferred from the text where it says so, overridden by a sidecar.

A sidecar is `<file name>.meta.json` next to the source (e.g. `report.pdf.meta.json`),
holding any of: title, event, date (ISO), place, kind, url. Kinds used by the corpus:
proceedings, programme, animation_script, article.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

FIELDS = ("title", "event", "date", "place", "kind", "url")
KINDS = ("proceedings", "programme", "animation_script", "article", "case_study", "document")

MONTHS = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
_DATE = re.compile(r"\b(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.I)
_EVENT = re.compile(
    r"\b(\d{1,2})\s*(?:e|è|ème|eme|ère|re)s?\s+(rencontres?\s+des\s+pionniers\s+des\s+alliances"
    r"\s+en\s+territoires?)",
    re.I,
)
_PLACE = re.compile(r"\b\d{2}\s?\d{3}\s+([A-ZÉ][a-zéèA-Z\-]+)")


class MetadataError(ValueError):
    """A sidecar that cannot be used; the message says which field and why."""


def sidecar_path(source: Path) -> Path:
    return source.with_name(source.name + ".meta.json")


def read_sidecar(source: Path) -> dict:
    path = sidecar_path(source)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError(f"sidecar {path.name} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"sidecar {path.name} must hold a JSON object")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise MetadataError(f"sidecar {path.name} has unknown fields: {', '.join(sorted(unknown))}")
    if "kind" in data and data["kind"] not in KINDS:
        raise MetadataError(f"sidecar {path.name}: kind must be one of {', '.join(KINDS)}")
    if "date" in data and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(data["date"])):
        raise MetadataError(f"sidecar {path.name}: date must be ISO (YYYY, YYYY-MM or YYYY-MM-DD)")
    return data


def _event_number(text: str) -> int | None:
    """The meeting the document is about: « cette 2ème rencontre », else the most named one.

    Earlier meetings are often recalled ("la 1ère rencontre a réuni…"), so the first
    mention is not enough.
    """
    mentions = [
        (int(m.group(1)), text[max(0, m.start() - 8) : m.start()].lower())
        for m in _EVENT.finditer(text)
    ]
    if not mentions:
        return None
    own = [number for number, before in mentions if "cette" in before]
    return Counter(own or [number for number, _ in mentions]).most_common(1)[0][0]


def infer(text: str, title_hint: str | None, first_heading: str | None) -> dict:
    """What the opening of the text says about the document."""
    head = text[:4000]
    meta: dict = {}
    if date := _DATE.search(head):
        day, month, year = date.groups()
        meta["date"] = f"{int(year):04d}-{MONTHS[month.lower()]:02d}-{int(day):02d}"
    if number := _event_number(text[:20000]):
        meta["event"] = f"{number}e Rencontre des pionniers des alliances en territoire"
    if place := _PLACE.search(head):
        meta["place"] = place.group(1)
    lowered = head.lower()
    if re.search(r"étude de cas|fiche (?:cas|projet|initiative)|case study", lowered[:600]):
        meta["kind"] = "case_study"
    elif "trame d’animation" in lowered or "trame d'animation" in lowered:
        meta["kind"] = "animation_script"
    elif "compte-rendu" in lowered[:600] or "compte rendu" in lowered[:600]:
        meta["kind"] = "article"
    elif (len(text) < 12000 and "programme" in lowered) or lowered.count("h00") >= 2:
        meta["kind"] = "programme"
    else:
        meta["kind"] = "proceedings" if len(text) > 30000 else "document"
    title = title_hint or first_heading
    if title:
        meta["title"] = " ".join(title.split())[:200]
    return meta


def resolve(source: Path, text: str, title_hint: str | None, first_heading: str | None) -> dict:
    """Inferred metadata with the sidecar's fields on top; title falls back to the file name."""
    meta = infer(text, title_hint, first_heading)
    meta.update(read_sidecar(source))
    meta.setdefault("title", source.stem)
    meta.setdefault("kind", "document")
    for key in FIELDS:
        meta.setdefault(key, None)
    return meta
