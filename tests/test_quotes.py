"""Quotes a researcher can trust in documents users upload: a web article whose quotations
are credited in a <blockquote>'s footer, the same convention in plain text (« — Name,
role » under the quotation), and a workshop report whose moderator asks under their own
name. Each document is ingested into a real store and read through the API and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.test_cli import run

ARTICLE_HTML = """<html><head><title>Une grange pour le canton</title></head><body>
<nav><a href="/">Accueil</a> <a href="/agenda">Agenda</a></nav>
<article>
<h1>Une grange ouverte aux associations</h1>
<p>Dans le bocage, une ancienne grange accueille désormais les associations du canton.</p>
<blockquote><p>« Nous avons ouvert la grange aux associations du canton. »</p>
<footer>— Karim BENALI, directeur de l'association Bocage Solidaire</footer></blockquote>
<p>La commune a prêté le bâtiment pour dix ans, le temps de lancer les premiers projets.</p>
<p>« Le plus difficile a été de convaincre les bailleurs de fonds de payer l'animation. »,
explique Leïla Ben Salah, adjointe au maire de Sfax, venue visiter la grange.</p>
<blockquote><p>« Sans la grange, nos bénévoles n'auraient aucun lieu pour se retrouver. »</p>
<footer>— <cite>Martine LEROY</cite>, maire de Gorron</footer></blockquote>
<blockquote><p>« Ici, chacun apporte ses outils et repart avec ceux des autres. »</p>
<cite>Hugo PERRIN, bénévole de la recyclerie</cite></blockquote>
<blockquote><p>« Comme le dit <cite>Le Petit Prince</cite>, on ne voit bien qu'avec le cœur. »</p>
</blockquote>
<blockquote><p>Il faut un lieu neutre, sinon chacun défend sa boutique.</p>
<p>Nous avons mis deux ans à le trouver.</p>
<footer>— Inès CARRÉ, trésorière du comité des fêtes</footer></blockquote>
</article>
<footer><p>© Journal du bocage, tous droits réservés. Mentions légales.</p></footer>
</body></html>
"""

# The plain-text form: a quotation, then on its own line « — Name, role » or « – Name, role ».
TESTIMONIES_MD = """# Une recyclerie de village

Le village a ouvert une recyclerie dans l'ancienne école en 2024.

« Nous réparons chaque samedi les vélos que les familles nous apportent. »
— Nadia FERRAND, coordinatrice de la recyclerie de Loué

Le conseil municipal a voté une subvention de fonctionnement.

« Au début, personne n'y croyait.

Aujourd'hui, les habitants viennent de tout le canton. »
– Olivier PRAT, maire de Loué

— Jeanne MOREL, photographe
"""

# Markdown's blockquotes: the credit on the blockquote's last line, no blank line above
# it; a quotation over two paragraphs of one blockquote; a blockquote credited to nobody.
BLOCKQUOTES_MD = """# Journée mobilité solidaire

Le garage solidaire répare à prix coûtant les voitures des personnes en insertion.
> « Sans voiture, pas d'emploi : ici, on répare d'abord la voiture. »
> — Rémi GAUTIER, directeur du garage solidaire de Thouars

Le garage accueille aujourd'hui 150 personnes par an.

> « Nous avons relayé l'offre dans chaque bulletin municipal.
>
> Trois cents habitants se sont inscrits en six mois. »
> – Anne VIDAL, maire de Mauzé

> Les chiffres de fréquentation sont tirés du rapport annuel du garage.
"""

# A round table whose moderator greets the room or comments before asking a guest by
# name; a guest's own answer that ends on a question of hers.
MODERATED_MD = """# Table ronde : villes et campagnes

**Claire VASSEUR, animatrice** : Bonjour à toutes et à tous. On parle beaucoup de \
réciprocité. Odile Ferrat, qu'est-ce que cela change pour votre commune ?

**Odile FERRAT, maire de Saint-Fargeau** : Les légumes de la cantine viennent de trois \
maraîchers installés sur des terres communales. Pourquoi attendre l'État pour le faire ?

**Hugo BLANCHET, journaliste** : Karim Bouzid, le PETR est souvent vu comme une structure \
de plus. À quoi sert-il ?

**Karim BOUZID, directeur du PETR** : Nous traduisons les appels à projets de \
l'agglomération pour les maires ruraux.
"""

# Quotations one under another, each credited on the line below, a blank line apart.
MEETING_TXT = """Rencontre des acteurs du quartier Nord

« Il faut un catalyseur neutre autour de la table. Nous avons mis deux ans à le trouver. »
— Samira BENOÎT, directrice de la Régie de quartier Amiens Nord

« Les élus doivent venir aux réunions, pas seulement aux inaugurations. »
— Marc LEFEBVRE, adjoint au maire chargé de la politique de la ville

La suite de la rencontre a porté sur le financement de l'animation.
"""

WORKSHOP_TXT = """Atelier 3 : financer l'animation territoriale

Compte rendu de l'atelier du 14 mars 2026 à Laval, rédigé par l'équipe du réseau.

Paul MARTIN, animateur de l'atelier : Et sur la durée ?

Sophie LAMBERT, chargée de mission à la Région : « Il faut une convention de trois ans, \
sinon on recommence chaque année. »

Sophie LAMBERT, comment avez-vous convaincu la Région de financer un poste d'animation ?

Sophie LAMBERT, chargée de mission à la Région : « Nous n'avons pas parlé de budget \
d'abord : nous avons montré que l'argent servait aux projets, pas pour des réunions. »

Les participants ont ensuite visité la ferme collective du Bourgneuf.
"""

# Turns one under another with no blank line between them, then the report's own lists,
# each under its title, as a text editor saves a meeting's notes (a tester's upload).
ROUND_TXT = """Table ronde mobilité solidaire

Compte rendu rédigé par l'équipe d'animation.

Témoignages
Martine ROUSSEL, directrice du Garage Solidaire du Cantal : « Nous avons commencé avec \
trois voitures prêtées par des particuliers. Aujourd'hui nous en avons quarante. »
Paul BÉNARD, animateur de l'atelier : « Quelles ont été vos difficultés avec les financeurs ? »
Martine ROUSSEL, directrice du Garage Solidaire du Cantal : « Les financeurs voulaient des \
résultats en six mois. Il a fallu leur montrer que la confiance prend deux ans. »
Ce qui a marché
- Présenter chaque année un bilan chiffré aux élus.
- Associer les assistantes sociales dès le départ.
Ce que nous ne referions pas
- Acheter des véhicules neufs sans contrat d'entretien.
"""

# A speaker's words in guillemets, then the report going on in the same paragraph.
FOOD_MD = """# Rencontre alimentation durable

## Paroles d'acteurs

**Paul DELORME, adjoint au maire de Roubaix :** « Nous achetons désormais la moitié des \
légumes des cantines à des producteurs du département. » Il ajoute que les agriculteurs ont \
d'abord été méfiants.
"""

# Someone's view in the report's own words, mid-paragraph.
ACCOUNTS_MD = """# Bilan du tiers-lieu de Givry

Le tiers-lieu a ouvert en 2023 dans l'ancienne école. Selon Marie DUPONT, maire de Givry, \
les habitants doivent être associés dès le premier jour du projet. La commune a financé les \
travaux.

Le bilan est positif. Jean Martin, directeur de la régie, estime que la mutualisation des \
outils a tout changé pour les associations. Selon Territoires Conseils, le modèle peut \
essaimer dans d'autres villages du canton. Pour les élus du canton, rien ne presse vraiment.
"""


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory) -> Iterator[tuple]:
    """The three documents ingested into a real SQLite store: (data folder, API client)."""
    from api.app import create_app
    from tests.factories import refreshed_store

    root = tmp_path_factory.mktemp("uploaded")
    refreshed_store(
        root,
        {
            "grange.html": ARTICLE_HTML,
            "recyclerie.md": TESTIMONIES_MD,
            "atelier.txt": WORKSHOP_TXT,
            "rencontre.txt": MEETING_TXT,
            "table-ronde.txt": ROUND_TXT,
            "alimentation.md": FOOD_MD,
            "givry.md": ACCOUNTS_MD,
            "mobilite.md": BLOCKQUOTES_MD,
            "villes-campagnes.md": MODERATED_MD,
        },
    )
    with TestClient(create_app(root / "data")) as client:
        yield root / "data", client


def quotes_of(client: TestClient, speaker: str) -> list[dict]:
    return client.get("/v1/quotes", params={"speaker": speaker}).json()["results"]


def test_a_blockquote_credited_in_its_footer_or_cite_is_its_speaker_s_quote(uploaded):
    """A footer inside a blockquote is the quote's credit, not the page's furniture: the
    quotation is the credited person's own words, with the role the credit gives."""
    _, client = uploaded
    for speaker, role, words in (
        ("BENALI", "directeur de l'association Bocage Solidaire", "ouvert la grange"),
        ("LEROY", "maire de Gorron", "nos bénévoles"),
        ("PERRIN", "bénévole de la recyclerie", "chacun apporte ses outils"),
    ):
        (quote,) = quotes_of(client, speaker)
        assert words in quote["text"] and quote["role"] == role, quote
        assert quote["speech"] == "verbatim" and quote["document"]["id"].startswith("grange")
        assert quote["text"].startswith("«")  # the source's words, guillemets included
    actors = client.get("/v1/actors", params={"q": "LEROY"}).json()["results"]
    assert [(a["name"], a["roles"]) for a in actors] == [("Martine LEROY", ["maire de Gorron"])]
    # A title cited inside a quotation credits nobody; the page's own footer stays out.
    assert not quotes_of(client, "Prince")
    assert not client.get("/v1/search", params={"q": "mentions légales"}).json()["results"]


def test_a_quotation_whose_speaker_the_press_names_after_it_is_theirs(uploaded):
    """« « … », explique X, role »: a verb of saying in the present, as the press writes
    it, credits the quotation before it as « a témoigné X » does."""
    _, client = uploaded
    (quote,) = quotes_of(client, "Ben Salah")
    assert quote["speaker"] == "Leïla Ben Salah" and quote["speech"] == "verbatim"
    assert quote["role"] == "adjointe au maire de Sfax"  # not why she was there
    assert "bailleurs de fonds" in quote["text"] and "explique" not in quote["text"]
    # The speaker index knows her by that role, and a question naming the role finds her.
    (speaker,) = client.get("/v1/speakers", params={"q": "Ben Salah"}).json()["results"]
    assert "adjointe au maire de Sfax" in speaker["roles"]
    asked = "que dit l'adjointe au maire de Sfax sur les bailleurs ?"
    found = client.get("/v1/search", params={"q": asked}).json()["results"]
    assert "bailleurs de fonds" in found[0]["text"]


def test_a_dash_credit_line_under_a_quotation_names_its_speaker(uploaded):
    """« — Name, role » or « – Name, role » on the line after a quotation credits it, over
    several paragraphs when the quotation runs over them; under anything else it is no
    credit (a photo's)."""
    _, client = uploaded
    (quote,) = quotes_of(client, "FERRAND")
    assert quote["role"] == "coordinatrice de la recyclerie de Loué"
    assert "vélos" in quote["text"] and quote["speech"] == "verbatim"
    said = " ".join(q["text"] for q in quotes_of(client, "PRAT"))
    assert "personne n'y croyait" in said and "tout le canton" in said
    assert not quotes_of(client, "MOREL")
    assert not quotes_of(client, "conseil")


def test_a_markdown_blockquote_credited_on_its_last_line_is_its_speaker_s_quote(uploaded):
    """Markdown's « > » marks are markup, as its « # » are: no text, citation or quote
    shows them, a blockquote is a paragraph of its own, and « > — Name, role » credits the
    quotation above it, whose offsets still point at its words in the file."""
    data, client = uploaded
    (quote,) = quotes_of(client, "GAUTIER")
    assert quote["role"] == "directeur du garage solidaire de Thouars"
    assert quote["speech"] == "verbatim" and quote["text"].startswith("« Sans voiture")
    source = (data.parent / "docs" / "mobilite.md").read_text()
    assert source[quote["start"] : quote["end"]] == quote["text"]
    said = " ".join(q["text"] for q in quotes_of(client, "VIDAL"))
    assert "bulletin municipal" in said and "six mois" in said and ">" not in said
    found = client.get("/v1/search", params={"q": "garage solidaire insertion"}).json()
    texts = [r["text"] + r["citation"] for r in found["results"]]
    assert texts and not any(">" in text for text in texts)
    report = next(r for r in found["results"] if "prix coûtant" in r["text"])
    assert report["speaker"] is None and "Sans voiture" not in report["text"]
    noted = client.get("/v1/search", params={"q": "chiffres de fréquentation"}).json()
    assert noted["results"][0]["speaker"] is None


def test_each_credit_line_ends_where_the_next_quotation_begins(uploaded):
    """Under « — Name, role », a blank line then « … » is the next person's quotation, not
    the rest of the role; a blockquote without guillemets, credited, is a quotation too."""
    _, client = uploaded
    (first,) = quotes_of(client, "BENOÎT")
    assert first["role"] == "directrice de la Régie de quartier Amiens Nord"
    (second,) = quotes_of(client, "LEFEBVRE")
    assert second["role"] == "adjoint au maire chargé de la politique de la ville"
    assert "inaugurations" in second["text"] and "financement" not in second["text"]
    (page,) = quotes_of(client, "CARRÉ")
    assert page["role"] == "trésorière du comité des fêtes" and page["speech"] == "verbatim"
    assert "sa boutique" in page["text"] and "deux ans" in page["text"]


def test_a_moderator_s_labelled_question_is_no_heading_and_in_no_guest_s_quote(uploaded):
    """« Paul MARTIN, animateur : Et sur la durée ? » asks: it is the question of the
    answer that follows, never a section title nor part of the guest's words."""
    _, client = uploaded
    results = client.get("/v1/search", params={"q": "convention de trois ans"}).json()
    first = results["results"][0]
    assert first["speaker"] == "Sophie LAMBERT"
    assert first["section"] == "Atelier 3 : financer l'animation territoriale"
    assert first["question"] == "Et sur la durée ?"
    assert "durée" not in first["citation"]
    # The question put to her by name, on a line as short as a title, is no title either.
    second = client.get("/v1/search", params={"q": "budget projets réunions"}).json()
    answer = next(r for r in second["results"] if "budget" in r["text"])
    assert answer["section"] == "Atelier 3 : financer l'animation territoriale"
    assert answer["question"].startswith("Sophie LAMBERT, comment avez-vous convaincu")
    quotes = quotes_of(client, "LAMBERT")
    assert len(quotes) == 2 and not any("durée" in q["text"] for q in quotes)
    assert not quotes_of(client, "Paul MARTIN")


def test_a_moderator_who_greets_or_comments_before_asking_is_quoted_for_nothing(uploaded):
    """« Claire VASSEUR, animatrice : Bonjour… Odile Ferrat, qu'est-ce que… ? »: a turn
    that ends on a question and whose role moderates, or that asks a guest by name, is the
    question of the answer after it (a tester exported a moderator's questions as her
    quotes); a guest's answer ending on a question of her own stays hers."""
    _, client = uploaded
    assert not quotes_of(client, "VASSEUR") and not quotes_of(client, "BLANCHET")
    (ferrat,) = quotes_of(client, "FERRAT")
    assert "cantine" in ferrat["text"] and "Pourquoi attendre l'État" in ferrat["text"]
    found = client.get("/v1/search", params={"q": "légumes de la cantine maraîchers"}).json()
    answer = found["results"][0]
    assert answer["speaker"] == "Odile FERRAT"
    assert answer["question"] == "Odile Ferrat, qu'est-ce que cela change pour votre commune ?"
    found = client.get("/v1/search", params={"q": "appels à projets maires ruraux"}).json()
    assert found["results"][0]["question"] == "À quoi sert-il ?"


def test_turns_on_consecutive_lines_are_each_their_speaker_s_and_lists_the_report_s(uploaded):
    """« Name, role : « … » » opens a turn on its own line even with no blank line above:
    the moderator's question between two answers is in neither, and the report's lists
    under « Ce qui a marché » are nobody's words."""
    _, client = uploaded
    quotes = quotes_of(client, "ROUSSEL")
    assert len(quotes) == 2, quotes
    assert not any("difficultés" in q["text"] or "bilan" in q["text"] for q in quotes)
    assert all(q["role"] == "directrice du Garage Solidaire du Cantal" for q in quotes)
    assert not quotes_of(client, "BÉNARD")
    found = client.get("/v1/search", params={"q": "bilan chiffré aux élus"}).json()
    listed = next(r for r in found["results"] if "bilan chiffré" in r["text"])
    assert listed["speaker"] is None and "Ce qui a marché" in listed["text"]


def test_a_quote_stops_where_the_report_goes_on_after_the_guillemets(uploaded):
    """« « … du département. » Il ajoute que les agriculteurs… »: the words in guillemets
    are the speaker's, the sentence after them the report's (a tester saw it exported
    with him as its author)."""
    _, client = uploaded
    (quote,) = quotes_of(client, "DELORME")
    assert quote["text"].endswith("producteurs du département. »"), quote["text"]
    assert "Il ajoute" not in quote["citation"] and quote["speech"] == "verbatim"


def test_a_question_put_to_a_person_is_never_their_role(uploaded):
    _, client = uploaded
    (actor,) = client.get("/v1/actors", params={"q": "LAMBERT"}).json()["results"]
    assert actor["roles"] == ["chargée de mission à la Région"]
    assert all(q["role"] == "chargée de mission à la Région" for q in quotes_of(client, "LAMBERT"))


def test_a_quote_in_its_own_guillemets_is_cited_once_and_labelled_without_its_label_line(
    uploaded,
):
    _, client = uploaded
    for quote in quotes_of(client, "LAMBERT"):
        assert quote["citation"].startswith("« ") and not quote["citation"].startswith("« «")
        assert "» » —" not in quote["citation"]
    answer = client.get(
        "/v1/answer", params={"q": "Comment convaincre la Région de financer l'animation ?"}
    ).json()
    labels = [item["label"] for section in answer["sections"] for item in section["items"]]
    lambert = [label for label in labels if "réunions" in label or "trois ans" in label]
    assert lambert, labels
    for label in lambert:
        assert "LAMBERT" not in label and "«" not in label and "»" not in label, label


def test_quotes_are_written_in_every_format_search_has(uploaded):
    """`recueil quotes --format` as `recueil search --format`: JSON lines, CSV and the
    reference managers' formats, through the real CLI."""
    data, _ = uploaded
    lines = run("quotes", "--speaker", "LAMBERT", "--format", "jsonl", data=data).stdout
    assert [json.loads(line)["speaker"] for line in lines.splitlines()] == ["Sophie LAMBERT"] * 2
    table = run("quotes", "--speaker", "BENALI", "--format", "csv", data=data).stdout
    (row,) = csv.DictReader(io.StringIO(table))
    assert row["speaker"] == "Karim BENALI" and "ouvert la grange" in row["text"]
    assert row["url"].startswith("http://127.0.0.1:8000/documents/grange?passage=grange%3A")
    # The quote's own words in its passage, as « Voir le contexte » opens them.
    assert re.search(r"&start=\d+&end=\d+#p-\d+$", row["url"]), row["url"]
    bibtex = run("quotes", "--speaker", "BENALI", "--format", "bibtex", data=data).stdout
    # A web article's quotation is a part of it, with its pages (Zotero's book section).
    assert bibtex.startswith("@incollection{benali") and "author = {Benali, Karim}" in bibtex
    assert "booktitle = {Une grange" in bibtex and "pages = {1}" in bibtex
    ris = run("quotes", "--speaker", "LEROY", "--format", "ris", data=data).stdout
    assert "TY  - CHAP" in ris and "AU  - Leroy, Martine" in ris and "SP  - 1" in ris
    csl = json.loads(run("quotes", "--speaker", "LEROY", "--format", "csl", data=data).stdout)
    assert csl[0]["type"] == "chapter" and "bénévoles" in csl[0]["abstract"]
    assert csl[0]["page"] == "1"
    as_json = json.loads(run("quotes", "--speaker", "LEROY", "--json", data=data).stdout)
    assert as_json["results"][0]["role"] == "maire de Gorron"
    wrong = run("quotes", "--format", "docx", data=data, check=False)
    assert wrong.returncode == 2 and "format inconnu « docx »" in wrong.stderr
    both = run("quotes", "--json", "--format", "csv", data=data, check=False)
    assert both.returncode == 2 and "se contredisent" in both.stderr
    helped = " ".join(run("quotes", "--help", data=data).stdout.replace("│", " ").split())
    assert "gestionnaire de références" in helped and "Comme --format json" in helped


def test_someone_s_view_in_the_report_s_words_is_their_reported_quote(uploaded):
    """« Selon X, role, … » and « X, role, estime que … » mid-paragraph: the sentence is X's
    view as the report gives it (reported, the whole sentence); the paragraph stays the
    report's. An organisation (« Selon Territoires Conseils ») and « Pour les élus » are
    nobody's quote."""
    _, client = uploaded
    (dupont,) = quotes_of(client, "DUPONT")
    assert dupont["speech"] == "reported" and dupont["role"] == "maire de Givry"
    assert dupont["text"].startswith("Selon Marie DUPONT") and dupont["text"].endswith("projet.")
    (martin,) = quotes_of(client, "Jean Martin")
    assert martin["speech"] == "reported" and martin["role"] == "directeur de la régie"
    assert "mutualisation des outils" in martin["text"] and "Territoires" not in martin["text"]
    assert not quotes_of(client, "Territoires Conseils")
    found = client.get("/v1/search", params={"q": "mutualisation des outils"}).json()["results"]
    assert found[0]["speaker"] is None
    # She is known to the speaker index by that view, and asked by her role, the paragraph
    # that gives it comes first.
    (speaker,) = client.get("/v1/speakers", params={"q": "dupont"}).json()["results"]
    assert speaker["name"] == "Marie DUPONT" and "maire de Givry" in speaker["roles"]
    asked = client.get("/v1/search", params={"q": "que dit la maire de Givry ?"}).json()
    assert "Selon Marie DUPONT" in asked["results"][0]["text"]


CONFIANCE_MD = """# Table ronde « Tiers-lieux ruraux »

## Les intervenants

**Marc LEFEBVRE, maire de Saint-Junien** : Nous avons bâti la confiance avec les associations
en tenant une permanence chaque samedi au marché, pendant six mois.

**Sophie NGUYEN, directrice de La Fabrique Commune** : Notre tiers-lieu accueille quarante
adhérents et trois entreprises artisanales, et nous partageons un atelier.

## Synthèse

Selon Sophie NGUYEN, directrice de La Fabrique Commune, la confiance entre élus et
associations se construit surtout dans les petits projets réussis ensemble.
"""


def test_the_person_a_question_names_is_quoted_first_their_reported_views_included(tmp_path):
    """« que dit Sophie Nguyen sur la confiance ? »: her own words, then the report's
    account of her view, before the other speaker's words on trust (verbatim quotes had
    all come first, and her view on trust last)."""
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    store, embedder = refreshed_store(tmp_path, {"confiance.md": CONFIANCE_MD})
    knowledge = SearchEngine(store, embedder).knowledge
    found = knowledge.quotes_for("que dit Sophie Nguyen sur la confiance ?", None, 5)
    assert [(h.record["speaker"], h.record["speech"]) for h in found[:2]] == [
        ("Sophie NGUYEN", "verbatim"),
        ("Sophie NGUYEN", "reported"),
    ]
    # Asked of nobody, a speaker's own words still come before a report's account.
    about = knowledge.quotes_for("confiance avec les associations", None, 5)
    assert about[0].record["speaker"] == "Marc LEFEBVRE"


def test_a_passage_s_citation_quotes_neither_its_titles_nor_its_speaker_s_label(tmp_path):
    """A passage opens on its section's title and a turn on the line naming its speaker,
    for search; a citation quotes only what was written or said (« « Synthèse Selon… » »,
    « « Marc LEFEBVRE, maire… : Nous avons… » » — Marc LEFEBVRE), in the reference, the
    whole citation and the exported text alike."""
    from api.models import source_ref
    from search.citation_formats import from_passage
    from tests.factories import refreshed_store

    store, _ = refreshed_store(tmp_path, {"confiance.md": CONFIANCE_MD})
    passages = {p.text.split()[0]: p for p in store.searchable_passages()}
    for first, cited in (("Synthèse", "Selon Sophie NGUYEN"), ("Table", "Nous avons bâti")):
        passage = passages[first]
        assert passage.text.startswith(first) and cited in passage.text
        ref = source_ref(passage, store.document(passage.document_id))
        assert ref.citation.startswith(f"« {cited}") and ref.full_citation.startswith(f"« {cited}")
        assert from_passage(passage, store.document(passage.document_id), "").text.startswith(cited)


ELUS_MD = """# Rencontre des élus ruraux

## Comment est-ce vécu par les élus locaux ?

## La perception de la co-construction par un élu

**Jean MARTIN, maire de Givry** :

Jean MARTIN, vous êtes maire de Givry depuis 2014 et vous avez lancé un budget participatif
avec les habitants du bourg. Comment les élus vivent-ils cette co-construction ?

Nous avons appris à partager la décision avec les habitants, ce qui a demandé du temps, de
la patience et beaucoup de réunions le soir dans la salle des fêtes.
"""


def test_an_introduction_s_citation_quotes_the_moderator_s_words_alone(tmp_path):
    """A heading in the form of a question, over the section's own title, is a title too;
    and the label naming the guest over a moderator's introduction is nobody's words
    (the citation quoted « Comment est-ce vécu… ? La perception… Jean MARTIN, maire de
    Givry : Jean MARTIN, vous êtes… »)."""
    from api.models import search_result, source_ref
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    store, embedder = refreshed_store(tmp_path, {"elus.md": ELUS_MD})
    (intro,) = [p for p in store.searchable_passages() if p.kind == "intro"]
    assert "Comment est-ce vécu" in intro.text and "maire de Givry :" in intro.text
    ref = source_ref(intro, store.document(intro.document_id))
    assert ref.full_citation.startswith("« Jean MARTIN, vous êtes maire de Givry depuis 2014")
    # A search matching the title shows it, and cites the words around the match that
    # someone wrote or said.
    hits = SearchEngine(store, embedder).search("vécu par les élus", 5)
    (hit,) = [h for h in hits if h.passage.id == intro.id]
    shown = search_result(hit, "vécu par les élus")
    assert "vécu" in shown.snippet and "Comment est-ce vécu" not in shown.citation
    assert "Comment les élus vivent-ils" in shown.citation


# A speaker's words that run over a page break (a form feed: page 2 starts mid-quotation).
PAGED_TXT = (
    "Rencontre des jardins partagés\n\n"
    "Nadia BOUZID, présidente de la coopérative : « Nous avons commencé avec six familles"
    " et une parcelle prêtée par la mairie, sans subvention la première année.\f"
    "Aujourd'hui quarante familles cultivent le jardin et le comité d'usagers se réunit"
    " chaque mois. »\n\n"
    "La mairie a depuis prêté une deuxième parcelle au quartier.\n"
)


def test_a_quotation_over_a_page_break_is_cited_on_both_pages(tmp_path):
    """In its citation and in every export: « p. 1-2 », not the page it opens on alone
    (a researcher's check of the corpus found 8 of 157 quotes cited on one page)."""
    from api.app import create_app
    from tests.factories import refreshed_store

    refreshed_store(tmp_path, {"jardins.txt": PAGED_TXT})
    with TestClient(create_app(tmp_path / "data")) as client:
        (quote,) = quotes_of(client, "BOUZID")
        assert "six familles" in quote["text"] and "chaque mois" in quote["text"]
        assert quote["page"] == 1 and quote["citation"].endswith(", p. 1-2."), quote["citation"]
        exported = client.get("/v1/export", params={"quote": quote["id"], "format": "csl"})
        assert json.loads(exported.text)[0]["page"] == "1-2"
        ris = client.get("/v1/export", params={"quote": quote["id"], "format": "ris"}).text
        assert "SP  - 1" in ris and "EP  - 2" in ris


# A closing guillemet typed as an opening one at the end of the speaker's words.
MISTYPED_TXT = (
    "Rencontre des jardins partagés\n\n"
    "Nadia BOUZID, présidente de la coopérative : « Nous avons commencé avec six familles"
    " et une parcelle prêtée par la mairie, sans subvention la première année. «\n\n"
    "La mairie a depuis prêté une deuxième parcelle, et le bailleur étudie la demande de"
    " deux autres quartiers pour la saison prochaine.\n"
)


def test_a_closing_guillemet_typed_as_an_opening_one_ends_the_quotation(tmp_path):
    """« … la première année. « » at the end of a paragraph opens nothing: the speaker's
    words end there, as where the mark is typed right, and the report's next paragraph is
    not in their quotation (a researcher found a quote of the corpus running on over two
    paragraphs of the report, cited on the wrong page)."""
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    right = MISTYPED_TXT.replace("année. «", "année. »")
    store, embedder = refreshed_store(tmp_path, {"mistyped.txt": MISTYPED_TXT, "right.txt": right})
    engine = SearchEngine(store, embedder)

    def quoted(file: str) -> list[str]:
        return [
            q["text"].rstrip("«» ")
            for q in engine.knowledge.quotes
            if engine.documents[q["document_id"]].file == file
        ]

    assert quoted("mistyped.txt") == quoted("right.txt")
    first = quoted("mistyped.txt")[0]
    assert first.endswith("la première année.") and "deuxième parcelle" not in first


def test_a_researcher_keeps_the_own_words_alone_and_finds_a_quote_again_by_its_id(uploaded):
    """`speech=verbatim` leaves out the report's accounts (`reported`, the reverse); the id
    a quote's line shows on the CLI is its address, `/v1/quotes/{id}`."""
    data, client = uploaded
    own = client.get("/v1/quotes", params={"speech": "verbatim", "k": 200}).json()["results"]
    told = client.get("/v1/quotes", params={"speech": "reported", "k": 200}).json()["results"]
    every = client.get("/v1/quotes", params={"k": 200}).json()["results"]
    assert {q["speech"] for q in own} == {"verbatim"} and {q["speech"] for q in told} == {
        "reported"
    }
    assert sorted(q["id"] for q in own + told) == sorted(q["id"] for q in every)
    assert "Marie DUPONT" in {q["speaker"] for q in told} - {q["speaker"] for q in own}
    refused = client.get("/v1/quotes", params={"speech": "paraphrase"})
    assert refused.status_code == 422

    shown = run("quotes", "--speaker", "LAMBERT", "--speech", "verbatim", data=data).stdout
    ids = [line.strip()[1:-1] for line in shown.splitlines() if line.strip().startswith("[")]
    assert len(ids) == 2, shown
    again = client.get(f"/v1/quotes/{ids[0]}").json()
    assert again["speaker"] == "Sophie LAMBERT" and again["citation"] in shown
    missing = client.get("/v1/quotes/nulle-part:q9", headers={"Accept-Language": "fr"})
    assert missing.status_code == 404 and "aucune citation « nulle-part:q9 »" in missing.text
    wrong = run("quotes", "--speech", "paraphrase", data=data, check=False)
    assert wrong.returncode == 2 and "verbatim, reported" in wrong.stderr
    newest = run("quotes", "--sort", "newest", "--k", "3", "--json", data=data).stdout
    assert len(json.loads(newest)["results"]) == 3
    assert run("quotes", "--sort", "latest", data=data, check=False).returncode == 2


PRESS_MD = """# Le maire et ses habitants

"La co-construction, c'est la nouvelle éducation populaire", a témoigné Marc Vidal, maire \
de Saint-Pons. "On change si on est en action, si on est impliqué \
dans le projet", a-t-il expliqué. Le journal rappelle que la commune compte 3 000 habitants.

"Nous avons tout appris des habitants du quartier depuis dix ans", a-t-elle confié.
"""


def test_a_quotation_the_press_credits_by_a_pronoun_is_the_person_it_quoted_last(tmp_path):
    """« "…", a-t-il expliqué »: the person the paragraph quoted before (the press names
    them once); with nobody quoted before in the paragraph, nobody is credited."""
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    store, embedder = refreshed_store(tmp_path, {"presse.md": PRESS_MD})
    quotes = SearchEngine(store, embedder).knowledge.quotes
    assert [(q["speaker"], q["text"][:20]) for q in quotes] == [
        ("Marc Vidal", "La co-construction, "),
        ("Marc Vidal", "On change si on est "),
    ]
    assert all(q["speech"] == "verbatim" and q["role"] == "maire de Saint-Pons" for q in quotes)


ROLES_MD = """# Table ronde sur l'eau

**Jean DURAND, Préfet de la Sarthe** : Nous avons réuni les quarante communes du bassin \
pour partager les coûts de l'eau potable.

**Lucie MARTIN, Maire de Sablé-sur-Sarthe** : La commune a ouvert ses données de \
consommation aux habitants dès la première année.

**Paul ROCHE, Maire de La Flèche** : Nous avons signé une convention avec le syndicat des \
eaux pour dix ans.
"""


def test_a_role_one_speaker_alone_holds_designates_them(tmp_path):
    """« que dit le préfet ? »: one speaker's role opens on « Préfet », so the question is
    asked of him (a researcher got other people's words); « le maire », held by two,
    designates nobody."""
    from search.engine import SearchEngine
    from tests.factories import refreshed_store

    store, embedder = refreshed_store(tmp_path, {"eau.md": ROLES_MD})
    engine = SearchEngine(store, embedder)
    assert [p.name for p in engine.people.find("que dit le préfet ?").people] == ["Jean DURAND"]
    found = engine.knowledge.quotes_for("que dit le préfet ?", None, 3)
    assert found[0].record["speaker"] == "Jean DURAND"
    assert engine.people.find("que dit le maire ?") is None
