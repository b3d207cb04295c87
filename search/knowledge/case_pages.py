"""Case pages, in the spirit of Participedia's: what extraction knows, and what editors add.

A page shows a case's name, place and type of territory, its actors with their types, its
themes, levers, dates, results and lessons, and every source passage. Extraction fills
what the text says; an editor completes or corrects any field through the API. Edits are
stored apart (the store's `case_edits`, never rebuilt), so re-ingesting the documents
never overwrites an editor's work, and the page says which fields an editor set.

The editors' values are laid over the extracted case once (`edited_case`), and every view
reads that one case: its page, the list, search by name and the reasons of similar cases
show the same name, place, type of territory and kinds of actors. A case an editor
creates (id `case-ed-…`) is a case like the others everywhere; it has no source passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest.extract.cases import case_key
from ingest.normalise import fold
from ingest.store import PassageRow
from search.knowledge.actors import TYPE_LABELS
from search.knowledge.cases import ACTORS, TERRITORY_TYPES, Case
from search.knowledge.practices import statement_label
from search.vectors import context

# What editors may set on a page, and what each is.
EDITABLE = (
    "name",
    "place",
    "territory_type",
    "description",
    "actor_kinds",
    "actors",
    "themes",
    "levers",
    "dates",
    "results",
    "lessons",
)
# Every type an editor may give, a closed list so that pages can be filtered by it: the
# same as extraction's (search.knowledge.cases.TERRITORY_TYPES).
TERRITORY_TYPE_NAMES = tuple(TERRITORY_TYPES)
# The kinds of actors a case brings together, a closed list too: what « même alliance
# d'acteurs » compares (search.knowledge.cases.ACTORS).
ACTOR_KIND_NAMES = tuple(ACTORS)
# Ids of the cases editors create: never an extracted case's (`case-…` from its key).
CREATED_PREFIX = "case-ed-"
# Section titles that point elsewhere (« Les interviews filmées que vous pouvez retrouver
# sur le site de … », « Pour en savoir plus ») are navigation, not a case's themes.
_NAVIGATION = re.compile(
    r"\b(?:retrouver|consulter|visionner|télécharger)\b|sur (?:le|notre) site|en savoir plus|"
    r"cliquez|liens? utiles|pour aller plus loin|https?://|www\.",
    re.I,
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
# A sentence states a result when it holds one of these. Sentences are cut first and each
# searched: one pattern spanning a sentence from every start was quadratic (30 ms a page,
# 0.6 s for the list of cases, which shows each case's page values).
_SENTENCE = re.compile(r"[^.!?]*[.!?]")
_RESULT = re.compile(
    r"\b(?:a permis|ont permis|permet(?:tent)? de|a abouti|ont abouti|résultats?|"
    r"a créé|ont créé|a été créée?|ont été créée?s?|\d+\s?%|\d+ (?:emplois|bénéficiaires|"
    r"participants|partenaires|habitants|familles))\b",
    re.I,
)


@dataclass
class CasePage:
    case: Case
    fields: dict  # every field of the page, editors' values over extracted ones
    edited: list[str]  # the fields an editor set
    sources: list[PassageRow] = field(default_factory=list)


def extracted_fields(
    case: Case, passages: list[PassageRow], actors: list[dict], statements: list[dict]
) -> dict:
    """What the documents say about a case, field by field."""
    text = " ".join(p.text for p in passages)
    return {
        "name": case.name,
        "place": case.place,
        "territory_type": case.territory_type,
        "description": case.description,
        "actor_kinds": case.actors,
        "actors": [
            {"id": a["id"], "name": a["name"], "type": a["type"], "label": TYPE_LABELS[a["type"]]}
            for a in actors
            # The case is not one of its own actors, nor is the town it is.
            if a["kind"] != "place" and a["name"] not in (case.name, case.place)
        ][:12],
        "themes": list(
            dict.fromkeys(
                title for p in passages if p.section and not _NAVIGATION.search(title := context(p))
            )
        )[:6],
        "levers": case.levers,
        "dates": sorted(set(_YEAR.findall(text))),
        "results": list(
            dict.fromkeys(
                " ".join(m.group().split())
                for m in _SENTENCE.finditer(text)
                if _RESULT.search(m.group())
            )
        )[:5],
        "lessons": [
            {"text": statement_label(s), "polarity": s["polarity"]} for s in statements[:8]
        ],
    }


def page(case: Case, extracted: dict, edits: dict, sources: list[PassageRow]) -> CasePage:
    fields = {**extracted, **{k: v for k, v in edits.items() if k in EDITABLE}}
    return CasePage(case, fields, sorted(k for k in edits if k in EDITABLE), sources)


def created_id(name: str) -> str:
    """The id of the case an editor creates under `name`."""
    return CREATED_PREFIX + (re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "cas")


def is_created(case_id: str) -> bool:
    return case_id.startswith(CREATED_PREFIX)


def edited_case(case: Case, edits: dict) -> Case:
    """The case as every view shows and compares it: editors' values over extracted ones.

    An editor's type of territory replaces the extracted ones (the page shows one type, and
    similar cases are compared on it); their kinds of actors and levers likewise."""
    territory = edits.get("territory_type")
    return replace(
        case,
        name=edits.get("name", case.name),
        place=edits.get("place", case.place),
        territories=[territory] if territory else case.territories,
        actors=list(edits.get("actor_kinds", case.actors)),
        levers=list(edits.get("levers", case.levers)),
        description=edits.get("description", case.description),
    )


def created_case(case_id: str, edits: dict) -> Case:
    """A case an editor created: nothing extracted, everything from the edits."""
    name = edits.get("name", case_id)
    empty = Case(
        id=case_id,
        name=name,
        key=case_key(name),
        place=None,
        actors=[],
        territories=[],
        levers=[],
        description="",
        mention_ids=[],
        passage_ids=[],
        documents=0,
    )
    return edited_case(empty, edits)


def edited_cases(extracted: list[Case], edits: dict[str, dict]) -> list[Case]:
    """Every case as the views show it: the extracted ones with their edits, then those
    editors created. Edits left by an extracted case a re-ingest no longer finds stay in
    the store (the case may come back) but make no case."""
    cases = [edited_case(case, edits.get(case.id, {})) for case in extracted]
    known = {case.id for case in cases}
    created = sorted(i for i in edits if is_created(i) and i not in known)
    return cases + [created_case(i, edits[i]) for i in created]


def written_text(fields: dict) -> str:
    """What an editor wrote of a case, as one text: what a case without source passages
    is compared on (its name, place, type, description, themes, results and lessons)."""
    parts = [fields.get("name"), fields.get("place"), fields.get("territory_type")]
    parts.append(fields.get("description"))
    for listed in ("themes", "levers", "results"):
        parts.extend(fields.get(listed) or [])
    parts.extend(lesson.get("text", "") for lesson in fields.get("lessons") or [])
    return ". ".join(str(p) for p in parts if p)
