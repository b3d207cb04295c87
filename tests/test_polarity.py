"""Polarity of practice statements (issue #12, « Faithful details: polarity is kept »):
French conventions in headings and in statements, on documents written here, from the
statement to its card and to the answer's « Ce qui marche » and « Écueils »."""

from __future__ import annotations

import io
import json

import pytest

from ingest.extract.polarity import cautions_in, pitfall, polarity_of, warns
from search.knowledge.practices import statement_label

TIERS_LIEU = """# Bilan : animer un tiers-lieu rural

Le tiers-lieu de la Vallée a ouvert en 2022 dans une ancienne gare. Ce bilan rassemble ce
que l'équipe a appris pendant ses deux premières années d'animation.

## Ce qu'il faut faire

- Recruter un animateur salarié dès l'ouverture.
- Associer les habitants au choix des activités.

## Ce qu'il ne faut pas faire

- Ne pas confier l'animation à des bénévoles seuls.
- Éviter de lancer les travaux avant d'avoir trouvé les usagers.
"""

CANTINE = """<html><head><title>Rapport d'activité de la cantine solidaire</title></head><body>
<h1>Rapport d'activité de la cantine solidaire</h1>
<p>La cantine solidaire du quartier des Tilleuls sert cent repas par jour depuis 2023,
préparés avec les producteurs du territoire.</p>
<h2>Enseignements</h2>
<p>Ce que nous referions : associer les producteurs locaux dès la conception des menus.</p>
<p>Ce que nous ne referions pas : lancer la cantine sans cuisinier professionnel
salarié.<sup>1</sup></p>
<p><sup>1</sup> Source : rapport d'activité 2024</p>
</body></html>
"""

EPICERIE = """Compte rendu de la rencontre des épiceries solidaires

Le réseau des épiceries solidaires du département s'est réuni à Tulle pour partager ses
expériences d'approvisionnement et de bénévolat.

Lever les freins à l'approvisionnement

- Mutualiser les commandes entre épiceries voisines.
- Éviter l'épuisement des bénévoles grâce à un planning partagé.
- Ne pas hésiter à solliciter les producteurs locaux.

Points de vigilance :

- Attention aux dates limites de consommation des dons.
- Ne jamais laisser un bénévole seul à la caisse.
- La logistique du froid reste complexe pour les petites structures.
"""


# A speaker's paragraph runs on into the line that heads her list: no blank line between.
ALLIANCE = """Retour d'expérience de l'alliance de Vierzon

Marie DURAND, coordinatrice de l'alliance :
Nous avons lancé l'alliance en 2021 avec la commune et trois associations du quartier.
Le premier hiver a été difficile, mais un comité restreint se réunissait chaque mois.
Ce que nous ne referions pas
- Lancer la collecte de fonds avant d'avoir un projet partagé avec les élus.
- Confier toute l'animation à un seul bénévole sans relais.

Ce que nous referions
- Associer les habitants dès le diagnostic.
"""


@pytest.mark.parametrize(
    ("heading", "warning"),
    [
        ("Ce qu'il ne faut pas faire", True),
        ("Ce qu'on ne devrait jamais faire", True),
        ("À éviter", True),
        ("Erreurs à éviter", True),
        ("Ce que nous ne referions pas", True),
        ("Ce qu'elle ne referait pas", True),
        ("Ce que nous n'aurions pas dû faire", True),
        ("Ce qui n'a pas marché", True),
        ("À ne pas reproduire", True),
        ("Points de vigilance", True),
        ("Freins", True),
        ("Difficultés rencontrées", True),
        ("Écueils", True),
        ("Les pièges", True),
        ("Ce qu'il faut faire", False),
        ("Ce que je referais", False),
        ("Ce qui a marché", False),
        ("Lever les freins à l'approvisionnement", False),
        ("Comment éviter les pièges", False),
        ("Réponses aux difficultés rencontrées", False),
        ("L'accueil des familles en difficulté", False),
        ("Bonnes pratiques", False),
    ],
)
def test_a_heading_warns_by_french_convention(heading, warning):
    assert warns(heading) is warning


@pytest.mark.parametrize(
    ("statement", "polarity", "label"),
    [
        ("Ne pas confier l'animation à des bénévoles seuls.", "avoid", "Confier l'animation"),
        ("Éviter de lancer les travaux trop tôt.", "avoid", "Lancer les travaux trop tôt."),
        ("Ne jamais laisser un bénévole seul.", "avoid", "Laisser un bénévole seul."),
        ("Il ne faut pas multiplier les comités.", "avoid", "Multiplier les comités."),
        ("Il est important de ne pas brûler les étapes.", "avoid", "Brûler les étapes."),
        ("Attention aux dates limites des dons.", "avoid", "Les dates limites des dons."),
        ("Attention à ne pas diluer le projet.", "avoid", "Diluer le projet."),
        ("Abandonner l'idée d'un label national.", "avoid", "L'idée d'un label national."),
        ("Ne confiez pas la caisse à un bénévole seul.", "avoid", "Ne confiez pas la caisse"),
        ("L'articulation avec les élus reste complexe.", "avoid", "L'articulation avec"),
        ("Il est difficile de trouver des bénévoles.", "avoid", "Il est difficile de"),
        ("Le réseau peine à mobiliser les entreprises.", "avoid", "Le réseau peine"),
        # What went wrong, told in a testimony or a case study.
        ("Nous avons perdu nos bénévoles le jour où la caisse leur a été confiée.", "avoid", None),
        ("La première saison, le marché a échoué faute de producteurs.", "avoid", None),
        ("Le covoiturage n'a pas pris auprès des jeunes.", "avoid", None),
        ("Avec le recul, nous aurions dû associer les parents plus tôt.", "avoid", None),
        ("Une difficulté a été le transport des jeunes des villages.", "avoid", None),
        ("Notre erreur a été de recruter avant d'avoir un local.", "avoid", None),
        # Advice in the negative form that is advice to do, and what is not hard.
        ("Ne pas hésiter à solliciter les producteurs.", "do", None),
        ("Ne pas oublier la valorisation des résultats.", "do", None),
        ("N'hésitez pas à demander de l'aide.", "do", None),
        ("Éviter l'épuisement grâce à un planning partagé.", "do", None),
        ("Éviter l'épuisement en alternant les équipes.", "do", None),
        ("Attention à bien associer les élus.", "do", None),
        ("Lever les freins administratifs.", "do", None),
        ("Ce n'est pas difficile de mobiliser les élus.", "do", None),
        ("Mettre en avant les réussites du territoire.", "do", None),
        ("Accompagner les salariés qui ont perdu leur emploi.", "do", None),
        ("Le projet a réussi à fédérer douze communes.", "do", None),
    ],
)
def test_a_statement_warns_by_itself_and_is_named_by_its_pitfall(statement, polarity, label):
    assert polarity_of(statement) == polarity
    if label is not None:
        assert pitfall(statement).startswith(label)


def test_under_a_heading_that_warns_a_litotes_names_its_pitfall():
    """« Ce que je ne referais pas : - Ne pas oublier… » is a lesson about forgetting."""
    assert polarity_of("Ne pas oublier la valorisation.", "Ce que je ne referais pas") == "avoid"
    assert pitfall("Ne pas oublier la valorisation.") == "Oublier la valorisation."


def test_a_window_warns_by_any_of_its_sentences():
    assert cautions_in("- L'articulation avec les élus reste complexe. o Comment faire ?")
    assert not cautions_in("Nous avons vu l'émergence de communautés apprenantes d'élus.")


def test_a_cue_line_run_on_to_a_paragraph_heads_the_list_below_it(tmp_path):
    from ingest.clean import build_blocks
    from ingest.extract import practices
    from ingest.readers import read
    from ingest.structure import structure

    path = tmp_path / "alliance.txt"
    path.write_text(ALLIANCE, encoding="utf-8")
    found = practices.extract(structure(build_blocks(read(path))))
    assert {s.text: (s.polarity, s.cue) for s in found} == {
        "- Lancer la collecte de fonds avant d'avoir un projet partagé avec les élus.": (
            "avoid",
            "Ce que nous ne referions pas",
        ),
        "- Confier toute l'animation à un seul bénévole sans relais.": (
            "avoid",
            "Ce que nous ne referions pas",
        ),
        "- Associer les habitants dès le diagnostic.": ("do", "Ce que nous referions"),
    }


def test_written_reports_keep_polarity_from_statement_to_card_and_answer(tmp_path):
    """The tester's three reports (Markdown, HTML, plain text): each statement's polarity,
    its card's label, and the answer's sections agree."""
    from search.answer import answer
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    store, embedder = refreshed_store(
        tmp_path,
        {"tiers-lieu.md": TIERS_LIEU, "cantine.html": CANTINE, "epicerie.txt": EPICERIE},
    )
    statements = {s["text"]: s["polarity"] for s in store.records("statements")}
    assert statements == {
        "- Recruter un animateur salarié dès l'ouverture.": "do",
        "- Associer les habitants au choix des activités.": "do",
        "- Ne pas confier l'animation à des bénévoles seuls.": "avoid",
        "- Éviter de lancer les travaux avant d'avoir trouvé les usagers.": "avoid",
        # Inline headings; the footnote call is not part of the statement.
        "associer les producteurs locaux dès la conception des menus.": "do",
        "lancer la cantine sans cuisinier professionnel salarié.": "avoid",
        "- Mutualiser les commandes entre épiceries voisines.": "do",
        "- Éviter l'épuisement des bénévoles grâce à un planning partagé.": "do",
        "- Ne pas hésiter à solliciter les producteurs locaux.": "do",
        "- Attention aux dates limites de consommation des dons.": "avoid",
        "- Ne jamais laisser un bénévole seul à la caisse.": "avoid",
        "- La logistique du froid reste complexe pour les petites structures.": "avoid",
    }
    # Each statement as a card labels it, with its card's polarity (whichever statement
    # of the card labels it: two may say the same thing).
    label = {s["id"]: statement_label(s) for s in store.records("statements")}
    cards = {
        label[i]: c["polarity"]
        for c in store.records("practices")
        for i in json.loads(c["statement_ids"])
    }
    assert cards["Confier l'animation à des bénévoles seuls"] == "avoid"
    assert cards["Lancer les travaux avant d'avoir trouvé les usagers"] == "avoid"
    assert cards["Lancer la cantine sans cuisinier professionnel salarié"] == "avoid"
    assert cards["Les dates limites de consommation des dons"] == "avoid"
    assert cards["Éviter l'épuisement des bénévoles grâce à un planning partagé"] == "do"
    assert cards["Ne pas hésiter à solliciter les producteurs locaux"] == "do"

    engine = SearchEngine(store, embedder)

    def sections(query: str) -> dict[str, str]:
        found = answer(engine, query)
        return {
            name: " ".join(f"{i.label} {e.text}" for i in items for e in i.evidence)
            for name, items in found.sections.items()
        }

    found = sections("quelles erreurs éviter pour animer un tiers-lieu ?")
    assert next(iter(found)) == "pitfalls"
    for warning in ("Ne pas confier l'animation", "Éviter de lancer les travaux"):
        assert warning in found["pitfalls"]
        assert warning not in found.get("practices", "")
    found = sections("que faut-il éviter pour lancer une cantine solidaire ?")
    assert "Lancer la cantine sans cuisinier" in found["pitfalls"]
    assert "sans cuisinier" not in found.get("practices", "")
    assert "Source :" not in found["pitfalls"]
    found = sections("comment approvisionner une épicerie solidaire avec des bénévoles ?")
    assert "reste complexe" not in found.get("practices", "")
    assert "grâce à un planning partagé" not in found.get("pitfalls", "")


JARDINS = """# Table ronde sur les jardins partagés

## Les intervenants

**Nadia BRUN, présidente de l'association Terres Vives** : Le jardin accueille trente
familles. À éviter : attribuer les parcelles sans règlement signé par chacun. Il faut nommer
un référent par allée.

## Synthèse

Les jardiniers ont conclu qu'il faut fixer un jour de récolte commun et qu'il faut éviter de
laisser les outils sans local fermé.

Le bilan est positif : trente familles jardinent chaque semaine.
"""


def test_a_cue_inside_a_paragraph_and_two_pieces_of_advice_in_one_sentence(tmp_path):
    """« À éviter : … » after a speaker's first sentence announces a pitfall, as it does
    alone; « il faut … et qu'il faut éviter … » is advice and a pitfall. The Markdown
    speaker label's bold marks are no part of her role."""
    from ingest.clean import build_blocks
    from ingest.extract import practices, quotes
    from ingest.readers import read
    from ingest.structure import structure

    path = tmp_path / "jardins.md"
    path.write_text(JARDINS, encoding="utf-8")
    extracted = read(path)
    items = structure(build_blocks(extracted))
    found = {" ".join(s.text.split()): (s.polarity, s.cue) for s in practices.extract(items)}
    assert found == {
        "attribuer les parcelles sans règlement signé par chacun.": ("avoid", "À éviter"),
        "Il faut nommer un référent par allée.": ("do", "nécessité"),
        "Les jardiniers ont conclu qu'il faut fixer un jour de récolte commun": ("do", "nécessité"),
        "il faut éviter de laisser les outils sans local fermé.": ("avoid", "nécessité"),
    }
    roles = {q.role for q in quotes.extract(items, extracted.text) if q.speaker == "Nadia BRUN"}
    assert roles == {"présidente de l'association Terres Vives"}


BENEVOLES = """# Atelier bénévolat à Mende

## Ce qui a marché

- Proposer des missions courtes et ponctuelles aux nouveaux bénévoles.
- Former des binômes entre anciens et nouveaux bénévoles.

## Ce que nous ne referions pas

- Multiplier les réunions du soir.

## Témoignages

**Marie Durand, directrice du centre social** : Les bénévoles restent quand ils savent à
quoi ils servent et quand on leur dit merci.

**Paul Martin, président du club de randonnée** : Nous avons perdu nos bénévoles le jour où
nous leur avons demandé de tenir la caisse sans formation.
"""


def test_a_testimony_of_what_went_wrong_is_a_pitfall_not_a_practice(tmp_path):
    """« Nous avons perdu nos bénévoles le jour où… » tells a failure: asked what to avoid,
    the answer gives it under « Écueils » (it stood under « Ce qui marche »)."""
    from search.answer import answer
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    store, embedder = refreshed_store(tmp_path, {"benevoles.md": BENEVOLES})
    found = answer(SearchEngine(store, embedder), "quelles erreurs éviter avec les bénévoles ?")
    labels = {name: [i.label for i in items] for name, items in found.sections.items()}
    assert any("Nous avons perdu nos bénévoles" in label for label in labels["pitfalls"])
    assert not any("Nous avons perdu" in label for label in labels.get("practices", []))
    assert any("binômes" in label for label in labels["practices"])


def test_a_word_table_of_what_worked_and_what_did_not_gives_practices_and_pitfalls(tmp_path):
    """A workshop's table « Ce qui a marché | Ce qui n'a pas marché »: each cell is read
    under its column's header, so the second column's items are pitfalls (they were all
    read alike, a pitfall given as what works)."""
    import docx

    from search.answer import answer
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    document = docx.Document()
    document.add_heading("Bilan de l'atelier mobilité rurale", level=1)
    document.add_paragraph("Les participants font le bilan de trois ans de transport solidaire.")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Ce qui a marché", "Ce qui n'a pas marché"
    table.cell(1, 0).text = "Associer les assistantes sociales dès le premier mois."
    table.cell(1, 1).text = "Acheter des véhicules neufs sans contrat d'entretien."
    table.cell(2, 0).text = "Présenter chaque année un bilan chiffré aux élus."
    table.cell(2, 1).text = "Compter sur un seul chauffeur bénévole pour tout le canton."
    saved = io.BytesIO()
    document.save(saved)
    store, embedder = refreshed_store(tmp_path, {"bilan.docx": saved.getvalue()})
    found = answer(SearchEngine(store, embedder), "comment organiser un transport solidaire ?")
    labels = {name: " ".join(i.label for i in items) for name, items in found.sections.items()}
    assert "assistantes sociales" in labels["practices"] and "bilan chiffré" in labels["practices"]
    assert "véhicules neufs" in labels["pitfalls"] and "seul chauffeur" in labels["pitfalls"]
    assert "véhicules neufs" not in labels["practices"]
