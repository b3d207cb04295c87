"""Readers: every format gives text with pages; bad files give one clear reason."""

from __future__ import annotations

import zipfile

import pytest

from ingest.extracted import ReadError
from ingest.readers import read
from ingest.readers.bounded import Limits
from tests.factories import (
    HTML,
    MARKDOWN,
    make_docx,
    make_docx_bomb,
    make_encrypted_pdf,
    make_pdf,
    make_truncated_pdf,
)

FRENCH = "Les élus et la coopération, c’est l’été.\nUne deuxième ligne, plus longue.\n" * 20


def test_pdf_keeps_pages_and_title(tmp_path):
    doc = read(make_pdf(tmp_path / "actes.pdf"))
    assert doc.page_count == 3
    assert doc.title == "Actes de test"
    assert doc.page_at(doc.text.index("financement de l")) == 2
    assert doc.page_at(doc.text.index("évaluation partagée")) == 3


def test_text_form_feeds_are_page_breaks(tmp_path):
    path = tmp_path / "pages.txt"
    path.write_text("Première page.\fDeuxième page.\fTroisième page.", encoding="utf-8")
    doc = read(path)
    assert doc.page_count == 3
    assert doc.page_at(doc.text.index("Troisième")) == 3


def test_pdf_extraction_saved_as_text_recovers_pages(tmp_path):
    doc = read(__import__("tests.conftest").conftest.CORPUS / "001_82aaa8b671886fce.txt")
    assert doc.page_count > 40
    assert doc.page_at(doc.text.index("EN GUISE DE CONCLUSION")) > 40


def test_cp1252_text_is_decoded(tmp_path):
    path = tmp_path / "ancien.txt"
    path.write_bytes("Les élus et la coopération, c’est l’été.".encode("cp1252"))
    assert "élus" in read(path).text and "c’est" in read(path).text


def test_docx_headings_and_title(tmp_path):
    doc = read(make_docx(tmp_path / "atelier.docx"))
    assert doc.title == "Compte rendu d'atelier"
    assert "Atelier sur la mobilisation" in doc.text
    assert sorted(doc.headings.values()) == [1, 2]


def test_html_drops_scripts_and_navigation(tmp_path):
    path = tmp_path / "blog.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read(path)
    assert doc.title == "Article de blog"
    assert "projet commun" in doc.text
    assert "var x" not in doc.text and "menu qui ne doit" not in doc.text
    assert 1 in doc.headings.values() and 2 in doc.headings.values()


def test_html_drops_a_page_s_furniture_and_readers_comments(tmp_path):
    """A blog post's sidebar, sharing buttons and readers' comments are not the report:
    by element (aside, form) and by the class or id pages give those areas."""
    path = tmp_path / "article.html"
    path.write_text(
        "<html><body><article><h1>Forum des marées</h1>"
        "<p>Le chantier naval partagé restaure des bateaux avec des jeunes en insertion.</p>"
        "<div class='share-buttons'><p>Partager sur les réseaux</p></div></article>"
        "<aside><p>Articles les plus lus du mois</p></aside>"
        "<section id='comments' class='comments-area'><h2>2 commentaires</h2>"
        "<div class='comment-body'><p>Super article, merci !</p>"
        "<p>Posté par Kévin le 6 octobre 2023</p></div></section>"
        "<form><p>Votre nom</p></form>"
        "<div class='entry-content'><p>Le bilan sera présenté en juin.</p></div>"
        "</body></html>",
        encoding="utf-8",
    )
    doc = read(path)
    assert "chantier naval partagé" in doc.text and "bilan sera présenté" in doc.text
    for furniture in ("Partager", "plus lus", "commentaires", "Super article", "Kévin", "nom"):
        assert furniture not in doc.text, furniture


def test_markdown_headings(tmp_path):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = read(path)
    assert doc.title == "Fiche cas : la coopérative de Trappes"
    assert set(doc.headings.values()) == {1, 2}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("vide.txt", b"", "fichier vide"),
        ("binaire.txt", b"\x00\x01\x02binary" * 100, "fichier binaire"),
        ("inconnu.xyz", b"texte", "type de fichier non pris en charge"),
        ("faux.pdf", b"%PDF-1.4 this is not a pdf at all %%EOF", "PDF corrompu"),
        ("faux.docx", b"PK not really a zip", "fichier DOCX invalide"),
        ("blanc.txt", b"   \n\n  ", "aucun texte"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read(path)


def test_encrypted_pdf_is_refused(tmp_path):
    source = make_pdf(tmp_path / "source.pdf")
    with pytest.raises(ReadError, match="chiffré"):
        read(make_encrypted_pdf(tmp_path / "chiffre.pdf", source))


def test_truncated_pdf_is_refused(tmp_path):
    source = make_pdf(tmp_path / "source.pdf")
    with pytest.raises(ReadError, match="tronqué"):
        read(make_truncated_pdf(tmp_path / "tronque.pdf", source))


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "gros.txt"
    path.write_text("mot " * 1000, encoding="utf-8")
    with pytest.raises(ReadError, match="trop volumineux"):
        read(path, max_bytes=1000)


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_utf16_and_utf32_are_read_with_or_without_a_byte_order_mark(tmp_path, encoding):
    path = tmp_path / "large.txt"
    path.write_bytes(FRENCH.encode(encoding))  # "utf-16"/"utf-32" write a BOM, the others not
    assert read(path).text == FRENCH


def test_utf16_markdown_and_html_are_read(tmp_path):
    markdown = tmp_path / "cas.md"
    markdown.write_bytes(MARKDOWN.encode("utf-16"))
    assert read(markdown).title == "Fiche cas : la coopérative de Trappes"
    html = tmp_path / "blog.html"
    html.write_bytes(HTML.encode("utf-16-le"))
    assert "projet commun" in read(html).text


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_pdf_with_only_an_owner_password_opens(tmp_path, algorithm):
    source = make_pdf(tmp_path / "source.pdf")
    encrypted = make_encrypted_pdf(tmp_path / "aes.pdf", source, "", algorithm)
    doc = read(encrypted)
    assert doc.page_count == 3 and "financement de l" in doc.text


def test_aes_pdf_needing_a_user_password_is_refused_as_such(tmp_path):
    source = make_pdf(tmp_path / "source.pdf")
    encrypted = make_encrypted_pdf(tmp_path / "aes.pdf", source, "secret", "AES-256")
    with pytest.raises(ReadError, match=r"^PDF chiffré \(un mot de passe est nécessaire\)$"):
        read(encrypted)


def test_docx_bomb_is_refused_before_it_is_inflated(tmp_path):
    bomb = make_docx_bomb(tmp_path / "bombe.docx", make_docx(tmp_path / "a.docx"), 60 * 1024**2)
    assert bomb.stat().st_size < 1024**2
    with pytest.raises(ReadError, match=r"bombe DOCX refusée : word/document.xml grossit \d+ fois"):
        read(bomb)
    # Past the ratio, the declared total is checked too.
    refused = r"bombe DOCX refusée : 6\d Mo une fois décompressée \(limite 10 Mo\)"
    with pytest.raises(ReadError, match=refused):
        read(bomb, limits=Limits(max_unzipped_bytes=10**7, max_zip_ratio=10**6))


def test_a_bomb_past_the_zip_checks_is_stopped_by_the_memory_limit(tmp_path):
    bomb = make_docx_bomb(tmp_path / "bombe.docx", make_docx(tmp_path / "a.docx"), 60 * 1024**2)
    unchecked = Limits(memory_bytes=120 * 1024**2, max_unzipped_bytes=10**12, max_zip_ratio=10**9)
    with pytest.raises(ReadError, match="la lecture DOCX a dépassé 120 Mo de mémoire"):
        read(bomb, limits=unchecked)


def test_reading_is_stopped_at_the_time_limit(tmp_path):
    with pytest.raises(ReadError, match=r"la lecture a pris plus de 0\.01 s"):
        read(make_docx(tmp_path / "atelier.docx"), limits=Limits(seconds=0.01))


def test_html_with_too_many_paragraphs_is_refused_before_parsing(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body>" + "<p>mot</p>\n" * 200_000 + "</body></html>")
    with pytest.raises(ReadError, match="trop de paragraphes \\(200\u202f000 > 50\u202f000\\)"):
        read(path)


def test_limits_are_lowered_through_the_environment(tmp_path, monkeypatch):
    markdown = tmp_path / "liste.md"
    markdown.write_text("\n\n".join(f"Paragraphe {n}." for n in range(101)), encoding="utf-8")
    assert read(markdown).text.startswith("Paragraphe 0.")
    monkeypatch.setenv("RECUEIL_READ_MAX_BLOCKS", "100")
    with pytest.raises(ReadError, match=r"trop de paragraphes \(101 > 100\)"):
        read(markdown)
    lines = tmp_path / "lignes.txt"  # unwrapped text: every line is a paragraph
    lines.write_text(("Une ligne assez longue. " * 10 + "\n") * 3 + "Ligne.\n" * 110, "utf-8")
    with pytest.raises(ReadError, match=r"trop de paragraphes \(114 > 100\)"):
        read(lines)
    monkeypatch.setenv("RECUEIL_READ_MAX_CHARS", "500")
    text = tmp_path / "long.txt"
    text.write_text(FRENCH, encoding="utf-8")
    with pytest.raises(
        ReadError,
        match=rf"document trop long \({len(FRENCH):,} caractères > 500\)".replace(",", "\u202f"),
    ):
        read(text)


def test_reader_output_is_capped_in_size(tmp_path):
    """A reader's output past its size (here a 3 MB title) stops the child, not the parent."""
    source = make_docx(tmp_path / "source.docx")
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(tmp_path / "titre.docx", "w") as out:
        for member in original.infolist():
            data = original.read(member)
            if member.filename == "docProps/core.xml":
                data = data.replace(b"Compte rendu d'atelier", b"T" * 3_000_000)
            out.writestr(member, data)
    with pytest.raises(ReadError, match=r"^la sortie du lecteur DOCX a dépassé 2 Mo$"):
        read(tmp_path / "titre.docx", limits=Limits(max_chars=1000, max_zip_ratio=10**6))


@pytest.mark.parametrize(
    ("title", "heading", "expected"),
    [
        (
            "Réseau Rural – Le tiers-lieu de Givry",
            "Le tiers-lieu de Givry",
            "Le tiers-lieu de Givry",
        ),
        (
            "Le tiers-lieu de Givry | Réseau Rural",
            "Le tiers-lieu de Givry",
            "Le tiers-lieu de Givry",
        ),
        (
            "Séminaire « Entreprises et insertion » — Réseau Territoires",
            "Séminaire « Entreprises et insertion »",
            "Séminaire « Entreprises et insertion »",
        ),
        (
            "Réseau Territoires » Actualités » Le « café des communes » de Givry",
            "Le « café des communes » de Givry",
            "Le « café des communes » de Givry",
        ),
        ("Givry : le tiers-lieu ouvre", "Un autre titre", "Givry : le tiers-lieu ouvre"),
        ("Actes - Rencontre 2023", None, "Actes - Rencontre 2023"),
    ],
)
def test_a_web_page_s_title_is_its_own_not_its_site_s(tmp_path, title, heading, expected):
    """The site's name beside the page's <h1> in its <title> is no part of the title."""
    path = tmp_path / "page.html"
    h1 = f"<h1>{heading}</h1>" if heading else ""
    path.write_text(
        f"<html><head><title>{title}</title></head><body>{h1}"
        "<p>La commune a ouvert le tiers-lieu avec les habitants.</p></body></html>",
        encoding="utf-8",
    )
    assert read(path).title == expected


def test_docx_lists_are_items_and_tables_are_read_in_order(tmp_path):
    """Word draws a list's bullets itself, so the text has none: its paragraphs are items
    all the same (four pieces of advice had become one avoid item). A table's cells are
    read where the table stands; python-docx's paragraphs leave tables out."""
    import docx

    from ingest.clean import build_blocks

    document = docx.Document()
    document.add_heading("Points clés à retenir", level=1)
    for advice in ("Rémunérer la participation des jeunes.", "Éviter les réunions en soirée."):
        document.add_paragraph(advice, style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Action", "Résultat"
    table.cell(1, 0).text, table.cell(1, 1).text = "Premier chantier", "35 jeunes en 2021"
    document.add_paragraph("Le bilan sera présenté en juin aux partenaires.")
    path = tmp_path / "atelier.docx"
    document.save(path)
    extracted = read(path)
    blocks = [(b.kind, b.text) for b in build_blocks(extracted)]
    assert ("item", "- Rémunérer la participation des jeunes.") in blocks
    assert ("item", "- Éviter les réunions en soirée.") in blocks
    text = extracted.text
    assert text.index("Premier chantier") < text.index("35 jeunes") < text.index("Le bilan")


def test_a_table_s_cells_are_read_under_their_column_s_header(tmp_path):
    """A first row that names the columns (Word's header row, HTML's <th>, or short
    labels) is read into each cell of its column, as one reads a table aloud; a table of
    sentences, or of one row, is read cell after cell as it stands. HTML's <th> row was
    dropped altogether."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Ce qui a marché", "Ce qui a coincé :"
    table.cell(1, 0).text, table.cell(1, 1).text = "Un bail de neuf ans.", "Le budget."
    table.cell(2, 0).text = "Un poste partagé."
    cell = table.cell(2, 1)
    cell.text = "Les horaires du soir."
    cell.add_paragraph("Un seul bénévole.", style="List Bullet")
    plain = document.add_table(rows=2, cols=2)
    plain.cell(0, 0).text, plain.cell(0, 1).text = "Nous avons signé.", "Ils ont suivi."
    plain.cell(1, 0).text, plain.cell(1, 1).text = "Puis le bail.", "Puis la fête."
    path = tmp_path / "bilan.docx"
    document.save(path)
    assert read(path).text.split("\n\n") == [
        "Ce qui a marché : Un bail de neuf ans.",
        "Ce qui a coincé : Le budget.",
        "Ce qui a marché : Un poste partagé.",
        "Ce qui a coincé :",
        "Les horaires du soir.",
        "- Un seul bénévole.",
        "Nous avons signé.",
        "Ils ont suivi.",
        "Puis le bail.",
        "Puis la fête.",
    ]
    page = tmp_path / "bilan.html"
    page.write_text(
        "<html><body><h1>Bilan</h1><table>"
        "<tr><th>Levier mobilisé par la commune et ses partenaires associatifs, en détail</th>"
        "<th>Résultat</th></tr><tr><td>Un bail de neuf ans</td><td>Douze associations</td></tr>"
        "</table><table><tr><td>Seule</td><td>ligne</td></tr></table></body></html>",
        encoding="utf-8",
    )
    assert read(page).text.split("\n\n") == [
        "Bilan",
        "Levier mobilisé par la commune et ses partenaires associatifs, en détail : "
        "Un bail de neuf ans",
        "Résultat : Douze associations",
        "Seule",
        "ligne",
    ]


def _extracted_page(first: str, body: str = "") -> str:
    """A page of a PDF saved as text: its first line indented by one space."""
    lines = [
        f"Ligne {i} du corps de cette page, assez longue pour un vrai texte." for i in range(18)
    ]
    return f" {first}\n{body}" + "\n".join(lines) + "\n\n"


def test_a_title_on_the_lines_under_a_page_s_first_is_no_page_of_its_own(tmp_path):
    """A page's first line and the title set right under it are both indented by the
    extraction: one page, not one a line (file 001 counted three pages too many, and
    every later citation was off), and the title is still read as a heading."""
    from ingest.clean import build_blocks

    title = " LES NOUVEAUX OUTILS AU SERVICE DE\n LA CO-CONSTRUCTION TERRITORIALE\n \n"
    pages = [_extracted_page("Première page"), _extracted_page("En synthèse :", title)]
    pages.append(_extracted_page("Troisième page"))
    path = tmp_path / "actes.txt"
    path.write_text("".join(pages) + " " * 30 + "\n")  # a footnote rule: an extraction
    doc = read(path)
    assert doc.page_count == 3
    assert doc.page_at(doc.text.index("Troisième")) == 3
    assert doc.page_at(doc.text.index("LA CO-CONSTRUCTION")) == 2
    headings = [b.text for b in build_blocks(doc) if b.kind == "heading"]
    assert "LES NOUVEAUX OUTILS AU SERVICE DE LA CO-CONSTRUCTION TERRITORIALE" in headings


def test_a_list_whose_bullets_were_lost_is_no_run_of_pages():
    """Text extracted from a PDF marks each page's first line with a space; so do the items
    of a list whose bullets the extraction dropped. Items a line apart, announced by « : »,
    are one page's list, not one page each: every later page kept its number."""
    from ingest.readers.text import page_layout

    listed = (
        "Quatre questions se posent aujourd'hui :\n\n"
        " Les solutions, soit les actions à mettre en place pour coopérer,\n\n"
        " La chaîne de valeur, soit les rôles complémentaires des acteurs,\n\n"
        " Le modèle économique, soit le financement de l'ingénierie.\n\n"
    )
    pages = [_extracted_page("Première page"), _extracted_page("Deuxième page", listed)]
    pages.append(_extracted_page("Troisième page"))
    text = "".join(pages)
    assert page_layout(text)[0] == [0, len(pages[0]), len(pages[0]) + len(pages[1])]
    # Not announced, indented lines a line apart still open pages (a title page's lines).
    unannounced = text.replace("aujourd'hui :", "aujourd'hui.")
    assert len(page_layout(unannounced)[0]) == 6
