"""The document view's structure: sections and speaker turns from runs of passages."""

from __future__ import annotations

import json

from api.reading import document_text
from ingest.store import DocumentRow, PassageRow


def passage(ordinal: int, start: int, section: str, speaker: str | None = None, **kw) -> PassageRow:
    values = {
        "text": "x",
        "page_start": 1,
        "page_end": 1,
        "speaker_role": None,
        "kind": "text",
        "speech": "verbatim" if speaker else None,
        "question": None,
        **kw,
    }
    return PassageRow(
        ordinal=ordinal,
        start=start,
        end=start + 10,
        section=section,
        speaker=speaker,
        id=f"d:{ordinal}",
        document_id="d",
        hash="h",
        **values,
    )


DOCUMENT = DocumentRow(
    id="d",
    path="/d.txt",
    file="d.txt",
    title="Actes",
    event=None,
    date="2019-06-26",
    year=2019,
    place=None,
    kind="proceedings",
    url=None,
    content_hash="c",
    size=100,
    page_count=2,
    page_starts=json.dumps([0, 25]),
    text="y" * 100,
    ingested_at="now",
)


def test_sections_nest_and_turns_follow_the_speakers():
    passages = [
        passage(3, 40, "DEBAT › Élus", "CARON"),
        passage(0, 0, "INTRO"),
        passage(1, 12, "DEBAT › Élus", "CARON"),
        passage(2, 26, "DEBAT › Élus", "CARON", speech="reported"),
        passage(5, 70, "DEBAT › Associations", "JAHSHAN"),
        passage(6, 85, "INTRO", kind="note"),  # a footnote: outside sections and turns
    ]
    body = document_text(DOCUMENT, passages)
    assert [p.ordinal for p in body.passages] == [0, 1, 2, 3, 5, 6]
    assert [(p.number, p.start) for p in body.pages] == [(1, 0), (2, 25)]
    assert [(s.path, s.depth, s.start, s.end) for s in body.sections] == [
        ("INTRO", 0, 0, 10),
        ("DEBAT", 0, 12, 80),
        ("DEBAT › Élus", 1, 12, 50),
        ("DEBAT › Associations", 1, 70, 80),
    ]
    assert [(t.speaker, t.speech, t.start, t.end) for t in body.turns] == [
        ("CARON", "verbatim", 12, 22),
        ("CARON", "reported", 26, 36),
        ("CARON", "verbatim", 40, 50),
        ("JAHSHAN", "verbatim", 70, 80),
    ]
