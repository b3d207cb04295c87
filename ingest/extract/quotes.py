"""Quotes: words attributed to a named speaker, whole sentences, with exact offsets.

Two sources:
- turns: paragraphs that `structure` attributed to a speaker (round-table answers, talks,
  labelled interventions, accounts of a talk), flagged `verbatim` (the speaker's own words)
  or `reported` (the report's account of them), as `structure` says;
- quotations: words in « » or "" followed by "a témoigné / a souligné … NAME"
  (structure.QUOTATION): verbatim.
A quote is at least one whole sentence, never a fragment of a list; a moderator's question
is never one (structure keeps it apart). Its text is the clean text of the block (the
source modulo line wrapping), never rewritten. Roles come from the text itself: the label
line, or "NAME, role" elsewhere.
"""

from __future__ import annotations

import re

from ingest.extract.practices import strip_list_marker
from ingest.extract.records import Quote
from ingest.structure import (
    NAME,
    QUOTATION,
    REPORTED,
    TURN,
    VERBATIM,
    Structured,
    normalise_name,
    surname,
)

MIN_WORDS = 6  # a sentence: at least this many words…
_SENTENCE_END = re.compile(r"[.!?…]\s*[»\"”’)]?\s*$")  # …ending as sentences end (« … . »)
_ROLE = re.compile(rf"(?P<name>{NAME}),\s*(?P<role>[^:\n.;]{{3,120}})")


_CLAUSE = re.compile(r",\s*(?:a|ont|avait|est|sont|s[’']est|qui|que|dont)\s")
# What follows « X, » when it is a clause of the sentence rather than X's role.
_NOT_A_ROLE = re.compile(
    r"(?:vous|en|depuis|suite|qui|que|a|ont|avait|est|sont|s[’']est|dans|pour|avec|lors|"
    r"et|mais|car|nous|je|il|elle)\b",
    re.I,
)


def clean_role(text: str | None) -> str | None:
    """What follows « X, » as X's role, or None when it is a clause of the sentence:
    « directrice de la recherche au RAMEAU, a présenté … » → « directrice de la recherche
    au RAMEAU »; « qui insiste aussi sur … » → None."""
    role = _CLAUSE.split(" ".join((text or "").split()))[0].rstrip(" ,")
    return None if not role or _NOT_A_ROLE.match(role) else role


def all_roles_in(text: str) -> dict[str, list[str]]:
    """Every distinct role stated for each name ("Bettina LAVILLE, Présidente …")."""
    roles: dict[str, list[str]] = {}
    for match in _ROLE.finditer(text):
        name = normalise_name(match.group("name"))
        role = clean_role(match.group("role"))
        if role and role not in roles.setdefault(name, []):
            roles[name].append(role)
    return {name: found for name, found in roles.items() if found}


def roles_in(text: str) -> dict[str, str]:
    """First stated role of each name in a document."""
    return {name: found[0] for name, found in all_roles_in(text).items()}


def _same_person(reported: str, speaker: str) -> bool:
    return surname(reported) == surname(speaker)


def is_sentence(text: str, list_item: bool = False) -> bool:
    """At least one whole sentence: enough words, and an end as sentences end (or many
    words, for a paragraph the extraction cut before its full stop). A list item is a
    fragment (« - La veille, »), unless it is a long sentence of its own."""
    words = len(re.findall(r"\w+", strip_list_marker(text)))
    needed = 2 * MIN_WORDS if list_item else MIN_WORDS
    return words >= needed and (bool(_SENTENCE_END.search(text)) or words >= 3 * MIN_WORDS)


def extract(items: list[Structured], document_text: str) -> list[Quote]:
    roles = roles_in(document_text)
    quotes: list[Quote] = []
    for item in items:
        block = item.block
        if block.kind == "note":
            continue
        quoted = list(QUOTATION.finditer(block.text))
        # A paragraph that quotes someone inside the reporter's prose gives the quotation,
        # not the whole paragraph.
        if item.speaker and block.kind in ("paragraph", "item") and not quoted:
            turn = TURN.match(block.text)
            begin = turn.start("rest") if turn and turn.group("rest") else 0
            text = block.text[begin:]
            if is_sentence(text, list_item=block.kind == "item"):
                quotes.append(
                    Quote(
                        speaker=item.speaker,
                        role=item.speaker_role or roles.get(item.speaker),
                        text=text,
                        start=block.raw_offset(begin),
                        end=block.raw_end,
                        page=block.pages[0],
                        method="turn",
                        speech=item.speech or REPORTED,
                    )
                )
        for match in quoted:
            # A quotation is an utterance whole, its full stop outside the guillemets.
            if len(match.group("quote").split()) < MIN_WORDS:
                continue
            name = " ".join(match.group("name").split())
            known = next((s for s in roles if _same_person(name, s)), None)
            role = clean_role(match.group("role")) or (roles.get(known) if known else None)
            quotes.append(
                Quote(
                    speaker=known or name,
                    role=role,
                    text=match.group("quote"),
                    start=block.raw_offset(match.start("quote")),
                    end=block.raw_offset(match.end("quote") - 1) + 1,
                    page=block.pages[0],
                    method="reported",
                    speech=VERBATIM,
                )
            )
    return quotes
