"""Facets: how the passages matching a query spread over years, events, kinds of document,
speakers, places and cases, so a researcher sees where the answers come from before
narrowing the search with a click.

Counted over every passage the engine keeps as relevant for the query (before the top k
are cut and duplicates grouped), so the counts say how much there is, not what one page
shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ingest.store import DocumentRow, PassageRow

FACETS = ("year", "event", "kind", "speaker", "place", "case")
# The kinds of document as the page names them (the Type filter's options).
KIND_LABELS = {
    "proceedings": "actes",
    "programme": "programme",
    "animation_script": "trame d’animation",
    "article": "article",
    "case_study": "étude de cas",
    "document": "autre document",
}
# Values shown per facet: a long tail of one-passage speakers helps nobody choose.
MAX_VALUES = 30


@dataclass(frozen=True)
class FacetValue:
    value: str  # what the filter takes (a case id for cases)
    label: str  # what a person reads
    count: int


def _values(
    passage: PassageRow,
    document: DocumentRow,
    cases_of: Callable[[str], list[str]],
    spelled: Callable[[str], str],
) -> dict[str, list[str]]:
    """The facet values one passage counts for; `spelled`: one spelling per speaker."""
    return {
        "year": [str(document.year)] if document.year else [],
        "event": [document.event] if document.event else [],
        "kind": [document.kind],
        "speaker": [spelled(passage.speaker)] if passage.speaker else [],
        "place": [document.place] if document.place else [],
        "case": cases_of(passage.id),
    }


def facets(
    matched: Iterable[tuple[PassageRow, DocumentRow]],
    cases_of: Callable[[str], list[str]],
    case_names: Callable[[str], str],
    spelled: Callable[[str], str] = str,
) -> dict[str, list[FacetValue]]:
    """Counts of matching passages per value of each facet, most frequent first (years
    newest first: a researcher reads a timeline)."""
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    for passage, document in matched:
        for name, values in _values(passage, document, cases_of, spelled).items():
            counts[name].update(set(values))
    labels: dict[str, Callable[[str], str]] = {
        "kind": lambda v: KIND_LABELS.get(v, v),
        "case": case_names,
    }
    out = {}
    for name in FACETS:
        ordered = (
            sorted(counts[name].items(), reverse=True)
            if name == "year"
            else sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
        )
        label = labels.get(name, str)
        out[name] = [FacetValue(v, label(v), n) for v, n in ordered[:MAX_VALUES]]
    return out
