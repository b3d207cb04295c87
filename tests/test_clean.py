"""Cleaning and cutting on the real corpus and on generated PDFs."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from ingest.clean import build_blocks
from ingest.passages import TARGET_MAX, make_passages
from ingest.readers import read
from ingest.structure import structure
from tests.conftest import CORPUS
from tests.factories import HEADER, make_pdf, make_typeset_pdf

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def passages_of(path):
    extracted = read(path)
    return extracted, make_passages(structure(build_blocks(extracted)))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_order(clean: str, source: str) -> bool:
    """Whether all the characters of `clean` stand in `source` in order."""
    position = 0
    for char in clean:
        position = source.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def assert_maps_to_source(clean_text: str, source: str) -> None:
    """The clean text starts and ends like the source slice, and all its characters stand in
    it in order (a footnote, its call or a dropped hyphen may sit between them, nothing else:
    the ends leave room for a call of three digits)."""
    source, clean = squash(source), squash(clean_text)
    assert source[0] == clean[0] and in_order(clean[:20], source[:23]), clean[:40]
    assert source[-1] == clean[-1] and in_order(clean[-20:], source[-23:]), clean[-40:]
    assert in_order(clean, source), clean[:40]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_passages_map_back_to_the_source(path):
    """Every passage's characters appear, in order, in the source slice its offsets name."""
    extracted, passages = passages_of(path)
    assert passages
    for passage in passages:
        assert_maps_to_source(passage.text, extracted.text[passage.start : passage.end])


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_no_line_wrap_left_mid_sentence(path):
    """Inside a passage a line break never falls between two words of one sentence."""
    _, passages = passages_of(path)
    for passage in passages:
        lines = passage.text.split("\n")
        for line, following in pairwise(lines):
            if following.startswith(("-", "•", "o ", "▪")):
                continue  # a list item may end on "et" before the next item
            assert not re.search(r"\b(?:de|la|le|les|des|et|à|du|en)$", line), line[-80:]


def test_footnotes_leave_the_running_text_and_become_notes():
    _, passages = passages_of(CORPUS / "001_82aaa8b671886fce.txt")
    footnote = "Rapport quinquennal PHARE « Fragilités et co-construction territoriale »"
    notes = [p for p in passages if p.kind == "note"]
    assert any(footnote in p.text for p in notes)
    assert not any(footnote in p.text for p in passages if p.kind == "text")


def test_passage_sizes_and_sections():
    _, passages = passages_of(CORPUS / "004_d4a08cbbbf09db0e.txt")
    texts = [p for p in passages if p.kind == "text"]
    sizes = sorted(len(p.text) for p in texts)
    assert sizes[len(sizes) // 2] >= 400
    assert all(len(p.text) <= TARGET_MAX + 700 for p in texts)
    sections = {p.section for p in texts}
    assert any("Atelier 3 : Quel modèle économique" in s for s in sections)


def test_generated_pdf_is_cleaned(tmp_path):
    extracted, passages = passages_of(make_pdf(tmp_path / "actes.pdf"))
    # One line set larger (« INTRODUCTION »): too few for the type to mark the headings
    # (ingest.readers.typography), the text's own heuristics find them.
    assert extracted.headings == {}
    text = "\n".join(p.text for p in passages if p.kind == "text")
    assert HEADER not in text, "running header left in the text"
    assert not re.search(r"^\s*\d+\s*$", text, re.M), "page number left in the text"
    assert "exigeant" in text and "amorçage" in text, "hyphenation not undone"
    assert "des catalyseurs territoriaux." in text  # the call to the page's footnote is out
    notes = [p for p in passages if p.kind == "note"]
    assert any("Voir le référentiel" in p.text for p in notes)
    assert "Voir le référentiel" not in text
    first = next(p for p in passages if p.kind == "text")
    assert first.section == "INTRODUCTION" and first.page_start == 1
    assert first.page_end == 3  # the short text runs over the three pages in one passage


def test_hyphen_of_french_compounds_is_kept():
    _, passages = passages_of(CORPUS / "001_82aaa8b671886fce.txt")
    text = " ".join(p.text for p in passages)
    assert "co-développement" in text and "multi-acteurs" in text
    assert "codéveloppement" not in text


def test_consecutive_markdown_headings_stay_apart(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("# Plan\n## Partie A\n## Partie B\n\nTexte de la partie B.\n", "utf-8")
    headings = [b.text for b in build_blocks(read(path)) if b.kind == "heading"]
    assert headings == ["Plan", "Partie A", "Partie B"]


TOPICS = """Journée des acteurs du Val de Brenne

Les participants ont choisi ensemble les sujets de l'après-midi.

24 sujets proposés par les participants

1. Comment garder les bénévoles sur la durée ?

2. Mutualiser les locaux entre associations

3. Quelle place pour les entreprises du bassin ?

4. Financer l'animation du réseau

5. Les jeunes et l'engagement local

2) Ce que la journée a produit

La matinée a permis de dresser un état des lieux partagé des coopérations existantes sur
le territoire, avec les communes, les associations et les entreprises. Les échanges ont
montré que les acteurs se connaissent mal et qu'un lieu de rencontre régulier manque.

3) Les suites

Un comité de suivi se réunira tous les trois mois pour faire le point avec les communes.
Chaque association désignera une personne relais pour les échanges avec le comité.
"""


def test_a_numbered_list_is_items_and_its_chapters_stay_headings(tmp_path):
    """Numbered lines close together are a list (here of workshop topics, a kind of its
    own); numbered titles with content between them stay headings."""
    path = tmp_path / "journee.txt"
    path.write_text(TOPICS, encoding="utf-8")
    blocks = build_blocks(read(path))
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert "2) Ce que la journée a produit" in headings and "3) Les suites" in headings
    assert not any(h.startswith(("1.", "2.", "3.", "4.", "5.")) for h in headings)
    passages = make_passages(structure(blocks))
    topics = [p for p in passages if "Mutualiser les locaux" in p.text]
    assert len(topics) == 1 and topics[0].kind == "questions"
    assert "Financer l'animation" in topics[0].text  # the list is one passage, not five
    assert all(p.kind == "text" for p in passages if "comité de suivi" in p.text)


def test_a_title_cut_inside_a_name_goes_on_to_the_surname(tmp_path):
    path = tmp_path / "atelier.txt"
    path.write_text(
        "Compte-rendu des ateliers\n\n"
        "Un long paragraphe d'introduction présente le déroulé de la journée et ses objectifs.\n\n"
        "Atelier animé par Lucie MARTIN (Réseau Vert) et Jean\n"
        "DUPONT-LEROY (Maison des Projets)\n"
        "Les participants ont partagé leurs pratiques de coopération entre communes.\n",
        encoding="utf-8",
    )
    headings = [b.text for b in build_blocks(read(path)) if b.kind == "heading"]
    assert (
        "Atelier animé par Lucie MARTIN (Réseau Vert) et Jean DUPONT-LEROY (Maison des Projets)"
        in headings
    )


def test_a_list_s_last_item_is_not_left_alone_by_the_size_limit(tmp_path):
    item = (
        "- Proposition {n} : réunir chaque trimestre les partenaires du quartier pour faire "
        "le point sur les actions engagées et les besoins nouveaux des habitants."
    )
    title = "Les propositions de l'atelier"
    items = []  # as many as fit under the size limit, so that the next one spills over
    while len(title) + sum(len(i) for i in items) + len(item) < TARGET_MAX:
        items.append(item.format(n=len(items) + 1))
    items[-1] += " Et" + " encore" * ((TARGET_MAX - 15 - len(title) - sum(map(len, items))) // 7)
    path = tmp_path / "propositions.txt"
    path.write_text(
        f"{title}\n\n" + "\n".join(items) + "\n- Les obliger à venir (++)\n",
        encoding="utf-8",
    )
    extracted = read(path)
    passages = make_passages(structure(build_blocks(extracted)))
    assert all(len(p.text) >= 120 for p in passages), [p.text for p in passages]
    last = next(p for p in passages if "obliger à venir" in p.text)
    assert f"Proposition {len(items)}" in last.text
    assert_maps_to_source(last.text, extracted.text[last.start : last.end])


def test_a_line_announcing_a_list_goes_with_its_list_when_the_size_limit_falls_between(tmp_path):
    """« Ce que nous ne referions pas » closing a passage, its list opening the next: a
    reader (and an answer's label) would take it as the end of the needs listed above."""
    need = "{n}. Partager des méthodes d'évaluation entre les partenaires du territoire (AB)"
    title = "Sujet 2 : objectifs et indicateurs communs"
    cue = "Ce que nous ne referions pas"
    needs = []  # as many as fit with the cue line under the limit: the list spills over
    while len(title) + sum(len(n) for n in needs) + len(need) + len(cue) < TARGET_MAX:
        needs.append(need.format(n=len(needs) + 1))
    text = (
        f"{title}\n\n" + "\n\n".join(needs) + f"\n\n{cue}\n"
        "- Mettre en place trop d'indicateurs dès la première année (+++)\n"
        "- Une usine à gaz de suivi et d'évaluation que personne ne lit ensuite (++)\n"
    )
    path = tmp_path / "atelier.txt"
    path.write_text(text, encoding="utf-8")
    extracted, passages = passages_of(path)
    holding = next(p for p in passages if cue in p.text)
    assert holding.text.startswith(cue) and "trop d'indicateurs" in holding.text
    assert not any(p.text.rstrip().endswith(cue) for p in passages)
    assert_maps_to_source(holding.text, extracted.text[holding.start : holding.end])


RULE = " " * 54  # the extractor's footnote rule: a line of spaces

FOOTNOTED = f"""RAPPORT DE LA JOURNÉE

Les mutations de l'intérêt général2

La boussole de la mesure d'impact social1 reste un chantier. L'objectif « Ensemble, innovons ! »2
a guidé les travaux menés en 2019 avec le Comité 21, le réseau M95 et la cible ODD 17 ; les
émissions de CO2 ont baissé, le partage 50/50 tient, la 3e édition se prépare et l'article18
reste à écrire (voir https://exemple.fr/actes#chapitre2). Les partenaires l'ont redit.2 La
version 2.1 de la charte suivra.
{RULE}
1 Boussole de la mesure d'impact social (Convergences, 2018).
2 Synthèse de la journée « Ensemble, innovons ! » (septembre 2018).
"""


def test_footnote_calls_leave_the_clean_text_and_the_offsets_still_cite_the_source(tmp_path):
    """A number glued to a word or a closing guillemet is a call when the document has
    that footnote; real numbers, and numbers that are no footnote's, stay."""
    path = tmp_path / "notes.txt"
    path.write_text(FOOTNOTED, encoding="utf-8")
    extracted, passages = passages_of(path)
    body = next(p for p in passages if p.kind == "text")
    assert body.section == "RAPPORT DE LA JOURNÉE › Les mutations de l'intérêt général"
    assert "Les mutations de l'intérêt général\n" in body.text
    assert "mesure d'impact social reste" in body.text
    assert "« Ensemble, innovons ! » a guidé" in body.text
    for number in ("2019", "Comité 21", "M95", "ODD 17", "CO2", "50/50", "3e", "article18"):
        assert number in body.text  # no footnote 18: « article18 » is left as written
    assert "#chapitre2" in body.text  # a web address is never cut
    assert "l'ont redit. La version 2.1 de" in body.text  # a call after the stop goes too
    source = extracted.text[body.start : body.end]
    assert "impact social1 reste" in source and "innovons ! »2" in source
    assert "redit.2" in source
    assert_maps_to_source(body.text, source)
    notes = [p for p in passages if p.kind == "note"]
    assert notes and notes[0].text.startswith("1 Boussole")


def test_footnote_calls_are_gone_from_the_corpus_passages():
    """The tester's examples, and every call whose footnote the document has."""
    extracted, passages = passages_of(CORPUS / "001_82aaa8b671886fce.txt")
    shown = [p for p in passages if p.kind != "note"]
    text = "\n".join(p.text + "\n" + p.section for p in shown)
    for glued in (
        "impact social15",
        "en actions ! »26",
        "intérêt général3",
        "praticiens14",
        "partenariale.16",
    ):
        assert glued not in text
    social = next(p for p in shown if "la boussole de la mesure d’impact social. Ces" in p.text)
    assert "impact social15. Ces" in extracted.text[social.start : social.end]
    assert_maps_to_source(social.text, extracted.text[social.start : social.end])
    _, script = passages_of(CORPUS / "000_77cdf74dd2895607.txt")
    assert any(p.section.endswith("les mutations de l’intérêt général") for p in script)
    # A footnote cut in two by the extraction (« … « Co- », a gap, « construction … »)
    # stays whole: its second half and the next note do not leak into the text.
    assert not any(p.text.startswith("14 « Alliance") for p in shown)


LINKED = """Compte rendu de l'atelier

Le film présente trois initiatives de coopération entre les communes, les associations et les
entreprises du territoire, de la première rencontre des partenaires jusqu'au projet commun

Film à revoir ici : https://vimeo.com/124279791

Il existe un point commun entre ces expériences : les partenaires se sont donné le temps
de se connaître avant d'agir ensemble.
"""


def test_a_link_line_is_never_a_title(tmp_path):
    """« label : URL » under a paragraph stays in its text (a search for the film finds
    where to see it); the next paragraph keeps the section above, not the link's."""
    path = tmp_path / "atelier.txt"
    path.write_text(LINKED, encoding="utf-8")
    extracted, passages = passages_of(path)
    assert not any("vimeo" in p.section for p in passages)
    film = passage_with_words(passages, "trois initiatives")
    assert film.kind == "text" and film.section == "Compte rendu de l'atelier"
    assert "projet commun Film à revoir ici : https://vimeo.com/124279791" in film.text
    after = passage_with_words(passages, "point commun")
    assert after.section == "Compte rendu de l'atelier"
    starts = [b.text[:20] for b in build_blocks(extracted)]
    assert "Il existe un point c" in starts  # the text after the link is a paragraph anew
    # Marked up as a title, the link is a line of its own, not a title either.
    marked_up = tmp_path / "atelier.md"
    marked_up.write_text(LINKED.replace("Compte", "# Compte").replace("Film", "## Film"), "utf-8")
    _, passages = passages_of(marked_up)
    assert not any("vimeo" in p.section for p in passages)
    assert passage_with_words(passages, "vimeo.com").text == (
        "Film à revoir ici : https://vimeo.com/124279791"
    )
    assert passage_with_words(passages, "point commun").section == "Compte rendu de l'atelier"
    corpus = passages_of(CORPUS / "004_d4a08cbbbf09db0e.txt")[1]
    assert not any("http" in p.section for p in corpus)
    film = passage_with_words(corpus, "Film à revoir ici : https://vimeo.com/124279791")
    assert film.kind == "text" and "Silver Geek" in film.text


def _written(tmp_path, text: str, name: str = "atelier.txt"):
    """A report of the test's own, as a file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_rubric_heads_its_list_under_a_sentence_left_unfinished(tmp_path):
    """A workshop's grid (« Bonnes pratiques », « Besoins ») whose last practice the
    layout left without its stop: « Besoins » heads the needs under it, which are no
    practices, instead of ending the practice (« … dans l'expérience Besoins »)."""
    path = _written(
        tmp_path,
        "Atelier 2 : faire durer les partenariats\n\nBonnes pratiques\n\n"
        "- Choisir un sujet à fort enjeu pour tous les partenaires.\n\n"
        "- Faire vivre l'expérience partenariale au-delà des résultats. Les dirigeants "
        "des associations, des entreprises et les élus doivent être emmenés dans "
        "l'expérience\n\nBesoins\n\n- Créer un nouveau métier de facilitateur territorial\n\n"
        "- Disposer d'outils d'évaluation de l'action territoriale\n",
    )
    passages = passages_of(path)[1]
    practice = passage_with_words(passages, "emmenés dans")
    assert practice.text.rstrip().endswith("l'expérience"), practice.text
    assert practice.section.endswith("Bonnes pratiques")
    needs = passage_with_words(passages, "nouveau métier")
    assert needs.section.endswith("Besoins") and "emmenés" not in needs.text
    from ingest.pipeline import build_document

    _, _, records = build_document(path, path.read_bytes(), "atelier")
    said = [r["text"] for r in records["statements"]]
    assert any("sujet à fort enjeu" in t for t in said), said
    assert not any("nouveau métier" in t or "outils d'évaluation" in t for t in said), said


def test_a_link_line_under_a_list_is_not_its_last_item(tmp_path):
    """« Pour en savoir plus : https://… » after a blank line under a list points from the
    whole report: the last item (« Faire dépendre le poste… ») stays a clean item, and the
    link is a link passage, which search never returns."""
    path = _written(
        tmp_path,
        "Atelier : financer la coordination\n\nCe que nous ne referions pas\n"
        "- Promettre des résultats chiffrés dès la première année.\n"
        "- Faire dépendre le poste d'un seul financeur.\n\n"
        "Pour en savoir plus : https://www.exemple-reseau.bzh/ressources\n",
    )
    passages = passages_of(path)[1]
    listed = passage_with_words(passages, "un seul financeur")
    assert listed.text.endswith("un seul financeur.") and listed.kind == "text"
    link = passage_with_words(passages, "exemple-reseau.bzh")
    assert link.kind == "link"
    # Under « Ce que nous ne referions pas », the link is no pitfall: the two items are.
    from ingest.pipeline import build_document

    _, _, records = build_document(path, path.read_bytes(), "atelier")
    pitfalls = [r["text"] for r in records["statements"] if r["polarity"] == "avoid"]
    assert len(pitfalls) == 2 and not any("exemple-reseau" in t for t in pitfalls), pitfalls


def test_the_rest_of_a_web_address_cut_at_a_line_end_is_a_link_not_content(tmp_path):
    """A PDF's long address wraps: its second line (« Mod%C3%A8les-…-BAD.pdf ») or a file's
    name alone stood as a passage of its own and came back for nonsense queries."""
    from ingest.kinds import NOT_SEARCHED

    path = tmp_path / "note.txt"
    path.write_text(
        "La note de réflexion\n\n"
        "La présentation détaillée de ces questions est disponible dans la note de "
        "réflexion stratégique sur les modèles de co-construction en territoire :\n"
        "http://www.exemple.fr/wp-content/uploads/2016/02/Note-de-r%C3%A9flexion-\n\n"
        "Mod%C3%A8les-de-co-construction-territoriale.pdf\n\n"
        "Annexe-BAD.pdf\n\n"
        "Les partenaires se sont donné le temps de se connaître avant d'agir ensemble, "
        "et la note en tire trois leçons pour les territoires.\n",
        encoding="utf-8",
    )
    _, passages = passages_of(path)
    for piece in ("Mod%C3%A8les", "Annexe-BAD.pdf"):
        assert passage_with_words(passages, piece).kind in NOT_SEARCHED, piece
    assert passage_with_words(passages, "trois leçons").kind == "text"


TIMETABLE = """Rencontre des acteurs du Val de Brenne

Le 12 mars de 9h à 17h30, à la Maison des associations.

9h30 : Accueil des participants

10h-12h30 – Table ronde « Coopérer entre communes »
avec Lucie MARTIN, Maire de Saint-Aubin, et Paul DURAND, Directeur du Réseau Vert

12h30 – 14h : Déjeuner convivial autour des produits du territoire
Eclairage par Nadia FERRAND, Directrice de la Maison des Solidarités

Synthèse des ateliers et propositions

14h00-16h30 Ateliers participatifs

16h30 : Clôture

Compte rendu de la table ronde

Lucie MARTIN a rappelé que la coopération entre communes commence par un diagnostic partagé
des besoins, conduit avec les habitants, avant tout projet commun. Elle a insisté sur la
place des associations, qui connaissent le terrain mieux que quiconque.
"""


def test_a_timetable_is_programme_and_names_no_section(tmp_path):
    """Slots whose times go forward are a programme: neither they nor a title between
    them head a section, and what lies between two slots is programme too."""
    path = tmp_path / "rencontre.txt"
    path.write_text(TIMETABLE, encoding="utf-8")
    extracted, passages = passages_of(path)
    headings = [b.text for b in build_blocks(extracted) if b.kind == "heading"]
    assert headings == ["Rencontre des acteurs du Val de Brenne", "Compte rendu de la table ronde"]
    for words in ("9h30 : Accueil", "Déjeuner convivial", "Nadia FERRAND", "Synthèse des ateliers"):
        slot = passage_with_words(passages, words)
        assert slot.kind == "programme" and slot.section == headings[0], words
    assert "Lucie MARTIN, Maire" in passage_with_words(passages, "10h-12h30").text
    report = passage_with_words(passages, "diagnostic partagé")
    assert report.kind == "text" and report.section == headings[1]
    assert passage_with_words(passages, "de 9h à 17h30").kind == "text"  # a date line


def test_the_2019_programme_is_programme_to_its_last_slot():
    """The tester's « page blanche » search found « 12h30 – 14h : Déjeuner convivial … »:
    the rest of the 2019 programme was typed as content, under sections named by slots."""
    _, passages = passages_of(CORPUS / "001_82aaa8b671886fce.txt")
    for words in ("Déjeuner convivial", "Eclairage par Florence RAINEIX", "Bleu Blanc Zèbre"):
        slot = passage_with_words(passages, words)
        assert slot.kind == "programme" and slot.section == "PROGRAMME DE LA 5EME RENCONTRE"
    assert not any(re.match(r"\d{1,2}h", p.section.split(" › ")[-1]) for p in passages)


def passage_with_words(passages, words):
    return next(p for p in passages if words in p.text)


# A paragraph a page cut: its first half ends with no stop, the page's footnotes and the
# links a PDF's extraction dumps stand between, and its second half opens in lower case.
PAGE_CUT = (
    "Compte rendu de la journée des territoires\n\n"
    "Depuis 2010, le centre de ressources des territoires11, animé par le réseau régional, "
    "rassemble\net diffuse les données relatives aux dynamiques et aux disparités "
    "territoriales ainsi qu'aux\npolitiques menées dans le champ de l'aménagement et du "
    "développement des territoires. Il est\nà la disposition des acteurs de l'aménagement, "
    "des élus\n \n" + " " * 54 + "\n"
    "11 https://www.exemple.fr/centre-de-ressources \n12 https://www.exemple.fr/observatoire \n\n"
    "https://www.exemple.fr/centre-de-ressources\nhttps://www.exemple.fr/observatoire\n"
    " et des citoyens : il donne des clés pour comprendre les territoires, et construire leur\n"
    "développement avec les habitants.\n\n"
    "Le réseau se réunit ensuite chaque trimestre pour partager ses outils et ses méthodes "
    "avec\nles communes qui le demandent.\n"
)


def test_a_paragraph_the_page_cut_goes_on_past_its_footnotes_and_links(tmp_path):
    path = tmp_path / "journee.txt"
    path.write_text(PAGE_CUT, encoding="utf-8")
    extracted, passages = passages_of(path)
    whole = passage_with_words(passages, "des élus et des citoyens : il donne des clés")
    assert whole.text.endswith("avec les habitants.")
    assert "exemple.fr" not in whole.text
    assert_maps_to_source(whole.text, extracted.text[whole.start : whole.end])
    # A paragraph that ended on its stop is not continued by the next one.
    assert "Le réseau se réunit" not in whole.text


def test_markdown_marks_leave_the_clean_text_and_offsets_still_cite_the_source(tmp_path):
    """« *Rédigé par…* » was a list item with its asterisks, and « **Résultats** » kept them
    in citations; a link reads as its words. A « * » before a space is still a bullet."""
    path = tmp_path / "grange.md"
    path.write_text(
        "# La Grange Partagée\n\n*Rédigé par l'équipe du réseau, novembre 2023*\n\n"
        "## Résultats\n\n**9 000 visiteurs** en 2023 (voir [le rapport](https://exemple.fr/r.pdf))"
        " ; _deux_ emplois créés, fichier nom_de_fichier.pdf.\n\n* Trois artisans installés.\n",
        encoding="utf-8",
    )
    extracted = read(path)
    blocks = {b.text: b for b in build_blocks(extracted)}
    assert blocks["Rédigé par l'équipe du réseau, novembre 2023"].kind == "paragraph"
    results = (
        "9 000 visiteurs en 2023 (voir le rapport) ; deux emplois créés, fichier "
        "nom_de_fichier.pdf."
    )
    assert results in blocks and blocks["* Trois artisans installés."].kind == "item"
    block = blocks[results]
    assert_maps_to_source(block.text, extracted.text[block.raw_start : block.raw_end])
    assert read(path).text == path.read_text(encoding="utf-8")  # the source stays whole


def test_a_rejoined_paragraph_keeps_where_its_second_half_s_paragraphs_begin():
    """Names never run across a paragraph the cleaning joined (Block.paragraph_starts):
    a page-cut paragraph's second half, added whole (Block.extend), keeps those starts."""
    from ingest.clean import Block

    first = Block("paragraph", "à la disposition des élus", [(0, 0)], 25, [1])
    second = Block("paragraph", "et des citoyens Film à revoir", [(0, 40)], 69, [1], 0, [16], [16])
    first.extend(second)
    assert first.text == "à la disposition des élus et des citoyens Film à revoir"
    assert first.paragraph_starts == [first.text.index("Film")]
    assert first.line_starts == [first.text.index("et des"), first.text.index("Film")]


def test_a_credit_line_and_a_quoted_turn_after_a_blank_line_start_their_own_paragraphs(tmp_path):
    """A report's header has no final stops (« …, Lyon, 12 mai 2024 »), yet after a blank
    line « Modératrice : X, rôle » and « X : « … ? » » are lines of their own: the credit is
    a participants line, the moderator's question an introduction, and neither is glued to
    the header, whose passage would stand in an answer as advice."""
    path = _written(
        tmp_path,
        "Compte rendu de l'atelier « Garder ses bénévoles »\n"
        "Journée des centres sociaux du Rhône, Lyon, 12 mai 2024\n\n"
        "Modératrice : Sophie Vernet, coordinatrice de la fédération\n\n"
        "Sophie Vernet : « Comment gardez-vous vos bénévoles plus d'un an ? »\n\n"
        "Paul Girard, président du centre social des Pentes : « Nous confions à chacun une "
        "mission courte, choisie avec lui, et nous fêtons chaque année ce qu'elle a donné. »\n",
    )
    passages = passages_of(path)[1]
    header = passage_with_words(passages, "Journée des centres sociaux")
    assert "Modératrice" not in header.text and "Comment gardez-vous" not in header.text
    assert passage_with_words(passages, "Modératrice : Sophie Vernet").kind == "participants"
    assert passage_with_words(passages, "Comment gardez-vous").kind == "intro"
    assert passage_with_words(passages, "mission courte").speaker == "Paul Girard"


WEB_NOTES = """<html><head><title>Le tiers-lieu de Givry</title></head><body><article>
<h1>Le tiers-lieu de Givry</h1>
<p>La commune a ouvert le tiers-lieu avec les habitants<sup><a href="#fn1" id="r1">1</a></sup>
après six mois de rencontres publiques dans l'ancienne école.</p>
<div class="note">Astuce : associer les habitants dès le premier jour, avant les plans.</div>
<p>Le bilan est positif<sup>2</sup>, selon le conseil municipal, et les élèves sèment
des radis<sup>1</sup>.</p>
<ul><li>Ouvrir le samedi.</li><li>- Confier les clés aux habitants.</li></ul>
<p class="note">2. Voir le rapport de la Fondation Rurale sur les tiers-lieux, 2022.</p>
<section class="footnotes" role="doc-endnotes"><ol>
<li id="fn1">Délibération du conseil municipal du 4 mai 2021.
<a href="#r1" class="footnote-back">↩</a></li>
</ol></section></article></body></html>"""

MARKDOWN_NOTES = """# Le tiers-lieu de Givry

La commune a ouvert le tiers-lieu avec les habitants[^1] dans l'ancienne école.

[^1]: Délibération du conseil municipal du 4 mai 2021,
    votée à l'unanimité.

Le bilan sera présenté en juin devant les habitants et les associations du village.
"""


@pytest.mark.parametrize(
    ("name", "page"), [("givry.html", WEB_NOTES), ("givry.md", MARKDOWN_NOTES)]
)
def test_the_notes_a_page_marks_are_notes_and_their_calls_leave_the_text(tmp_path, name, page):
    """A web page's footnotes (by role, by the names converters give them, a « note »
    that opens on its number) and Markdown's « [^1]: » are notes, never results; their
    calls leave the text. A « note » box of advice stays text."""
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    _, passages = passages_of(path)
    text = " ".join(p.text for p in passages if p.kind == "text")
    notes = " ".join(p.text for p in passages if p.kind == "note")
    assert "avec les habitants après" in text or "avec les habitants dans" in text
    assert "Délibération du conseil municipal" in notes and "Délibération" not in text
    assert "[^1]" not in text + notes and "↩" not in text + notes
    if name.endswith(".html"):
        assert "Fondation Rurale" in notes and "Fondation Rurale" not in text
        assert "Astuce : associer les habitants" in text
        assert "Le bilan est positif, selon" in text  # a bare call to note 2
        assert "des radis." in text  # to the first of a list of notes
        items = [p.text for p in passages if "Ouvrir le samedi" in p.text]
        assert items and "- Ouvrir le samedi.\n- Confier les clés" in items[0]
    else:
        assert "votée à l'unanimité" in notes and "Le bilan sera présenté" in text


JARDINS = [
    [
        ("Rencontre des jardins partagés", 20),
        ("", 12),
        ("Compte rendu de la journée du 12 mars 2024 à Montreuil-Bellay.", 11),
        ("", 12),
        ("Les leviers de la coopération entre la mairie, les bailleurs", 16),
        ("et les associations du quartier", 16),
        ("", 8),
        ("Le comité d'usagers se réunit chaque mois au jardin et décide", 11),
        ("des cultures de la saison avec les familles du quartier.", 11),
        ("", 8),
        ("« Un jardin, c'est d'abord des voisins. »", 16),
        ("", 8),
        ("Nous avons commencé avec six familles et une parcelle prêtée par", 11),
        ("la mairie, sans subvention la première année.", 11),
        ("", 8),
        ("Ce que nous ne referions pas", 13),
        ("", 6),
        ("Lancer la collecte avant d'avoir trouvé un lieu pour les parcelles.", 11),
    ],
    [
        ("Les suites données au projet", 16),
        ("", 12),
        ("Deux quartiers de plus", 16),
        ("", 8),
        ("Deux autres quartiers ont demandé des parcelles au bailleur, qui", 11),
        ("étudie leur demande pour la saison prochaine.", 11),
    ],
]


def test_a_pdfs_headings_are_read_from_its_type_sizes(tmp_path):
    """Titles set larger than the text name their sections, in levels by size, though none
    is numbered or in capitals; a title wrapped over two lines is one, two titles one
    above the other are two; a pull quote set large is text; a browser's printed header
    and footer are not the report's."""
    path = make_typeset_pdf(tmp_path / "jardins.pdf", JARDINS, printed="https://jardins.fr/cr")
    _, passages = passages_of(path)

    def section_of(words: str) -> str:
        return next(p.section for p in passages if words in p.text)

    leviers = (
        "Les leviers de la coopération entre la mairie, les bailleurs et les associations du"
        " quartier"
    )
    assert section_of("Le comité d'usagers") == f"Rencontre des jardins partagés › {leviers}"
    assert section_of("Lancer la collecte").endswith(f"{leviers} › Ce que nous ne referions pas")
    assert section_of("Deux autres") == "Rencontre des jardins partagés › Deux quartiers de plus"
    assert not any(p.section.endswith("projet Deux quartiers de plus") for p in passages)
    assert "Un jardin, c'est d'abord des voisins." in " ".join(p.text for p in passages)
    assert not any("voisins" in p.section for p in passages)
    text = "\n".join(p.text for p in passages)
    for printed in ("28/11/2026", "jardins.fr/cr", "1/2", "2/2"):
        assert printed not in text
