"""Typed shapes of what Recueil answers, shared by the CLI's --json and the HTTP API."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, replace
from typing import Literal

from pydantic import BaseModel, Field, computed_field, field_validator

from api.bounds import DESCRIPTION_CHARS
from api.paging import Paged
from ingest.normalise import fold
from ingest.store import DocumentRow, PassageRow
from search.answer import SECTIONS, Answer, Evidence
from search.citations import at_span, quote_excerpt, reference
from search.engine import Hit, Results, SearchEngine
from search.facets import facets
from search.knowledge.actors import TYPE_LABELS, organisation_type
from search.knowledge.case_pages import (
    ACTOR_KIND_NAMES,
    EDITABLE,
    TERRITORY_TYPE_NAMES,
    CasePage,
    is_created,
)
from search.knowledge.index import Card, QuoteHit
from search.snippet import cited_words, snippet
from search.speakers import Speaker

FULL_CITATION = "the whole text quoted, with its reference: what « Copier la citation » copies"


class DocumentRef(BaseModel):
    id: str
    file: str
    title: str
    event: str | None
    date: str | None
    kind: str


class SourceRef(BaseModel):
    """Another place where the same content stands (`also_in`)."""

    passage_id: str
    document: DocumentRef
    page: int
    start: int
    end: int
    text: str
    citation: str
    full_citation: str = Field(description=FULL_CITATION)


class SearchResult(BaseModel):
    passage_id: str
    score: float
    scores: dict[str, float | int | None] = Field(
        description="score components: lexical/dense scores and ranks"
    )
    text: str
    snippet: str = Field(description="HTML-escaped excerpt, query words in <mark>")
    document: DocumentRef
    page: int
    page_end: int
    section: str
    speaker: str | None
    speaker_role: str | None
    speech: str | None = Field(
        description="'verbatim' (the speaker's own words) or 'reported' (the report's "
        "account of them), when a speaker is set"
    )
    question: str | None = Field(
        None, description="the moderator's question this passage answers, when the text has one"
    )
    kind: str = Field(
        description="what the passage is: 'text' (content), 'intro' (a moderator's question, "
        "a guest's introduction), 'programme', 'participants', 'questions', 'toc', "
        "'references' (ingest/kinds.py)"
    )
    start: int
    end: int
    citation: str
    full_citation: str = Field(description=FULL_CITATION)
    also_in: list[SourceRef]


class FacetModel(BaseModel):
    value: str = Field(description="what the filter of that name takes (a case id for cases)")
    label: str = Field(description="what the page shows")
    count: int = Field(description="matching passages with this value")


class SearchResponse(Paged):
    query: str
    mode: str
    results: list[SearchResult]
    reason: str | None = Field(
        None,
        description="why there is no result, when there is none (« aucun résultat pertinent »)",
    )
    facets: dict[str, list[FacetModel]] = Field(
        default_factory=dict,
        description="year, event, kind, speaker, place and case: counts over every passage "
        "kept as relevant, before the top k are cut",
    )


def document_ref(document: DocumentRow) -> DocumentRef:
    return DocumentRef(
        id=document.id,
        file=document.file,
        title=document.title,
        event=document.event,
        date=document.date,
        kind=document.kind,
    )


def full_citation(document: DocumentRow, passage: PassageRow, text: str) -> str:
    """The reference quoting `text` whole: a copied citation must not stop mid-sentence."""
    return reference(document, passage, " ".join(text.split()))


def source_ref(passage: PassageRow, document: DocumentRow) -> SourceRef:
    cited = cited_words(passage)
    return SourceRef(
        passage_id=passage.id,
        document=document_ref(document),
        page=passage.page_start,
        start=passage.start,
        end=passage.end,
        text=passage.text,
        citation=reference(document, passage, quote_excerpt(cited)),
        full_citation=full_citation(document, passage, cited),
    )


def search_result(hit: Hit, query: str) -> SearchResult:
    passage, document = hit.passage, hit.document
    marked = snippet(passage.text, query)
    # The reference quotes the words that matched, as a reader would cite them, among the
    # words someone wrote or said: a title or a speaker's label matched is shown, not cited.
    cited = cited_words(passage)
    words = snippet(cited, query) if cited != passage.text else marked
    excerpt = quote_excerpt(html.unescape(re.sub(r"</?mark>", "", words)).strip("… "))
    return SearchResult(
        passage_id=passage.id,
        score=round(hit.score, 6),
        scores=hit.components,
        text=passage.text,
        snippet=marked,
        document=document_ref(document),
        page=passage.page_start,
        page_end=passage.page_end,
        section=passage.section,
        speaker=passage.speaker,
        speaker_role=passage.speaker_role,
        speech=passage.speech,
        question=passage.question,
        kind=passage.kind,
        start=passage.start,
        end=passage.end,
        citation=reference(document, passage, excerpt),
        full_citation=full_citation(document, passage, cited),
        also_in=[source_ref(p, d) for p, d in hit.also_in],
    )


def search_response(
    query: str, mode: str, hits: list[Hit], engine: SearchEngine | None = None
) -> SearchResponse:
    """`hits` as the engine returns them: an empty `Results` carries its reason; given the
    engine, the facets count the passages `hits.matched` lists."""
    return SearchResponse(
        query=query,
        mode=mode,
        results=[search_result(h, query) for h in hits],
        reason=hits.reason if isinstance(hits, Results) else None,
        facets=search_facets(engine, hits.matched) if engine and isinstance(hits, Results) else {},
    )


def search_facets(engine: SearchEngine, passage_ids: list[str]) -> dict[str, list[FacetModel]]:
    knowledge = engine.knowledge
    matched = (
        (engine.passages[pid], engine.documents[engine.passages[pid].document_id])
        for pid in passage_ids
    )
    found = facets(matched, knowledge.cases_of, knowledge.case_name, engine.spelled)
    return {
        name: [FacetModel(value=v.value, label=v.label, count=v.count) for v in values]
        for name, values in found.items()
    }


# -- answers ------------------------------------------------------------------------


class AnswerEvidence(BaseModel):
    """An exact excerpt behind an item of an answer, and where it stands."""

    text: str = Field(description="the excerpt, verbatim modulo line wrapping")
    citation: str
    passage_id: str
    page: int
    start: int = Field(description="offset of the excerpt in the document's extracted text")
    end: int
    document: DocumentRef
    full_citation: str = Field(description=FULL_CITATION)


class AnswerItem(BaseModel):
    label: str
    votes: int | None = Field(
        None, description="participants' votes a workshop gave the item, « (+++++) » = 5"
    )
    speaker: str | None = Field(None, description="whose words (testimonies)")
    case_id: str | None = Field(None, description="the case page (cases)")
    evidence: list[AnswerEvidence]


class AnswerSection(BaseModel):
    kind: str = Field(description="practices, pitfalls, testimonies or cases")
    title: str = Field(description="« Ce qui marche », « Écueils », « Témoignages », « Cas »")
    items: list[AnswerItem]


class AnswerResponse(BaseModel):
    query: str
    sections: list[AnswerSection]
    reason: str | None = Field(None, description="why the answer is empty, when it is")
    question: bool = Field(
        True,
        description="whether the query asks something (how to, who said, a fact, a case, "
        "an action: « mobiliser les élus ») rather than words to look up (« page blanche »); "
        "the page shows the answer only to a question",
    )


def answer_response(found: Answer) -> AnswerResponse:
    titles = dict(SECTIONS)
    return AnswerResponse(
        query=found.query,
        sections=[
            AnswerSection(
                kind=name,
                title=titles[name],
                items=[
                    AnswerItem(
                        label=item.label,
                        votes=item.votes,
                        speaker=item.speaker,
                        case_id=item.case_id,
                        evidence=[answer_evidence(e) for e in item.evidence],
                    )
                    for item in items
                ],
            )
            for name, items in found.sections.items()  # in the answer's order
        ],
        question=found.question,
        reason=found.reason,
    )


def answer_evidence(evidence: Evidence) -> AnswerEvidence:
    cited = at_span(evidence.passage, evidence.document, evidence.start, evidence.end)
    return AnswerEvidence(
        text=evidence.text,
        citation=reference(evidence.document, cited, quote_excerpt(evidence.text)),
        passage_id=evidence.passage.id,
        page=evidence.page,
        start=evidence.start,
        end=evidence.end,
        document=document_ref(evidence.document),
        full_citation=full_citation(evidence.document, cited, evidence.text),
    )


# -- actors -------------------------------------------------------------------------


class ActorRef(BaseModel):
    id: str
    name: str
    kind: str = Field(description="person, organisation or place")
    type: str = Field(
        description="for organisations: association, company, local authority, state, "
        "research, funder, network, programme, or organisation when the name does not say"
    )
    type_label: str = Field(description="the type in French, as the page shows it")


class ActorModel(ActorRef):
    aliases: list[str] = Field(description="other spellings the documents use")
    roles: list[str] = Field(description="roles the documents give a person")
    documents: int
    passages: int


class Neighbour(BaseModel):
    actor: ActorRef
    shared_passages: int


class ActorDetail(ActorModel):
    part_of: ActorRef | None = Field(
        description="the organisation the documents name it a part of: « Banque des "
        "Territoires de la Caisse des Dépôts »"
    )
    parts: list[ActorRef] = Field(description="the organisations named as its parts")
    events: list[str]
    cases: list[str] = Field(description="ids of the cases whose passages name the actor")
    sources: list[SourceRef] = Field(description="the passages that name the actor, cited")
    works_with: list[Neighbour] = Field(description="actors named in the same passages")


class ActorsResponse(Paged):
    query: str | None
    results: list[ActorModel]


def actor_ref(actor: dict) -> ActorRef:
    return ActorRef(
        id=actor["id"],
        name=actor["name"],
        kind=actor["kind"],
        type=actor["type"],
        type_label=TYPE_LABELS[actor["type"]],
    )


def actor_model(actor: dict) -> ActorModel:
    return ActorModel(
        **actor_ref(actor).model_dump(),
        aliases=actor["aliases"],
        roles=actor["roles"],
        documents=actor["documents"],
        passages=len(actor["passage_ids"]),
    )


def actor_detail(engine, actor: dict) -> ActorDetail:
    knowledge = engine.knowledge
    passages = knowledge.actor_passages(actor)
    documents = [knowledge.documents[p.document_id] for p in passages]
    whole = knowledge.whole_of(actor)
    return ActorDetail(
        **actor_model(actor).model_dump(),
        part_of=actor_ref(whole) if whole else None,
        parts=[actor_ref(part) for part in knowledge.parts_of(actor)],
        events=sorted({d.event for d in documents if d.event}),
        cases=[c.id for c in knowledge.actor_cases(actor)],
        sources=[source_ref(p, knowledge.documents[p.document_id]) for p in passages[:20]],
        works_with=[
            Neighbour(actor=actor_ref(other), shared_passages=n)
            for other, n in knowledge.neighbours(actor)
        ],
    )


# -- practices, quotes, cases ---------------------------------------------------------


class EvidenceModel(BaseModel):
    """One statement behind a practice card: exact excerpt and where it stands."""

    statement_id: str
    text: str
    cue: str = Field(description="the heading or phrase that announces it as a practice")
    document: DocumentRef
    passage_id: str
    page: int
    section: str
    start: int
    end: int
    citation: str
    full_citation: str = Field(description=FULL_CITATION)


class PracticeCard(BaseModel):
    id: str
    label: str
    description: str
    polarity: str = Field(description="'do', or 'avoid' for lessons of what not to do again")
    documents: int
    events: int
    score: float | None
    evidence: list[EvidenceModel]


class PracticesResponse(Paged):
    query: str | None
    results: list[PracticeCard]


class QuoteModel(BaseModel):
    id: str
    speaker: str
    role: str | None
    text: str = Field(description="the speaker's words, verbatim modulo line wrapping")
    method: str = Field(
        description="'turn' (a speaker's turn), 'reported' (« … », a dit X) or 'account' "
        "(« Selon X, … », « X estime que … »: the report's words)"
    )
    speech: str = Field(
        description="'verbatim' (the speaker's own words) or 'reported' (the report's account)"
    )
    document: DocumentRef
    passage_id: str
    page: int
    start: int
    end: int
    score: float | None
    citation: str = Field(description="the reference quoting the speaker's words whole")


class QuotesResponse(Paged):
    query: str | None
    speaker: str | None
    results: list[QuoteModel]


class CaseModel(BaseModel):
    """A case as listed and compared: the same values as its page (GET /v1/cases/{id})."""

    id: str
    name: str
    place: str | None = Field(description="commune, department, region or country the text gives")
    territory_type: str | None = Field(description=", ".join(TERRITORY_TYPE_NAMES))
    actor_kinds: list[str] = Field(
        description="kinds of actors it brings together: " + ", ".join(ACTOR_KIND_NAMES)
    )
    actors: list[dict] = Field(
        description="[{id, name, type, label}] named in the case's passages (label: in French), "
        "or set by an editor"
    )
    levers: list[str]
    description: str
    documents: int
    created: bool = Field(description="an editor created it (DELETE /v1/cases/{id} removes it)")
    edited: list[str] = Field(description="the fields an editor set (kept over re-ingests)")
    sources: list[SourceRef]


class CasePageModel(CaseModel):
    """A case's page: every field, editors' values over extracted ones, and the sources."""

    themes: list[str]
    dates: list[str]
    results: list[str] = Field(
        description="what came of the case: a results section's items first (« Résultats », "
        "« Bilan »…), then sentences that state an outcome"
    )
    lessons: list[dict] = Field(
        description="[{text, polarity}]: practices the sources state; polarity 'do', 'avoid' "
        "or 'difficulty' (what the case found hard)"
    )


# The types a case page's territory takes, the same for editors as for extraction.
TerritoryType = Literal[TERRITORY_TYPE_NAMES]  # type: ignore[valid-type]
ActorKind = Literal[ACTOR_KIND_NAMES]  # type: ignore[valid-type]


ActorTypeName = Literal[tuple(TYPE_LABELS)]  # type: ignore[valid-type]


class ActorEdit(BaseModel):
    """An actor an editor names on a case page: its name, and its type if they know it."""

    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=200)
    type: ActorTypeName = Field(
        "organisation",
        description=", ".join(TYPE_LABELS)
        + "; or as the page says it: "
        + ", ".join(TYPE_LABELS.values()),
    )
    id: str | None = Field(None, description="an actor of GET /v1/actors, when it is one")

    @computed_field
    @property
    def label(self) -> str:
        """The type as the page and the CLI say it, in French."""
        return TYPE_LABELS[self.type]


class CaseEdit(BaseModel):
    """Fields an editor sets on a case page; a field left out is unchanged, null clears it."""

    model_config = {"extra": "forbid"}

    name: str | None = Field(None, min_length=1, max_length=200)
    place: str | None = Field(None, max_length=200)
    territory_type: TerritoryType | None = None
    description: str | None = Field(None, max_length=DESCRIPTION_CHARS)
    actor_kinds: list[ActorKind] | None = None
    actors: list[ActorEdit] | None = Field(
        None, description='[{name, type?, id?}], or names alone: ["Ville de Nantes"]'
    )
    themes: list[str] | None = None
    levers: list[str] | None = None
    dates: list[str] | None = None
    results: list[str] | None = None
    lessons: list[dict] | None = None

    @field_validator("actors", mode="before")
    @classmethod
    def _typed(cls, actors: object) -> object:
        """A name alone is an actor; one given without a type gets its name's, as
        extraction types organisations (« Ville de Nantes »: a local authority)."""
        if not isinstance(actors, list):
            return actors
        named = [{"name": a} if isinstance(a, str) else _in_codes(a) for a in actors]
        return [
            {**a, "type": organisation_type(a["name"])}
            if isinstance(a, dict) and isinstance(a.get("name"), str) and "type" not in a
            else a
            for a in named
        ]


# A type as the page shows it (« entreprise », « collectivité », « État »), case and
# accents aside, is its code: an editor types what they read.
_TYPE_CODES = {fold(label): code for code, label in TYPE_LABELS.items()}


def _in_codes(actor: object) -> object:
    """An actor edit with its type's French label read as the type's code (anything but
    an object is left for validation to refuse)."""
    if not isinstance(actor, dict):
        return actor
    given = actor.get("type")
    code = _TYPE_CODES.get(fold(given.strip())) if isinstance(given, str) else None
    return {**actor, "type": code} if code else actor


def case_page_model(found: CasePage, documents: dict[str, DocumentRow]) -> CasePageModel:
    fields = {k: found.fields.get(k) for k in EDITABLE}
    for listed in ("actor_kinds", "actors", "themes", "levers", "dates", "results", "lessons"):
        fields[listed] = fields[listed] or []
    return CasePageModel(
        id=found.case.id,
        **{**fields, "description": fields["description"] or ""},
        documents=found.case.documents,
        created=is_created(found.case.id),
        edited=found.edited,
        sources=[source_ref(p, documents[p.document_id]) for p in found.sources],
    )


def case_model(found: CasePage, documents: dict[str, DocumentRow]) -> CaseModel:
    """A case as lists show it: its page's own values, without the page's long fields."""
    page = case_page_model(found, documents)
    return CaseModel(**page.model_dump(include=set(CaseModel.model_fields)))


class SimilarCaseModel(BaseModel):
    case: CaseModel
    score: float
    reasons: list[str]


class CasesResponse(Paged):
    query: str | None
    results: list[CaseModel]


class SimilarResponse(SearchResponse):
    """Similar passages from other documents, and similar cases with their reasons."""

    cases: list[SimilarCaseModel]


def practice_card(card: Card) -> PracticeCard:
    return PracticeCard(
        id=card.row["id"],
        label=card.row["label"],
        description=card.row["description"],
        polarity=card.row["polarity"],
        documents=card.row["documents"],
        events=card.row["events"],
        score=card.score,
        evidence=[
            EvidenceModel(
                statement_id=e.record["id"],
                text=e.record["text"],
                cue=e.record["cue"],
                document=document_ref(e.document),
                passage_id=e.passage.id,
                page=e.record["page"],
                section=e.record["section"],
                start=e.record["start"],
                end=e.record["end"],
                citation=reference(
                    e.document,
                    at_span(e.passage, e.document, e.record["start"], e.record["end"]),
                    quote_excerpt(e.record["text"], 200),
                ),
                full_citation=full_citation(
                    e.document,
                    at_span(e.passage, e.document, e.record["start"], e.record["end"]),
                    e.record["text"],
                ),
            )
            for e in card.evidence
        ],
    )


def quote_model(hit: QuoteHit) -> QuoteModel:
    record = hit.record
    cited = replace(
        at_span(hit.passage, hit.document, record["start"], record["end"]),
        speaker=record["speaker"],
        speech=record["speech"],
    )
    return QuoteModel(
        id=record["id"],
        speaker=record["speaker"],
        role=record["role"],
        text=record["text"],
        method=record["method"],
        speech=record["speech"],
        document=document_ref(hit.document),
        passage_id=hit.passage.id,
        page=record["page"],
        start=record["start"],
        end=record["end"],
        score=hit.score,
        citation=reference(hit.document, cited, " ".join(record["text"].split())),
    )


def similar_response(
    engine, passage_id: str | None, case_id: str | None, text: str | None, k: int
) -> SimilarResponse:
    """Similar passages (other documents) and similar cases; LookupError for unknown ids."""
    knowledge = engine.knowledge
    if passage_id:
        passage = engine.passages.get(passage_id)
        if passage is None:
            raise LookupError(f"no passage '{passage_id}'")
        query, exclude = passage.text, passage.document_id
        vector = engine.vectors.vector(passage_id)
        cases = knowledge.similar_cases(passage.text, min(k, 5))
    elif case_id:
        case = knowledge.case(case_id)
        if case is None:
            raise LookupError(f"no case '{case_id}'")
        query, exclude = case.name, None
        vector = knowledge.case_vector(case)
        if vector is None:
            vector = engine.embed_question(case.description)
        cases = knowledge.similar_cases(f"{case.name}. {case.description}", k, exclude=case)
    else:
        query, exclude, vector = text, None, None
        cases = knowledge.similar_cases(text, k)
    # A description is searched as a question is, so that one the collection knows nothing
    # of gets no passages and a reason, not ten near-ties (« recette de la tarte tatin »).
    hits = (
        engine.similar_to_vector(vector, k, exclude_document=exclude)
        if vector is not None
        else engine.search(text, k)
    )
    if case_id:
        own = set(case.passage_ids)
        hits = [h for h in hits if h.passage.id not in own]
    base = search_response(query, "similar", hits)
    return SimilarResponse(
        query=base.query,
        mode=base.mode,
        results=base.results,
        reason=base.reason,
        cases=[
            SimilarCaseModel(
                case=case_model(knowledge.page_of(s.case), knowledge.documents),
                score=round(s.score, 4),
                reasons=s.reasons,
            )
            for s in cases
        ],
    )


# -- speakers -------------------------------------------------------------------------


class SpeakerModel(BaseModel):
    name: str
    roles: list[str] = Field(description="every role the documents give the speaker")
    organisations: list[str] = Field(description="organisations their roles name")
    events: list[str]
    passages: int = Field(description="searchable passages of their turns")
    quotes: int = Field(description="quotes attributed to them (GET /v1/quotes?speaker=…)")


class SpeakersResponse(BaseModel):
    query: str | None
    results: list[SpeakerModel]


def speaker_model(speaker: Speaker) -> SpeakerModel:
    return SpeakerModel(**asdict(speaker))
