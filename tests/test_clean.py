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
from tests.factories import HEADER, make_pdf

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def passages_of(path):
    extracted = read(path)
    return extracted, make_passages(structure(build_blocks(extracted)))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_maps_to_source(clean_text: str, source: str) -> None:
    """The clean text starts and ends like the source slice, and all its characters stand in
    it in order (a footnote or a dropped hyphen may sit between them, nothing else)."""
    source, clean = squash(source), squash(clean_text)
    assert source.startswith(clean[:20]), clean[:40]
    assert source.endswith(clean[-20:]), clean[-40:]
    position = 0
    for char in clean:
        position = source.find(char, position)
        assert position >= 0, (clean[:40], char)
        position += 1


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
    _, passages = passages_of(make_pdf(tmp_path / "actes.pdf"))
    text = "\n".join(p.text for p in passages if p.kind == "text")
    assert HEADER not in text, "running header left in the text"
    assert not re.search(r"^\s*\d+\s*$", text, re.M), "page number left in the text"
    assert "exigeant" in text and "amorçage" in text, "hyphenation not undone"
    assert "des catalyseurs territoriaux1." in text
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
