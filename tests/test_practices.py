"""Practice statements (issue #12, deliverable 6): how French reports write advice, on a
report written here. Each rule is a convention of French writing, not a sentence of the
corpus; eval/labels/practices*.jsonl measure them on the corpus (test_knowledge.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import build_blocks
from ingest.extract import practices
from ingest.readers import read
from ingest.structure import structure

REPORT = """# Capitalisation : coopérer autour des tiers-lieux ruraux

Ce rapport rassemble les enseignements de la journée régionale des tiers-lieux, tenue à
Guéret en mars 2025, avec une quarantaine de participants.

## Bonnes pratiques

- Associer les habitants au choix des activités.
- Faire témoigner les bénévoles lors des assemblées.
- Cluster Montagne
- Réseau Bleu Horizon

## Les besoins exprimés

- Structurer un métier d'animateur de tiers-lieu.
- Financer la coordination dans la durée.

## L'étude régionale

Le réseau a lancé une étude auprès de trente lieux. Cette étude poursuit trois objectifs :

- Recenser les tiers-lieux du département.
- Identifier les attentes des communes. Il est nécessaire de croiser ces attentes avec
  celles des habitants.

## Les leviers pour durer

Trois leviers ont été proposés par le groupe :

- Les visites de terrain entre pairs, pour voir ce qui marche ailleurs.
- La formation commune des élus et des techniciens.

## Propositions des groupes

Proposition 1 : Former les élus et les équipes ensemble

- Des binômes élu-technicien pour chaque projet
- Un temps d'échange chaque trimestre
- Carrefour des solidarités rurales

Proposition 2 : Porter le plaidoyer vers :

- Le grand public
- Les financeurs régionaux

## Analyse

Les tiers-lieux ruraux peinent à trouver un modèle économique. Il faut des moyens humains
pour que ces dynamiques émergent. Il faut associer les habitants dès le départ.

Nous avons appris que la confiance se construit dans la durée. La clé, c'est de rencontrer
chaque partenaire avant de signer. Le lieu peut durer à condition d'associer les
commerçants du bourg.

Points de discussion :

- Un accompagnement externe peut aider à apaiser les tensions entre associations.
- L'évaluation reste un sujet de débat entre les membres.

## Ce que les lieux recommandent

- Associez les habitants à la programmation.
- Maisons de services au public du canton

## Notre manifeste

Nous, réseau des tiers-lieux ruraux :

- Créons des liens entre les associations du territoire,
- Ouvrons nos lieux aux habitants.
"""


@pytest.fixture(scope="module")
def statements(tmp_path_factory) -> dict[str, str]:
    """The report's statements, list markers removed, with their cue."""
    path: Path = tmp_path_factory.mktemp("report") / "tiers-lieux.md"
    path.write_text(REPORT, encoding="utf-8")
    found = practices.extract(structure(build_blocks(read(path))))
    return {practices.strip_list_marker(s.text): s.cue for s in found}


def test_advice_in_its_french_forms_is_found(statements):
    for advice in (
        # Items under a heading that announces good practices, « Faire » included.
        "Associer les habitants au choix des activités.",
        "Faire témoigner les bénévoles lors des assemblées.",
        # Noun phrases under a lever heading: each names a lever.
        "Les visites de terrain entre pairs, pour voir ce qui marche ailleurs.",
        "La formation commune des élus et des techniciens.",
        # A proposition and the means listed under it.
        "Former les élus et les équipes ensemble",
        "Des binômes élu-technicien pour chaque projet",
        "Un temps d'échange chaque trimestre",
        # Sentences that advise by their form, wherever they stand.
        "Il faut associer les habitants dès le départ.",
        "Nous avons appris que la confiance se construit dans la durée.",
        "La clé, c'est de rencontrer chaque partenaire avant de signer.",
        "Le lieu peut durer à condition d'associer les commerçants du bourg.",
        # An observation that names a means and what it helps to do.
        "Un accompagnement externe peut aider à apaiser les tensions entre associations.",
        # The imperative.
        "Associez les habitants à la programmation.",
        # A necessity inside an item of a list of aims is still advice.
        "Il est nécessaire de croiser ces attentes avec celles des habitants.",
    ):
        assert advice in statements, advice


def test_lists_and_sentences_that_are_not_advice_are_left_out(statements):
    texts = " | ".join(statements)
    for not_advice in (
        "Cluster Montagne",  # a list of partners filed under « Bonnes pratiques »
        "Carrefour des solidarités",  # a network named under a proposition
        "Réseau Bleu Horizon",
        "Structurer un métier",  # a needs list, whatever its article (« Les besoins… »)
        "Financer la coordination",
        "Recenser les tiers-lieux",  # what a study aims at (« trois objectifs : »)
        "Identifier les attentes",
        "Le grand public",  # targets completing « vers : »
        "Les financeurs régionaux",
        "Il faut des moyens humains",  # « il faut » + a noun: a need, analysis
        "L'évaluation reste un sujet",  # an observation of a discussion
        "Maisons de services",  # a noun, not an imperative
        "Créons des liens",  # the writers' pledge (« Nous, … : »), not advice to a reader
        "Ouvrons nos lieux",
    ):
        assert not_advice not in texts, not_advice


def test_each_statement_says_why_it_was_taken(statements):
    assert statements["Les visites de terrain entre pairs, pour voir ce qui marche ailleurs."] == (
        "Trois leviers ont été proposés par le groupe :"
    )
    assert statements["Associez les habitants à la programmation."] == "impératif"
    helps = "Un accompagnement externe peut aider à apaiser les tensions entre associations."
    assert statements[helps] == "levier"


@pytest.mark.parametrize(
    ("statement", "label"),
    [
        ("- B2 : Mobiliser les parties prenantes avant le projet (+++++)", "Mobiliser les parties"),
        ("B5. Partager les résultats en open source (++++)", "Partager les résultats"),
        ("Dans ce contexte, il faut prendre le temps.", "Il faut prendre le temps"),
        ("D’une part, il est essentiel d’articuler les rôles.", "Il est essentiel d’articuler"),
        ("Ainsi que les élus l’ont proposé, il faut agir.", "Ainsi que les élus"),
        ("accélérer le plaidoyer vers :", "Accélérer le plaidoyer"),
        ("- S’appuyer sur des éléments de méthode :", "S’appuyer sur des éléments de méthode"),
    ],
)
def test_a_card_label_stands_alone(statement, label):
    """A card names the practice: no list marker, votes or initials, no connector tying it
    to the sentence before, no colon announcing the list that completes it."""
    from search.knowledge.practices import clean_statement

    cleaned = clean_statement(statement)
    assert cleaned.startswith(label) and not cleaned.endswith(":")
    assert "(+" not in cleaned and not cleaned.endswith(("vers", "méthode :"))
