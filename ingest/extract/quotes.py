"""Quotes: words attributed to a named speaker, with exact offsets into the source.

Two sources, both certain by construction:
- turns: paragraphs that `structure` attributed to a speaker (round tables, interviews);
- reported speech: a quotation in « » or "" followed by "a témoigné / a souligné … NAME".
A quote's text is the clean text of the block (the source modulo line wrapping), never
rewritten. Roles come from the text itself: the label line, or "NAME, role" elsewhere.
"""

from __future__ import annotations

import re

from ingest.extract.records import Quote
from ingest.structure import NAME, Structured, normalise_name

MIN_CHARS = 40
_VERBS = (
    r"témoigné|déclaré|souligné|expliqué|rappelé|affirmé|estimé|insisté|résumé|ajouté|"
    r"indiqué|mis en avant|précisé|observé|conclu|insisté|martelé|relevé|assuré|lancé"
)
_TITLE_NAME = r"[A-ZÉÈ][a-zéèëêïîôûç]+(?:-[A-ZÉÈ][a-zéèëêïîôûç]+)?(?:\s+[A-ZÉÈ][\w’'-]+){1,2}"
_REPORTED = re.compile(
    r"[«\"“]\s*(?P<quote>[^«»\"“”]{20,700}?)\s*[»\"”]\s*,\s*(?:a|ont)\s+(?:" + _VERBS + r")\s+"
    r"(?P<name>" + _TITLE_NAME + r")(?:\s*,\s*(?P<role>[^.;()\n]{3,120}))?"
)
_TURN_PREFIX = re.compile(rf"^{NAME}\s?:\s*")
_ROLE = re.compile(rf"(?P<name>{NAME}),\s*(?P<role>[^:\n.;]{{3,120}})")


# What follows « X, » when it is a clause of the sentence rather than X's role.
_NOT_A_ROLE = re.compile(
    r"(?:vous|en|depuis|suite|qui|que|a|ont|avait|est|sont|s[’']est|dans|pour|avec|lors|"
    r"et|mais|car|nous|je|il|elle)\b",
    re.I,
)


def all_roles_in(text: str) -> dict[str, list[str]]:
    """Every distinct role stated for each name ("Bettina LAVILLE, Présidente …")."""
    roles: dict[str, list[str]] = {}
    for match in _ROLE.finditer(text):
        name = normalise_name(match.group("name"))
        role = " ".join(match.group("role").split()).rstrip(" ,")
        if not _NOT_A_ROLE.match(role) and role not in roles.setdefault(name, []):
            roles[name].append(role)
    return {name: found for name, found in roles.items() if found}


def roles_in(text: str) -> dict[str, str]:
    """First stated role of each name in a document."""
    return {name: found[0] for name, found in all_roles_in(text).items()}


def _same_person(reported: str, speaker: str) -> bool:
    return reported.split()[-1].upper() == speaker.split()[-1].upper()


def extract(items: list[Structured], document_text: str) -> list[Quote]:
    roles = roles_in(document_text)
    quotes: list[Quote] = []
    for item in items:
        block = item.block
        if item.speaker and block.kind in ("paragraph", "item") and len(block.text) >= MIN_CHARS:
            # « NAME : Depuis 2014… »: the quote is what follows the speaker's name.
            turn = _TURN_PREFIX.match(block.text)
            begin = turn.end() if turn else 0
            quotes.append(
                Quote(
                    speaker=item.speaker,
                    role=item.speaker_role or roles.get(item.speaker),
                    text=block.text[begin:],
                    start=block.raw_offset(begin),
                    end=block.raw_end,
                    page=block.pages[0],
                    method="turn",
                )
            )
        if block.kind == "note":
            continue
        for match in _REPORTED.finditer(block.text):
            name = " ".join(match.group("name").split())
            known = next((s for s in roles if _same_person(name, s)), None)
            role = (match.group("role") or "").strip() or (roles.get(known) if known else None)
            quotes.append(
                Quote(
                    speaker=known or name,
                    role=role,
                    text=match.group("quote"),
                    start=block.raw_offset(match.start("quote")),
                    end=block.raw_offset(match.end("quote") - 1) + 1,
                    page=block.pages[0],
                    method="reported",
                )
            )
    return quotes
