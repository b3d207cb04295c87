"""Speakers are attributed only when certain; sections follow the headings."""

from __future__ import annotations

from tests.conftest import CORPUS
from tests.test_clean import passages_of

PROCEEDINGS_2019 = CORPUS / "001_82aaa8b671886fce.txt"
PROCEEDINGS_2016 = CORPUS / "004_d4a08cbbbf09db0e.txt"
SCRIPT = CORPUS / "000_77cdf74dd2895607.txt"


def passage_with(passages, words):
    return next(p for p in passages if words in p.text)


def test_answers_are_attributed_to_their_speaker():
    _, passages = passages_of(PROCEEDINGS_2019)
    assert passage_with(passages, "« On est devant une page blanche »").speaker == (
        "Jean-François CARON"
    )
    assert passage_with(passages, "La question du fait associatif").speaker == "Philippe JAHSHAN"
    _, passages = passages_of(PROCEEDINGS_2016)
    assert passage_with(passages, "alchimie entre acteurs fonctionne").speaker == (
        "Pascal CHARRIERE"
    )


def test_moderator_questions_are_not_attributed_to_the_guest():
    _, passages = passages_of(PROCEEDINGS_2019)
    assert passage_with(passages, "Bettina LAVILLE, en 1995 vous avez").speaker is None
    _, passages = passages_of(SCRIPT)
    assert passage_with(passages, "Merci à nos intervenants").speaker is None
    conclusion = passage_with(passages, "Après ces regards croisés")
    assert conclusion.speaker is None


def test_explicit_turn_in_the_script():
    _, passages = passages_of(SCRIPT)
    turn = passage_with(passages, "Depuis 2014, un travail sur les mutations")
    assert turn.speaker == "Charles-Benoît HEIDSIECK"


def test_sections_follow_headings():
    _, passages = passages_of(PROCEEDINGS_2019)
    passage = passage_with(passages, "La Banque des Territoires est une innovation")
    assert "MISE EN DEBAT" in passage.section
    assert passage.section.count(" › ") >= 1
