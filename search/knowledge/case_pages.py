"""Case pages, in the spirit of Participedia's: what extraction knows, and what editors add.

A page shows a case's name, place and type of territory, its actors with their types, its
themes, levers, dates, results and lessons, and every source passage. Extraction fills
what the text says; an editor completes or corrects any field through the API. Edits are
stored apart (the store's `case_edits`, never rebuilt), so re-ingesting the documents
never overwrites an editor's work, and the page says which fields an editor set.

The editors' values are laid over the extracted case once (`edited_case`), and every view
reads that one case: its page, the list, search by name and the reasons of similar cases
show the same name, place, type of territory and kinds of actors. A case an editor
creates (id `case-ed-…`) is a case like the others everywhere; it has no source passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest.extract.cases import case_key
from ingest.extract.polarity import AVOID, advises_against, not_to_do, states_difficulty
from ingest.extract.practices import strip_list_marker
from ingest.names import NAME, TITLE_NAME
from ingest.normalise import fold
from ingest.store import PassageRow
from search.knowledge.actors import TYPE_LABELS
from search.knowledge.cases import ACTORS, TERRITORY_TYPES, Case
from search.knowledge.practices import statement_label
from search.vectors import context

# What editors may set on a page, and what each is.
EDITABLE = (
    "name",
    "place",
    "territory_type",
    "description",
    "actor_kinds",
    "actors",
    "themes",
    "levers",
    "dates",
    "results",
    "lessons",
)
# Every type an editor may give, a closed list so that pages can be filtered by it: the
# same as extraction's (search.knowledge.cases.TERRITORY_TYPES).
TERRITORY_TYPE_NAMES = tuple(TERRITORY_TYPES)
# The kinds of actors a case brings together, a closed list too: what « même alliance
# d'acteurs » compares (search.knowledge.cases.ACTORS).
ACTOR_KIND_NAMES = tuple(ACTORS)
# Ids of the cases editors create: never an extracted case's (`case-…` from its key).
CREATED_PREFIX = "case-ed-"
# Section titles that point elsewhere (« Les interviews filmées que vous pouvez retrouver
# sur le site de … », « Pour en savoir plus ») are navigation, not a case's themes.
_NAVIGATION = re.compile(
    r"\b(?:retrouver|consulter|visionner|télécharger)\b|sur (?:le|notre) site|en savoir plus|"
    r"cliquez|liens? utiles|pour aller plus loin|https?://|www\.",
    re.I,
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
# A section title that is a part of any document or of a case study's form
# (« Présentation », « 2. Contexte », « Bilan », « Acteurs ») says nothing of what a case
# is about; nor does a speaker's heading (« Jean-François CARON, Maire de
# Loos-en-Gohelle »), which says who speaks.
_NUMBERING = r"(?:\d{1,2}|[IVX]{1,4}|[A-H])\s*[.)–—-]?\s*"
_GENERIC_TITLE = re.compile(
    rf"(?:{_NUMBERING})?(?:(?:le|la|les|l['’]|en|une?)\s*)?(?:présentation|contexte|introduction|"
    r"résultats?|bilan|conclusions?|annexes?|sommaire|synthèse|historique|description|"
    r"sources?|remerciements|préambule|avant-propos|chiffres?[ -]clés|en bref|"
    r"impacts?|perspectives|(?:pour )?en savoir plus|origine|acteurs|partenaires|porteurs?|"
    r"gouvernance|moyens|calendrier|enseignements|leçons|suites?|actions?|réalisations|"
    r"(?:ce que nous avons|ce qui a été|ce qu['’]on a) (?:fait|réalisé|mis en place)|"
    r"mise en œuvre|déroulement|fonctionnement|objectifs?)(?:\s+(?:du|de la|de l['’]|des)\s+"
    r"(?:projet|initiative|démarche|dispositif|cas))?\s*[:.]?",
    re.I,
)
_SPEAKER_HEADING = re.compile(rf"(?:{_NUMBERING})?(?:{NAME}|{TITLE_NAME})\s*(?:[,:(–—-]|$)")
# A section whose title says results gives the case's results first: its title opens on
# « Résultats », « Bilan », « Impact(s) », « Chiffres clés », « Réalisations »…
_RESULTS_TITLE = re.compile(
    rf"(?:{_NUMBERING})?(?:(?:les|le|nos|ses|principaux|premiers|quelques)\s+)*"
    r"(?:résultats?|bilan|impacts?|chiffres?[ -]clés|réalisations|retombées)\b",
    re.I,
)
# A heading of lessons of at most this many words (« Ce qui a marché », « Ce que nous ne
# referions pas ») names the kind of list, not a theme; a longer one (« Les freins à la
# valorisation des dynamiques territoriales ») says its subject.
LESSON_HEADING = 6
# A sentence states a result when it says what came of the case: what it allowed, led to
# or created, or a number of what it brought (« 9 000 visiteurs », « 2 emplois », « 3
# artisans »). A sentence that only uses the word « résultats » (« nous avons parlé de
# résultats ») states none. Sentences are cut first and each searched: one pattern
# spanning a sentence from every start was quadratic (30 ms a page, 0.6 s for the list of
# cases, which shows each case's page values).
_SENTENCE = re.compile(r"[^.!?]*[.!?]")
_UNITS_OF_OUTCOME = (
    r"emplois|postes|salariés|embauches|visiteurs|bénéficiaires|participants|partenaires|"
    r"habitants|familles|personnes|bénévoles|jeunes|élèves|usagers|artisans|commerces|"
    r"logements|tonnes|hectares|repas"
)
_COUNT = (
    r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:[,.]\d+)?|"
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|cent|mille)"
)
_RESULT = re.compile(
    r"\b(?:a permis|ont permis|permet(?:tent)? de|a abouti|ont abouti|"
    r"a créé|ont créé|ont été créée?s?|\d+\s?%|"
    rf"{_COUNT}\s+(?:nouveaux\s+|nouvelles\s+)?(?:{_UNITS_OF_OUTCOME}))(?!\w)",
    re.I,
)
# The items of a results section: its sentences and its list's lines.
_ITEMS = re.compile(r"(?<=[.!?])\s+|\s*\n+\s*(?:[-–—•*]\s+)?")
# Lessons say what to do, what to avoid, or what was hard: « la conduite du changement
# est difficile », « Difficulté à mobiliser… » state a difficulty, which is not advice
# against anything (ingest.extract.polarity keeps them "avoid" for answers' pitfalls).
DIFFICULTY = "difficulty"
_OBSTACLE = re.compile(
    r"(?:(?:la|le|les|l['’]|des|une?)\s*)?"
    r"(?:difficultés?|blocages?|freins?|obstacles?|limites?|manque)\b",
    re.I,
)


@dataclass
class CasePage:
    case: Case
    fields: dict  # every field of the page, editors' values over extracted ones
    edited: list[str]  # the fields an editor set
    sources: list[PassageRow] = field(default_factory=list)


def extracted_fields(
    case: Case,
    passages: list[PassageRow],
    actors: list[dict],
    statements: list[dict],
    titles: frozenset[str] = frozenset(),
) -> dict:
    """What the documents say about a case, field by field. `titles` are its source
    documents' own titles, which are no theme of it."""
    text = " ".join(p.text for p in passages)
    own = {case.key, case_key(case.name)}
    return {
        "name": case.name,
        "place": case.place,
        "territory_type": case.territory_type,
        "description": case.description,
        "actor_kinds": case.actors,
        "actors": [
            {"id": a["id"], "name": a["name"], "type": a["type"], "label": TYPE_LABELS[a["type"]]}
            for a in actors
            # The case is not one of its own actors (« Grange Partagée » of « La Grange
            # Partagée »), nor is the town it is.
            if a["kind"] != "place" and case_key(a["name"]) not in own and a["name"] != case.place
        ][:12],
        "themes": _themes(passages, own | {case_key(t) for t in titles}, statements),
        "levers": case.levers,
        "dates": sorted(set(_YEAR.findall(text))),
        "results": _results(passages, case.description),
        "lessons": [
            {"text": statement_label(s), "polarity": lesson_polarity(s)} for s in statements[:8]
        ],
    }


def _themes(passages: list[PassageRow], own: set[str], statements: list[dict]) -> list[str]:
    """The case's section titles that say what it is about: not a generic part of a
    document, a speaker's heading, navigation, a short heading of lessons, nor the case's
    or its document's own name (« Les outils de COSOTER » on COSOTER's page)."""
    cues = {
        fold(cue) for s in statements if len((cue := s.get("cue") or "").split()) <= LESSON_HEADING
    }
    return list(
        dict.fromkeys(
            title
            for p in passages
            if p.section
            and not _NAVIGATION.search(title := context(p))
            and not _GENERIC_TITLE.fullmatch(title.strip())
            and not _SPEAKER_HEADING.match(title)
            and fold(title) not in cues
            and case_key(title) not in own
            and not any(case_key(title).endswith(" " + key) for key in own if key)
        )
    )[:6]


def _results(passages: list[PassageRow], description: str) -> list[str]:
    """What came of the case: the items of a section whose title says results first, then
    the sentences elsewhere that state an outcome; never a question, nor what the
    description already says (a case's creation describes it)."""
    said = fold(" ".join(description.split()))
    titled = [
        strip_list_marker(" ".join(item.split()))
        for p in passages
        if _RESULTS_TITLE.match(context(p))
        for item in _ITEMS.split(_untitled(p))
        if len(item.split()) >= 3
    ]
    stated = [
        strip_list_marker(" ".join(m.group().split()))
        for p in passages
        for m in _SENTENCE.finditer(_untitled(p))
        if _RESULT.search(m.group())
    ]
    return list(
        dict.fromkeys(
            r
            for r in titled + stated
            if not r.endswith("?") and fold(r) not in said and not (said and said[:80] in fold(r))
        )
    )[:5]


def _untitled(passage: PassageRow) -> str:
    """A passage's text without the section title it opens on (« Résultats\nEn trois
    ans… »): a title is no part of the sentence after it."""
    title = context(passage)
    text = passage.text
    return text[len(title) :] if title and text.startswith(title) else text


def lesson_polarity(statement: dict) -> str:
    """A lesson's polarity: what to do, what to avoid, or a difficulty the case met: a
    statement that says what is hard (« la conduite du changement est difficile ») or
    names an obstacle, unless a heading of what not to redo lists it or it advises
    against something."""
    polarity = statement["polarity"]
    text = strip_list_marker(statement["text"])
    if (
        polarity == AVOID
        and not not_to_do(statement.get("cue") or "")
        and not advises_against(text)
        and (states_difficulty(text) or _OBSTACLE.match(text))
    ):
        return DIFFICULTY
    return polarity


def page(case: Case, extracted: dict, edits: dict, sources: list[PassageRow]) -> CasePage:
    fields = {**extracted, **{k: v for k, v in edits.items() if k in EDITABLE}}
    return CasePage(case, fields, sorted(k for k in edits if k in EDITABLE), sources)


def created_id(name: str) -> str:
    """The id of the case an editor creates under `name`."""
    return CREATED_PREFIX + (re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "cas")


def is_created(case_id: str) -> bool:
    return case_id.startswith(CREATED_PREFIX)


def edited_case(case: Case, edits: dict) -> Case:
    """The case as every view shows and compares it: editors' values over extracted ones.

    An editor's type of territory replaces the extracted ones (the page shows one type, and
    similar cases are compared on it); their kinds of actors and levers likewise."""
    territory = edits.get("territory_type")
    return replace(
        case,
        name=edits.get("name", case.name),
        place=edits.get("place", case.place),
        territories=[territory] if territory else case.territories,
        actors=list(edits.get("actor_kinds", _kinds_with(case.actors, edits.get("actors")))),
        levers=list(edits.get("levers", case.levers)),
        description=edits.get("description", case.description),
    )


# The kind of actors (search.knowledge.cases.ACTORS) an actor of each type counts as.
KIND_OF_TYPE = {
    "association": "associations",
    "company": "entreprises",
    "local authority": "collectivités",
    "state": "État",
    "research": "recherche",
    "funder": "financeurs",
}


def _kinds_with(kinds: list[str], actors: list[dict] | None) -> list[str]:
    """The kinds of actors a case brings together, with those of the actors an editor
    named: « Ville de Chambéry » (collectivité) and an association make « même alliance
    d'acteurs » comparable though the editor set no kinds."""
    named = [
        "fondations" if fold(a.get("name", "")).startswith("fondation") else KIND_OF_TYPE.get(t)
        for a in actors or []
        if (t := a.get("type"))
    ]
    return list(dict.fromkeys([*kinds, *(k for k in named if k)]))


def created_case(case_id: str, edits: dict) -> Case:
    """A case an editor created: nothing extracted, everything from the edits."""
    name = edits.get("name", case_id)
    empty = Case(
        id=case_id,
        name=name,
        key=case_key(name),
        place=None,
        actors=[],
        territories=[],
        levers=[],
        description="",
        mention_ids=[],
        passage_ids=[],
        documents=0,
    )
    return edited_case(empty, edits)


def edited_cases(extracted: list[Case], edits: dict[str, dict]) -> list[Case]:
    """Every case as the views show it: the extracted ones with their edits, then those
    editors created. Edits left by an extracted case a re-ingest no longer finds stay in
    the store (the case may come back) but make no case."""
    cases = [edited_case(case, edits.get(case.id, {})) for case in extracted]
    known = {case.id for case in cases}
    created = sorted(i for i in edits if is_created(i) and i not in known)
    return cases + [created_case(i, edits[i]) for i in created]


def written_text(fields: dict) -> str:
    """What an editor wrote of a case, as one text: what a case without source passages
    is compared on (its name, place, type, description, themes, results and lessons)."""
    parts = [fields.get("name"), fields.get("place"), fields.get("territory_type")]
    parts.append(fields.get("description"))
    for listed in ("themes", "levers", "results"):
        parts.extend(fields.get(listed) or [])
    parts.extend(lesson.get("text", "") for lesson in fields.get("lessons") or [])
    return ". ".join(str(p) for p in parts if p)
