"""Derived records keep distinct ids when their keys write the same slug."""

from __future__ import annotations

from search.knowledge.slugs import distinct_ids, slug_id


def test_keys_that_differ_only_by_punctuation_or_past_60_characters_share_a_slug():
    assert slug_id("actor", "saint-denis") == slug_id("actor", "saint denis")
    long = "association " * 10
    assert slug_id("case", long + "du nord") == slug_id("case", long + "du sud")


def test_repeated_ids_get_the_qualifier_then_a_number():
    rows = [
        {"id": slug_id("actor", key), "kind": kind}
        for key, kind in [
            ("saint-denis", "place"),
            ("saint denis", "organisation"),
            ("saint  denis", "organisation"),
            ("saint denis!", "organisation"),
        ]
    ]
    ids = [row["id"] for row in distinct_ids(rows, lambda row: row["kind"])]
    assert ids == [
        "actor-saint-denis",
        "actor-saint-denis-organisation",
        "actor-saint-denis-organisation-2",
        "actor-saint-denis-organisation-3",
    ]
    assert [r["id"] for r in distinct_ids([{"id": "case-x"}, {"id": "case-x"}])] == [
        "case-x",
        "case-x-2",
    ]
