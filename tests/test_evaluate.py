"""Evaluation metrics on hand-made rankings, and the harness on the real corpus."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest

from search.evaluate import EvalFileError, Gold, load, score


def hit(text, also=()):
    return SimpleNamespace(
        passage=SimpleNamespace(text=text), also_in=[(SimpleNamespace(text=t), None) for t in also]
    )


GOLD = [Gold("a.txt", "les élus locaux", 2), Gold("b.txt", "le temps long", 1)]


def test_perfect_ranking():
    metrics = score([hit("Avec les élus\nlocaux."), hit("Penser le temps long.")], GOLD)
    assert metrics["ndcg@10"] == pytest.approx(1.0)
    assert metrics["recall@10"] == 1.0 and metrics["mrr"] == 1.0 and metrics["hit@1"] == 1.0


def test_late_and_missing_results():
    metrics = score([hit("rien"), hit("rien"), hit("le temps long")], GOLD)
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert metrics["ndcg@10"] == pytest.approx((1 / math.log2(4)) / ideal)
    assert metrics["recall@10"] == 0.5 and metrics["mrr"] == pytest.approx(1 / 3)
    assert metrics["hit@1"] == 0.0


def test_duplicates_count_through_also_in_but_only_once():
    metrics = score([hit("autre", also=["les élus locaux"]), hit("les élus locaux")], GOLD)
    assert metrics["mrr"] == 1.0 and metrics["found"] == 1


def test_a_gold_excerpt_with_a_footnote_call_names_the_passage_without_it():
    """Judges copied « … impact social15. Ces » from the source; the clean passage dropped
    the call. Real numbers still have to match as written."""
    gold = [Gold("a.txt", "la mesure d’impact social15. Ces outils", 2)]
    assert score([hit("la mesure d’impact\nsocial. Ces outils servent")], gold)["hit@1"] == 1.0
    numbers = [Gold("a.txt", "la cible ODD 17 et le réseau M95", 1)]
    assert score([hit("la cible ODD 17 et le réseau M95")], numbers)["hit@1"] == 1.0
    assert score([hit("la cible ODD 16 et le réseau M95")], numbers)["hit@1"] == 0.0


def test_bad_file_is_reported(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "query": "x"}\n', encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"bad\.jsonl:1"):
        load(path)


def test_project_eval_set_is_valid():
    from tests.conftest import ROOT

    queries = load(ROOT / "eval" / "queries.jsonl")
    assert len(queries) >= 60
    assert {q.kind for q in queries} == {"practice", "case", "quote", "fact", "english", "typo"}
    corpus = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "corpus").glob("*.txt")}
    for query in queries:
        for gold in query.gold:
            assert 25 <= len(gold.span) <= 150, gold.span
            assert " ".join(gold.span.split()) in " ".join(corpus[gold.file].split()), gold.span
    assert all(
        json.loads(line)["gold"]
        for line in (ROOT / "eval" / "queries.jsonl").read_text().splitlines()
    )
