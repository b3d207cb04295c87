"""Case pages, in the spirit of Participedia's: what extraction knows, and what editors add.

A page shows a case's name, place and type of territory, its actors with their types, its
themes, levers, dates, results and lessons, and every source passage. Extraction fills
what the text says; an editor completes or corrects any field through the API. Edits are
stored apart (the store's `case_edits`, never rebuilt), so re-ingesting the documents
never overwrites an editor's work, and the page says which fields an editor set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.store import PassageRow
from search.knowledge.actors import TYPE_LABELS
from search.knowledge.cases import TERRITORY_TYPES, Case
from search.knowledge.practices import statement_label
from search.vectors import context

# What editors may set on a page, and what each is.
EDITABLE = (
    "name",
    "place",
    "territory_type",
    "description",
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
# Section titles that point elsewhere (« Les interviews filmées que vous pouvez retrouver
# sur le site de … », « Pour en savoir plus ») are navigation, not a case's themes.
_NAVIGATION = re.compile(
    r"\b(?:retrouver|consulter|visionner|télécharger)\b|sur (?:le|notre) site|en savoir plus|"
    r"cliquez|liens? utiles|pour aller plus loin|https?://|www\.",
    re.I,
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
_RESULT = re.compile(
    r"[^.!?]*\b(?:a permis|ont permis|permet(?:tent)? de|a abouti|ont abouti|résultats?|"
    r"a créé|ont créé|a été créée?|ont été créée?s?|\d+\s?%|\d+ (?:emplois|bénéficiaires|"
    r"participants|partenaires|habitants|familles))\b[^.!?]*[.!?]",
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
        # The type the case's nearest passages say most (search.knowledge.cases).
        "territory_type": next((t for t in case.territories if t in TERRITORY_TYPES), None),
        "description": case.description,
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
        "results": list(dict.fromkeys(" ".join(m.group().split()) for m in _RESULT.finditer(text)))[
            :5
        ],
        "lessons": [
            {"text": statement_label(s), "polarity": s["polarity"]} for s in statements[:8]
        ],
    }


def page(case: Case, extracted: dict, edits: dict, sources: list[PassageRow]) -> CasePage:
    fields = {**extracted, **{k: v for k, v in edits.items() if k in EDITABLE}}
    return CasePage(case, fields, sorted(k for k in edits if k in EDITABLE), sources)


def created_case(case_id: str, edits: dict) -> Case:
    """A case an editor created: nothing extracted, everything from the edits."""
    return Case(
        id=case_id,
        name=edits.get("name", case_id),
        key=case_id,
        place=edits.get("place"),
        actors=[],
        territories=[],
        levers=list(edits.get("levers", [])),
        description=edits.get("description", ""),
        mention_ids=[],
        passage_ids=[],
        documents=0,
    )
