"""Case mentions: the named initiatives a document presents as examples or experiences.

Only where the text introduces one: « Exemple inspirant : … », « Une illustration de … :
… », « L'illustration d'« … » », « Exemple de … », « l'exemple du Maroc – … », « le projet
« … » », « PTCE … », « la SCIC … », a heading « À Loos-en-Gohelle, … ». Names mentioned in
passing are not cases.
"""

from __future__ import annotations

import re

from ingest.extract.records import Mention
from ingest.normalise import fold
from ingest.structure import Structured

_WORD = r"(?:[dl][’'])?[A-ZÀÂÉÈÊÎÔÛÇ&][\w’'&\-]*"
_LINK = r"(?:de|du|des|d’|d'|la|le|les|l’|au|aux|en|et|&|sur|Li|pour)"
_NAME = (
    rf"(?:«\s*(?P<quoted>[^»]{{3,60}}?)\s*»|(?P<plain>{_WORD}(?:\s+(?:{_WORD}|{_LINK})){{0,7}}))"
)
_PATTERNS = [
    ("exemple inspirant", rf"Exemple inspirant\s*:\s*(?:le |la |les |l’)?{_NAME}"),
    (
        "illustration",
        rf"(?:Une |L’|L')illustration(?: [\w’ ]{{0,40}}?)?\s*(?::\s*|d[’']\s*){_NAME}",
    ),
    ("exemple", rf"\bExemples? (?:de |d’|d')(?!la |le |les |l’){_NAME}"),
    ("exemple", rf"l’exemple (?:du|de la|de|d’)\s*[\w ]{{0,30}}?\s+[–-]\s+{_NAME}"),
    ("exemple", rf"l’exemple de {_NAME}"),
    ("projet", rf"\b[Ll]e projet {_NAME}"),
    ("PTCE", rf"\bPTCE (?P<ptce>{_WORD}(?:\s+{_WORD}){{0,3}})"),
    ("SCIC", rf"\b(?:La |la )?SCIC {_NAME}"),
    ("territoire", r"^À (?P<place>[A-ZÉ][\w’\-]+(?:-[\w’]+)*), "),
    ("exemple", rf"\bPar exemple (?:le |la |les |en |à |au |dans )?{_NAME}"),
    ("exemple", rf"\bbon exemple est celui (?:de la ville (?:des|de|du) |de |du |d’){_NAME}"),
    ("initiative", r"à l’initiative d’«\s*(?P<quoted>[^»]{3,60}?)\s*»"),
    ("exemple", rf"\b[Aa] titre d[’']exemple,?\s*{_NAME}"),
    ("territoire", rf"\b(?:territoires?|lieux?|sites?) d[’']expérimentations?\s+{_NAME}"),
    ("projet", rf"\bcréation d[’'](?:un|une)\s+{_NAME}"),
    # A named tool or scheme introduced by what it is: « le dispositif « … » », « la
    # plateforme de capitalisation « … » », « le GIP Emploi du Grand Roissy ».
    (
        "dispositif",
        rf"\b(?:[Ll]e |[Ll]a |[Ll]’|[Uu]n |[Uu]ne )(?:dispositif|plateforme(?: de \w+)?|"
        rf"e-communauté|M(?:OOC|ooc)|jeu(?: de la [\w-]+)?|GIP|"
        rf"base (?:de connaissances|documentaire)|"
        rf"incubateur|tiers-lieu|[Ll]aboratoire d[’']expérimentations?|Labo régional)\s+{_NAME}",
    ),
    (
        "présentation",
        rf"^{_NAME}(?:\s*\([A-Z]{{2,8}}\))?\s+est une (?:approche|association|"
        r"plateforme|coopérative|fondation|structure|initiative|démarche|entreprise|maison|réseau)",
    ),
]
_COMPILED = [(cue, re.compile(pattern)) for cue, pattern in _PATTERNS]
_TRAILING = re.compile(rf"(?:\s+{_LINK})+$")
_SENTENCE = re.compile(r"[^.!?]*[.!?]?")
# Headings such as « Une illustration de catalyse territoriale » name no case.
_GENERIC = frozenset({"catalyse territoriale", "dynamique territoriale", "bonne pratique"})


def case_key(name: str) -> str:
    """Folded name without articles and generic type words: aliases meet on one key."""
    words = ["et" if w == "&" else w for w in re.findall(r"[\w&]+", fold(name))]
    drop = {"le", "la", "les", "l", "projet", "scic", "association", "plateforme", "d"}
    return " ".join(w for w in words if w not in drop)


def _clean_name(raw: str) -> str:
    name = _TRAILING.sub("", " ".join(raw.split())).strip(" ,:;–-")
    return name


def _sentence_around(text: str, position: int) -> str:
    """The sentence holding `position`: from the previous sentence end to the next one."""
    before = text.rfind(". ", 0, position)
    start = before + 2 if before >= 0 else 0
    end = text.find(". ", position)
    return text[start : end + 1 if end >= 0 else len(text)].strip()


def extract(items: list[Structured]) -> list[Mention]:
    mentions: list[Mention] = []
    for item in items:
        block = item.block
        if block.kind == "note":
            continue
        for cue, pattern in _COMPILED:
            for match in pattern.finditer(block.text):
                group = next(
                    g
                    for g in ("quoted", "plain", "ptce", "place")
                    if g in pattern.groupindex and match.group(g)
                )
                begin, finish = match.start(group), match.end(group)
                # A name never runs onto the next source line, unless guillemets bound it:
                # « Territoires & développements : changeons / d’époque » is one name.
                if group != "quoted":
                    finish = min(finish, block.next_line_start(begin))
                name = _clean_name(block.text[begin:finish])
                finish = begin + len(name)
                if cue == "PTCE" and not name.startswith("PTCE"):
                    name = f"PTCE {name}"
                key = case_key(name)
                if len(key) < 4 or key in _GENERIC or len(name.split()) > 9:
                    continue
                mentions.append(
                    Mention(
                        name=name,
                        key=key,
                        text=_sentence_around(block.text, begin),
                        start=block.raw_offset(begin),
                        end=block.raw_offset(finish - 1) + 1,
                        page=block.pages[0],
                        cue=cue,
                    )
                )
    return mentions
