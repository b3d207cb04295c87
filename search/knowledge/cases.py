"""Cases: named initiatives merged across documents, described, and compared.

Mentions with the same key (or one key extending the other: « Tamkeen » and « Tamkeen Li
Tanmia »), or whose proper-name words one contains (« PTCE Les Mureaux », « la ville des
Mureaux en Ile-de-France »), are one case, so a case never comes back as similar to itself
under another document's name. A case's passages are those that name it and say something
of it (not a timetable line, a footnote or a list of names); a case without one is not
built. Its profile (kinds of actors, type of territory, levers) comes from fixed French
vocabularies over those passages, and its place and type of territory from the nearest of
them, so every reason given for a similarity can be checked in the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from ingest.extract.cases import case_key, officered
from ingest.kinds import CONTENT
from ingest.names import NAME, TITLE_NAME
from ingest.normalise import fold
from ingest.store import DocumentRow, PassageRow, Store
from search.knowledge.actors import TYPES, actor_key
from search.knowledge.slugs import distinct_ids, slug_id
from search.snippet import LINKERS, in_prose, says_something, titles_of, untitled

ACTORS = {
    "associations": r"\bassociati(?:on|ons|f|fs|ve|ves)\b",
    "entreprises": r"\b(?:entreprises?|pme|club d.entreprises|secteur prive|prives?)\b",
    "collectivités": (
        r"\b(?:collectivites?|communes?|mairies?|maires?|elus?|villes?|departements?|regions?"
        r"|intercommunalites?)\b"
    ),
    "État": r"\b(?:etat|ministeres?|cget|prefet|ministre)\b",
    # « l'ancienne école » a tiers-lieu moves into is a building, not a research partner;
    # « à la recherche de » is no research either.
    "recherche": r"\b(?:universites?|chercheurs?|laboratoires?|(?<!la )recherche)\b",
    "fondations": r"\bfondations?\b",
    "habitants": r"\b(?:habitants?|citoyens?|usagers?|familles?|parents)\b",
    "financeurs": r"\b(?:banques?|financeurs?|investisseurs?|caisse des depots|afd)\b",
}
# The types of territory a case page takes (issue #12), a closed list so that pages can be
# filtered by it; each with the English term of the issue and of eval/labels/cases_gold.
TERRITORY_TYPES = {
    "urbain ou quartier prioritaire": "urban or priority neighbourhood",
    "périurbain": "peri-urban",
    "rural": "rural",
    "métropole": "metropolis",
    "international": "international",
}
# What says each type, over folded text. Peri-urban is where the town meets farmland
# (« la coopération entre les agriculteurs et la ville »); a metropolis is named as one or
# is one of France's métropoles; international is a named foreign country or continent
# (« concurrence internationale » says nothing of where a case stands).
_CITY = r"(?:villes?|urbaine?s?|agglomerations?)"
_METROPOLES = (
    r"paris|lyon|marseille|toulouse|bordeaux|lille|nantes|strasbourg|montpellier|rennes|"
    r"grenoble|nice|rouen|toulon|brest|metz|nancy|orleans|tours|dijon|clermont-ferrand|"
    r"saint-etienne|aix-marseille"
)
# A metropolis said as one, not named.
_METROPOLIS_WORDS = r"metropoles?|metropolitaine?s?|grandes? villes?"
TERRITORIES = {
    "international": r"\b(?:maroc\w*|afrique|africaine?s?|etats-unis|amerique\w*|canada|"
    r"senegal\w*|tunisi\w*|algeri\w*|mali|liban\w*|burkina\w*|cameroun\w*|madagascar|haiti\w*|"
    r"bresil\w*|inde|chine|japon|allemagne|espagne|italie|belgique|suisse|royaume-uni|quebec\w*|"
    r"vietnam\w*|cambodg\w*|laos|niger|benin|togo|guinee|cote d.ivoire|mauritanie|egypte|"
    r"palestin\w*|colombie|perou|bolivie|chili|argentine|mexique|ukrain\w*|roumanie|pologne|"
    r"portugal|grece|"
    r"(?:cooperation|solidarite|projets?) internationale?s?)\b",
    "périurbain": rf"\b(?:peri-?urba\w*|periphe\w*|couronnes? \w+|rurbain\w*|"
    rf"{_CITY}\b[^.]{{0,80}}\bagricult\w*|agricult\w*[^.]{{0,80}}\b{_CITY})\b",
    "métropole": rf"\b(?:{_METROPOLIS_WORDS}|{_METROPOLES})\b",
    "urbain ou quartier prioritaire": r"\b(?:quartiers?|qpv|politique de la ville|"
    r"politiques? urbaines?|urbaine?s?|banlieues?|zones? urbaines? sensibles?|zus)\b",
    "rural": r"\b(?:rural|rurale|ruraux|rurales|ruralite|faible densite|villages?|"
    r"campagnes?|bourgs?)\b",
}
_URBAN = "urbain ou quartier prioritaire"
_METROPOLIS = "métropole"
_METROPOLIS_SAID = rf"\b(?:{_METROPOLIS_WORDS})\b"
_PRIORITY_AREA = r"\b(?:quartiers? prioritaires?|qpv|politique de la ville)\b"
LEVERS = {
    "financement": r"\b(?:financ\w*|modele economique|investiss\w*)\b",
    "gouvernance": r"\b(?:gouvernance|pilotage|comite)\b",
    "évaluation": r"\b(?:evaluation|evaluer|indicateurs?|impact)\b",
    "formation": r"\b(?:formation|former|competences?|apprendre)\b",
    "numérique": r"\b(?:numerique|digital|plateformes?|data)\b",
    "mise en réseau": r"\b(?:reseaux?|mutualis\w*|mise en relation|rencontres?)\b",
    "tiers de confiance": r"\b(?:tiers de confiance|mediation|neutre)\b",
}
# Which mention best introduces a case, best first.
_CUE_ORDER = [
    "présentation",
    "création",
    "projet",
    "illustration",
    "exemple inspirant",
    "PTCE",
    "SCIC",
    "territoire",
    "initiative",
    "dispositif",
    "nom",
    "exemple",
]
# Places that say nothing of where a case stands in a French corpus.
_NOT_PLACES = frozenset({"france", "europe"})
# A description left once its section titles are taken off must still say something.
MIN_DESCRIPTION = 60


def _profile(text: str, vocabulary: dict[str, str]) -> list[str]:
    folded = fold(text)
    return [name for name, pattern in vocabulary.items() if re.search(pattern, folded)]


def profile(text: str) -> dict[str, list[str]]:
    """Kinds of actors, types of territory and levers a text speaks of."""
    return {
        "actors": _profile(text, ACTORS),
        "territories": _profile(text, TERRITORIES),
        "levers": _profile(text, LEVERS),
    }


def _same_case(a: str, b: str) -> bool:
    """One key extends the other, or both open on the same two words of a name (« agir
    ensemble sur le territoire », « agir ensemble a charenton »), not on a kind and a
    link word (« observatoire des territoires », « observatoire des partenariats »)."""
    first, second = a.split(), b.split()
    shorter, longer = sorted((first, second), key=len)
    return longer[: len(shorter)] == shorter or (
        len(shorter) >= 2 and first[:2] == second[:2] and first[1] not in LINKERS
    )


def territory_types(tiers: list[str], name: str) -> list[str]:
    """Types of territory the nearest texts speaking of one give, most said first.

    `tiers` run from the nearest text (the sentence naming the case) to the farthest (all
    its describing passages): the first that says anything decides, so a talk's other
    examples do not type the case. The case's own name is no evidence (« Helen Keller
    International »)."""
    own = fold(name)
    for text in tiers:
        folded = fold(text).replace(own, " ") if own else fold(text)
        counts = {t: len(re.findall(p, folded)) for t, p in TERRITORIES.items()}
        found = [t for t in TERRITORIES if counts[t]]
        if found:
            # A priority neighbourhood is one whatever city it stands in (« quartier
            # prioritaire » in Nantes is not « métropole » for naming Nantes more often);
            # a metropolis only named, not said (« métropole », « grande ville »), comes
            # after what the text says of the territory (a rural line up to Grenoble).
            stated = bool(re.search(_PRIORITY_AREA, folded))
            named_only = not re.search(_METROPOLIS_SAID, folded)
            return sorted(
                found,
                key=lambda t: (
                    named_only and t == _METROPOLIS,
                    not (stated and t == _URBAN),
                    -counts[t],
                ),
            )
    return []


class _Places:
    """The places spaCy found in each passage (ingest.extract.actors) that the text puts
    after a preposition of place (« à Lyon », « maire de Loos-en-Gohelle », « au Maroc »),
    less what is an organisation: a name spaCy also calls one somewhere (« Villes au
    Carré »), an acronym (« UNADEL »), or a name with an organisation's word (« Pays d’Aix
    Association »). Where a case stands is one of them, never its own name."""

    def __init__(self, store: Store):
        mentions = store.records("actor_mentions")
        self.organisations = organisations = {
            actor_key(m["name"], "organisation") for m in mentions if m["kind"] == "organisation"
        }
        self.in_passage: dict[str, set[str]] = defaultdict(set)
        for mention in mentions:
            name = mention["name"]
            key = actor_key(name, "place")
            if (
                mention["kind"] == "place"
                and key not in organisations
                and key not in _NOT_PLACES
                and not re.fullmatch(r"[A-Z0-9&\- ]{2,}", name)
                and not any(re.search(pattern, fold(name)) for pattern in TYPES.values())
            ):
                self.in_passage[mention["passage_id"]].add(name)
        self.every = set().union(*self.in_passage.values())

    def _in_name(self, name: str) -> str | None:
        """The place a name puts after a preposition of place (« … en Poitou-Charentes »,
        « … d’Alsace »), among the places the documents name, the longest first."""
        found = [p for p in self.every if located(name, p) > 0]
        return max(found, key=len) if found else None

    def named(self, passage_ids: list[str]) -> set[str]:
        return {p for pid in passage_ids for p in self.in_passage[pid]}

    def first(self, tiers: list[str], name: str, passage_ids: list[str]) -> str | None:
        """The place named first in the nearest tier that names one, other than the case."""
        known = self.named(passage_ids)
        own = actor_key(name, "place")
        # « Silver Geek en Poitou-Charentes », « Labo régional des partenariats d’Alsace »
        # stand where their names say, when the documents know that place; « Villes au
        # Carré » says nothing « au Carré ». Elsewhere in a name, a place is a piece of it:
        # « en Seine Aval » does not stand « en Seine ».
        if in_name := self._in_name(name):
            return in_name
        for text in tiers:
            found = [
                (position, place)
                for place in known
                if actor_key(place, "place") != own
                and (position := located(text, place, name)) >= 0
            ]
            if found:
                return min(found, key=lambda f: (f[0], -len(f[1])))[1]
        return None


_LOCATIVE = r"(?:\b(?i:à|au|aux|en|de|du|des|d[’']|dans|sur|vers)\s*(?:la |le |les |l[’'])?|\()"


def _placed_at(text: str, name: str) -> bool:
    """Whether the text puts the case's own name where something happens (« Par exemple
    en Seine Aval le catalyseur… »): a case named as a territory stands there, though
    spaCy tags only a piece of it (« Seine »). Only « à », « en », « au », « aux »,
    « dans »: « de » also brings a programme's name (« le programme de … »)."""
    return bool(re.search(rf"\b(?i:à|en|au|aux|dans)\s+{re.escape(name)}(?![\w-])", text))


def located(text: str, place: str, name: str = "") -> int:
    """Where the text puts `place` after a preposition of place, not as a piece of `name`
    (« Seine » of « en Seine Aval »), or -1. A place longer than the name's piece of it
    (« du Grand Roissy - Le Bourget » for « Emploi du Grand Roissy ») is no piece of it."""
    inside = [m.span() for m in re.finditer(re.escape(name), text)] if name else []
    for match in re.finditer(rf"{_LOCATIVE}{re.escape(place)}(?![\w-])", text):
        begin = match.end() - len(place)
        if not any(start <= begin and match.end() <= end for start, end in inside):
            return match.start()
    return -1


@dataclass
class Case:
    id: str
    name: str
    key: str
    place: str | None
    actors: list[str]
    territories: list[str]
    levers: list[str]
    description: str
    mention_ids: list[str]
    passage_ids: list[str]
    documents: int

    @property
    def territory_type(self) -> str | None:
        """The one type of territory every view shows and compares (page, list, reasons of
        similar cases): the type its nearest passages say most, or an editor's."""
        return self.territories[0] if self.territories else None

    @classmethod
    def from_row(cls, row: dict) -> Case:
        values = dict(row)
        for field in ("actors", "territories", "levers", "mention_ids", "passage_ids"):
            values[field] = json.loads(values[field])
        return cls(**values)


_WORDS = re.compile(r"\w+")


def build_cases(store: Store) -> list[dict]:
    """Merge mentions into cases; rows for the store's `cases` table.

    A case stands on passages that describe it: a timetable line, a footnote or a list of
    names (« • Loos-en-Gohelle » among filmed interviews) names a case without saying
    anything of it, so a group of mentions with no describing passage is no case."""
    # A guest's introduction describes their project as much as their talk does.
    every = store.passages()
    passages = {p.id: p for p in every if p.kind in (CONTENT, "intro")}
    folded = _FoldedPassages(passages)
    places = _Places(store)
    # Officers are named in lists of participants as well as in running text.
    bodies = set().union(*(officered(p.text) for p in every))
    documents = store.documents()
    articles = [d for d in documents if d.kind == "article" and d.title]
    rows = []
    for group in _merge_same_initiative(_groups(store.records("mentions"))):
        if _only_named_body(group, bodies):
            continue
        names = Counter(m["name"] for m in group)
        best = sorted(group, key=lambda m: (_CUE_ORDER.index(m["cue"]), -len(m["text"])))
        # Most written first; then the name the best cue gives (« PTCE Les Mureaux » over
        # « Mureaux en Ile-de-France »).
        name = max(
            names, key=lambda n: (names[n], -min(best.index(m) for m in group if m["name"] == n))
        )
        spellings = {fold(m["name"]) for m in group if len(m["name"]) >= 6} | {fold(name)}
        case_passages = [
            p for p in _passages_naming(group, passages, folded) if _describes(p.text, spellings)
        ]
        if not case_passages:
            continue
        case_passages += _titled_after(articles, spellings, passages, case_passages)
        own = {p.id for p in case_passages}
        described_by = sorted(
            (m for m in best if m["passage_id"] in own),
            key=lambda m: _as_told(m, passages[m["passage_id"]], spellings),
        )
        introducing = [
            text
            for m in described_by
            for text in _with_introduction(passages, passages[m["passage_id"]])
        ]
        # A moderator's question naming the case does not describe it; what a host says
        # to a guest does only when the report says nothing else of it.
        told = [m for m in described_by if says_something(m["text"], 60)]
        plain = [m for m in told if not _hosted(m, passages[m["passage_id"]])]
        description = _clipped(
            _untitled(
                next((m["text"] for m in plain), None)
                or _description(introducing + [p.text for p in case_passages], spellings)
                or next((m["text"] for m in told), ""),
                case_passages,
            )
        )
        # Nearest first: the sentences naming the case, the passages introducing it, then
        # every passage describing it.
        tiers = [
            " ".join(m["text"] for m in described_by),
            " ".join(introducing),
            " ".join(p.text for p in case_passages),
        ]
        pids = [p.id for p in case_passages]
        # A case that is a town (« À Loos-en-Gohelle, … ») stands where it is; « le PTCE
        # Les Mureaux » is not a town.
        is_town = not re.search(_TYPE_WORDS, fold(name)) and (
            any(located(tiers[-1], p) >= 0 for p in places.named(pids) if fold(p) == fold(name))
            or _placed_at(tiers[-1], name)
        )
        described = profile(" ".join(introducing) or tiers[-1])
        key = group[0]["key"]
        rows.append(
            {
                "id": slug_id("case", key),
                "name": name,
                "key": key,
                "place": name if is_town else places.first(tiers[:2], name, pids),
                "actors": json.dumps(described["actors"], ensure_ascii=False),
                "territories": json.dumps(
                    territory_types(tiers, "" if is_town else name), ensure_ascii=False
                ),
                "levers": json.dumps(described["levers"], ensure_ascii=False),
                "description": description,
                "mention_ids": json.dumps([m["id"] for m in group]),
                "passage_ids": json.dumps(pids),
                "documents": len({p.document_id for p in case_passages}),
            }
        )
    return distinct_ids(rows + _case_studies(documents, passages, places, rows))


def _titled_after(
    articles: list[DocumentRow],
    spellings: set[str],
    passages: dict[str, PassageRow],
    found: list[PassageRow],
) -> list[PassageRow]:
    """The content passages of an article titled by the case (« À Villeneuve-la-Garenne,
    une régie de quartier relance l'emploi des jeunes ») that do not name it: the article
    tells that one case throughout, its partners, results and difficulties."""
    titled = {d.id for d in articles if any(name in fold(d.title) for name in spellings)}
    have = {p.id for p in found}
    return sorted(
        (
            p
            for p in passages.values()
            if p.document_id in titled and p.kind == CONTENT and p.id not in have
        ),
        key=lambda p: p.ordinal,
    )


def _only_named_body(group: list[dict], bodies: set[str]) -> bool:
    """Whether the group's only cue is a name carrying its kind (« le Labo de l’ESS ») and
    the documents name the body's officers: an organisation that speaks, not a case."""
    return all(m["cue"] == "nom" for m in group) and any(
        _same_case(group[0]["key"], body) for body in bodies
    )


def _groups(mentions: list[dict]) -> list[list[dict]]:
    """Mentions whose keys are one case's (_same_case), shortest key first in each group."""
    groups: list[list[dict]] = []
    # Two keys of one case share their first word (_same_case): only those groups are
    # compared, in the order they were made, instead of every group for every mention.
    by_first_word: dict[str, list[list[dict]]] = {}
    for mention in sorted(mentions, key=lambda m: len(m["key"])):
        words = mention["key"].split()
        candidates = by_first_word.get(words[0], []) if words else groups
        home = next((g for g in candidates if _same_case(g[0]["key"], mention["key"])), None)
        if home is None:
            groups.append([mention])
            by_first_word.setdefault(words[0] if words else "", []).append(groups[-1])
        else:
            home.append(mention)
    return groups


_TYPE_WORDS = r"\b(?:ptce|scic|projet|association|plateforme|dispositif|programme|mooc|gip)\b"
# Words that say what kind of thing a case is, or link its name's words: « PTCE Les
# Mureaux » and « la ville des Mureaux en Ile-de-France » both come down to « mureaux ».
_GENERIC_WORDS = frozenset(
    "ptce scic projet association plateforme dispositif programme ville villes commune "
    "village territoire le la les l d de des du en et au aux a sur pour".split()
)


def _core(mentions: list[dict]) -> tuple[str, ...]:
    """The proper-name words of a group's shortest name (capitalised in the text), without
    generic words; empty when any other word remains (« développement local » is not a
    place-initiative's name)."""
    name = min((m["name"] for m in mentions), key=len)
    words = re.findall(r"[\w’']+", name)
    kept = [
        w
        for w in words
        if fold(w) not in _GENERIC_WORDS and fold(w).strip("’'") not in _GENERIC_WORDS
    ]
    if not kept or not all(w[:1].isupper() or w[:1].isdigit() for w in kept):
        return ()
    return tuple(fold(w) for w in kept)


def _merge_same_initiative(groups: list[list[dict]]) -> list[list[dict]]:
    """Groups whose proper-name words are contained in another's merge into it: two
    mentions naming the same place-initiative under different names."""
    cores = [_core(g) for g in groups]
    words = [tuple(re.findall(r"\w+", " ".join(fold(m["name"]) for m in g))) for g in groups]
    holding: dict[str, list[int]] = defaultdict(list)
    for index, group_words in enumerate(words):
        for word in set(group_words):
            holding[word].append(index)
    home = list(range(len(groups)))
    for index, core in enumerate(cores):
        if not core or len("".join(core)) < 5:
            continue
        for other in holding[core[0]]:
            if (
                other != index
                and home[other] == other
                and _contains(words[other], core)
                and len(words[other]) > len(core)
            ):
                home[index] = other
                break
    merged: dict[int, list[dict]] = {}
    for index, group in enumerate(groups):
        root = index
        while home[root] != root:
            root = home[root]
        merged.setdefault(root, []).extend(group)
    return list(merged.values())


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


# A unit of a passage: a sentence, a line that ends without one (a heading), or one item
# of a list.
# Right after a full stop: not a title's (« les propos de Mme. Giraud »).
_NOT_A_TITLE = r"(?<!\bMme\.)(?<!\bMlle\.)(?<!\bMM\.)(?<!\bM\.)(?<!\bDr\.)(?<!\bSt\.)"
_UNITS = re.compile(
    rf"(?<=[.!?]){_NOT_A_TITLE}\s+|\n\s*(?=[-–—•▪◦●■➢➤►*]\s)|(?<=[^.!?,;\w’'\s)»])\s*\n"
)
_MARKER = re.compile(r"^\s*(?:[-–—•▪◦●■➢➤►*]\s+|\d{1,2}[.)]\s+)")
_TIMETABLE = re.compile(r"^\s*\d{1,2}\s?h(?:\s?\d{2})?\b")
_BRACKETS = re.compile(r"\([^()]*\)")
_AFTER_A_PERSON = re.compile(
    rf"\b(?:{NAME}|{TITLE_NAME}),\s+(?:de |du |de la |de l’|d’|d')[^,.;()]+"
)


# A host speaking to a guest: « Vous avez aussi piloté l'axe … de la « France 2020 » ».
_ADDRESSED = re.compile(r"\b(?:vous|votre|vos)\b", re.I)
# How many words may stand before the case's name in a sentence that is about it.
SUBJECT_WORDS = 6


def _hosted(mention: dict, passage: PassageRow) -> bool:
    """Whether a host says it, introducing a guest or speaking to them."""
    return passage.kind == "intro" or bool(_ADDRESSED.search(mention["text"]))


def _as_told(mention: dict, passage: PassageRow, spellings: set[str]) -> tuple[bool, bool]:
    """The order in which a case's sentences describe it best: the report's own words
    before a host's introduction of a guest or words addressed to them (« Vous avez
    aussi piloté… »), and a sentence whose subject is the case (« La Clinton Global
    Initiative a formulé… ») before one that names it in passing, late in a long sentence,
    or announces a list.
    Sorting is stable: the cue order and length decide the rest."""
    text = mention["text"]
    folded = fold(text)
    at = min((i for s in spellings if (i := folded.find(s)) >= 0), default=len(folded))
    late = len(folded[:at].split()) > SUBJECT_WORDS
    # « … s'articulait autour de deux aspects : » announces what it does not say.
    announces = text.rstrip().endswith(":")
    return _hosted(mention, passage), late or announces


def _says_something(unit: str, spellings: set[str]) -> bool:
    """At least four words the text writes in lower case besides the case's name: a list
    of names (« Observatoire des territoires, Carrefour des Innovations Sociales, … ») or
    a list item (« • Loos-en-Gohelle ») has fewer; a timetable line never counts."""
    return not _TIMETABLE.match(unit) and in_prose(unit, spellings)


def _describes(text: str, spellings: set[str]) -> bool:
    """Whether `text` says something of the case it names: the unit naming it does, or,
    when that unit is a heading (« Exemple de RONALPIA : »), the sentence after it."""
    units = [u for u in _UNITS.split(text) if u.strip()]
    for index, unit in enumerate(units):
        # Who someone works for is not the case the unit speaks of (_unattributed).
        if not any(s in fold(_unattributed(unit)) for s in spellings):
            continue
        if _says_something(_MARKER.sub("", unit), spellings):
            return True
        following = units[index + 1] if index + 1 < len(units) else ""
        heading = not _MARKER.match(unit) and not unit.rstrip().endswith((".", "!", "?"))
        if heading and not _MARKER.match(following) and _says_something(following, spellings):
            return True
    return False


def _unattributed(unit: str) -> str:
    """A unit without what says who a person works for: a name in brackets, nested or not
    (« Odile Salomon (Vice-Présidente de Pays d'Aix Associations (PAA), porteur du projet
    « Envies d'Alliances ») »), or in apposition after the person (« Cécile Dublanche, de
    Villes au Carré, et… »): a workshop's credits name organisations, not the case."""
    unit = _AFTER_A_PERSON.sub(" ", unit)
    while (stripped := _BRACKETS.sub(" ", unit)) != unit:
        unit = stripped
    return unit


def _description(texts: list[str], spellings: set[str]) -> str:
    """The first unit of `texts` that says something of the case (with the sentence after
    it when it is a heading: « Exemple de RONALPIA : »); words addressed to a guest
    (« Vous avez aussi piloté… ») only when no other unit does."""
    for addressed in (False, True):
        for text in texts:
            units = [u for u in _UNITS.split(text) if u.strip()]
            for index, unit in enumerate(units):
                said = " ".join(_MARKER.sub("", u).strip() for u in units[index : index + 2])
                if (
                    _describes(" ".join(units[index : index + 2]), spellings)
                    and any(s in fold(unit) for s in spellings)
                    and (addressed or not _ADDRESSED.search(said))
                ):
                    return " ".join(said.split())
    return ""


def _decimal(value: float) -> str:
    """« 0,44 »: a reason is read in French."""
    return f"{value:.2f}".replace(".", ",")


def _adding_up(total: float, parts: tuple[float, ...]) -> list[str]:
    """The total and its parts at two decimals, the parts adding up to the total as read
    (« 0,33 : 0,29 + 0,05 » read as a mistake): the largest part takes the rounding."""
    shown = [round(part, 2) for part in parts]
    largest = max(range(len(parts)), key=lambda i: parts[i])
    shown[largest] = round(shown[largest] + round(total, 2) - sum(shown), 2)
    return [_decimal(value) for value in (total, *shown)]


def _untitled(text: str, passages: list[PassageRow]) -> str:
    """A description without the section titles it opens on (« 2 – Les spécificités de
    la valorisation… L'illustration d'« Envies d'Alliances » Fin 2016, ce projet… »)."""
    return untitled(
        text, {t for p in passages for t in titles_of(p.section, p.text)}, MIN_DESCRIPTION
    )


_SENTENCE_STOP = re.compile(rf"\.{_NOT_A_TITLE}\s")


def _clipped(text: str, limit: int = 300) -> str:
    """A description of at most `limit` characters: whole sentences, else whole words and
    « … » (« …et en milie » was cut inside a word)."""
    if len(text) <= limit:
        return text
    stops = [m.start() for m in _SENTENCE_STOP.finditer(text, 0, limit + 1)]
    return text[: stops[-1] + 1] if stops else text[: limit - 1].rsplit(" ", 1)[0] + "…"


_CASE_STUDY_FORM = (
    r"(?:étude de cas|fiche (?:cas|projet|initiative)|case study|retour d['’]expérience)"
)
# A case study's title says what it is around the name: « Étude de cas : X », « X : une
# étude de cas », « X (retour d'expérience) ».
_CASE_STUDY_WORDS = re.compile(
    rf"^{_CASE_STUDY_FORM}\s*[:–—-]\s*"
    rf"|\s*(?:[:–—-]\s*(?:une?\s+)?{_CASE_STUDY_FORM}|\((?:une?\s+)?{_CASE_STUDY_FORM}\))\s*$",
    re.I,
)


# « La Grange partagée de Saint-Affrique : un tiers-lieu rural entre association et
# commune »: the name, then what it is.
_SUBTITLE = re.compile(r"\s+[:–—]\s+")
# « Cycl'Aven, un atelier vélo participatif à Quimperlé »: the name, then what it is.
_APPOSITION = re.compile(r",\s+(?=(?:un|une)\s)")


def _case_study_name(title: str) -> str:
    """A case study's name: its title without the words saying it is a case study, nor
    the subtitle saying what the case is: after « : », when a name of two words or more
    stands before (« Bilan : … » names nothing); after « , un(e) … », a capitalised name."""
    title = _CASE_STUDY_WORDS.sub("", title).strip() or title
    head = _SUBTITLE.split(title, maxsplit=1)[0]
    if head != title and len(head.split()) >= 2:
        return head
    head = _APPOSITION.split(title, maxsplit=1)[0]
    return head if head != title and head[:1].isupper() else title


def _case_studies(
    documents: list[DocumentRow],
    passages: dict[str, PassageRow],
    places: _Places,
    found: list[dict],
) -> list[dict]:
    """Every document of kind `case_study` is a case of its own: an editor uploads one case
    study to document one initiative, named by its title. Every passage of it is the
    case's, those that do not repeat its name too (« Résultats », « Ce qui a marché »):
    a case its sentences already make (« La Grange Partagée est un tiers-lieu créé en
    2019… ») stands on all of them."""
    rows = []
    known = {row["key"] for row in found}
    for document in documents:
        if document.kind != "case_study":
            continue
        name = _case_study_name(document.title)
        key = case_key(name)
        own = [p for p in passages.values() if p.document_id == document.id]
        made = next((row for row in found if _same_case(key, row["key"])), None)
        if made is not None:
            ids = json.loads(made["passage_ids"])
            ids += [p.id for p in own if p.id not in ids]
            made["passage_ids"] = json.dumps(ids)
            made["documents"] = len({passages[i].document_id for i in ids})
            if made["name"] in name:  # « La Boucle », as its study writes it, not « Boucle »
                made["name"] = name
        if not own or any(_same_case(key, other) for other in known):
            continue
        text = " ".join(p.text for p in own)
        described = profile(text)
        # Its first passage, from its first sentence: the document's and the section's
        # titles (« La Régie… », « Contexte ») are no description.
        first = untitled(own[0].text, titles_of(own[0].section, own[0].text), MIN_DESCRIPTION)
        rows.append(
            {
                "id": slug_id("case", key),
                "name": name,
                "key": key,
                "place": document.place or places.first([text], name, [p.id for p in own]),
                "actors": json.dumps(described["actors"], ensure_ascii=False),
                "territories": json.dumps(territory_types([text], name), ensure_ascii=False),
                "levers": json.dumps(described["levers"], ensure_ascii=False),
                "description": _clipped(first),
                "mention_ids": json.dumps([]),
                "passage_ids": json.dumps([p.id for p in own]),
                "documents": 1,
            }
        )
        known.add(key)
    return rows


def _with_introduction(passages: dict[str, PassageRow], passage: PassageRow) -> list[str]:
    """A passage's text, after the guest's introduction just before it, if there is one:
    « X, vous êtes fondateur … au Maroc » says where the project the answer names stands."""
    before = passages.get(f"{passage.document_id}:{passage.ordinal - 1}")
    if before is not None and before.kind == "intro" and before.section == passage.section:
        return [before.text, passage.text]
    return [passage.text]


class _FoldedPassages:
    """Each passage's folded text, and which passages hold each folded word.

    Finding the passages that name a case used to read every passage for every case: 28 s
    a write at 1,000 documents. A passage that names « ville au carre » holds its words, so
    only the passages holding its rarest word are read.
    """

    def __init__(self, passages: dict[str, PassageRow]):
        self.text = {pid: fold(p.text) for pid, p in passages.items()}
        self._holding: dict[str, set[str]] = defaultdict(set)
        for pid, text in self.text.items():
            for word in set(_WORDS.findall(text)):
                self._holding[word].add(pid)

    def naming(self, name: str) -> set[str]:
        """Ids of the passages whose folded text contains `name` (folded).

        A word inside the name is a whole word of the passage; the last may be the start of
        a longer one (« alliance » is in « alliances »), the first starts one (« compagnons »
        is not in « accompagnons »): without an inner word, the passages holding any word
        that contains the name's longest word are read.
        """
        words = _WORDS.findall(name)
        if not words:
            return set()
        inner = words[1:-1]
        if inner:
            holders = min((self._holding.get(w, set()) for w in inner), key=len)
        else:
            longest = max(words, key=len)
            holders = set().union(*(self._holding[w] for w in self._holding if longest in w))
        starts = re.compile(rf"(?<!\w){re.escape(name)}")
        return {pid for pid in holders if starts.search(self.text[pid])}


def _passages_naming(
    group: list[dict], passages: dict[str, PassageRow], folded: _FoldedPassages
) -> list[PassageRow]:
    """The passages that introduce the case first, then every other passage naming it."""
    introducing = list(dict.fromkeys(m["passage_id"] for m in group if m["passage_id"] in passages))
    names = {fold(m["name"]) for m in group if len(m["name"]) >= 6}
    found = set().union(*(folded.naming(name) for name in names)) - set(introducing)
    naming = sorted((passages[pid] for pid in found), key=lambda p: (p.document_id, p.ordinal))
    return [passages[pid] for pid in introducing] + naming


@dataclass
class SimilarCase:
    case: Case
    score: float  # in [0, 1]
    reasons: list[str]
    # The case's own passage that search matched, quoted in the reasons; None for a case an
    # editor wrote, matched on its page's text (search.knowledge.index).
    passage: PassageRow | None


# The search score (a z-score) at which a case's passage counts as half relevant.
HALF_RELEVANT_Z = 2.0
TRAIT_SHARE = 0.2  # of the score: shared territory, levers and actors
CASE_SHARE = 0.2  # of the score: the description's closeness to the case as a whole


def similar_cases(
    cases: list[Case],
    matches: dict[str, tuple[float, PassageRow | None]],
    closeness: dict[str, float],
    target_profile: dict[str, list[str]],
    exclude_key: str | None,
    k: int,
) -> list[SimilarCase]:
    """Cases ranked by their passage that search matched best with the description
    (`matches`: case id → (fused score, passage)), each with reasons a person can check.

    Ranking by a case's best passage, rather than by the mean of its passages' vectors,
    keeps the cases that many passages name from coming back for every description
    (docs/EVALUATION.md). The score lies in [0, 1] and is the sum of three parts the
    reasons state: the passage's search score through a logistic curve (0.5 at
    HALF_RELEVANT_Z), the closeness of the description to the mean vector of the case's
    passages (`closeness`, a z-score over the cases, through the same curve: two cases
    one passage names no longer tie), and
    the share of the description's traits the case has."""
    found = []
    for case in cases:
        if exclude_key is not None and _same_case(case.key, exclude_key):
            continue
        if case.id not in matches:
            continue
        fused, passage = matches[case.id]
        shared = {
            field: [v for v in getattr(case, field) if v in target_profile[field]]
            for field in ("levers", "actors")
        }
        # One type of territory, the page's: a case typed « international » is not « the
        # same type of territory: métropole » because one of its passages names Lyon.
        shared["territories"] = [
            t for t in [case.territory_type] if t and t in target_profile["territories"]
        ]
        trait_share = _trait_share(shared, target_profile)
        relevance = _logistic(fused - HALF_RELEVANT_Z)
        close = _logistic(closeness[case.id]) if case.id in closeness else 0.0
        parts = (
            (1 - TRAIT_SHARE - CASE_SHARE) * relevance,
            CASE_SHARE * close,
            TRAIT_SHARE * trait_share,
        )
        score = round(sum(parts), 4)
        reasons = [
            *_reasons(shared, passage, case.description),
            "score {} : extrait le plus proche {} + cas dans son ensemble {} "
            "+ traits en commun {}".format(*_adding_up(score, parts)),
        ]
        found.append(SimilarCase(case, score, reasons, passage))
    found.sort(key=lambda s: -s.score)
    return _one_per_evidence(found)[:k]


# Of the traits a description states, the type of territory weighs this much when it
# states one: where a case stands is what an editor compares first (a decentralised
# cooperation with Senegal is closest to the Moroccan case, whatever their actors).
TERRITORY_TRAIT = 0.5


def _trait_share(shared: dict[str, list[str]], asked: dict[str, list[str]]) -> float:
    """The share of the description's traits (territory, levers, kinds of actors) that a
    case has; the territory weighs TERRITORY_TRAIT when the description states one."""
    others = [f for f in shared if f != "territories"]
    wanted = sum(len(asked[f]) for f in others)
    rest = sum(len(shared[f]) for f in others) / wanted if wanted else 0.0
    if not asked["territories"]:
        return rest
    territory = 1.0 if shared["territories"] else 0.0
    return TERRITORY_TRAIT * territory + (1 - TERRITORY_TRAIT) * rest


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + float(np.exp(-z)))


def _one_per_evidence(found: list[SimilarCase]) -> list[SimilarCase]:
    """One case per set of passages: a passage describing two nested initiatives (« Agir
    Ensemble sur le Territoire » and the programme at its core) is one precedent, and
    the second case, standing on exactly the same passages, would quote it again."""
    seen: set[frozenset[str]] = set()
    kept = []
    for similar in found:
        evidence = frozenset(similar.case.passage_ids)
        if evidence not in seen:
            seen.add(evidence)
            kept.append(similar)
    return kept


def _reasons(
    shared: dict[str, list[str]], passage: PassageRow | None, description: str
) -> list[str]:
    """Specific reasons first: the same kind of territory, the same levers, the same kinds
    of actors, then the passage that matched, quoted (an editor's case: its description)."""
    reasons = []
    if shared["territories"]:
        reasons.append(f"même type de territoire : {', '.join(shared['territories'])}")
    if shared["levers"]:
        reasons.append(f"mêmes leviers : {', '.join(shared['levers'])}")
    # Every shared trait counts in the score, so every one is said: one kind of actor too.
    if len(shared["actors"]) >= 2:
        reasons.append(f"même alliance d'acteurs : {', '.join(shared['actors'])}")
    elif shared["actors"]:
        reasons.append(f"même type d'acteurs : {shared['actors'][0]}")
    if passage is None:
        reasons.append(f"fiche rédigée par un éditeur : « {excerpt(description)} »")
    else:
        reasons.append(
            f"passage le plus proche (p. {passage.page_start}) : « {excerpt(passage.text)} »"
        )
    return reasons


def excerpt(text: str, limit: int = 160) -> str:
    """A text on one line, cut at a word before `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + " […]"
