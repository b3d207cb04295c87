"""Cases: named initiatives merged across documents, described, and compared.

Mentions with the same key (or one key extending the other: « Tamkeen » and « Tamkeen Li
Tanmia ») are one case, so a case never comes back as similar to itself under another
document's name. A case's passages are those that name it. Its profile (kinds of actors,
type of territory, levers) comes from fixed French vocabularies over those passages, so
every reason given for a similarity can be checked in the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from ingest.extract.cases import case_key
from ingest.kinds import CONTENT
from ingest.normalise import fold
from ingest.store import PassageRow, Store
from search.knowledge.slugs import distinct_ids, slug_id

ACTORS = {
    "associations": r"\bassociati(?:on|ons|f|fs|ve|ves)\b",
    "entreprises": r"\b(?:entreprises?|pme|club d.entreprises|secteur prive|prives?)\b",
    "collectivités": (
        r"\b(?:collectivites?|communes?|mairies?|maires?|elus?|villes?|departements?|regions?"
        r"|intercommunalites?)\b"
    ),
    "État": r"\b(?:etat|ministeres?|cget|prefet|ministre)\b",
    "recherche": r"\b(?:universites?|chercheurs?|laboratoires?|recherche|ecoles?|lycees?)\b",
    "fondations": r"\bfondations?\b",
    "habitants": r"\b(?:habitants?|citoyens?|usagers?|familles?|parents)\b",
    "financeurs": r"\b(?:banques?|financeurs?|investisseurs?|caisse des depots|afd)\b",
}
TERRITORIES = {
    "rural": r"\b(?:rural|rurale|ruraux|ruralite|faible densite|village)\b",
    "quartiers": r"\b(?:quartiers?|qpv|politique de la ville)\b",
    "urbain": r"\b(?:metropoles?|urbain|urbaine|agglomeration)\b",
    "villes moyennes": r"\bvilles? (?:moyennes?|petites?)\b",
    "international": r"\b(?:international|maroc|europe|europeen|afrique)\b",
}
LEVERS = {
    "financement": r"\b(?:financ\w*|modele economique|investiss\w*)\b",
    "gouvernance": r"\b(?:gouvernance|pilotage|comite)\b",
    "évaluation": r"\b(?:evaluation|evaluer|indicateurs?|impact)\b",
    "formation": r"\b(?:formation|former|competences?|apprendre)\b",
    "numérique": r"\b(?:numerique|digital|plateformes?|data)\b",
    "mise en réseau": r"\b(?:reseaux?|mutualis\w*|mise en relation|rencontres?)\b",
    "tiers de confiance": r"\b(?:tiers de confiance|mediation|neutre)\b",
}
_PLACE = re.compile(
    r"(?P<before>\S+)\s+(?:à|au|en|de la ville (?:de|des)|métropole d’)\s*"
    r"(?P<place>[A-ZÉ][\w’\-]+(?:[ -][A-ZÉ][\w’\-]+)*)"
)
# Which mention best introduces a case, best first.
_CUE_ORDER = [
    "présentation",
    "projet",
    "illustration",
    "exemple inspirant",
    "PTCE",
    "SCIC",
    "territoire",
    "initiative",
    "dispositif",
    "exemple",
]
_NOT_PLACES = frozenset({"France", "Les", "La", "Le", "En", "A", "Au", "Cette", "Il", "Elle"})


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
    first, second = a.split(), b.split()
    shorter, longer = sorted((first, second), key=len)
    return longer[: len(shorter)] == shorter or (len(shorter) >= 2 and first[:2] == second[:2])


def _place(texts: list[str], name: str) -> str | None:
    """First « à / au / en Place » whose preposition follows a lower-case word."""
    if re.fullmatch(r"[A-ZÉ][\w’]+(?:-[\w’]+){1,4}", name):
        return name  # the case is a town: « À Loos-en-Gohelle, … »
    for text in texts:
        for match in _PLACE.finditer(text):
            place = match.group("place")
            if match.group("before")[:1].isupper() or place.split()[0] in _NOT_PLACES:
                continue
            if place not in name:
                return place
    return None


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

    @classmethod
    def from_row(cls, row: dict) -> Case:
        values = dict(row)
        for field in ("actors", "territories", "levers", "mention_ids", "passage_ids"):
            values[field] = json.loads(values[field])
        return cls(**values)


_WORDS = re.compile(r"\w+")


def build_cases(store: Store) -> list[dict]:
    """Merge mentions into cases; rows for the store's `cases` table."""
    mentions = store.records("mentions")
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
    # A guest's introduction describes their project as much as their talk does.
    passages = {p.id: p for p in store.passages() if p.kind in (CONTENT, "intro")}
    folded = _FoldedPassages(passages)
    rows = []
    for group in groups:
        names = Counter(m["name"] for m in group)
        name = max(names, key=lambda n: (names[n], len(n)))
        case_passages = _passages_naming(group, passages, folded)
        introducing = [
            text
            for m in group
            if m["passage_id"] in passages
            for text in _with_introduction(passages, passages[m["passage_id"]])
        ]
        best = sorted(group, key=lambda m: (_CUE_ORDER.index(m["cue"]), -len(m["text"])))
        description = next((m["text"] for m in best if len(m["text"]) > 60), None) or (
            _following_sentences(name, introducing) or best[0]["text"]
        )
        described = profile(" ".join(introducing))
        key = group[0]["key"]
        rows.append(
            {
                "id": slug_id("case", key),
                "name": name,
                "key": key,
                "place": _place([m["text"] for m in best], name),
                "actors": json.dumps(described["actors"], ensure_ascii=False),
                "territories": json.dumps(described["territories"], ensure_ascii=False),
                "levers": json.dumps(described["levers"], ensure_ascii=False),
                "description": description,
                "mention_ids": json.dumps([m["id"] for m in group]),
                "passage_ids": json.dumps([p.id for p in case_passages]),
                "documents": len({p.document_id for p in case_passages}),
            }
        )
    return distinct_ids(rows + _case_studies(store, passages, {row["key"] for row in rows}))


_CASE_STUDY_PREFIX = re.compile(
    r"^(?:étude de cas|fiche (?:cas|projet|initiative)|case study|retour d['’]expérience)"
    r"\s*[:–—-]\s*",
    re.I,
)


def _case_studies(store: Store, passages: dict[str, PassageRow], known: set[str]) -> list[dict]:
    """Every document of kind `case_study` is a case of its own: an editor uploads one case
    study to document one initiative, named by its title."""
    rows = []
    for document in store.documents():
        if document.kind != "case_study":
            continue
        name = _CASE_STUDY_PREFIX.sub("", document.title).strip() or document.title
        key = case_key(name)
        own = [p for p in passages.values() if p.document_id == document.id]
        if not own or any(_same_case(key, other) for other in known):
            continue
        text = " ".join(p.text for p in own)
        described = profile(text)
        first = own[0].text
        rows.append(
            {
                "id": slug_id("case", key),
                "name": name,
                "key": key,
                "place": document.place or _place([text], name),
                "actors": json.dumps(described["actors"], ensure_ascii=False),
                "territories": json.dumps(described["territories"], ensure_ascii=False),
                "levers": json.dumps(described["levers"], ensure_ascii=False),
                "description": first if len(first) <= 300 else first[:297].rsplit(" ", 1)[0] + "…",
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


def _following_sentences(name: str, texts: list[str], limit: int = 300) -> str | None:
    """What a passage says right after naming the case (under « Exemple de X » headings)."""
    for text in texts:
        position = text.find(name)
        if position < 0:
            continue
        rest = text[position + len(name) :].lstrip(" :»\n")
        cut = rest.rfind(". ", 0, limit)
        return rest[: cut + 1] if cut > 0 else rest[:limit]
    return None


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

        A word inside the name is a whole word of the passage; the first and last may be
        parts of longer ones (« alliance » is in « alliances »): without an inner word, the
        passages holding any word that contains the name's longest word are read.
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
        return {pid for pid in holders if name in self.text[pid]}


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


# The search score (a z-score) at which a case's passage counts as half relevant.
HALF_RELEVANT_Z = 2.0
TRAIT_SHARE = 0.2  # of the score: shared territory, levers and actors


def similar_cases(
    cases: list[Case],
    matches: dict[str, tuple[float, PassageRow]],
    target_profile: dict[str, list[str]],
    exclude_key: str | None,
    k: int,
) -> list[SimilarCase]:
    """Cases ranked by their passage that search matched best with the description
    (`matches`: case id → (fused score, passage)), each with reasons a person can check.

    Ranking by a case's best passage, rather than by the mean of its passages' vectors,
    keeps the cases that many passages name from coming back for every description
    (docs/EVALUATION.md). The score lies in [0, 1]: the passage's search score through a
    logistic curve (0.5 at HALF_RELEVANT_Z), with a fifth for the traits shared."""
    found = []
    for case in cases:
        if exclude_key is not None and _same_case(case.key, exclude_key):
            continue
        if case.id not in matches:
            continue
        fused, passage = matches[case.id]
        shared = {
            field: [v for v in getattr(case, field) if v in target_profile[field]]
            for field in ("territories", "levers", "actors")
        }
        asked = sum(len(target_profile[f]) for f in shared)
        trait_share = sum(len(v) for v in shared.values()) / asked if asked else 0.0
        relevance = 1.0 / (1.0 + float(np.exp(-(fused - HALF_RELEVANT_Z))))
        score = (1 - TRAIT_SHARE) * relevance + TRAIT_SHARE * trait_share
        found.append(SimilarCase(case, round(score, 4), _reasons(shared, passage)))
    found.sort(key=lambda s: -s.score)
    return found[:k]


def _reasons(shared: dict[str, list[str]], passage: PassageRow) -> list[str]:
    """Specific reasons first: the same kind of territory, the same levers, the same mix of
    actors (two kinds or more), then the passage that matched, quoted."""
    reasons = []
    if shared["territories"]:
        reasons.append(f"même type de territoire : {', '.join(shared['territories'])}")
    if shared["levers"]:
        reasons.append(f"mêmes leviers : {', '.join(shared['levers'])}")
    if len(shared["actors"]) >= 2:
        reasons.append(f"même alliance d'acteurs : {', '.join(shared['actors'])}")
    excerpt = " ".join(passage.text.split())
    excerpt = excerpt if len(excerpt) <= 160 else excerpt[:157].rsplit(" ", 1)[0] + " […]"
    reasons.append(f"passage le plus proche (p. {passage.page_start}) : « {excerpt} »")
    return reasons
