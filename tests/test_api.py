"""The HTTP API against a real uvicorn server on a free localhost port."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import MARKDOWN, pdf_bytes

TOKEN = {"Authorization": "Bearer jeton-de-test"}


def get(server, path, **params):
    return httpx.get(f"{server}{path}", params=params, timeout=30)


def test_health(server):
    body = get(server, "/health").json()
    assert body["status"] == "ok" and body["model"] == "e5-small-onnx-int8-v3"
    assert body["documents"] >= 5 and body["index_fresh"] is True


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


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 422),
        ({"q": "   "}, 400),
        ({"q": "x", "k": 0}, 422),
        ({"q": "x", "mode": "magic"}, 422),
        ({"q": "x", "year": "deux"}, 422),
        ({"q": "x", "kind": "foo"}, 422),
    ],
)
def test_bad_search_input_is_a_4xx_with_a_message(server, params, status):
    response = get(server, "/v1/search", **params)
    assert response.status_code == status and response.json()["error"]


def test_documents_and_outline(server):
    documents = get(server, "/v1/documents").json()
    assert {d["file"] for d in documents} >= {"001_82aaa8b671886fce.txt"}
    outline = get(server, "/v1/documents/001_82aaa8b671886fce").json()
    assert outline["event"].startswith("5e") and outline["outline"]
    assert get(server, "/v1/documents/absent").status_code == 404


def test_passage_context(server):
    first = get(server, "/v1/search", q="page blanche", k=1).json()["results"][0]
    body = get(server, f"/v1/passages/{first['passage_id']}").json()
    assert body["passage"]["passage_id"] == first["passage_id"]
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
    assert body["results"]
    assert get(server, "/v1/similar").status_code == 400


def test_upload_needs_the_token(server):
    files = {"files": ("cas.md", MARKDOWN.encode(), "text/markdown")}
    assert httpx.post(f"{server}/v1/documents", files=files).status_code == 401
    wrong = {"Authorization": "Bearer faux"}
    assert httpx.post(f"{server}/v1/documents", files=files, headers=wrong).status_code == 401


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
        ("script.exe", b"MZ", 415, "unsupported file type"),
        ("../evil.md", b"# x", 400, "unsafe"),
        ("gros.txt", b"a" * 1_100_000, 413, "larger than"),
        ("vide.md", b"", 400, "empty"),
        ("casse.pdf", b"%PDF-1.4 junk", 422, "truncated PDF"),
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
    assert body["results"][0]["citation"].startswith("« «")


def test_cases_and_similar_cases_with_reasons(server):
    cases = get(server, "/v1/cases").json()["results"]
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


def test_unknown_kind_names_the_valid_values(server):
    response = get(server, "/v1/search", q="élus", kind="proceeding")
    assert response.status_code == 422 and "proceedings" in response.text


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
    empty = get(server, "/v1/answer", q="xyzzyqq blorf").json()
    assert empty["sections"] == [] and empty["reason"]
    assert get(server, "/v1/answer", q="  ").status_code == 400


def test_actors_list_and_page(server):
    people = get(server, "/v1/actors", kind="person", q="caron").json()["results"]
    assert people[0]["name"] == "Jean-François CARON"
    assert people[0]["type_label"] == "personne"  # the page speaks French
    page = get(server, f"/v1/actors/{people[0]['id']}").json()
    assert page["events"] and page["sources"] and page["works_with"]
    assert all(source["citation"] for source in page["sources"])
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
    edited = httpx.put(
        url, json={"territory_type": "périurbain", "dates": ["2001"]}, headers=TOKEN
    ).json()
    assert edited["territory_type"] == "périurbain" and edited["edited"] == [
        "dates",
        "territory_type",
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


def test_document_text_has_its_structure_and_every_citation_points_into_it(server):
    body = get(server, "/v1/documents/001_82aaa8b671886fce/text").json()
    text, passages = body["text"], body["passages"]
    assert body["document"]["id"] == "001_82aaa8b671886fce" and len(text) > 100_000
    starts = [p["start"] for p in body["pages"]]
    assert starts[0] == 0 and starts == sorted(starts) and len(starts) == 55
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
    assert response.status_code == 404 and response.json()["error"] == "no document 'absent'"


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
