"""Search on the real corpus: relevance, citations, duplicates, filters, modes."""

from __future__ import annotations

import pytest

from api.models import search_response
from search.engine import Filters
from search.evaluate import squash


def texts(hits):
    return [squash(h.passage.text) for h in hits]


def test_french_practice_question_finds_cited_passages(engine):
    hits = engine.search("comment mobiliser les élus locaux ?", 10)
    assert any("élus" in h.passage.text for h in hits[:3])
    first = search_response("comment mobiliser les élus locaux ?", "hybrid", hits).results[0]
    assert first.citation.startswith("« ") and "p. " in first.citation
    assert first.document.file.endswith(".txt") and first.start < first.end
    assert "<mark>" in first.snippet


def test_english_question_reaches_french_text(engine):
    hits = engine.search("how were companies involved in local partnerships?", 10)
    joined = " ".join(h.passage.text for h in hits)
    assert "entreprises" in joined


def test_no_accents_and_typos(engine):
    accented = engine.search("élus locaux", 5, mode="lexical")
    plain = engine.search("elus locaux", 5, mode="lexical")
    assert [h.passage.id for h in accented] == [h.passage.id for h in plain]
    typo = engine.search("banque des teritoires caise des depots", 5)
    assert any("Banque des Territoires" in h.passage.text for h in typo)


def test_round_table_repeated_in_three_documents_is_one_result(engine):
    # The moderator's introduction of the mayor stands in the script and the proceedings.
    hits = engine.search("ancienne cité minière transformée en ville pionnière", 10)
    files = [{h.document.file} | {d.file for _, d in h.also_in} for h in hits]
    grouped = next(f for f in files if len(f) >= 2)
    assert "000_77cdf74dd2895607.txt" in grouped and "001_82aaa8b671886fce.txt" in grouped
    shown = [h.passage.id for h in hits]
    hidden = [p.id for h in hits for p, _ in h.also_in]
    assert not set(shown) & set(hidden)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(year=2016), lambda h: h.document.year == 2016),
        (Filters(kind="article"), lambda h: h.document.kind == "article"),
        (Filters(document="003_c2577a908f8cbfbf"), lambda h: h.document.id.startswith("003")),
        (Filters(event="5e rencontre"), lambda h: h.document.event.startswith("5e")),
        (Filters(speaker="caron"), lambda h: h.passage.speaker == "Jean-François CARON"),
    ],
)
def test_filters(engine, filters, check):
    hits = engine.search("co-construction territoriale", 10, filters=filters)
    assert hits and all(check(h) for h in hits)


def test_modes_differ_and_bad_input_is_refused(engine):
    query = "financer l'ingénierie de coopération"
    modes = {
        m: [h.passage.id for h in engine.search(query, 10, m)]
        for m in ("hybrid", "lexical", "dense")
    }
    assert modes["lexical"] != modes["dense"]
    with pytest.raises(ValueError, match="empty"):
        engine.search("   ")
    with pytest.raises(ValueError, match="unknown mode"):
        engine.search("élus", mode="magic")


def test_similar_excludes_the_source_document(engine):
    passage = next(p for p in engine.passages.values() if "page blanche" in p.text)
    hits = engine.similar_to_vector(
        engine.vectors.vector(passage.id), 5, exclude_document=passage.document_id
    )
    assert hits and all(h.document.id != passage.document_id for h in hits)
