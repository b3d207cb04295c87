"""What a question asks for: a practice, someone's words, similar cases, a fact; and
whether it asks for the furniture of a report (programme, participants…) at all.

Search uses it to rank (a how-to question favours passages that give practices; a
question about a person favours that person's words) and to keep non-content passages
(programme, participant lists, lists of questions) below content unless asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.normalise import fold
from search.french import stem
from search.spelling import Speller

_WORD = re.compile(r"\w+")

HOWTO, WHO, CASE, FACT, OTHER = "howto", "who", "case", "fact", "other"

_HOWTO = re.compile(
    r"\b(?:comment|que faire|quoi faire|faut-il|(?:quel(?:le)?s?|les) (?:bonnes )?(?:pratiques|"
    r"conditions|leviers|clés|cles|conseils|étapes|etapes|méthodes|methodes|moyens|erreurs|"
    r"écueils|ecueils|pièges|pieges|freins|obstacles|recommandations|enseignements|leçons|"
    r"lecons|ingrédients|facteurs)|how (?:to|can|do|should|could)|what works|tips|advice|"
    r"best practices?|lessons?|pitfalls?|mistakes?|avoid|éviter|eviter|réussir|reussir|"
    # What worked and what one would do again, as workshops capitalise it.
    r"refer(?:ai|i)\w*|refaire|(?:ce qui|qu['’]est-ce qui) (?:a )?(?:bien )?(?:marché|marche|"
    r"fonctionné|fonctionne)|what worked|do (?:it )?again)\b",
    re.I,
)
_WHO = re.compile(
    r"\b(?:qui a (?:dit|parlé|évoqué|affirmé|déclaré)|selon|d['’]apr[eè]s|que (?:dit|pense|"
    r"propose|raconte|explique)|qu['’]a (?:dit|déclaré|expliqué|proposé)|citation|propos de|"
    r"témoignage de|who said|according to|what did|quote)\b",
    re.I,
)
_CASE = re.compile(
    r"\b(?:cas (?:similaires?|comparables?|proches?)|exemples?|initiatives? (?:similaires?|"
    r"comparables?)|expériences? (?:similaires?|comparables?)|projets? (?:similaires?|"
    r"comparables?)|similar|comparable|examples?|nous sommes|notre (?:association|commune|"
    r"collectivité|entreprise|structure|réseau)|we are|our (?:association|town|city|company)|"
    # Asking for precedents: « des cas documentés ? », « d'autres communes ont-elles fait
    # ça ? », « quelles expériences de ce genre ont été racontées ? », « des retours
    # d'expérience », « des territoires ont-ils déjà essayé ? ».
    r"cas (?:documentés?|concrets?|réels?)|retours? d['’]expériences?|"
    r"expériences? (?:de ce (?:genre|type)|menées|racontées|documentées)|"
    r"d['’]autres (?:communes|territoires|villes|collectivités|associations|entreprises|"
    r"acteurs|réseaux)\b[^?]{0,40}\b(?:ont|a|fait)|"
    r"(?:des|quels|quelles|d['’]autres) (?:territoires|communes|villes|collectivités) ont|"
    r"(?:ont|a)-(?:ils|elles|t-il|t-elle) déjà|(?:ont|a) déjà (?:fait ça|essayé|tenté|testé)|"
    r"déjà été (?:présentée?s?|racontée?s?|documentée?s?|testée?s?|menée?s?)|"
    r"précédents?|(?<!d['’])(?<!par )ailleurs|hors de France|"
    r"initiatives? (?:proches|similaires|comparables|du même type)|"
    r"(?:expériences?|démarches?|alliances?) (?:de ce type|similaires|comparables|proches)|"
    r"existe-t-il (?:ailleurs|déjà|des (?:initiatives|expériences|exemples|cas))|"
    r"other (?:towns|cities|places|territories|regions)|case stud(?:y|ies)|"
    r"(?:has|have) (?:anyone|anybody|others) (?:done|tried))\b",
    re.I,
)
_FACT = re.compile(
    r"\b(?:quand|où|ou se|combien|quelle date|en quelle année|quel jour|à quelle heure|"
    r"when|where|how many|which year|what date)\b",
    re.I,
)
# What a how-to question acts on: « comment mobiliser les élus ? » → « les élus ».
_ACTION = re.compile(
    r"^\s*(?:comment|how (?:to|can \w+|do \w+|should \w+)|que faire pour|quelles? \w+ pour|"
    # « on n'arrive pas à garder les bénévoles », « des idées pour impliquer… »
    r"(?:on|nous|je)\s+(?:n['’]\s*)?(?:arrive|arrivons|parvient|parvenons|parviens)\s+pas\s+à|"
    r"(?:des|une|quelques)\s+(?:idées?|pistes?|conseils?|astuces?)\s+pour)\s+"
    r"(?:(?:bien|mieux|faire|on|nous|je)\s+)*(?P<verb>\w+(?:er|ir|re|e))\s+(?P<object>[^?]+)",
    re.I,
)
# What a question adds after its object to ask for help: « …, des idées ? ».
_ASKING_TAIL = re.compile(
    r"\s*[,;:]\s*(?:des|une|vos|quelles?|avez-vous|any)\s+(?:des\s+)?(?:idées?|pistes?|"
    r"conseils?|solutions?|suggestions?|ideas?|tips?)\s*$",
    re.I,
)


# « quelles erreurs éviter avec les entreprises ? », « que faut-il éviter quand on
# travaille avec des communes ? »: what the warning is about.
_WARNED_OF = re.compile(
    r"^\s*(?:quel(?:le)?s?\s+(?:sont\s+les\s+)?(?:erreurs?|pièges?|écueils?|freins?|obstacles?|"
    r"risques?|difficultés|dérives?)(?:\s+(?:à\s+éviter|faut-il\s+éviter|éviter))?"
    r"|que\s+faut-il\s+éviter|qu['’]est-ce\s+qu['’]il\s+faut\s+éviter)\s+"
    r"(?:(?:quand|lorsqu['’])\s*on\s+\w+\s+)?(?:(?:avec|dans|pour|auprès\s+d\w*|en|sur|entre)\s+)"
    r"(?P<object>[^?]+)",
    re.I,
)


def acted_on(query: str) -> str | None:
    """The object of a how-to question's verb (« les élus »), or what a question about
    what to avoid is about (« les entreprises »), or None."""
    match = _ACTION.match(query) or _WARNED_OF.match(query)
    return _ASKING_TAIL.sub("", match.group("object")).strip() if match else None


# A question about what to avoid or what stands in the way: its answer's pitfalls come
# first, and search favours the passages that warn.
_WARNS = re.compile(
    r"\b(?:éviter|eviter|erreurs?|écueils?|ecueils?|pièges?|pieges?|freins?|obstacles?|"
    r"risques?|dérives?|difficultés|blocages?|ce qu['’]il ne faut pas|à ne pas faire|"
    r"ne (?:re)?f\w*(?:ai|er)\w* pas|(?:ne|n['’]) (?:marche|fonctionne) pas|empêche\w*|"
    r"mistakes?|pitfalls?|avoid|obstacles?|barriers?|what (?:not to do|went wrong)|"
    r"(?:doesn['’]t|does not|didn['’]t) work)\b",
    re.I,
)
# A question that asks for a report's furniture: those kinds compete with content then.
_ASKS = {
    "programme": re.compile(
        r"\b(?:programmes?|déroulé|deroule|ordre du jour|agenda|horaires?|à quelle heure|"
        r"a quelle heure|schedule|timetable)\b",
        re.I,
    ),
    # Asked for, not merely named: « quels intervenants… », « qui a représenté… ».
    "participants": re.compile(
        r"\b(?:(?:quel(?:le)?s?|qui|liste|noms?|combien)\b[^?.]{0,40}\b(?:participants?|"
        r"intervenants?|invités|panélistes|animateurs?|animatrices?)|qui (?:participait|"
        r"intervenait|animait)|qui a (?:représenté|animé|modéré|ouvert|introduit|clôturé|"
        r"présenté)|animée? par|who (?:took part|spoke|attended|was on|represented|chaired|"
        r"opened)|(?:which|list of) (?:speakers|participants|panel))",
        re.I,
    ),
    "intro": re.compile(r"\b(?:qui est|présentation de|who is|quel (?:poste|rôle|role))\b", re.I),
    "questions": re.compile(
        r"\b(?:questions? posées?|sujets? proposés?|thèmes? (?:des|proposés)|topics)\b", re.I
    ),
    "toc": re.compile(r"\b(?:sommaire|table des matières|contents)\b", re.I),
    "references": re.compile(r"\b(?:références|bibliographie|sources|references)\b", re.I),
}


@dataclass
class Intent:
    kind: str
    asks: set[str] = field(default_factory=set)  # non-content kinds the question wants
    warns: bool = False  # it asks what to avoid, or what stands in the way

    @property
    def about_event(self) -> bool:
        """« Qui a représenté la ministre ? »: it asks who did what at the event, which the
        programme and introductions answer, not the named person's own words."""
        return bool(self.asks & {"participants", "programme"})


# The single words that carry an intent, so that a typo in one (« coment », « pratiqes »)
# does not turn a how-to into a plain search. Short words are never mended (spelling's rule).
_CUE_WORDS = frozenset(
    "comment pratiques conditions leviers conseils étapes méthodes moyens erreurs écueils "
    "pièges freins obstacles recommandations enseignements leçons ingrédients facteurs "
    "éviter réussir programme sommaire participants intervenants bibliographie "
    "références".split()
)


# Folded for the speller; each back to the form the patterns above spell.
_CUES_FOLDED = {fold(cue): cue for cue in _CUE_WORDS}
_CUE_SPELLER = Speller(_CUES_FOLDED)


def _mend(query: str) -> str:
    """The query with each word one or two edits from a cue word replaced by it.

    Another form of the cue (« réussis », « frein ») is a real word, not a typo: the
    patterns above already chose which forms carry the intent.
    """

    def nearest(match: re.Match[str]) -> str:
        word = match.group()
        folded = fold(word)
        typo_of = [c for c in _CUE_SPELLER.nearest(folded) if stem(c) != stem(folded)]
        return _CUES_FOLDED[typo_of[0]] if typo_of else word

    return _WORD.sub(nearest, query)


def understand(query: str) -> Intent:
    query = _mend(query)
    asks = {kind for kind, pattern in _ASKS.items() if pattern.search(query)}
    if "participants" in asks:
        # Who took part, who represented whom: the programme and introductions say it too.
        asks |= {"intro", "programme"}
    if _WHO.search(query):
        kind = WHO
    elif _CASE.search(query):
        kind = CASE
    elif _HOWTO.search(query):
        kind = HOWTO
    elif _FACT.search(query):
        kind = FACT
    else:
        kind = OTHER
    return Intent(kind, asks, bool(_WARNS.search(query)))


_INFINITIVE_START = re.compile(r"^\s*(?:[sm]['’]\s*)?[a-zàâçéèêëîïôûù]+(?:er|ir|re)\b", re.I)


def is_question(query: str) -> bool:
    """Whether the text asks something (how to, who said, a fact, a case, or an action
    in the infinitive: « mobiliser les élus ») rather than giving words to look up
    (« page blanche », a researcher's phrase): a question gets an answer, words get the
    passages that hold them."""
    return (
        understand(query).kind != OTHER
        or query.rstrip().endswith("?")
        or bool(_INFINITIVE_START.match(query))
    )
