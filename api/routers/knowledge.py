"""Practice cards, quotes and cases: what Recueil knows beyond passages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.bounds import QUESTION_CHARS
from api.messages import ApiError
from api.models import (
    ActorDetail,
    ActorsResponse,
    AnswerResponse,
    CaseEdit,
    CasePageModel,
    CasesResponse,
    PracticeCard,
    PracticesResponse,
    QuoteModel,
    QuotesResponse,
    SpeakersResponse,
    TerritoryType,
    actor_detail,
    actor_model,
    answer_response,
    case_model,
    case_page_model,
    practice_card,
    quote_model,
    speaker_model,
)
from api.paging import Offset, SortQuery, by_date, no_quotes, nothing_for, page, wanted
from api.routers.deps import App, require_token
from search.answer import answer as build_answer
from search.engine import Filters
from search.knowledge.case_pages import CasePage, created_id, is_created
from search.speakers import speaker_index

router = APIRouter(prefix="/v1", tags=["answers, practices, quotes, cases, actors"])
Text = Annotated[str | None, Query(max_length=QUESTION_CHARS)]


@router.get("/answer")
def answer(
    app: App, q: Annotated[str, Query(max_length=QUESTION_CHARS, description="La question")]
) -> AnswerResponse:
    """What works, what to avoid, testimonies and cases for a practice question, each item
    with its exact excerpts and citations; an empty answer says why."""
    if not q.strip():
        raise ApiError(422, "query.empty")  # "" and "   " alike
    return answer_response(build_answer(app.engine, q))


@router.get("/actors")
def actors(
    app: App,
    q: Text = None,
    kind: Annotated[Literal["person", "organisation", "place"] | None, Query()] = None,
    k: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> ActorsResponse:
    """People, organisations and places the documents name, most present first."""
    asked = wanted(offset, k)
    found = app.engine.knowledge.actors_for(q, kind, asked)
    shown, where = page(found, offset, k, asked, nothing_for("aucun acteur", q))
    return ActorsResponse(query=q, results=[actor_model(a) for a in shown], **where.model_dump())


@router.get("/actors/{actor_id}")
def actor(actor_id: str, app: App) -> ActorDetail:
    """An actor: its spellings and roles, events, cases, cited passages, and who it works
    with (the actors named in the same passages)."""
    found = app.engine.knowledge.actor(actor_id)
    if found is None:
        raise ApiError(404, "actor.unknown", id=actor_id)
    return actor_detail(app.engine, found)


@router.get("/speakers")
def speakers(app: App, q: Text = None) -> SpeakersResponse:
    """The speaker index: each speaker with roles, organisations, events and the number of
    their passages and quotes, most passages first; `q` keeps those whose name, role or
    organisation holds it. Their words: /v1/search?speaker=… or /v1/quotes?speaker=…"""
    found = speaker_index(app.engine, q)
    return SpeakersResponse(query=q, results=[speaker_model(s) for s in found])


@router.get("/practices")
def practices(
    app: App, q: Text = None, k: Annotated[int, Query(ge=1, le=100)] = 10, offset: Offset = 0
) -> PracticesResponse:
    """Practice cards matching a question, or the best supported ones without one."""
    asked = wanted(offset, k)
    found = app.engine.knowledge.practices(q, asked)
    shown, where = page(found, offset, k, asked, nothing_for("aucune fiche pratique", q))
    return PracticesResponse(
        query=q, results=[practice_card(c) for c in shown], **where.model_dump()
    )


@router.get("/practices/{card_id}")
def practice(card_id: str, app: App) -> PracticeCard:
    card = app.engine.knowledge.practice(card_id)
    if card is None:
        raise ApiError(404, "practice.unknown", id=card_id)
    return practice_card(card)


@router.get("/quotes")
def quotes(
    app: App,
    q: Text = None,
    speaker: Text = None,
    document: Text = None,
    event: Text = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    k: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Offset = 0,
    sort: SortQuery = "relevance",
    speech: Annotated[
        Literal["verbatim", "reported"] | None,
        Query(
            description="verbatim: the speakers' own words only; reported: the report's "
            "accounts of what they said"
        ),
    ] = None,
) -> QuotesResponse:
    """Quotes attributed to named speakers, about a question and/or by one speaker, of one
    document, event or year if asked; `relevance` is document order when there is no
    question."""
    asked = wanted(offset, k, sort)
    within = Filters(document=document, event=event, year=year)
    hits = app.engine.knowledge.quotes_for(q, speaker, asked, within, speech)
    ordered = by_date(hits, lambda h: h.document.date, sort)
    shown, where = page(ordered, offset, k, asked, no_quotes(app.engine, q, speaker))
    return QuotesResponse(
        query=q, speaker=speaker, results=[quote_model(h) for h in shown], **where.model_dump()
    )


@router.get("/quotes/{quote_id}")
def quote(quote_id: str, app: App) -> QuoteModel:
    """One quote, by the id its citation and export carry."""
    hit = app.engine.knowledge.quote(quote_id)
    if hit is None:
        raise ApiError(404, "quote.unknown", id=quote_id)
    return quote_model(hit)


@router.get("/cases")
def cases(
    app: App,
    q: Text = None,
    territory_type: TerritoryType | None = None,
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Offset = 0,
) -> CasesResponse:
    """Every case, those the documents describe and those editors created, most documented
    first; with `q`, the cases whose name holds it, or, when no name holds it and `q` is a
    description (more than four words), those like it; with `territory_type`, those of
    that type of territory; an empty list says there is none."""
    knowledge = app.engine.knowledge
    asked = wanted(offset, k)
    found = knowledge.cases_for(q, asked, territory_type)
    what = f"aucun cas « {territory_type} »" if territory_type else "aucun cas"
    shown, where = page(found, offset, k, asked, nothing_for(what, q))
    return CasesResponse(
        query=q,
        results=[case_model(knowledge.page_of(c), knowledge.documents) for c in shown],
        **where.model_dump(),
    )


@router.get("/cases/{case_id}")
def case(case_id: str, app: App) -> CasePageModel:
    """A case's page: name, place, territory type, actors and their types, themes, levers,
    dates, results, lessons and every source passage; editors' fields over extracted ones."""
    return case_page_model(_page(app, case_id), app.engine.knowledge.documents)


@router.put("/cases/{case_id}", dependencies=[Depends(require_token)])
def edit_case(case_id: str, edit: CaseEdit, app: App) -> CasePageModel:
    """Set fields of a case page (token). Kept apart from extraction: a re-ingest keeps them."""
    _page(app, case_id)
    # A case created by hand has no extracted name to fall back on.
    if "name" in edit.model_fields_set and edit.name is None and is_created(case_id):
        raise ApiError(422, "case.name_locked", id=case_id)
    return _save(app, case_id, edit)


@router.post("/cases", status_code=201, dependencies=[Depends(require_token)])
def create_case(edit: CaseEdit, app: App) -> CasePageModel:
    """Create a case page an editor documents by hand (token); `name` is required, and no
    other case may bear it (409 names the one that does)."""
    if not edit.name:
        raise ApiError(422, "case.name_required")
    return _save(app, created_id(edit.name), edit, creating=True)


@router.delete("/cases/{case_id}", status_code=204, dependencies=[Depends(require_token)])
def delete_case(case_id: str, app: App) -> Response:
    """Delete a case an editor created (token). A case the documents describe goes only
    with its documents (409): an editor corrects its fields instead of hiding it."""
    with app.write_lock:
        _page(app, case_id)
        if not is_created(case_id):
            raise ApiError(409, "case.extracted", id=case_id)
        app.store.delete_case_edit(case_id)
        app.refresh()
    return Response(status_code=204)


def _page(app, case_id: str) -> CasePage:
    found = app.engine.knowledge.case_page(case_id)
    if found is None:
        raise ApiError(404, "case.unknown", id=case_id)
    return found


def _save(app, case_id: str, edit: CaseEdit, creating: bool = False) -> CasePageModel:
    """Save an edit, and serve the knowledge it changes: the list, search and similar cases
    read the case as its page does (search.knowledge.case_pages.edited_case). A name
    another case bears is refused, and a new case's id must be free."""
    with app.write_lock:
        knowledge = app.engine.knowledge
        # Checked under the lock: two editors cannot create one name twice.
        same = knowledge.case(case_id) if creating else None
        if edit.name and same is None:
            same = knowledge.case_named(edit.name, other_than=case_id)
        if same is not None:
            raise ApiError(409, "case.exists", id=same.id, name=same.name)
        app.store.save_case_edit(case_id, edit.model_dump(exclude_unset=True))
        app.refresh()
    return case_page_model(_page(app, case_id), app.engine.knowledge.documents)
