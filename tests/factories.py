"""Documents made on the fly: real PDFs (reportlab), DOCX (python-docx), HTML, Markdown."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pypdf import PdfReader, PdfWriter

BODY_PAGES = [
    [
        "Les alliances territoriales reposent sur la confiance entre acteurs. Les élus",
        "locaux, les associations et les entreprises apprennent à travailler ensemble",
        "sur des projets communs, ce qui demande un accompagnement patient et exi-",
        "geant de la part des catalyseurs territoriaux1.",
        "",
        "Le dialogue territorial est le premier levier de la coopération : il faut",
        "du temps pour que chacun comprenne les contraintes de l'autre.",
    ],
    [
        "La seconde condition tient au financement de l'ingénierie de coopération.",
        "Les fondations territoriales apportent souvent un financement d'amor-",
        "çage qui permet de lancer la démarche avant que les collectivités ne",
        "prennent le relais.",
    ],
    [
        "Enfin, l'évaluation partagée permet de rendre compte du chemin parcouru",
        "plutôt que des seuls résultats, et de valoriser les apports immatériels.",
    ],
]
HEADER = "Rencontre des pionniers — Actes 2021"
FOOTNOTE = "1 Voir le référentiel de la co-construction territoriale (Le RAMEAU, 2017)."


def make_typeset_pdf(
    path: Path, pages: list[list[tuple[str, float]]], printed: str | None = None
) -> Path:
    """A PDF whose lines are set in the sizes given (bold from 13 points, as headings are),
    1.25 sizes apart; an empty line is a space of its size in points, as a margin parts two
    blocks. When `printed` names a page's address, each page has the header and footer a
    browser prints, in 8 points: the date and time with the title, the address and « n/total »."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    for number, lines in enumerate(pages, 1):
        y = height - 60
        for text, size in lines:
            if not text:
                y -= size
                continue
            pdf.setFont("Helvetica-Bold" if size >= 13 else "Helvetica", size)
            pdf.drawString(72, y, text)
            y -= size * 1.25
        if printed:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(30, height - 20, "28/11/2026 10:12    Compte rendu")
            pdf.drawString(30, 20, f"{printed}    {number}/{len(pages)}")
        pdf.showPage()
    pdf.save()
    return path


def make_pdf(
    path: Path,
    pages: list[list[str]] = BODY_PAGES,
    header: str = HEADER,
    footnote: str | None = FOOTNOTE,
    title: str = "Actes de test",
) -> Path:
    """A PDF with a running header, a page-number footer and a footnote on page 1."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(title)
    width, height = A4
    for number, lines in enumerate(pages, 1):
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, height - 40, header)
        pdf.setFont("Helvetica", 11)
        y = height - 90
        if number == 1:
            pdf.setFont("Helvetica-Bold", 14)
            pdf.drawString(72, y, "INTRODUCTION")
            pdf.setFont("Helvetica", 11)
            y -= 30
        for line in lines:
            if line:
                pdf.drawString(72, y, line)
            y -= 16
        if number == 1 and footnote:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(72, 80, footnote)
        pdf.setFont("Helvetica", 9)
        pdf.drawString(width / 2, 40, str(number))
        pdf.showPage()
    pdf.save()
    return path


def make_encrypted_pdf(
    path: Path, source: Path, user_password: str = "secret", algorithm: str | None = None
) -> Path:
    """Encrypted with an owner password, and a user password unless it is empty."""
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_truncated_pdf(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Compte rendu d'atelier"
    document.add_heading("Atelier sur la mobilisation", level=1)
    document.add_paragraph(
        "Les participants recommandent de mobiliser les parties prenantes avant le projet, "
        "et de constituer un petit comité de pilotage."
    )
    document.add_heading("Ce que je referais", level=2)
    document.add_paragraph("Trouver un leader capable d'embarquer d'autres personnes.")
    document.save(path)
    return path


def make_docx_bomb(path: Path, source: Path, inflated_bytes: int) -> Path:
    """A real DOCX whose word/document.xml holds `inflated_bytes` of tiny paragraphs, a few
    hundred times smaller once deflated: the shape of a decompression bomb."""
    paragraph = b"<w:p><w:r><w:t>bombe</w:t></w:r></w:p>" * 1000
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for member in original.infolist():
            data = original.read(member)
            if member.filename != "word/document.xml":
                bomb.writestr(member, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with bomb.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(head + b"<w:body>")
                for _ in range(inflated_bytes // len(paragraph)):
                    stream.write(paragraph)
                stream.write(tail)
    return path


HTML = """<!doctype html><html><head><title>Article de blog</title>
<style>p {color: red}</style><script>var x = 1;</script></head><body>
<nav>menu qui ne doit pas être indexé</nav>
<h1>Les tiers-lieux en milieu rural</h1>
<p>Un tiers-lieu rassemble des habitants, des associations et des artisans
autour d'un <b>projet commun</b>.</p>
<h2>Leviers</h2><ul><li>Un animateur à temps plein</li><li>Un bail précaire</li></ul>
</body></html>"""

# A short note that names one case (« Exemple inspirant : « … » »).
CASE_NOTE = """# Les vergers partagés

Exemple inspirant : « Vergers de Saint-Sauveur », une coopérative qui plante des arbres
fruitiers avec les habitants et la mairie.
"""


MARKDOWN = """# Fiche cas : la coopérative de Trappes

Une coopérative d'habitants qui gère des jardins partagés
avec la mairie et deux bailleurs sociaux.

## Leviers

- une convention tripartite ;
- un comité d'usagers.
"""


def pdf_bytes(pages: list[list[str]] | None = None) -> bytes:
    buffer = io.BytesIO()
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(buffer)
    for lines in pages or [["Une page de texte pour un téléversement."]]:
        y = 780
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def refreshed_store(root: Path, files: dict[str, str | bytes]):
    """A real store in `root`/data of documents written in a test (file name → text, or
    bytes for a binary format), ingested and refreshed as `recueil ingest` does: (store,
    embedder)."""
    from ingest.pipeline import ingest
    from ingest.store import open_store
    from search.embedders import get_embedder
    from search.knowledge.build import refresh

    folder = root / "docs"
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    store = open_store(root / "data")
    report = ingest(store, [folder])
    assert report.count("added") == len(files), report.failed
    embedder = get_embedder()
    refresh(store, embedder)
    return store, embedder
