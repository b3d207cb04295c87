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

from ingest.normalise import fold

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
# « 5 avril 2023 », « 1er août 2024 »: a full date in French (ingest.kinds reads it too).
DATE = re.compile(r"\b(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.I)
# « novembre 2023 », « en juin 2019 »: a month without its day (an ISO date YYYY-MM).
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+((?:19|20)\d{2})\b", re.I)
# Words that name a gathering, as reports title them.
_GATHERING = (
    r"(?:rencontres?|journées?|forum|colloque|séminaire|assises|université|conférence|"
    r"webinaire|sommet|congrès|festival)"
)
# « la 5ème Rencontre des pionniers des alliances en territoire »: an event's number and
# name, up to a punctuation or a quotation.
_EVENT = re.compile(
    rf"\b(\d{{1,2}})\s*(?:e|è|ème|eme|ère|re)s?\s+(?P<name>{_GATHERING}\b[^\n.,;:«»\"()!?]{{0,90}})",
    re.I,
)
# Where a sentence goes on after an event's name: a verb, a participle, a relative.
_CLAUSE = re.compile(
    r"\s(?:a|ont|avait|est|sont|était|étaient|sera|seront|aura|organisée?s?|tenue?s?|"
    r"consacrée?s?|qui|que|dont|s['’]est|se|a\s+été|permet|réunit|réunira|avec|par|pour)\b"
)
# Smaller gatherings, an event only when the document names no larger one: « Atelier
# mobilité solidaire » under « Rencontre régionale du réseau … » is a part of it.
_SMALL_GATHERING = (
    r"(?:ateliers?|tables? rondes?|matinales?|réunions?|séances?|sessions?|cafés?|"
    r"petits?[- ]déjeuners?|visites?|voyages? d['’]études?)"
)
# A name may hold a title in guillemets: « Atelier « Mobiliser les habitants », Lyon ».
_NAME_PART = r"(?:[^,—–:\n«»]|«[^»\n]{1,120}»)"


def _event_title(gathering: str) -> re.Pattern:
    """A title that is an event's (« Rencontre régionale des tiers-lieux ruraux —
    Compte-rendu »), or a report of one (« Actes de la Journée … »), up to its separator."""
    return re.compile(
        r"^(?:(?:actes|compte[- ]rendu|synthèse|programme|bilan)\s+(?:de\s+la|du|des|de)\s+)?"
        rf"(?P<name>{gathering}\b{_NAME_PART}{{2,160}}?)\s*(?:[—–:]|\s-\s|$)",
        re.I,
    )


def _event_line(gathering: str) -> re.Pattern:
    """An opening line that names the gathering (« Rencontre régionale du réseau
    Territoires Partagés, Aurillac, 14 mars 2024 »), up to its place or date."""
    return re.compile(
        rf"^[ \t#]*(?P<name>{gathering}\b{_NAME_PART}{{2,160}}?)[ \t]*(?:[,—–:]|\s-\s|$)",
        re.I | re.M,
    )


_EVENT_TITLES = [_event_title(_GATHERING), _event_title(_SMALL_GATHERING)]
_EVENT_LINES = [_event_line(_GATHERING), _event_line(_SMALL_GATHERING)]
# The lines of a document's opening that may name its event.
OPENING_LINES = 5
_POSTCODE_PLACE = re.compile(r"\b\d{2}\s?\d{3}\s+([A-ZÉ][a-zéèA-Z\-]+)")
# A place as a report gives it beside its date: « le 14 mars 2025 à Givry-sur-Saône »,
# « À Lyon, le 3 juin ». Hyphenated and « -sur- » names whole; a name's small words only
# between two capitalised ones.
_TOWN = r"[A-ZÉÈÂ][\w’'-]+(?:\s(?:sur|sous|en|lès|le|la|les|de|du|des)\s[A-ZÉÈÂ][\w’'-]+)*"
_PLACE_AFTER_DATE = re.compile(rf"(?:\d{{4}}|{DATE.pattern})\s*,?\s+(?:à|au)\s+(?P<place>{_TOWN})")
# « À Lyon, le 3 juin » opening a line; « … à Besançon le 21 novembre 2023 » anywhere.
_PLACE_BEFORE_DATE = re.compile(rf"(?:^|\n)\s*[àÀ]\s+(?P<place>{_TOWN})\s*,\s*le\s+\d", re.M)
_PLACE_BEFORE_FULL_DATE = re.compile(
    rf"\s[àÀ]\s+(?P<place>{_TOWN})\s*,?\s*le\s+(?i:{DATE.pattern})"
)
# A dateline: « Aurillac, 14 mars 2024 », « Paris, le 3 juin 2024 ».
_DATELINE = re.compile(rf"(?P<place>{_TOWN})\s*,\s*(?:le\s+)?{DATE.pattern}")
# A town with its department, as a report first places it: « à Saint-Nazaire
# (Loire-Atlantique) », « la salle des fêtes de Saint-Affrique (Aveyron) », « Gorron (53) ».
_TOWN_IN_DEPARTMENT = re.compile(
    rf"\b(?:à|de|d['’]|sur)\s*(?P<place>{_TOWN})\s*"
    r"\((?:\d{2,3}|[A-ZÉÈ][\w’'-]+(?:[- ][\w’'-]+)*)\)"
)
# A press title that opens on where it happens: « À Villeneuve-la-Garenne, une régie… ».
_TITLE_PLACE = re.compile(rf"^(?:[àÀA]|Au|En)\s+(?P<place>{_TOWN})\s*,")


SIDECAR_SUFFIX = ".meta.json"


class MetadataError(ValueError):
    """A sidecar that cannot be used; the message says which field and why."""


def sidecar_path(source: Path) -> Path:
    return source.with_name(source.name + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    """Whether a file is a document's sidecar: read with it, not as one."""
    return path.name.endswith(SIDECAR_SUFFIX)


def _where(exc: ValueError) -> str:
    """Where a sidecar stops being JSON, in French (json's message is English)."""
    if isinstance(exc, json.JSONDecodeError):
        return f"ligne {exc.lineno}, colonne {exc.colno}"
    return "pas en UTF-8"


def read_sidecar(source: Path) -> dict:
    path = sidecar_path(source)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError(
            f"fiche de métadonnées {path.name} : JSON invalide ({_where(exc)})"
        ) from exc
    if not isinstance(data, dict):
        raise MetadataError(f"fiche de métadonnées {path.name} : un objet JSON est attendu")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise MetadataError(
            f"fiche de métadonnées {path.name} : champs inconnus {', '.join(sorted(unknown))} "
            f"(champs possibles : {', '.join(FIELDS)})"
        )
    if "kind" in data and data["kind"] not in KINDS:
        raise MetadataError(
            f"fiche de métadonnées {path.name} : kind doit valoir {', '.join(KINDS)}"
        )
    if "date" in data and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(data["date"])):
        raise MetadataError(
            f"fiche de métadonnées {path.name} : date au format AAAA, AAAA-MM ou AAAA-MM-JJ"
        )
    return data


def _numbered_event(text: str) -> str | None:
    """The meeting the document is about: « cette 2ème rencontre », else the most named
    one, as « 2e Rencontre … » with the longest name the text gives that number.

    Earlier meetings are often recalled ("la 1ère rencontre a réuni…"), so the first
    mention is not enough.
    """
    mentions = [
        (
            int(m.group(1)),
            " ".join(m.group("name").split()),
            text[max(0, m.start() - 8) : m.start()],
        )
        for m in _EVENT.finditer(text)
    ]
    if not mentions:
        return None
    own = [number for number, _, before in mentions if "cette" in before.lower()]
    number = Counter(own or [n for n, _, _ in mentions]).most_common(1)[0][0]
    names = Counter(_CLAUSE.split(name)[0].strip() for n, name, _ in mentions if n == number)
    name = max(names, key=lambda found: (names[found], len(found)))
    return f"{number}e {name[0].upper()}{name[1:]}"


def _named_event(text: str, title: str | None) -> str | None:
    """The gathering the title names, else an opening line (« Rencontre régionale du
    réseau …, Aurillac »); a workshop or a round table only when no larger one is."""
    title = " ".join((title or "").split())
    opening = "\n".join([line for line in text.split("\n", 40) if line.strip()][:OPENING_LINES])
    for titled, lined in zip(_EVENT_TITLES, _EVENT_LINES, strict=True):
        if found := titled.match(title) or lined.search(opening):
            name = found.group("name").strip(" ,.-")
            return f"{name[0].upper()}{name[1:]}"
    return None


def _place(head: str) -> str | None:
    """Where the event took place, as the opening says it beside its date or its address."""
    for pattern in (
        _PLACE_AFTER_DATE,
        _PLACE_BEFORE_DATE,
        _PLACE_BEFORE_FULL_DATE,
        _DATELINE,
        _TOWN_IN_DEPARTMENT,
    ):
        if found := pattern.search(head):
            return found.group("place")
    found = _POSTCODE_PLACE.search(head)
    return found.group(1) if found else None


# The parts of a case study's form, each a line of its own (« ## Résultats », « Acteurs : »):
# a short document that presents an initiative (who, from where) and says what came of it,
# in three such parts or more, is a case study whatever it calls itself. Lessons alone
# (« Ce qui a marché », « Ce que nous ne referions pas ») make a workshop's report too.
_PART_LINE = r"^[ \t#]*(?:\d+[.)-]?\s*)?(?:{})(?: du projet| de l['’]initiative)?[ \t]*:?[ \t]*$"
# The parts that present who carries an initiative and where: no advice in them.
WHO_PARTS = (
    r"présentation|contexte|historique|origine|acteurs|partenaires|porteurs?|"
    r"acteurs et partenaires"
)
_OUTCOME = r"résultats|impacts?|chiffres clés|bilan"
_LESSON = (
    r"enseignements|leçons|difficultés|freins|perspectives|gouvernance|financements?|moyens|"
    r"ce qui (?:a )?(?:bien )?(?:marché|fonctionné)|"
    r"ce que (?:nous|je|l['’]équipe) (?:ne )?refer\w*(?: pas)?"
)
_CASE_PARTS = {
    name: re.compile(_PART_LINE.format(words), re.I | re.M)
    for name, words in (("who", WHO_PARTS), ("outcome", _OUTCOME), ("lesson", _LESSON))
}
CASE_PARTS = 3
CASE_STUDY_CHARS = 30000


# A title announcing one initiative's « retour d'expérience » (« Jardins partagés de
# Quimper : retour d'expérience »): a case study. Plural « retours d'expériences » gather
# several, as proceedings do.
_ONE_EXPERIENCE = re.compile(r"\bretour d['’]expérience\b", re.I)

# A programme says so on a line of its own or as its title (« PROGRAMME », « Programme de
# la journée »), not in a sentence (« le programme Wasla relie Grenoble et Sfax »).
_PROGRAMME_LINE = re.compile(r"^[ \t#]*programme\b", re.M)


def _laid_out_as_a_case(text: str) -> bool:
    if len(text) > CASE_STUDY_CHARS:
        return False
    found = {
        name: {fold(m.group().strip(" \t#:").lower()) for m in pattern.finditer(text)}
        for name, pattern in _CASE_PARTS.items()
    }
    return bool(found["who"] and found["outcome"]) and sum(map(len, found.values())) >= CASE_PARTS


def infer(text: str, title_hint: str | None, first_heading: str | None) -> dict:
    """What the opening of the text says about the document."""
    head = text[:4000]
    meta: dict = {}
    if date := DATE.search(head):
        day, month, year = date.groups()
        meta["date"] = f"{int(year):04d}-{MONTHS[month.lower()]:02d}-{int(day):02d}"
    elif month := _MONTH.search(head):
        name, year = month.groups()
        meta["date"] = f"{int(year):04d}-{MONTHS[name.lower()]:02d}"
    if event := _numbered_event(text[:20000]) or _named_event(head, title_hint or first_heading):
        meta["event"] = event
    title = title_hint or first_heading
    if place := _place(head) or _title_place(title):
        meta["place"] = place
    lowered = head.lower()
    if re.search(r"étude de cas|fiche (?:cas|projet|initiative)|case study", lowered[:600]) or (
        title and _ONE_EXPERIENCE.search(title)
    ):
        meta["kind"] = "case_study"
    elif "trame d’animation" in lowered or "trame d'animation" in lowered:
        meta["kind"] = "animation_script"
    elif "compte-rendu" in lowered[:600] or "compte rendu" in lowered[:600]:
        meta["kind"] = "article"
    elif (len(text) < 12000 and _PROGRAMME_LINE.search(lowered)) or lowered.count("h00") >= 2:
        meta["kind"] = "programme"
    elif _laid_out_as_a_case(text):
        meta["kind"] = "case_study"
    elif title and re.match(r"\s*actes\b", title, re.I):
        meta["kind"] = "proceedings"  # « Actes de la Rencontre … », however short
    else:
        meta["kind"] = "proceedings" if len(text) > 30000 else "document"
    if title:
        meta["title"] = " ".join(title.split())[:200]
    return meta


# A heading that only says what kind of document follows: the title is the next one.
_GENRE_ONLY = re.compile(
    r"^(?:étude de cas|fiche (?:cas|projet|initiative|expérience)|compte[- ]rendu|actes|"
    r"synthèse|programme|bilan|rapport|note|retour d['’]expérience|capitalisation|"
    r"case study)\s*:?$",
    re.I,
)
# How far into a document its title may stand: the first blocks.
TITLE_BLOCKS = 3


def title_heading(opening: list[tuple[str, str]]) -> str | None:
    """The document's title among its first blocks, (kind, text): the first heading, or
    the line after a heading that only names the genre (« ÉTUDE DE CAS » then « La
    Fabrique du Quai, un tiers-lieu … », a heading or a short line with no stop), which
    stays the title when nothing follows it."""
    first = opening[:TITLE_BLOCKS]
    for index, (kind, text) in enumerate(first):
        if kind != "heading":
            continue
        if not _GENRE_ONLY.match(text.strip()):
            return text
        after = first[index + 1] if index + 1 < len(first) else None
        if after and (after[0] == "heading" or _TITLE_LINE.match(after[1])):
            return after[1]
    return next((text for kind, text in opening if kind == "heading"), None)


# A line that may be a title: short, ending on no full stop.
_TITLE_LINE = re.compile(r"^[^\n]{3,200}(?<![.!?:;,])$")


def _title_place(title: str | None) -> str | None:
    found = _TITLE_PLACE.match(title.strip()) if title else None
    return found.group("place") if found else None


# What a front matter or a page's <meta> may call each field, folded.
_DECLARED_NAMES = {
    "title": ("title", "titre", "dc.title", "dcterms.title"),
    "date": (
        "date",
        "dc.date",
        "dcterms.date",
        "dcterms.created",
        "article:published_time",
        "datepublished",
        "pubdate",
    ),
    "event": ("event", "evenement", "rencontre"),
    "place": ("place", "lieu", "location"),
    "kind": ("kind", "type", "genre"),
    "url": ("url", "lien", "source"),
}
# A kind as a French author may declare it.
_DECLARED_KINDS = {
    "etude de cas": "case_study",
    "cas": "case_study",
    "fiche cas": "case_study",
    "actes": "proceedings",
    "compte rendu": "article",
    "compte-rendu": "article",
    "trame d'animation": "animation_script",
}


def declared_fields(declared: dict[str, str]) -> dict:
    """The fields a source states about itself (Markdown front matter, HTML <meta>) that
    metadata knows, under any of their usual names; a value that is not one of a field's
    (a date that is not ISO, an unknown kind) is left to inference, not an error: the
    author wrote it for another tool."""
    by_name = {fold(name): value for name, value in declared.items()}
    fields: dict = {}
    for field, names in _DECLARED_NAMES.items():
        value = next((by_name[n] for n in names if n in by_name), None)
        if value is None:
            continue
        if field == "date":
            iso = re.match(r"\d{4}(?:-\d{2}(?:-\d{2})?)?(?![\d])", value)
            value = iso.group() if iso else None
        elif field == "kind":
            value = value if value in KINDS else _DECLARED_KINDS.get(fold(value).replace("’", "'"))
        if value:
            fields[field] = value
    return fields


def resolve(
    source: Path,
    text: str,
    title_hint: str | None,
    first_heading: str | None,
    declared: dict[str, str] | None = None,
) -> dict:
    """Inferred metadata, what the source declares of itself on top, then the sidecar's
    fields; title falls back to the file name."""
    meta = infer(text, title_hint, first_heading)
    # A page marked up as an article (og:type, <article>; a CMS says so of every post) is
    # one when its text says of no other kind.
    if meta["kind"] == "document" and (declared or {}).get("og:type") == "article":
        meta["kind"] = "article"
    meta.update(declared_fields(declared or {}))
    meta.update(read_sidecar(source))
    meta.setdefault("title", source.stem)
    meta.setdefault("kind", "document")
    for key in FIELDS:
        meta.setdefault(key, None)
    return meta
