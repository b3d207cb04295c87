"""Give every block its section path and, when the text makes it certain, its speaker.

Speaker attribution follows the conventions of French proceedings, and prefers leaving a
block unattributed to guessing (a wrong name on a quote is worse than no name):

- an explicit turn, ``Charles-Benoît HEIDSIECK : Depuis 2014…``, or a label line
  ``Bettina LAVILLE, Présidente du Comité 21 :`` opens that person's turn;
- a moderator's question addressed by name (``Yannick BLANC, vous êtes Préfet…
  Pouvez-vous… ?``) opens the addressee's turn after the question;
- a numbered intervention heading ``1) Florence RAINEIX, Directeur Général…`` opens it too;
- a turn ends at the next heading or turn; paragraphs inside a turn that address the
  speaker (second person, the speaker's own name, a question) stay unattributed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import Block
from ingest.names import NAME

_NAME_ONLY = re.compile(rf"^({NAME})$")
_TURN = re.compile(rf"^({NAME})\s?:\s*(\S.*)?$", re.S)
_LABEL = re.compile(rf"^({NAME}),\s*([^:]{{3,160}}?)\s*:$")
_ADDRESSED = re.compile(rf"^({NAME}),\s")
_NUMBERED_INTERVENTION = re.compile(rf"^\d{{1,2}}\)\s*({NAME}),\s*(.+)$")
_SECOND_PERSON = re.compile(r"\b(?:vous|votre|vos)\b", re.I)


@dataclass
class Structured:
    """A block with its place in the document's outline and its speaker, if certain."""

    block: Block
    section: tuple[str, ...]
    speaker: str | None
    speaker_role: str | None = None


def normalise_name(name: str) -> str:
    """'Marie LECLERC- BRUANT' → 'Marie LECLERC-BRUANT'."""
    return re.sub(r"\s*-\s*", "-", " ".join(name.split()))


def _is_subpoint_heading(block: Block) -> bool:
    """Headings drawn with a symbol-font bullet are points inside an answer, not new parts."""
    return bool(block.text) and 0xF000 <= ord(block.text[0]) <= 0xF8FF


def _addresses(text: str, speaker: str) -> bool:
    surname = speaker.split()[-1]
    return bool(_SECOND_PERSON.search(text)) or surname in text or text.rstrip().endswith("?")


def _titles(path: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(title for _, title in path)


def structure(blocks: list[Block]) -> list[Structured]:
    """Walk the blocks in order, tracking the outline and the current speaker's turn."""
    path: list[tuple[int, str]] = []  # (level, title) from the outermost heading in
    speaker: str | None = None
    role: str | None = None
    out: list[Structured] = []
    for block in blocks:
        if block.kind == "note":
            out.append(Structured(block, _titles(path), None))
            continue
        if block.kind == "heading":
            numbered = _NUMBERED_INTERVENTION.match(block.text) or _LABEL.match(block.text)
            if not _is_subpoint_heading(block):
                level = max(1, block.level)
                path = [*(entry for entry in path if entry[0] < level), (level, block.text)]
                speaker, role = None, None
            if numbered:
                speaker, role = normalise_name(numbered.group(1)), numbered.group(2).strip()
            out.append(Structured(block, _titles(path), None))
            continue
        text = block.text
        label = _LABEL.match(text)
        turn = _TURN.match(text)
        addressed = _ADDRESSED.match(text)
        if label:
            speaker, role = normalise_name(label.group(1)), label.group(2).strip()
            out.append(Structured(block, _titles(path), None))
        elif len(text) <= 100 and text.endswith(":"):
            # "Conclusion du modérateur (5 minutes) :" — a new part of the programme.
            speaker, role = None, None
            out.append(Structured(block, _titles(path), None))
        elif turn:
            speaker, role = normalise_name(turn.group(1)), None
            # A name alone before a colon with nothing after is a label for what follows.
            attributed = speaker if turn.group(2) else None
            out.append(Structured(block, _titles(path), attributed))
        elif addressed and _SECOND_PERSON.search(text):
            # The moderator speaks to this person; their answer follows the question.
            speaker, role = normalise_name(addressed.group(1)), None
            out.append(Structured(block, _titles(path), None))
        elif speaker and _addresses(text, speaker):
            out.append(Structured(block, _titles(path), None))
        else:
            out.append(Structured(block, _titles(path), speaker, role if speaker else None))
    return out
