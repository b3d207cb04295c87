"""Readers: every format gives text with pages; bad files give one clear reason."""

from __future__ import annotations

import pytest

from ingest.extracted import ReadError
from ingest.readers import read
from tests.factories import (
    HTML,
    MARKDOWN,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    make_truncated_pdf,
)


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


def test_markdown_headings(tmp_path):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = read(path)
    assert doc.title == "Fiche cas : la coopérative de Trappes"
    assert set(doc.headings.values()) == {1, 2}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("vide.txt", b"", "empty file"),
        ("binaire.txt", b"\x00\x01\x02binary" * 100, "binary file"),
        ("inconnu.xyz", b"texte", "unsupported file type"),
        ("faux.pdf", b"%PDF-1.4 this is not a pdf at all %%EOF", "corrupt PDF"),
        ("faux.docx", b"PK not really a zip", "not a valid DOCX"),
        ("blanc.txt", b"   \n\n  ", "no text"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read(path)


def test_encrypted_pdf_is_refused(tmp_path):
    source = make_pdf(tmp_path / "source.pdf")
    with pytest.raises(ReadError, match="encrypted"):
        read(make_encrypted_pdf(tmp_path / "chiffre.pdf", source))


def test_truncated_pdf_is_refused(tmp_path):
    source = make_pdf(tmp_path / "source.pdf")
    with pytest.raises(ReadError, match="truncated"):
        read(make_truncated_pdf(tmp_path / "tronque.pdf", source))


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "gros.txt"
    path.write_text("mot " * 1000, encoding="utf-8")
    with pytest.raises(ReadError, match="too large"):
        read(path, max_bytes=1000)
