"""How well a PDF's headings are read from its type sizes (ingest.readers.typography).

Each corpus document is written as an HTML page whose headings (h1–h3), paragraphs and
list items are those its plain-text reading finds, printed to PDF by Chromium (as a person
saves a web report, with the browser's header and footer), and read back. The page's
headings are the labels: precision is the share of the PDF's headings that are one of
them, recall the share of them it finds; a printed header or footer left in a passage is
counted too. Run: `python eval/pdf_headings.py` (Chromium needed, about a minute).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.clean import build_blocks  # noqa: E402
from ingest.passages import make_passages  # noqa: E402
from ingest.readers import read  # noqa: E402
from ingest.structure import structure  # noqa: E402

_SPACE = re.compile(r"\s+")


def squashed(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def page_of(path: Path) -> tuple[str, list[str]]:
    """The document as an HTML page, and its headings' texts."""
    parts, headings = [], []
    for block in build_blocks(read(path)):
        text = html.escape(block.text)
        if block.kind == "heading":
            level = min(max(block.level, 1), 3)
            parts.append(f"<h{level}>{text}</h{level}>")
            headings.append(squashed(block.text))
        elif block.kind == "item":
            parts.append(f"<ul><li>{text}</li></ul>")
        else:
            parts.append(f"<p>{text}</p>")
    title = html.escape(path.stem)
    body = "\n".join(parts)
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body>{body}</body></html>",
        headings,
    )


def printed(page: str, folder: Path, name: str) -> Path:
    source, target = folder / f"{name}.html", folder / f"{name}.pdf"
    source.write_text(page, encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def main() -> None:
    totals = {"labelled": 0, "found": 0, "right": 0, "recalled": 0, "furniture": 0}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in sorted((ROOT / "corpus").glob("*.txt")):
            page, labels = page_of(path)
            pdf = printed(page, folder, path.stem)
            doc = read(pdf)
            found = [squashed(b.text) for b in build_blocks(doc) if b.kind == "heading"]
            right = sum(1 for heading in found if heading in labels)
            recalled = sum(1 for label in labels if label in found)
            passages = make_passages(structure(build_blocks(doc)))
            furniture = sum(
                1 for p in passages if re.search(r"\d{1,2}/\d{1,2}/\d{2,4},|file:///", p.text)
            )
            print(
                f"{path.name}: {doc.page_count} pages, {len(labels)} headings in the page, "
                f"{len(found)} read, {right} right, {recalled} found, "
                f"{furniture} passages with a printed header or footer"
            )
            for key, value in zip(
                totals, (len(labels), len(found), right, recalled, furniture), strict=True
            ):
                totals[key] += value
    precision = totals["right"] / max(totals["found"], 1)
    recall = totals["recalled"] / max(totals["labelled"], 1)
    print(
        f"all: precision {precision:.3f} ({totals['right']}/{totals['found']}), "
        f"recall {recall:.3f} ({totals['recalled']}/{totals['labelled']}), "
        f"{totals['furniture']} passages with a printed header or footer"
    )


if __name__ == "__main__":
    main()
