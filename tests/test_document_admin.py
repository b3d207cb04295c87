"""Managing documents over HTTP: per-file upload statuses, metadata edits that survive a
re-ingest, and the API docs served offline."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ingest.store import open_store
from tests.factories import CASE_NOTE

TOKEN = {"Authorization": "Bearer jeton-de-test"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def client(tmp_path, monkeypatch) -> Iterator[TestClient]:
    """The app in this process over an empty store, with a write token."""
    monkeypatch.setenv("RECUEIL_TOKEN", "jeton-de-test")
    monkeypatch.setenv("RECUEIL_MAX_UPLOAD_MB", "0.01")
    with TestClient(create_app(tmp_path / "data")) as test_client:
        yield test_client


def send(
    client: TestClient, *files: tuple[str, bytes], replace: bool = False, **headers: str
) -> httpx.Response:
    parts = [("files", (name, content, "application/octet-stream")) for name, content in files]
    params = {"replace": "true"} if replace else {}
    return client.post("/v1/documents", files=parts, params=params, headers={**TOKEN, **headers})


def test_a_batch_with_bad_files_indexes_the_good_ones_and_reports_each(client):
    response = send(
        client,
        ("vergers.md", CASE_NOTE.encode()),
        ("script.exe", b"MZ"),
        ("vide.md", b""),
        ("gros.txt", b"a" * 11_000),
        ("blanc.txt", b"   \n\n  "),
    )
    assert response.status_code == 201, response.text
    report = {f["file"]: f for f in response.json()["files"]}
    assert list(report) == ["vergers.md", "script.exe", "vide.md", "gros.txt", "blanc.txt"]
    assert report["vergers.md"]["status"] == "added" and report["vergers.md"]["passages"] >= 1
    assert {f["status"] for name, f in report.items() if name != "vergers.md"} == {"failed"}
    assert report["script.exe"]["error"].startswith("type de fichier non pris en charge")
    assert report["vide.md"]["error"] == "fichier vide"
    assert report["gros.txt"]["error"] == "fichier plus gros que 0,01 Mo, la limite par fichier"
    assert report["blanc.txt"]["error"]  # read, but no text to index
    assert [d["file"] for d in client.get("/v1/documents").json()] == ["vergers.md"]
    english = send(client, ("script.exe", b"MZ"), ("vergers.md", CASE_NOTE.encode()), **ENGLISH)
    files = english.json()["files"]
    assert (
        files[0]["error"].startswith("unsupported file type") and files[1]["status"] == "unchanged"
    )


def test_a_batch_where_every_file_is_refused_is_an_error_naming_each(client):
    same = send(client, ("a.exe", b"MZ"), ("b.exe", b"MZ"))
    assert same.status_code == 415
    assert re.search(r"a\.exe : type .*; b\.exe : type", same.json()["error"])
    mixed = send(client, ("a.exe", b"MZ"), ("vide.md", b""))
    assert mixed.status_code == 422 and "vide.md : fichier vide" in mixed.json()["error"]


def test_another_file_of_an_uploaded_name_replaces_it_only_when_asked(client):
    """Two reports both called « compte-rendu.md »: the second is refused, naming the
    document it would have replaced, which stays as it was; asked to, it replaces it."""
    brest = CASE_NOTE.encode()
    plouzane = CASE_NOTE.replace("vergers", "jardins").encode()
    assert send(client, ("compte-rendu.md", brest)).json()["files"][0]["status"] == "added"
    refused = send(client, ("compte-rendu.md", plouzane))
    assert refused.status_code == 409
    assert (
        "un autre fichier « compte-rendu.md » a déjà été envoyé (document compte-rendu)"
        in (refused.json()["error"])
    )
    hits = client.get("/v1/search", params={"q": "vergers"}).json()["results"]
    assert hits and hits[0]["document"]["id"] == "compte-rendu"
    same = send(client, ("compte-rendu.md", brest)).json()["files"][0]
    assert same["status"] == "unchanged"
    replaced = send(client, ("compte-rendu.md", plouzane), replace=True)
    assert replaced.json()["files"][0]["status"] == "updated"
    hits = client.get("/v1/search", params={"q": "jardins"}).json()["results"]
    assert hits and hits[0]["document"]["id"] == "compte-rendu"


def test_metadata_edits_need_the_token_and_a_valid_value(client):
    assert send(client, ("vergers.md", CASE_NOTE.encode())).status_code == 201
    url = "/v1/documents/vergers"
    assert client.patch(url, json={"title": "X"}).status_code == 401
    for body in ({"date": "2019-13"}, {"kind": "roman"}, {"colour": "bleu"}, {"title": ""}):
        assert client.patch(url, json=body, headers=TOKEN).status_code == 422, body
    assert client.patch("/v1/documents/absent", json={}, headers=TOKEN).status_code == 404


def test_a_metadata_edit_shows_in_search_and_survives_a_reingest(client, tmp_path):
    assert send(client, ("vergers.md", CASE_NOTE.encode())).status_code == 201
    edit = {
        "title": "Les vergers de Saint-Sauveur",
        "event": "Rencontre des vergers",
        "date": "2019-03-12",
        "place": "Saint-Sauveur",
        "kind": "case_study",
    }
    edited = client.patch("/v1/documents/vergers", json=edit, headers=TOKEN)
    assert edited.status_code == 200, edited.text
    assert edited.json()["document"]["edited"] == sorted(edit)
    # The file changes and is uploaded again: its text is new, the editor's fields stay.
    changed = CASE_NOTE + "\nLa mairie prête un terrain communal aux habitants pour les vergers.\n"
    again = send(client, ("vergers.md", changed.encode()), replace=True)
    assert again.json()["files"][0]["status"] == "updated"
    document = client.get("/v1/documents").json()[0]
    assert {key: document[key] for key in edit} == edit
    # `recueil stats` lists the document as search shows it.
    (listed,) = open_store(tmp_path / "data").stats()["per_document"]
    assert (listed["title"], listed["kind"]) == (edit["title"], edit["kind"])
    hit = client.get("/v1/search", params={"q": "terrain communal vergers"}).json()["results"][0]
    assert hit["document"]["title"] == "Les vergers de Saint-Sauveur"
    assert "Rencontre des vergers" in hit["citation"] and "12 mars 2019" in hit["citation"]
    filtered = client.get("/v1/search", params={"q": "vergers", "year": 2019, "kind": "case_study"})
    assert filtered.json()["results"]
    # Null goes back to what the file says.
    reverted = client.patch("/v1/documents/vergers", json={"title": None}, headers=TOKEN).json()
    assert reverted["document"]["title"] == "Les vergers partagés"
    assert "title" not in reverted["document"]["edited"]


def test_api_docs_use_only_local_assets(client):
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets and all(a.startswith("/docs-static/") for a in assets), assets
        assert "https://" not in html and "http://" not in html
        for asset in assets:
            served = client.get(asset)
            assert served.status_code == 200 and len(served.content) > 1000, asset
