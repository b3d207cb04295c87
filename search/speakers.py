"""The speaker index: who speaks in the collection, as what, where, and how much.

A researcher looking for testimonies starts from people: each speaker with the roles the
documents give them, the organisations those roles name, the events they spoke at and how
many passages and quotes are theirs, so the way to their words is one click.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.names import NAME
from ingest.normalise import fold

if TYPE_CHECKING:
    from search.engine import SearchEngine


@dataclass(frozen=True)
class Speaker:
    name: str
    roles: list[str]
    organisations: list[str]
    events: list[str]
    passages: int
    quotes: int


# A title the role quotes (« L’Innovation au pouvoir ») names a report, not an employer.
_QUOTED = re.compile(r"«[^»]*(?:»|$)")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&-]{2,}\b")


def _organisations(roles: list[str], organisations: list[dict], surnames: set[str]) -> list[str]:
    """The organisations a speaker's roles name: known organisations (actors of that kind)
    and acronyms (« Présidente du CELAVAR ») other than people's surnames in capitals, a
    name inside a longer one left out."""
    said = _QUOTED.sub(" ", " ".join(roles))
    # « représentant Jacqueline GOURAULT »: a person a role names is nobody's employer.
    named = {word for name in re.findall(NAME, said) for word in name.split() if word.isupper()}
    surnames = surnames | named
    folded = f" {fold(said)} "
    found = [
        actor["name"]
        for actor in organisations
        if any(f" {fold(n)} " in folded for n in [actor["name"], *actor["aliases"]])
    ]
    for acronym in _ACRONYM.findall(said):
        if acronym not in found and acronym not in surnames:
            found.append(acronym)
    return [n for n in found if not any(n != o and fold(n) in fold(o) for o in found)]


def speaker_index(engine: SearchEngine, query: str | None = None) -> list[Speaker]:
    """Every speaker of the searchable passages, most passages first; with a query, those
    whose name, role or organisation holds it (accents and case aside)."""
    spelled = engine.spelled
    passages = Counter(spelled(p.speaker) for p in engine.passages.values() if p.speaker)
    quotes = Counter(spelled(q["speaker"]) for q in engine.knowledge.quotes)
    events: dict[str, set[str]] = {}
    for passage in engine.passages.values():
        event = engine.documents[passage.document_id].event
        if passage.speaker and event:
            events.setdefault(spelled(passage.speaker), set()).add(event)
    organisations = [a for a in engine.knowledge.actors if a["kind"] == "organisation"]
    surnames = {w for p in engine.people.people for w in p.name.split() if w.isupper()}
    found = []
    for person in engine.people.people:
        speaker = Speaker(
            name=person.name,
            roles=person.roles,
            organisations=_organisations(person.roles, organisations, surnames),
            events=sorted(events.get(person.name, ())),
            passages=passages[person.name],
            quotes=quotes[person.name],
        )
        described = " ".join([speaker.name, *speaker.roles, *speaker.organisations])
        if not query or fold(query.strip()) in fold(described):
            found.append(speaker)
    return sorted(found, key=lambda s: (-s.passages, s.name))
