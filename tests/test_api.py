"""The HTTP API against a real uvicorn server on a free localhost port."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import documents
from tests.conftest import running_server
from tests.factories import CASE_NOTE, MARKDOWN, pdf_bytes

TOKEN = {"Authorization": "Bearer jeton-de-test"}


def get(server, path, **params):
    return httpx.get(f"{server}{path}", params=params, timeout=30)


def test_health(server):
    body = get(server, "/health").json()
    assert body["status"] == "ok" and body["model"] == "e5-small-recueil-int8-v3-65a7b843"
    assert body["documents"] >= 5 and body["index_fresh"] is True
    assert body["backend"] == "sqlite" and body["database"] is True


def test_search_matches_the_cli_shape(server):
    body = get(server, "/v1/search", q="mobiliser les élus", k=3).json()
    assert body["query"] == "mobiliser les élus" and len(body["results"]) == 3
    result = body["results"][0]
    assert result["citation"].startswith("« ") and result["document"]["file"].endswith(".txt")
    assert {
        "passage_id",
        "score",
        "text",
        "snippet",
        "page",
        "section",
        "speaker",
        "start",
        "end",
        "also_in",
    } <= set(result)


def test_search_filters_and_modes(server):
    body = get(server, "/v1/search", q="co-construction", year=2016, mode="lexical").json()
    assert body["results"] and all(
        r["document"]["date"].startswith("2016") for r in body["results"]
    )
    body = get(server, "/v1/search", q="co-construction", speaker="caron").json()
    assert all(r["speaker"] == "Jean-François CARON" for r in body["results"])
    # A name typed without its hyphen and accents finds the speaker, in search and quotes.
    typed = get(server, "/v1/search", q="élus", speaker="jean francois caron").json()
    assert typed["results"] and all(r["speaker"] == "Jean-François CARON" for r in typed["results"])
    quotes = get(server, "/v1/quotes", speaker="jean francois caron").json()["results"]
    assert quotes and all(q["speaker"] == "Jean-François CARON" for q in quotes)
    # A name with no letter in it names nobody: nothing, not everything.
    for path in ("/v1/quotes", "/v1/actors", "/v1/cases"):
        params = {"speaker": "\x00"} if path == "/v1/quotes" else {"q": "-- \x00"}
        assert get(server, path, **params).json()["results"] == [], path
    assert get(server, "/v1/search", q="élus", speaker="--").json()["results"] == []
    # Asked what a person says whom no document names, nobody else's words answer.
    asked = "que dit Gérard Lambertin sur la gouvernance ?"
    for path in ("/v1/quotes", "/v1/search"):
        body = get(server, path, q=asked).json()
        assert body["results"] == [], path
        assert body["reason"].endswith("« Gérard Lambertin » n'apparaît dans aucun document")
    # A name a letter off a speaker's finds nothing, and says whom it probably meant.
    for path, params in (("/v1/quotes", {}), ("/v1/search", {"q": "élus"})):
        body = get(server, path, speaker="Caronn", **params).json()
        assert body["results"] == [], path
        assert body["reason"].endswith("vouliez-vous dire « Jean-François CARON » ?"), body


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 422),
        ({"q": "   "}, 422),
        ({"q": "x", "k": 0}, 422),
        ({"q": "x", "mode": "magic"}, 422),
        ({"q": "x", "year": "deux"}, 422),
        ({"q": "x", "kind": "foo"}, 422),
    ],
)
def test_bad_search_input_is_a_4xx_with_a_message(server, params, status):
    response = get(server, "/v1/search", **params)
    assert response.status_code == status and response.json()["error"]


def test_a_blank_query_and_a_bad_choice_are_said_in_french(server):
    """ "" and "   " are the same mistake; a wrong choice names the valid values in French."""
    for q in ("", "   "):
        response = get(server, "/v1/search", q=q)
        assert response.status_code == 422 and "vide" in response.json()["error"]
    for params in ({"mode": "magic"}, {"sort": "best"}):
        error = " ".join(get(server, "/v1/search", q="élus", **params).json()["details"])
        assert "valeur attendue" in error and " or " not in error and " ou " in error, error


def test_documents_and_outline(server):
    documents = get(server, "/v1/documents").json()
    assert {d["file"] for d in documents} >= {"001_82aaa8b671886fce.txt"}
    outline = get(server, "/v1/documents/001_82aaa8b671886fce").json()
    assert outline["event"].startswith("5e") and outline["outline"]
    # The list and the document count the same passages (a tester read 133 and 163).
    listed = next(d for d in documents if d["id"] == "001_82aaa8b671886fce")
    assert listed["passages"] == outline["passages"] > 100
    assert get(server, "/v1/documents/absent").status_code == 404
    # The page of a document: the same single page, a 404 when the document is unknown.
    assert get(server, "/documents/001_82aaa8b671886fce").status_code == 200
    dead = get(server, "/documents/absent")
    assert dead.status_code == 404 and "<html" in dead.text.lower()


def test_passage_context(server):
    first = get(server, "/v1/search", q="page blanche", k=1).json()["results"][0]
    body = get(server, f"/v1/passages/{first['passage_id']}").json()
    assert body["passage"]["passage_id"] == first["passage_id"]
    # Who speaks there, as search says it (a tester's upload found them missing here).
    for field in ("speaker", "speaker_role", "speech", "question", "kind", "page_end"):
        assert body[field] == first[field], field
    assert body["speaker"] and body["speech"]
    assert body["previous"] or body["next"]
    neighbours = [n for n in (body["previous"], body["next"]) if n]
    assert all(n["document"]["id"] == first["document"]["id"] for n in neighbours)
    assert get(server, "/v1/passages/nope:1").status_code == 404


def test_similar_by_passage_and_by_text(server):
    first = get(server, "/v1/search", q="page blanche", k=1).json()["results"][0]
    body = get(server, "/v1/similar", passage_id=first["passage_id"], k=5).json()
    assert body["results"] and all(
        r["document"]["id"] != first["document"]["id"] for r in body["results"]
    )
    body = get(server, "/v1/similar", text="une coopérative d'habitants avec la mairie").json()
    assert body["results"] and body["reason"] is None
    # A description the collection knows nothing of: nothing similar, and why.
    body = get(server, "/v1/similar", text="xyzzyqq blorf").json()
    assert body["results"] == [] and body["cases"] == [] and body["reason"]
    assert get(server, "/v1/similar").status_code == 400
    blank = get(server, "/v1/similar", text="  ")
    assert blank.status_code == 422 and "description est vide" in blank.json()["error"]


def test_upload_needs_the_token(server):
    files = {"files": ("cas.md", MARKDOWN.encode(), "text/markdown")}
    assert httpx.post(f"{server}/v1/documents", files=files).status_code == 401
    wrong = {"Authorization": "Bearer faux"}
    assert httpx.post(f"{server}/v1/documents", files=files, headers=wrong).status_code == 401
    # A method the route does not take is the router's 405, not a demand for a token.
    assert httpx.post(f"{server}/v1/search", data={"q": "élus"}).status_code == 405


def test_upload_search_and_delete(server):
    files = [
        ("files", ("trappes.md", MARKDOWN.encode(), "text/markdown")),
        (
            "files",
            (
                "note.pdf",
                pdf_bytes([["Les vergers communaux de Saint-Sauveur."]]),
                "application/pdf",
            ),
        ),
    ]
    response = httpx.post(f"{server}/v1/documents", files=files, headers=TOKEN, timeout=120)
    assert response.status_code == 201, response.text
    report = {f["file"]: f for f in response.json()["files"]}
    assert report["trappes.md"]["status"] == "added" and report["note.pdf"]["passages"] >= 1
    hits = get(server, "/v1/search", q="vergers communaux Saint-Sauveur", k=3).json()
    assert hits["results"][0]["document"]["file"] == "note.pdf"
    document_id = report["note.pdf"]["document_id"]
    assert httpx.delete(f"{server}/v1/documents/{document_id}").status_code == 401
    deleted = httpx.delete(f"{server}/v1/documents/{document_id}", headers=TOKEN, timeout=60)
    assert deleted.status_code == 200
    hits = get(server, "/v1/search", q="vergers communaux Saint-Sauveur", k=3).json()
    assert all(r["document"]["file"] != "note.pdf" for r in hits["results"])
    assert get(server, "/health").json()["index_fresh"] is True


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("script.exe", b"MZ", 415, "type de fichier non pris en charge"),
        ("../evil.md", b"# x", 400, "dangereux"),
        ("gros.txt", b"a" * 1_100_000, 413, "1 Mo, la limite par fichier"),
        ("vide.md", b"", 400, "fichier vide"),
        ("casse.pdf", b"%PDF-1.4 junk", 422, "PDF tronqué"),
    ],
)
def test_bad_uploads_are_refused_clearly(server, name, content, status, message):
    files = {"files": (name, content, "application/octet-stream")}
    response = httpx.post(f"{server}/v1/documents", files=files, headers=TOKEN, timeout=60)
    assert response.status_code == status and message in response.json()["error"]


def test_openapi_and_page(server):
    assert "/v1/search" in get(server, "/openapi.json").json()["paths"]
    page = get(server, "/")
    assert page.status_code == 200 and 'lang="fr"' in page.text


def test_practices_endpoint_and_card(server):
    body = get(server, "/v1/practices", q="se former à coopérer", k=3).json()
    card = body["results"][0]
    assert card["evidence"] and card["evidence"][0]["citation"].startswith("« ")
    assert {"id", "label", "description", "polarity", "documents", "events"} <= set(card)
    same = get(server, f"/v1/practices/{card['id']}").json()
    assert same["label"] == card["label"]
    assert get(server, "/v1/practices/pr-nope").status_code == 404
    assert len(get(server, "/v1/practices").json()["results"]) == 10


def test_quotes_endpoint_filters_by_speaker(server):
    body = get(server, "/v1/quotes", speaker="Jahshan").json()
    assert body["results"] and all(q["speaker"] == "Philippe JAHSHAN" for q in body["results"])
    assert all(q["role"].lower() == "président du mouvement associatif" for q in body["results"])
    body = get(server, "/v1/quotes", q="page blanche", k=1).json()
    assert "page blanche" in body["results"][0]["text"]
    assert body["results"][0]["citation"].startswith("« “On est devant")  # quoted within


def test_quotes_of_one_year_event_or_document(server):
    """A researcher reads one event's words: the quotes filter as search does."""
    every = get(server, "/v1/quotes", q="coopération", k=50).json()["results"]
    assert {q["document"]["date"][:4] for q in every} >= {"2016", "2019"}
    of_2016 = get(server, "/v1/quotes", q="coopération", year=2016, k=50).json()["results"]
    assert of_2016 and all(q["document"]["date"][:4] == "2016" for q in of_2016)
    file = of_2016[0]["document"]["file"]
    of_file = get(server, "/v1/quotes", document=file, k=200).json()["results"]
    assert of_file and all(q["document"]["file"] == file for q in of_file)
    event = get(server, "/v1/quotes", event="5e Rencontre", k=200).json()["results"]
    assert event and all("5e Rencontre" in q["document"]["event"] for q in event)
    none = get(server, "/v1/quotes", q="coopération", year=1999).json()
    assert none["results"] == [] and none["reason"]
    assert get(server, "/v1/quotes", year=1200).status_code == 422


def test_cases_of_one_type_of_territory(server):
    """Case pages can be filtered by their type of territory, an unknown one is a 422."""
    rural = get(server, "/v1/cases", territory_type="rural").json()["results"]
    assert rural and all(c["territory_type"] == "rural" for c in rural)
    every = get(server, "/v1/cases", k=100).json()["results"]
    assert len(rural) == sum(c["territory_type"] == "rural" for c in every) < len(every)
    assert get(server, "/v1/cases", territory_type="lunaire").status_code == 422


def test_cases_and_similar_cases_with_reasons(server):
    cases = get(server, "/v1/cases", q="Villes au Carré").json()["results"]
    villes = next(c for c in cases if c["name"] == "Villes au Carré")
    assert villes["sources"] and villes["description"]
    assert get(server, f"/v1/cases/{villes['id']}").json()["name"] == "Villes au Carré"
    similar = get(server, "/v1/similar", case_id=villes["id"], k=3).json()
    assert similar["cases"] and all(c["case"]["id"] != villes["id"] for c in similar["cases"])
    assert all(c["reasons"] for c in similar["cases"])
    by_text = get(server, "/v1/similar", text="plateforme de dialogue des quartiers").json()
    assert by_text["cases"][0]["case"]["name"] == "Villes au Carré"
    assert get(server, "/v1/similar", case_id="case-nope").status_code == 404
    assert get(server, "/v1/similar", case_id="x", text="y").status_code == 400


def test_nonsense_gets_an_empty_list_with_a_reason(server):
    body = get(server, "/v1/search", q="xyzzyqq blorf").json()
    assert body["results"] == [] and "aucun" in body["reason"]
    answered = get(server, "/v1/search", q="mobiliser les élus locaux").json()
    assert answered["results"] and answered["reason"] is None
    # Every list says why it is empty: nothing found, or a page past its end.
    for path, params, said in (
        ("/v1/quotes", {"q": "zzzz"}, "aucune citation sur « zzzz »"),
        (
            "/v1/quotes",
            {"speaker": "Personne Inconnue"},
            "aucune citation de « Personne Inconnue »",
        ),
        ("/v1/practices", {"q": "xyzzyqq blorf"}, "aucune fiche pratique sur « xyzzyqq blorf »"),
        ("/v1/actors", {"q": "xyzzyqq"}, "aucun acteur sur « xyzzyqq »"),
        (
            "/v1/search",
            {"q": "mobiliser les élus", "offset": 5000},
            "rien à partir du résultat 5001",
        ),
    ):
        body = get(server, path, **params).json()
        assert body["results"] == [] and body["reason"].startswith(said), (path, body)
    assert get(server, "/v1/quotes", q="page blanche").json()["reason"] is None


def test_unknown_kind_names_the_valid_values(server):
    response = get(server, "/v1/search", q="élus", kind="proceeding")
    assert response.status_code == 422 and "proceedings" in response.text


def test_a_document_filter_naming_no_document_is_a_usage_error(server):
    """A mistyped document id is refused, not answered « no passage matches the filters »,
    which reads as if the document said nothing on the question."""
    for path in ("/v1/search", "/v1/quotes"):
        response = get(server, path, q="élus", document="nope.pdf")
        assert response.status_code == 422, path
        assert response.json()["error"] == "aucun document « nope.pdf »"
    by_file = get(server, "/v1/search", q="élus", document="001_82aaa8b671886fce.txt")
    assert by_file.status_code == 200 and by_file.json()["results"]


def test_answer_endpoint_has_the_promised_shape(server):
    body = get(server, "/v1/answer", q="comment mobiliser les élus ?").json()
    assert body["query"] and body["sections"] and body["reason"] is None
    kinds = [section["kind"] for section in body["sections"]]
    assert kinds[0] == "practices" and set(kinds) <= {
        "practices",
        "pitfalls",
        "testimonies",
        "cases",
    }
    evidence = body["sections"][0]["items"][0]["evidence"][0]
    assert {"text", "citation", "passage_id", "start", "end", "document"} <= evidence.keys()
    assert {"id", "file", "title", "event", "date"} <= evidence["document"].keys()
    assert body["question"] is True
    empty = get(server, "/v1/answer", q="xyzzyqq blorf").json()
    assert empty["sections"] == [] and empty["reason"]
    # Words looked up are no question: the page lists their passages only.
    assert get(server, "/v1/answer", q="page blanche").json()["question"] is False
    assert get(server, "/v1/answer", q="mobiliser les élus").json()["question"] is True
    assert get(server, "/v1/answer", q="  ").status_code == 422


def test_actors_list_and_page(server):
    people = get(server, "/v1/actors", kind="person", q="caron").json()["results"]
    assert people[0]["name"] == "Jean-François CARON"
    assert people[0]["type_label"] == "personne"  # the page speaks French
    page = get(server, f"/v1/actors/{people[0]['id']}").json()
    assert page["events"] and page["sources"] and page["works_with"]
    assert all(source["citation"] for source in page["sources"])
    depots = get(server, "/v1/actors", q="CDC").json()["results"][0]
    assert depots["name"] == "Caisse des Dépôts" and "CDC" in depots["aliases"]
    depots = get(server, f"/v1/actors/{depots['id']}").json()
    assert "Banque des Territoires" in [part["name"] for part in depots["parts"]]
    bank = get(server, f"/v1/actors/{depots['parts'][0]['id']}").json()
    assert bank["part_of"]["id"] == depots["id"] and page["part_of"] is None
    assert get(server, "/v1/actors/actor-nobody").status_code == 404
    assert get(server, "/v1/actors", kind="alien").status_code == 422


def test_case_pages_are_complete_and_editors_edits_survive(server):
    page = get(server, "/v1/cases/case-loos-en-gohelle").json()
    assert page["name"] == "Loos-en-Gohelle" and page["sources"] and page["actors"]
    assert all(
        a["label"]
        in (
            "personne",
            "collectivité",
            "réseau",
            "État",
            "financeur",
            "recherche",
            "entreprise",
            "association",
            "organisation",
            "lieu",
        )
        for a in page["actors"]
    )
    assert {"territory_type", "themes", "levers", "dates", "results", "lessons"} <= page.keys()
    url = f"{server}/v1/cases/case-loos-en-gohelle"
    assert httpx.put(url, json={"territory_type": "périurbain"}).status_code in (401, 403)
    assert httpx.put(url, json={"colour": "bleu"}, headers=TOKEN).status_code == 422
    # Territory types are a closed list, so that pages can be filtered by them.
    refused = httpx.put(url, json={"territory_type": "banlieue"}, headers=TOKEN)
    assert refused.status_code == 422 and "périurbain" in refused.text
    # Actors are named alone or with their type, and said in French.
    wrong = httpx.put(url, json={"actors": [{"nom": "X"}]}, headers=TOKEN)
    assert wrong.status_code == 422 and "champ inconnu" in wrong.text, wrong.text
    edited = httpx.put(
        url,
        json={
            "territory_type": "périurbain",
            "dates": ["2001"],
            "actors": [
                "Ville de Loos",
                {"name": "CPIE Chaîne des Terrils", "type": "association"},
                # A type as the page says it is its code: « Entreprise », « etat ».
                {"name": "Menuiserie Vidal", "type": "Entreprise"},
                {"name": "Préfecture du Pas-de-Calais", "type": "etat"},
            ],
        },
        headers=TOKEN,
    ).json()
    assert edited["territory_type"] == "périurbain" and edited["edited"] == [
        "actors",
        "dates",
        "territory_type",
    ]
    assert [(a["name"], a["label"]) for a in edited["actors"]] == [
        ("Ville de Loos", "collectivité"),
        ("CPIE Chaîne des Terrils", "association"),
        ("Menuiserie Vidal", "entreprise"),
        ("Préfecture du Pas-de-Calais", "État"),
    ]
    assert edited["sources"] == page["sources"]  # extraction still stands under the edit
    # A document uploaded and removed rebuilds cases; the editor's fields stay.
    files = {"files": ("note.md", "# Note\n\nUne note brève sur la coopération.", "text/markdown")}
    upload = httpx.post(f"{server}/v1/documents", files=files, headers=TOKEN, timeout=120)
    assert upload.status_code == 201
    assert httpx.delete(f"{server}/v1/documents/note", headers=TOKEN, timeout=120).is_success
    again = get(server, "/v1/cases/case-loos-en-gohelle").json()
    assert again["territory_type"] == "périurbain" and again["dates"] == ["2001"]


def test_an_editor_creates_a_case_page(server):
    body = {"name": "Jardins de la Bastide", "place": "Bordeaux", "levers": ["mise en réseau"]}
    created = httpx.post(f"{server}/v1/cases", json=body, headers=TOKEN)
    assert created.status_code == 201
    page = created.json()
    assert page["id"] == "case-ed-jardins-de-la-bastide" and page["place"] == "Bordeaux"
    assert get(server, f"/v1/cases/{page['id']}").json()["levers"] == ["mise en réseau"]
    assert httpx.post(f"{server}/v1/cases", json=body, headers=TOKEN).status_code == 409
    assert (
        httpx.post(f"{server}/v1/cases", json={"place": "Lyon"}, headers=TOKEN).status_code == 422
    )
    # The actors an editor names give the kinds of actors the case brings together.
    named = {
        "name": "Jumelage Chambéry-Ouahigouya",
        "actors": ["Ville de Chambéry", {"name": "Les Amis de Ouahigouya", "type": "association"}],
    }
    twinned = httpx.post(f"{server}/v1/cases", json=named, headers=TOKEN).json()
    assert twinned["actor_kinds"] == ["collectivités", "associations"], twinned
    assert httpx.delete(f"{server}/v1/cases/{twinned['id']}", headers=TOKEN).status_code == 204


FABRIQUE = {
    "name": "La Fabrique des Voisins",
    "place": "Givry-sur-Saône",
    "territory_type": "rural",
    "description": "Un café associatif de village où les habitants prêtent leurs outils et "
    "partagent leurs savoir-faire avec les artisans du bourg.",
}
FABRIQUE_LIKE = "un café de village où les habitants partagent leurs outils"


def similar_named(server, text: str) -> dict[str, dict]:
    found = get(server, "/v1/similar", text=text, k=10).json()["cases"]
    return {c["case"]["name"]: c for c in found}


def test_an_editors_case_is_listed_found_compared_then_deleted(server):
    """Issue #12: a case an editor creates is in the list, found by its name and among
    similar cases like the others, its page says it has no source; deleted, it is gone."""
    before = get(server, "/v1/cases", k=100).json()["results"]
    created = httpx.post(f"{server}/v1/cases", json=FABRIQUE, headers=TOKEN)
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert case_id == "case-ed-la-fabrique-des-voisins" and created.json()["sources"] == []
    listed = get(server, "/v1/cases", k=100).json()["results"]
    assert len(listed) == len(before) + 1
    mine = next(c for c in listed if c["id"] == case_id)
    assert mine["created"] and mine["territory_type"] == "rural" and mine["documents"] == 0
    assert not any(c["created"] for c in before if c["name"] != "Jardins de la Bastide")
    by_name = get(server, "/v1/cases", q="Fabrique des Voisins").json()["results"]
    assert by_name[0]["id"] == case_id
    found = similar_named(server, FABRIQUE_LIKE)["La Fabrique des Voisins"]
    assert "même type de territoire : rural" in found["reasons"]
    assert any(r.startswith("fiche rédigée par un éditeur : « Un café") for r in found["reasons"])
    # Compared from its own page, it is never its own similar case.
    from_case = get(server, "/v1/similar", case_id=case_id, k=5).json()
    assert from_case["cases"] and all(c["case"]["id"] != case_id for c in from_case["cases"])

    assert httpx.delete(f"{server}/v1/cases/{case_id}").status_code in (401, 403)
    assert httpx.delete(f"{server}/v1/cases/{case_id}", headers=TOKEN).status_code == 204
    assert get(server, f"/v1/cases/{case_id}").status_code == 404
    assert [c["id"] for c in get(server, "/v1/cases", k=100).json()["results"]] == [
        c["id"] for c in before
    ]
    assert "La Fabrique des Voisins" not in similar_named(server, FABRIQUE_LIKE)
    assert httpx.delete(f"{server}/v1/cases/{case_id}", headers=TOKEN).status_code == 404


def test_a_name_another_case_bears_is_refused_and_extracted_cases_are_not_deleted(server):
    taken = httpx.post(f"{server}/v1/cases", json={"name": "loos en Gohelle"}, headers=TOKEN)
    assert taken.status_code == 409
    assert "Loos-en-Gohelle" in taken.text and "case-loos-en-gohelle" in taken.text
    assert get(server, "/v1/cases/case-ed-loos-en-gohelle").status_code == 404
    renamed = httpx.put(
        f"{server}/v1/cases/case-tamkeen", json={"name": "Villes au Carré"}, headers=TOKEN
    )
    assert renamed.status_code == 409 and "Villes au Carré" in renamed.text
    kept = httpx.put(  # its own name again is no clash
        f"{server}/v1/cases/case-tamkeen", json={"name": "Tamkeen"}, headers=TOKEN
    )
    assert kept.status_code == 200 and kept.json()["name"] == "Tamkeen"
    httpx.put(f"{server}/v1/cases/case-tamkeen", json={"name": None}, headers=TOKEN)
    refused = httpx.delete(f"{server}/v1/cases/case-loos-en-gohelle", headers=TOKEN)
    assert refused.status_code == 409 and "créé par un éditeur" in refused.json()["error"]
    assert get(server, "/v1/cases/case-loos-en-gohelle").json()["sources"]


def test_every_view_shows_a_case_as_its_page_does(server):
    """The list and similar cases give each case the type of territory, the kinds of
    actors and the named actors of its page, and every trait scored is a reason said."""
    for listed in get(server, "/v1/cases", k=100).json()["results"]:
        page = get(server, f"/v1/cases/{listed['id']}").json()
        for field in ("name", "place", "territory_type", "actor_kinds", "actors", "levers"):
            assert listed[field] == page[field], (listed["id"], field)
    described = [
        "un incubateur d'entrepreneurs sociaux à Lyon et au Maroc",
        "une commune rurale qui associe habitants, entreprises et associations",
        "un quartier prioritaire où la ville et les associations coopèrent",
    ]
    for text in described:
        for found in get(server, "/v1/similar", text=text, k=10).json()["cases"]:
            page = get(server, f"/v1/cases/{found['case']['id']}").json()
            said = [
                r.split(" : ", 1)[1] for r in found["reasons"] if r.startswith("même type de t")
            ]
            assert said in ([], [page["territory_type"]]), (text, found["case"]["name"])
            traits = float(found["reasons"][-1].rsplit("en commun ", 1)[1].replace(",", "."))
            assert (traits > 0) == any(r.startswith("même") for r in found["reasons"])


def test_an_editors_type_of_territory_is_the_one_similar_cases_compare(server):
    created = httpx.post(f"{server}/v1/cases", json=FABRIQUE, headers=TOKEN).json()
    url = f"{server}/v1/cases/{created['id']}"
    try:
        httpx.put(url, json={"territory_type": "métropole"}, headers=TOKEN)
        found = similar_named(server, FABRIQUE_LIKE + " dans un village rural")
        assert found["La Fabrique des Voisins"]["case"]["territory_type"] == "métropole"
        assert not any("rural" in r for r in found["La Fabrique des Voisins"]["reasons"][:-2])
        listed = get(server, "/v1/cases", q="Fabrique des Voisins").json()["results"][0]
        assert listed["territory_type"] == "métropole" and listed["edited"] == [
            "description",
            "name",
            "place",
            "territory_type",
        ]
    finally:
        assert httpx.delete(url, headers=TOKEN).status_code == 204


# -- limits before the body, tokens: a bare server with small caps and a non-ASCII token --

NON_ASCII_TOKEN = "jéton-ü"
NON_ASCII_AUTH = {"Authorization": b"Bearer " + NON_ASCII_TOKEN.encode()}  # UTF-8 on the wire
REQUEST_CAP = 300_000  # RECUEIL_MAX_REQUEST_MB=0.3 below


class Bare(NamedTuple):
    base: str
    data: Path
    spool: Path  # the server's temp folder (TMPDIR): a spooled body would land here


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Iterator[Bare]:
    """An empty store served with small caps, its own temp folder and a non-ASCII token."""
    root = tmp_path_factory.mktemp("bare")
    data, spool = root / "data", root / "spool"
    spool.mkdir()
    env = {
        "RECUEIL_TOKEN": NON_ASCII_TOKEN,
        "RECUEIL_MAX_UPLOAD_MB": "0.1",
        "RECUEIL_MAX_REQUEST_MB": "0.3",
        "TMPDIR": str(spool),
    }
    with running_server(data, **env) as base:
        yield Bare(base, data, spool)


def left_behind(bare: Bare) -> set[Path]:
    """What sits in the temp folder and in uploads/: compared before and after a request."""
    return {*bare.spool.rglob("*"), *(bare.data / "uploads").rglob("*")}


def send_by_hand(base: str, head: bytes, body: Iterable[bytes] = ()) -> tuple[int, dict]:
    """Send a request's headers and these body parts (however short of what they announce),
    then read the answer: its status and JSON body. A server that waits for the rest of the
    body makes this time out."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(head + b"\r\n")
        for part in body:
            try:
                sock.sendall(part)
            except OSError:  # the server refused and closed the connection
                break
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, json.loads(response.read())


def upload_head(*headers: bytes) -> bytes:
    lines = [b"POST /v1/documents HTTP/1.1", b"Host: test", *headers]
    lines.append(b"Content-Type: multipart/form-data; boundary=cut")
    return b"".join(line + b"\r\n" for line in lines)


def file_part(size: int, step: int = 65_536) -> Iterator[bytes]:
    """The start of a multipart body: one text file, `size` bytes in slices, never closed."""
    yield b'--cut\r\nContent-Disposition: form-data; name="files"; filename="gros.txt"\r\n\r\n'
    for _ in range(0, size, step):
        yield b"a" * step


def test_an_anonymous_huge_upload_is_refused_before_its_body(bare):
    before = left_behind(bare)
    head = upload_head(b"Content-Length: 2000000000")
    status, body = send_by_hand(bare.base, head, file_part(65_536))  # 2 GB announced
    assert status == 401 and body["error"] == "jeton absent ou erroné"
    assert left_behind(bare) == before


def test_a_declared_length_past_the_request_cap_is_refused_at_once(bare):
    before = left_behind(bare)
    authorization = b"Authorization: " + NON_ASCII_AUTH["Authorization"]
    head = upload_head(authorization, f"Content-Length: {REQUEST_CAP + 1}".encode())
    status, body = send_by_hand(bare.base, head)  # no body sent at all
    assert status == 413 and "0,3 Mo, la limite par requête" in body["error"]
    assert left_behind(bare) == before


def test_a_chunked_body_past_the_cap_is_refused_while_it_streams(bare):
    """No length announced and no end sent: only counting the bytes as they come stops it."""
    before = left_behind(bare)
    authorization = b"Authorization: " + NON_ASCII_AUTH["Authorization"]
    head = upload_head(authorization, b"Transfer-Encoding: chunked")
    # Files of 60 KB each, every one within the file cap: only the request's can stop them
    # (one file of 1 MB raced the two caps, whichever the server's reads reached first).
    files = (
        (b"\r\n" if n else b"")
        + f'--cut\r\nContent-Disposition: form-data; name="files"; filename="f{n}.txt"'.encode()
        + b"\r\n\r\n"
        + b"a" * 60_000
        for n in range(20)
    )
    parts = (f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in files)
    status, body = send_by_hand(bare.base, head, parts)
    assert status == 413 and "0,3 Mo, la limite par requête" in body["error"]
    assert left_behind(bare) == before


def test_a_file_past_its_own_cap_is_refused_while_it_streams(bare):
    """Within the request's cap but past the file's: cut off before the rest is sent."""
    authorization = b"Authorization: " + NON_ASCII_AUTH["Authorization"]
    head = upload_head(authorization, f"Content-Length: {REQUEST_CAP}".encode())
    status, body = send_by_hand(bare.base, head, file_part(200_000))
    assert status == 413 and "« gros.txt » dépasse 0,1 Mo, la limite par fichier" in body["error"]
    assert "rien de cet envoi n’a été indexé" in body["error"]


def test_the_file_past_its_cap_is_named_from_its_headers_not_from_a_file_s_words():
    """A file whose text holds « filename="…" » is no other file: the name comes from
    the part's headers, however the reads cut them."""
    from api.limits import _PartCounter

    body = (
        b'--cut\r\nContent-Disposition: form-data; name="files"; filename="notes.md"\r\n\r\n'
        + b'voir filename="piege.md" ' * 10
        + b'\r\n--cut\r\nContent-Disposition: form-data; name="files"; filename="gros.txt"'
        + b"\r\n\r\n"
        + b"a" * 30_000
    )
    for step in (len(body), 7):
        counter = _PartCounter(b"cut", 1_000)
        refusals = [counter.feed(body[i : i + step]) for i in range(0, len(body), step)]
        refusal = next(r for r in refusals if r is not None)
        assert refusal.text("fr").startswith("« gros.txt » dépasse"), step
    alone = body[: body.index(b"\r\n--cut")] + b"x" * 30_000  # the first file, too large
    assert _PartCounter(b"cut", 1_000).feed(alone).text("fr").startswith("« notes.md » dépasse")


def test_several_files_each_within_its_cap_pass_the_guard(bare):
    """Each part is counted on its own: two files of 90 KB are not one of 180 KB."""
    blank = b" " * 90_000  # passes the size checks, then has no text to index
    files = [("files", (f"blanc{n}.txt", blank, "text/plain")) for n in (1, 2)]
    response = httpx.post(f"{bare.base}/v1/documents", files=files, headers=NON_ASCII_AUTH)
    assert response.status_code == 422 and response.json()["error"].count("aucun texte") == 2


def test_a_json_body_past_its_cap_is_refused(bare):
    edit = json.dumps({"name": "x" * (REQUEST_CAP + 1)})
    headers = {**NON_ASCII_AUTH, "Content-Type": "application/json"}
    response = httpx.post(f"{bare.base}/v1/cases", content=edit, headers=headers)
    assert response.status_code == 413 and "la limite par requête" in response.json()["error"]


def test_a_non_ascii_token_works_byte_for_byte(bare):
    body = {"name": "Jardins de la Bastide"}
    created = httpx.post(f"{bare.base}/v1/cases", json=body, headers=NON_ASCII_AUTH)
    assert created.status_code == 201, created.text
    latin1 = {"Authorization": "Bearer jéton-ü".encode("latin-1")}  # other bytes, same letters
    assert httpx.post(f"{bare.base}/v1/cases", json=body, headers=latin1).status_code == 401


@pytest.mark.parametrize("value", [b"Bearer \xff\xfe", b"Bearer jeton-de-test\xe9"])
def test_a_non_ascii_authorization_header_is_a_401(server, bare, value):
    for base in (server, bare.base):
        response = httpx.post(
            f"{base}/v1/cases", json={"name": "X"}, headers={"Authorization": value}
        )
        assert response.status_code == 401 and response.json()["error"] == "jeton absent ou erroné"


def test_an_upload_within_the_caps_goes_in_and_leaves_only_its_file(bare):
    files = {"files": ("trappes.md", MARKDOWN.encode(), "text/markdown")}
    response = httpx.post(
        f"{bare.base}/v1/documents", files=files, headers=NON_ASCII_AUTH, timeout=60
    )
    assert response.status_code == 201 and response.json()["files"][0]["status"] == "added"
    assert [p.name for p in (bare.data / "uploads").iterdir()] == ["trappes.md"]


# -- uploads: staged until committed, reported as committed, completed when repeated --


@pytest.fixture
def client(tmp_path, monkeypatch) -> Iterator[TestClient]:
    """The app in this process over an empty store, so that a test can make parts fail."""
    monkeypatch.setenv("RECUEIL_TOKEN", "jeton-de-test")
    with TestClient(create_app(tmp_path / "data")) as test_client:
        yield test_client


def upload(client: TestClient, name: str, text: str, replace: bool = False) -> httpx.Response:
    return client.post(
        "/v1/documents",
        files={"files": (name, text.encode(), "text/markdown")},
        params={"replace": "true"} if replace else {},
        headers=TOKEN,
    )


def staged_files(client: TestClient) -> list[str]:
    return [p.name for p in client.app.state.recueil.upload_dir.glob(".upload-*")]


def case_names(client: TestClient) -> list[str]:
    return [c["name"] for c in client.get("/v1/cases").json()["results"]]


def crashing(message: str) -> Callable[..., None]:
    """A stand-in for refresh_knowledge() that fails as a crash before the cards would."""

    def crash(*args, **kwargs) -> None:
        raise RuntimeError(message)

    return crash


def test_an_upload_is_reported_as_committed_and_a_repeat_completes_it(client, monkeypatch):
    monkeypatch.setattr(documents, "refresh_knowledge", crashing("killed during the refresh"))
    first = upload(client, "vergers.md", CASE_NOTE)
    # The document is in the store: the answer says so, and says what is missing.
    assert first.status_code == 201
    assert first.json()["files"][0]["status"] == "added"
    assert "killed during the refresh" in first.json()["warning"]
    assert "Vergers de Saint-Sauveur" not in case_names(client)
    monkeypatch.undo()
    again = upload(client, "vergers.md", CASE_NOTE)
    assert again.status_code == 201 and again.json()["warning"] is None
    assert again.json()["files"][0]["status"] == "unchanged"
    # An unchanged upload says how many passages its document already has, not 0.
    assert again.json()["files"][0]["passages"] == first.json()["files"][0]["passages"] > 0
    assert "Vergers de Saint-Sauveur" in case_names(client)
    hits = client.get("/v1/search", params={"q": "vergers fruitiers Saint-Sauveur"}).json()
    assert hits["results"][0]["document"]["file"] == "vergers.md"


def test_a_server_starting_completes_what_an_interrupted_write_owed(client, monkeypatch, tmp_path):
    """No repeat needed: the next server over the store rebuilds the cards and cases owed."""
    monkeypatch.setattr(documents, "refresh_knowledge", crashing("killed during the refresh"))
    assert "killed" in upload(client, "vergers.md", CASE_NOTE).json()["warning"]
    assert "Vergers de Saint-Sauveur" not in case_names(client)
    with TestClient(create_app(tmp_path / "data")) as restarted:
        assert "Vergers de Saint-Sauveur" in case_names(restarted)


def test_a_delete_is_reported_as_committed_when_the_refresh_fails(client, monkeypatch):
    assert upload(client, "vergers.md", CASE_NOTE).status_code == 201
    monkeypatch.setattr(documents, "refresh_knowledge", crashing("disk full"))
    deleted = client.delete("/v1/documents/vergers", headers=TOKEN)
    assert deleted.status_code == 200 and "disk full" in deleted.json()["warning"]
    assert client.get("/v1/documents/vergers").status_code == 404


def test_a_failed_update_keeps_the_previous_file_and_no_staged_copy(client):
    assert upload(client, "vergers.md", CASE_NOTE).status_code == 201
    failed = upload(client, "vergers.md", "   \n\n   ", replace=True)  # no text: refused
    assert failed.status_code == 422 and "vergers.md" in failed.json()["error"]
    kept = client.app.state.recueil.upload_dir / "vergers.md"
    assert kept.read_text() == CASE_NOTE and staged_files(client) == []
    assert client.get("/v1/documents/vergers").status_code == 200


def test_one_file_crashing_is_reported_and_the_others_go_in(client, monkeypatch):
    real = documents.ingest_file

    def crash_on_one(store, path, **kwargs):
        if path.name == "casse.md":
            raise RuntimeError("lxml exploded")
        return real(store, path, **kwargs)

    monkeypatch.setattr(documents, "ingest_file", crash_on_one)
    files = [
        ("files", ("casse.md", b"# Casse\n\nUn texte.", "text/markdown")),
        ("files", ("vergers.md", CASE_NOTE.encode(), "text/markdown")),
    ]
    response = client.post("/v1/documents", files=files, headers=TOKEN)
    report = {f["file"]: f for f in response.json()["files"]}
    assert response.status_code == 201 and report["vergers.md"]["status"] == "added"
    assert report["casse.md"]["status"] == "failed"
    assert "lxml exploded" in report["casse.md"]["error"]
    uploads = client.app.state.recueil.upload_dir
    assert sorted(p.name for p in uploads.iterdir()) == ["vergers.md"]


def test_a_staged_upload_left_by_a_kill_is_removed_at_startup(tmp_path, monkeypatch):
    monkeypatch.setenv("RECUEIL_TOKEN", "jeton-de-test")
    uploads = tmp_path / "data" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / ".upload-k1ll3d.md").write_text("# half")
    (uploads / "garde.md").write_text("# kept")
    with TestClient(create_app(tmp_path / "data")):
        assert sorted(p.name for p in uploads.iterdir()) == ["garde.md"]


def test_a_hand_made_case_keeps_its_name(bare):
    """Found by the fuzzing below: a null name left a page that could not be shown (500)."""
    created = httpx.post(f"{bare.base}/v1/cases", json={"name": "Verger"}, headers=NON_ASCII_AUTH)
    url = f"{bare.base}/v1/cases/{created.json()['id']}"
    cleared = httpx.put(url, json={"name": None}, headers=NON_ASCII_AUTH)
    assert cleared.status_code == 422 and "ne peut pas être effacé" in cleared.json()["error"]
    assert httpx.get(url).json()["name"] == "Verger"


# -- fuzzing: schemathesis over the bare server, a fixed seed and few examples -------------


def test_fuzzed_requests_never_get_a_server_error(bare, tmp_path):
    """Its CLI, as CI runs it: the pytest plugin of schemathesis 4 does not load under pytest 9."""
    # requests sends header text as latin-1: these characters are the token's UTF-8 bytes.
    token = NON_ASCII_TOKEN.encode().decode("latin-1")
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "run", f"{bare.base}/openapi.json"),
        *("--checks", "not_a_server_error", "--max-examples", "5", "--seed", "1"),
        *("--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-shrink"),
        *("--header", f"Authorization: Bearer {token}", "--request-timeout", "60"),
    ]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_document_text_has_its_structure_and_every_citation_points_into_it(server):
    body = get(server, "/v1/documents/001_82aaa8b671886fce/text").json()
    text, passages = body["text"], body["passages"]
    assert body["document"]["id"] == "001_82aaa8b671886fce" and len(text) > 100_000
    starts = [p["start"] for p in body["pages"]]
    assert starts[0] == 0 and starts == sorted(starts) and len(starts) == 52
    assert [p["start"] for p in passages] == sorted(p["start"] for p in passages)
    assert all(0 <= p["start"] < p["end"] <= len(text) for p in passages)
    # A search result, a quote and a piece of evidence cite offsets of this very text.
    hit = get(server, "/v1/search", q="page blanche", k=1, document=body["document"]["id"])
    result = hit.json()["results"][0]
    mark = next(p for p in passages if p["id"] == result["passage_id"])
    assert (mark["start"], mark["end"]) == (result["start"], result["end"])
    quote = get(server, "/v1/quotes", q="page blanche", speaker="caron", k=1).json()["results"][0]
    assert "page blanche" in text[quote["start"] : quote["end"]]
    turn = next(t for t in body["turns"] if t["start"] <= quote["start"] < t["end"])
    assert turn["speaker"] == "Jean-François CARON" and turn["speech"] in ("verbatim", "reported")
    # Sub-sections stand inside their parent, which starts with its first one.
    debate = [s for s in body["sections"] if s["path"].startswith("MISE EN DEBAT")]
    parent = next(s for s in debate if s["depth"] == 0)
    children = [s for s in debate if s["depth"] == 1]
    assert children and all(
        parent["start"] <= s["start"] < s["end"] <= parent["end"] for s in children
    )
    assert all(s["title"] == s["path"].split(" › ")[-1] for s in body["sections"])


def test_document_text_of_an_unknown_document_is_a_clear_404(server):
    response = get(server, "/v1/documents/absent/text")
    assert response.status_code == 404 and response.json()["error"] == "aucun document « absent »"


def ids(body: dict) -> list[str]:
    return [r.get("passage_id") or r["id"] for r in body["results"]]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/search", {"q": "co-construction territoriale"}),
        ("/v1/quotes", {"q": "co-construction"}),
        ("/v1/practices", {}),
        ("/v1/cases", {}),
        ("/v1/actors", {"kind": "person"}),
    ],
)
def test_lists_are_paged_by_offset(server, path, params):
    whole = get(server, path, **params, k=8).json()
    first = get(server, path, **params, k=4).json()
    second = get(server, path, **params, k=4, offset=4).json()
    assert len(whole["results"]) == 8 and ids(first) + ids(second) == ids(whole)
    assert (first["offset"], first["has_more"], second["offset"]) == (0, True, 4)
    beyond = get(server, path, **params, k=4, offset=1000).json()
    assert beyond["results"] == [] and beyond["has_more"] is False


def test_the_documents_list_is_paged_too(server):
    whole = get(server, "/v1/documents")
    total = int(whole.headers["X-Total-Count"])
    assert total == len(whole.json()) >= 5
    first = get(server, "/v1/documents", k=2).json()
    rest = get(server, "/v1/documents", k=1000, offset=2).json()
    assert [d["id"] for d in first + rest] == [d["id"] for d in whole.json()]
    assert get(server, "/v1/documents", offset=total).json() == []


def test_a_short_list_says_its_total(server):
    body = get(server, "/v1/quotes", speaker="Jahshan", k=50).json()
    assert body["total"] == len(body["results"]) > 0 and body["has_more"] is False


@pytest.mark.parametrize("path", ["/v1/search", "/v1/quotes"])
def test_results_sort_by_date_among_the_relevant_ones(server, path):
    relevant = get(server, path, q="co-construction", k=100).json()
    newest = get(server, path, q="co-construction", k=100, sort="newest").json()
    oldest = get(server, path, q="co-construction", k=100, sort="oldest").json()
    assert sorted(ids(newest)) == sorted(ids(relevant)) == sorted(ids(oldest))
    dates = [r["document"]["date"] for r in oldest["results"]]
    assert dates == sorted(dates) and len(set(dates)) > 1
    assert [r["document"]["date"] for r in newest["results"]] == sorted(dates, reverse=True)
    assert get(server, path, q="x", sort="alphabetical").status_code == 422


def test_a_file_ingested_from_a_folder_then_uploaded_is_one_document(client, tmp_path):
    """The same bytes, first from `recueil ingest`, then through the page: the upload is
    that document, unchanged, and leaves no second copy nor twice the quotes."""
    from ingest.pipeline import ingest

    folder = tmp_path / "rapports"
    folder.mkdir()
    (folder / "vergers.md").write_text(CASE_NOTE, encoding="utf-8")
    store = client.app.state.recueil.store
    ingest(store, [folder])
    again = upload(client, "vergers-copie.md", CASE_NOTE)
    assert again.status_code == 201
    (reported,) = again.json()["files"]
    assert reported["status"] == "unchanged" and reported["document_id"] == "vergers"
    assert reported["passages"] == len(store.searchable_passages(["vergers"])) > 0
    assert [d["id"] for d in client.get("/v1/documents").json()] == ["vergers"]
    assert not (client.app.state.recueil.upload_dir / "vergers-copie.md").exists()
    assert staged_files(client) == []
