"""Case mentions: the named initiatives a document presents as examples or experiences.

Only where the text introduces one: « Exemple inspirant : … », « Une illustration de … :
… », « L'illustration d'« … » », « Exemple de … », « l'exemple du Maroc – … », « le projet
« … » », « PTCE … », « la SCIC … », a heading « À Loos-en-Gohelle, … »; or where it says
what a name is or how it came to be: « X a pour but de… », « l’Observatoire X, animé
par… », « « X », qui… », « il a initié un « … » », « l’histoire de la ville de X », a name
that carries its kind (« le Laboratoire X »). Names mentioned in passing are not cases.
"""

from __future__ import annotations

import re

from ingest.clean import Block
from ingest.extract.records import Mention
from ingest.names import NAME, TITLE_NAME
from ingest.normalise import fold
from ingest.structure import Structured

_WORD = r"(?:[dl][’'])?[A-ZÀÂÉÈÊÎÔÛÇ&][\w’'&\-]*"
_LINK = r"(?:de|du|des|d’|d'|la|le|les|l’|au|aux|en|et|&|sur|Li|pour)"
_NAME = (
    rf"(?:«\s*(?P<quoted>[^»]{{3,80}}?)\s*»|(?P<plain>{_WORD}(?:\s+(?:{_WORD}|{_LINK})){{0,7}}))"
)
# A body's name in French capitalises its first word only: « Observatoire des territoires »,
# « Fabrique à initiatives », « Labo régional des partenariats d’Alsace ». After a
# capitalised word, a lower-case word is part of the name when a preposition brings it
# (« des territoires », never « et la réalisation »), or when it is an adjective that
# names a body's reach (« régional »); other link words (« et », « sur le ») only join
# another capitalised word.
_REACH = (
    r"(?:national|régional|territorial|local|départemental|européen|international|"
    r"citoyen|solidaire|social|mondial|global)(?:e|ne)?s?"
)
_OF = r"(?:de|des|du|à|au|aux)\s+(?:la |le |les |l’|l')?"
# Another name's article (« … d’Alsace et Le RAMEAU ») starts another name.
_NEXT = rf"(?!(?:La|Le|Les)\b|L[’']){_WORD}"
_TAIL = rf"(?:\s+{_OF}[\w’'\-]+|\s+[dl][’'](?!une?\b)[\w\-]+|(?:\s+{_LINK}){{0,2}}\s+{_NEXT})"
_LOOSE_NAME = rf"(?P<plain>{_WORD}(?:\s+{_REACH})?{_TAIL}{{0,6}})"
_LOOSE = rf"(?:«\s*(?P<quoted>[^»]{{3,80}}?)\s*»|{_LOOSE_NAME})"
# What a report calls the initiatives it presents.
_KINDS = (
    r"(?:dispositif|programme|projet|plateforme|démarche|initiative|réseau|collectif|"
    r"observatoire|laboratoire|labo|incubateur|tiers-lieu|outil|service|pôle|opération|"
    r"expérimentation|atelier|fonds|jeu)"
)
# A name presented by how it came to be: « l’Observatoire des territoires, animé par le
# CGET », « le programme, créé en 2014 sur deux villes, … ».
_MADE = (
    r"(?:créé|lancé|animé|porté|piloté|initié|fondé|conçu|développé|coordonné|imaginé|"
    r"mis en place|mis en œuvre)(?:e|es|s)?"
)
_ARTICLE = r"(?:[Ll]e |[Ll]a |[Ll]’|[Ll]')"
# Kinds that head or end a body's own name, capitalised; an « Observatoire », a « Réseau »
# is most often a standing body, which a name alone does not make a case.
_KIND_HEAD = r"(?:Laboratoire|Labo|Programme|Plateforme|Pôle|Incubateur)\b"
_KIND_TAIL = r"(?:Initiative|Programme|Lab)"
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
    # A name the sentence opens on, then what it is or is for: « Le Carrefour des Innovations
    # Sociales a pour but de… », « Villes au Carré est une plateforme… ».
    (
        "présentation",
        rf"(?:^|(?<=[.!?:]\s)){_LOOSE}(?:\s*\([A-Z]{{2,8}}\))?"
        rf"\s+(?:est (?:une?|le|la|l’) (?:approche|association|coopérative|fondation|structure|"
        rf"entreprise|maison|{_KINDS})|a pour (?:but|objectif|vocation|mission|ambition)|vise à)",
    ),
    # A name the sentence opens on, what it is in lower case, and when it was founded: « Ty
    # Coop est une cantine solidaire créée en 2021 dans le quartier… », or in apposition
    # (« La Ressourcerie du Bocage, une initiative créée en 2021 à Vire »). A person is
    # born, not created: two capitalised words are a name here (see _named).
    (
        "création",
        rf"(?:^|(?<=[.!?:]\s)){_LOOSE}(?:\s+est|,) (?:une?|le|la|l’) [a-zéè][\w’\-]+"
        rf"(?:\s+[a-zéè][\w’\-]+){{0,3}}\s+(?:{_MADE}|ouvert(?:e|es|s)?)\s+en\s+(?:19|20)\d\d\b",
    ),
    # A name, then how it came to be or what it does, in apposition: « l’Observatoire des
    # territoires, animé par le CGET », « « Territoires Conseils », qui accompagne… ». Only
    # after an article or inside guillemets, which a person's name never takes.
    ("présentation", rf"{_ARTICLE}{_LOOSE_NAME},\s+{_MADE}\s+(?:par|en|depuis|à|au|avec)\b"),
    ("présentation", r"«\s*(?P<quoted>[A-ZÀÂÉÈÊÎÔÇ][^».!?]{2,60}?)\s*»,?\s+(?:qui|dont)\s"),
    # The kind first, then how it came to be, then the name: « le programme, créé en 2014
    # sur deux villes, Quand Élèves et Entreprises se Rencontrent ».
    ("présentation", rf"\b{_ARTICLE}{_KINDS},\s+{_MADE}\b[^,.;]{{0,100}},\s+{_NAME}"),
    # A name coined by whoever started it: « il a initié un « atelier des villes pairs » ».
    ("initiative", rf"\b{_MADE}\s+(?:un|une|le|la|l’|l')\s*«\s*(?P<quoted>[^»]{{3,80}}?)\s*»"),
    # A name that carries its kind: « le Laboratoire d’Expertise Citoyenne », « le Labo
    # régional des partenariats d’Alsace », « la Clinton Global Initiative » (not when the
    # document names its officers: see _OFFICER).
    ("nom", rf"{_ARTICLE}(?P<plain>{_KIND_HEAD}(?:\s+{_REACH})?{_TAIL}{{1,6}})"),
    ("nom", rf"{_ARTICLE}(?P<plain>(?:{_WORD}\s+){{1,3}}{_KIND_TAIL})\b"),
    # The kind, then a name whose own article is capitalised: « le réseau de La Fabrique à
    # initiatives », « le tiers-lieu Le Grand Atelier ».
    (
        "dispositif",
        rf"\b{_ARTICLE}{_KINDS}\s+(?:de |d’|d')?(?=(?:La |Le |Les |L’|L')){_LOOSE_NAME}",
    ),
    # A tool known by its owner's acronym, given as an example: « comme exemple de bonne
    # pratique, le jeu de la co-construction du RNMA ».
    (
        "exemple",
        rf"\bcomme (?:bon )?exemple(?: de bonnes? pratiques?)?,?\s+{_ARTICLE}"
        rf"(?P<plain>{_KINDS}(?: [\w’'\-]+){{0,4}}? (?:du|de la|de l’|des|d’)\s*"
        r"[A-Z][A-Z0-9&]{1,9})\b",
    ),
    # A speaker's own creation, named right after: « la plateforme que j’ai créée resenter
    # pour simplifier… »; a lower-case name only when what it is for follows.
    (
        "initiative",
        rf"\b{_ARTICLE}{_KINDS} que (?:j’ai|j'ai|nous avons|il a|elle a|ils ont|elles ont) {_MADE}"
        rf",?\s+(?:{_NAME}|(?P<word>(?!{_LINK}\b)[a-zé][\w\-]{{2,}}(?<!ment))"
        r"(?= (?:pour|qui|afin)\b))",
    ),
    # The story of a named town: « l’histoire de la ville de Détroit », « le cas de la
    # commune de Florac ».
    (
        "territoire",
        rf"\b(?:l’histoire|l’expérience|le cas|l’exemple) (?:de la |du |de l’)"
        r"(?:ville|commune|village|territoire|quartier|métropole|région) "
        rf"(?:de |d’|des |du ){_NAME}",
    ),
]
_COMPILED = [(cue, re.compile(pattern)) for cue, pattern in _PATTERNS]
_TRAILING = re.compile(rf"(?:\s+{_LINK})+$")
_ENDS_ON_LINK = re.compile(rf"\s{_LINK}\s*$")
_SENTENCE = re.compile(r"[^.!?]*[.!?]?")
# A body whose president or director the document names is an organisation that speaks
# (« Claude ALPHANDERY, Président d’honneur du Labo de l’ESS »), not an initiative it
# presents: its name alone (cue « nom ») makes no case (search.knowledge.cases).
_OFFICER = re.compile(
    r"\b(?i:président|présidente|directeur|directrice|fondateur|fondatrice|délégué|déléguée)"
    rf"(?: d’honneur| générale?| adjointe?)?\s+(?:du |de la |de l’|de l'|de |d’|d')\s*{_LOOSE_NAME}"
)
# A sentence opens on a capital whatever its first word: a pronoun or a determiner
# (« Elle a pour objectif… », « Cette démarche vise à… ») or a role (« Le Maire a pour
# but… ») names no initiative.
_NOT_A_NAME = re.compile(
    r"(?:(?:Le|La|Les|L’|L')\s?)?"
    r"(?:Ce|Cet|Cette|Ces|Celui|Celle|Ceux|Celles|Cela|Ceci|Il|Elle|Ils|Elles|On|Nous|Vous|"
    r"Tout|Toute|Tous|Chacun|Chacune|Leur|Notre|Votre|Son|Sa|Ses|Un|Une|"
    r"Présidente?|Directeur|Directrice|Maire|Préfète?|Ministre|Déléguée?|Adjointe?|"
    r"Secrétaire|Conseill(?:er|ère)|Chargée?)(?:-ci|-là)?\b"
)
# Headings such as « Une illustration de catalyse territoriale » name no case.
_GENERIC = frozenset({"catalyse territoriale", "dynamique territoriale", "bonne pratique"})


def case_key(name: str) -> str:
    """Folded name without articles and generic type words: aliases meet on one key."""
    words = ["et" if w == "&" else w for w in re.findall(r"[\w&]+", fold(name))]
    drop = {"le", "la", "les", "l", "projet", "scic", "association", "plateforme", "d"}
    return " ".join(w for w in words if w not in drop)


def _clean_name(raw: str) -> str:
    return _TRAILING.sub("", " ".join(raw.split())).strip(" ,:;–-")


def _is_person(name: str) -> bool:
    """« Marie DUPONT », « Paul Martin »: a person a sentence opens on (« Marie DUPONT a
    pour objectif de… ») is no initiative."""
    return bool(re.fullmatch(NAME, name) or re.fullmatch(TITLE_NAME, name))


def _line_end(block: Block, begin: int) -> int:
    """Where a name starting at `begin` must end: its line's end, or the next line's when
    the line ends on a link word (« Quand Élèves et / Entreprises se Rencontrent »), which
    no list item or table cell ends on."""
    end = block.next_line_start(begin)
    if end < len(block.text) and _ENDS_ON_LINK.search(block.text[begin:end]):
        return block.next_line_start(end)
    return end


def _sentence_around(text: str, position: int) -> str:
    """The sentence holding `position`: from the previous sentence end to the next one."""
    before = text.rfind(". ", 0, position)
    start = before + 2 if before >= 0 else 0
    end = text.find(". ", position)
    return text[start : end + 1 if end >= 0 else len(text)].strip()


def officered(text: str) -> set[str]:
    """Keys of the bodies whose officers `text` names (_OFFICER): search.knowledge.cases
    builds no case on their name alone."""
    return {case_key(_clean_name(match.group("plain"))) for match in _OFFICER.finditer(text)}


def _named(block: Block, cue: str, match: re.Match[str]) -> tuple[str, int, int] | None:
    """The name a cue's match gives and the span of its words in the block, or None when
    what it caught names nothing (a pronoun, a role, a person, a generic heading)."""
    group = next(
        g
        for g in ("quoted", "plain", "ptce", "place", "word")
        if g in match.re.groupindex and match.group(g)
    )
    begin, finish = match.start(group), match.end(group)
    # A name never runs onto the next source line, unless guillemets bound it:
    # « Territoires & développements : changeons / d’époque » is one name.
    if group != "quoted":
        finish = min(finish, _line_end(block, begin))
    name = _clean_name(block.text[begin:finish])
    # Guillemets never hold a person's name.
    person = cue == "présentation" and group != "quoted" and _is_person(name)
    if person or _NOT_A_NAME.match(name):
        return None
    finish = begin + len(name)
    if cue == "PTCE" and not name.startswith("PTCE"):
        name = f"PTCE {name}"
    key = case_key(name)
    if len(key) < 4 or key in _GENERIC or len(name.split()) > 9:
        return None
    return name, begin, finish


def extract(items: list[Structured]) -> list[Mention]:
    mentions: list[Mention] = []
    for item in items:
        block = item.block
        if block.kind == "note":
            continue
        for cue, pattern in _COMPILED:
            for match in pattern.finditer(block.text):
                named = _named(block, cue, match)
                if named is None:
                    continue
                name, begin, finish = named
                mentions.append(
                    Mention(
                        name=name,
                        key=case_key(name),
                        text=_sentence_around(block.text, begin),
                        start=block.raw_offset(begin),
                        end=block.raw_offset(finish - 1) + 1,
                        page=block.pages[0],
                        cue=cue,
                    )
                )
    return mentions
