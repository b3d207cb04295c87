"""Facets of a search and the speaker index: counts checked against the store itself."""

from __future__ import annotations

from collections import Counter

import httpx

from api.models import search_response
from search.engine import Filters


def test_facets_count_every_relevant_passage_before_the_top_k(engine):
    hits = engine.search("comment impliquer les entreprises ?", 3)
    facets = search_response("q", "hybrid", hits, engine).facets
    matched = [engine.passages[pid] for pid in hits.matched]
    assert len(matched) > len(hits) == 3
    documents = [engine.documents[p.document_id] for p in matched]
    kinds = {f.value: f.count for f in facets["kind"]}
    assert kinds == dict(Counter(d.kind for d in documents))
    assert {f.label for f in facets["kind"]} >= {"actes"}
    years = [f.value for f in facets["year"]]
    assert years == sorted(years, reverse=True)  # a timeline, newest first
    assert {f.value: f.count for f in facets["year"]} == dict(
        Counter(str(d.year) for d in documents if d.year)
    )
    # One facet value per person, as in the speaker index (« Hugo Bevort » is « Hugo BEVORT »).
    speakers = Counter(engine.spelled(p.speaker) for p in matched if p.speaker)
    assert {f.value: f.count for f in facets["speaker"]} == dict(speakers.most_common(30))
    assert {f.value: f.count for f in facets["place"]} == dict(
        Counter(d.place for d in documents if d.place)
    )
    for case in facets["case"]:
        named = engine.knowledge.case(case.value)
        assert case.label == named.name
        assert case.count == len(set(named.passage_ids) & set(hits.matched))


def test_a_facet_value_is_a_filter_that_keeps_its_count(engine):
    """Clicking a value narrows the results to it; its count is what the filter keeps."""
    query = "co-construction territoriale"
    facets = search_response(query, "hybrid", engine.search(query, 5), engine).facets
    year = facets["year"][-1]
    narrowed = engine.search(query, 100, filters=Filters(year=int(year.value)))
    assert narrowed and {h.document.year for h in narrowed} == {int(year.value)}
    again = search_response(query, "hybrid", narrowed, engine).facets
    assert [(f.value, f.count) for f in again["year"]] == [(year.value, len(narrowed.matched))]


def test_search_api_gives_facets_and_filters_by_place(server):
    body = httpx.get(f"{server}/v1/search", params={"q": "mobiliser les élus", "k": 2}).json()
    assert set(body["facets"]) == {"year", "event", "kind", "speaker", "place", "case"}
    place = body["facets"]["place"][0]
    assert place["count"] >= 2 and set(place) == {"value", "label", "count"}
    there = httpx.get(f"{server}/v1/search", params={"q": "élus", "place": place["value"]})
    assert there.json()["results"]
    nowhere = httpx.get(f"{server}/v1/search", params={"q": "élus", "place": "Tombouctou"})
    assert nowhere.json()["results"] == [] and nowhere.json()["reason"]


def test_speaker_index_lists_roles_organisations_events_and_counts(server, engine):
    body = httpx.get(f"{server}/v1/speakers").json()
    by_name = {s["name"]: s for s in body["results"]}
    # One entry per person however the documents spell them: the proceedings' « Hugo
    # BEVORT » and the press article's « Hugo Bevort ».
    spellings = {p.speaker for p in engine.passages.values() if p.speaker}
    assert {"Hugo BEVORT", "Hugo Bevort"} <= spellings
    assert set(by_name) == {engine.spelled(name) for name in spellings} and len(by_name) < len(
        spellings
    )
    passages = Counter(engine.spelled(p.speaker) for p in engine.passages.values() if p.speaker)
    assert all(s["passages"] == passages[name] for name, s in by_name.items())
    assert "Hugo Bevort" not in by_name and by_name["Hugo BEVORT"]["passages"] == sum(
        1 for p in engine.passages.values() if (p.speaker or "").lower() == "hugo bevort"
    )
    counts = [s["passages"] for s in body["results"]]
    assert counts == sorted(counts, reverse=True)
    caron = by_name["Jean-François CARON"]
    assert caron["roles"] == ["Maire de Loos-en-Gohelle"] and caron["events"]
    # A role its label's line cut (« Directrice du réseau Banque ») is the whole role the
    # text states elsewhere, and is not listed beside it (a researcher's trial).
    assert by_name["Gisèle ROSSAT-MIGNOD"]["roles"] == [
        "Directrice du réseau Banque des Territoires de la Caisse des Dépôts"
    ]
    for speaker in body["results"]:
        roles = [role.lower() for role in speaker["roles"]]
        assert not any(a != b and b.startswith(f"{a} ") for a in roles for b in roles), roles
    quotes = httpx.get(f"{server}/v1/quotes", params={"speaker": caron["name"], "k": 200})
    assert caron["quotes"] == len(quotes.json()["results"]) > 0
    assert "CELAVAR" in by_name["Brigitte GIRAUD"]["organisations"]
    # « représentant Madame la Ministre Jacqueline GOURAULT »: a person, not an employer.
    bevort = by_name["Hugo BEVORT"]["organisations"]
    assert "CGET" in bevort and "GOURAULT" not in bevort
    found = httpx.get(f"{server}/v1/speakers", params={"q": "rameau"}).json()["results"]
    assert "Charles-Benoît HEIDSIECK" in {s["name"] for s in found}
    assert all("rameau" in " ".join([*s["roles"], *s["organisations"]]).lower() for s in found)


def test_a_speaker_s_words_are_one_search_away(engine):
    """The index links a speaker to a search on their name filtered on them: all theirs."""
    name = "Pierre-François BERNARD"  # five passages, no quote: the search must reach them
    hits = engine.search(name, 20, filters=Filters(speaker=name))
    theirs = sum(1 for p in engine.passages.values() if p.speaker == name)
    assert len(hits.matched) == theirs and {h.passage.speaker for h in hits} == {name}
