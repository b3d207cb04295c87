"""Who a question is about: a speaker named, or designated by role or organisation.

Researchers ask « d'après le maire adjoint de Lille… », « que dit la présidente du
CELAVAR ? », « what did the mayor of Lille recommend? ». Words of the role match the
programme and the moderator's introduction of the guest better than the guest's own
answer, so the engine recognises the person first, through the roles and organisations
the documents themselves give them, then ranks that person's passages by the rest of the
question.

A person is recognised by their surname, or by at least one distinctive word of their
roles (an organisation, a place: « CELAVAR », « Lille ») together with a role noun in the
singular or a who-said cue. A word is distinctive when at most two speakers' descriptions
hold it and it is not common in the collection, or when the question quotes it with the
next or previous word of the role (« Mouvement associatif »: each word is common, the
name is not).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from ingest.names import NAME, TITLE_NAME
from ingest.normalise import fold, holds_name
from search.french import STOP_WORDS, stem, words
from search.spelling import Speller

# English words of roles and organisations, to reach the French descriptions.
_ENGLISH = {
    "mayor": "maire",
    "deputy": "adjoint",
    "prefect": "préfet",
    "president": "président",
    "chair": "président",
    "chairman": "président",
    "chairwoman": "présidente",
    "head": "directeur",
    "director": "directeur",
    "founder": "fondateur",
    "minister": "ministre",
    "author": "auteur",
    "researcher": "doctorant",
    "phd": "doctorant",
    "representative": "représentant",
    "city": "ville",
    "network": "réseau",
    "bank": "banque",
    "savings": "épargne",
    "banks": "banque",
    "movement": "mouvement",
    "federation": "fédération",
    "committee": "comité",
    "commission": "commission",
    "observatory": "observatoire",
}
# Role nouns, as folded words: stems would mix « animateur » with « animation ».
ROLE_NOUNS = frozenset(
    fold(w)
    for w in (
        "maire adjoint adjointe préfet préfète président présidente directeur "
        "directrice fondateur fondatrice ministre représentant représentante délégué "
        "déléguée chargé chargée doctorant doctorante chercheur chercheuse auteur autrice "
        "animateur animatrice modérateur modératrice secrétaire coordinateur coordinatrice "
        "dirigeant dirigeante consultant consultante élu élue conseiller conseillère"
    ).split()
)
_WHO_CUES = re.compile(
    r"\b(?:selon|d['’]apr[eè]s|que (?:dit|pense|propose|raconte|explique)|qu['’]a (?:dit|"
    r"déclaré|expliqué|proposé)|a-t-(?:il|elle) dit|témoign\w*|citation|propos|"
    r"according to|what did|who said|says?|said|quote)\b",
    re.I,
)
_DISTINCTIVE_DF = 2
# A person's name right after a who-said cue: « que dit Mme Paul Dupontel… ».
_NAMED = re.compile(
    rf"\s+(?:(?:M\.|Mme|Madame|Monsieur|Mr|Mrs|Ms)\s+)?(?P<name>{NAME}|{TITLE_NAME})"
)
# A word in more than this share of the passages is too common to designate anyone, or
# to sort passages out (SearchEngine.distinctive_terms).
COMMON_SHARE = 0.09
# A surname this long or longer is recognised with a typo (search.spelling's distance).
_TYPO_SURNAME = 5


def _stems(text: str) -> list[str]:
    """Analysed words, English role words first turned into their French equivalents."""
    out = []
    for word in words(text):
        word = fold(_ENGLISH.get(word, word))
        if word not in STOP_WORDS and len(word) > 1:
            out.append(stem(word))
    return out


@dataclass
class Person:
    name: str
    roles: list[str]
    terms: set[str] = field(default_factory=set)
    # Consecutive words of a role (« mouvement associatif »): an organisation's name
    # quoted whole designates even when each of its words is common.
    phrases: set[tuple[str, str]] = field(default_factory=set)

    @property
    def surname(self) -> str:
        return fold(self.name.split()[-1])


@dataclass
class Mention:
    """The people a question designates, and the query words that designated them."""

    people: list[Person]
    words: set[str]  # folded query words that named or described them

    def rest_of(self, query: str) -> str:
        """The question without the words that designate the person: what is asked of them."""
        kept = []
        for word in re.findall(r"[\w’'-]+", query):
            french = fold(_ENGLISH.get(word.lower(), word))  # « mayor » is « maire »
            if french not in self.words and stem(french) not in self.words:
                kept.append(word)
        return " ".join(kept)


class People:
    """The speakers of the collection, with the words that designate them."""

    def __init__(self, roles: dict[str, list[str]], share: Callable[[str], float]):
        """`roles`: each speaker's roles; `share`: the share of the collection's passages
        an analysed word occurs in. A word above COMMON_SHARE (« ville », « territoire »)
        is too common to designate anyone; a word in none may be a surname misspelt."""
        self.share = share
        self.people = [Person(name, found) for name, found in sorted(roles.items())]
        for person in self.people:
            person.terms = set(_stems(" ".join([person.name, *person.roles])))
            person.phrases = {pair for role in person.roles for pair in pairwise(_stems(role))}
        self.df = Counter(term for person in self.people for term in person.terms)
        # First names designate nobody alone: « Paul Dupontel » is not Jean-Paul MOREAU.
        self.first_names = {
            term for person in self.people for term in _stems(" ".join(person.name.split()[:-1]))
        }
        self._surnames = Speller(
            {p.surname for p in self.people if len(p.surname) >= _TYPO_SURNAME}
        )

    def __len__(self) -> int:
        return len(self.people)

    def closest(self, name: str) -> str | None:
        """The speaker a name that names nobody is probably meant for (« Caronn » → « Jean-
        François CARON »): one of its words a letter off a surname; None if none is."""
        if any(holds_name(person.name, name) for person in self.people):
            return None
        near = {n for word in words(name) for n in self._surnames.nearest(fold(word))}
        found = [person.name for person in self.people if person.surname in near]
        return found[0] if len(found) == 1 else None

    def _idf(self, term: str) -> float:
        return math.log(1 + len(self.people) / self.df[term])

    def stranger(self, query: str, mention: Mention | None) -> str | None:
        """A person the question asks about by a name no document holds (« que dit Paul
        Dupontel sur… ? »: « Dupontel » occurs in no passage, nor a letter off a
        speaker's surname), whom no passage can answer for; None otherwise. `mention` is
        find()'s for the same question, which callers have already asked."""
        if mention is not None:
            return None
        for cue in _WHO_CUES.finditer(query):
            named = _NAMED.match(query, cue.end())
            if named and not self.share(stem(fold(named.group("name").split()[-1]))):
                return named.group("name")
        return None

    def find(self, query: str) -> Mention | None:
        """The person or people the question is about, if it designates any."""
        folded = [fold(_ENGLISH.get(w, w)) for w in words(query)]
        folded_words = set(folded)
        stems = set(_stems(query))
        named = [p for p in self.people if p.surname in folded_words]
        if not named:  # « Caronn »: a word the documents never use, a letter off a surname
            misspelt = {
                near
                for word in folded_words
                if len(word) >= _TYPO_SURNAME and not self.share(stem(word))
                for near in self._surnames.nearest(word)
            }
            named = [p for p in self.people if p.surname in misspelt]
        # « Philippe Lemoine », not « Floriane LEMOINE »: a first name given decides.
        first_named = [p for p in named if fold(p.name.split()[0]) in folded_words]
        named = first_named or named
        if named:
            used = {w for p in named for w in map(fold, p.name.replace("-", " ").split())}
            return Mention(named, used | _cue_words(query))
        roles = _designating_roles(folded)
        if not (roles or _WHO_CUES.search(query)):
            return None  # an organisation alone designates a subject, not a speaker
        role_stems = {stem(r) for r in roles}
        pairs = set(pairwise(_stems(query)))
        scored = []
        for person in self.people:
            overlap = stems & person.terms
            quoted = {t for pair in pairs & person.phrases for t in pair} - role_stems
            distinctive = {
                t
                for t in overlap - role_stems
                if self.df[t] <= _DISTINCTIVE_DF
                and t not in self.first_names
                and (t in quoted or self.share(t) <= COMMON_SHARE)
            }
            if distinctive:
                scored.append((sum(self._idf(t) for t in overlap), person, overlap))
        if not scored:
            return self._sole_holder(roles, stems - role_stems, query)
        best = max(score for score, _, _ in scored)
        chosen = [(p, o) for score, p, o in scored if score >= 0.8 * best]
        used = {t for _, overlap in chosen for t in overlap} | roles
        return Mention([p for p, _ in chosen], used | _cue_words(query))

    def _sole_holder(self, roles: set[str], others: set[str], query: str) -> Mention | None:
        """« que dit le préfet ? »: a role noun and nothing else to tell who, and one person
        whose role opens on it (« Préfet, Président de la FONDA »). Held by several (« le
        maire », of Loos-en-Gohelle and of Lille), it designates nobody; nor does it when
        other words of the question are in speakers' roles: they describe whom it asks
        (« le fondateur du RAMEAU » is not the one speaker whose role opens on
        « Fondateur ») or what (« le président sur les associations »)."""
        holders = [
            person
            for person in self.people
            if any(fold(role).split()[:1] == [noun] for role in person.roles for noun in roles)
        ]
        described = {t for t in others for person in self.people if t in person.terms}
        if len(holders) != 1 or described:
            return None
        return Mention(holders, roles | _cue_words(query))


_PLURAL_DETERMINERS = frozenset("les des aux ces nos vos leurs mes tous plusieurs".split())


def _designating_roles(folded: list[str]) -> set[str]:
    """Role nouns among a question's folded words that can point at one person: « le
    maire de Lille », not « les élus » (nor « les elu », a typo away): after a plural
    determiner a role is the subject."""
    return {
        word
        for before, word in pairwise(["", *folded])
        if word in ROLE_NOUNS and before not in _PLURAL_DETERMINERS
    }


def _cue_words(query: str) -> set[str]:
    return {fold(w) for match in _WHO_CUES.finditer(query) for w in match.group().split()}
