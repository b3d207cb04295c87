"""French for people: API messages (French by default, English on request) and CLI errors."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest

from api.messages import negotiate
from tests.conftest import ROOT
from tests.test_cli import run

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "fr"),
        ("", "fr"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,en;q=0.5,fr;q=0.4", "en"),
        ("en;q=0.2,fr;q=0.8", "fr"),
        ("de,es", "fr"),
        ("*", "fr"),
        ("en;q=abc, fr;q=0.1", "fr"),
    ],
)
def test_the_language_is_negotiated_from_accept_language(header, language):
    assert negotiate(header) == language


@pytest.mark.parametrize(
    ("path", "french", "english"),
    [
        ("/v1/documents/absent", "aucun document « absent »", "no document 'absent'"),
        ("/v1/cases/case-nope", "aucun cas « case-nope »", "no case 'case-nope'"),
        ("/v1/similar?case_id=case-nope", "aucun cas « case-nope »", "no case 'case-nope'"),
        ("/v1/answer?q=%20", "la requête est vide", "the query is empty"),
        ("/v1/nowhere", "introuvable", "Not Found"),
    ],
)
def test_api_errors_are_french_unless_english_is_preferred(server, path, french, english):
    default = httpx.get(f"{server}{path}")
    assert default.json()["error"] == french and default.headers["content-language"] == "fr"
    asked = httpx.get(f"{server}{path}", headers=ENGLISH)
    assert asked.json()["error"] == english and asked.headers["content-language"] == "en"
    assert asked.status_code == default.status_code >= 400


def test_validation_errors_and_the_write_guard_speak_both_languages(server):
    french = httpx.get(f"{server}/v1/search", params={"q": "x", "k": 0}).json()
    assert french == {
        "error": "requête invalide",
        "details": ["k: doit être supérieur ou égal à 1"],
    }
    english = httpx.get(f"{server}/v1/search", params={"q": "x", "k": 0}, headers=ENGLISH).json()
    assert english["error"] == "invalid request" and "greater than or equal to 1" in str(english)
    # Refused by the middleware, before any route: the same catalogue.
    refused = httpx.delete(f"{server}/v1/documents/x")
    assert refused.status_code == 401 and refused.json()["error"] == "jeton absent ou erroné"
    refused = httpx.delete(f"{server}/v1/documents/x", headers=ENGLISH)
    assert refused.json()["error"] == "missing or wrong token"


def test_a_busy_port_is_one_french_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port), data=tmp_path / "data", check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (
        f"erreur : le port {port} est déjà utilisé : choisissez-en un autre avec --port"
    )
    assert "Recueil sur" not in done.stdout and "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["search", "élus", "--k", "0"], "valeur invalide pour --k / -k : doit être supérieur"),
        (
            ["search", "élus", "--k", "deux"],
            "valeur invalide pour --k / -k : nombre entier attendu",
        ),
        (["search", "élus", "--mode", "magic"], "mode inconnu « magic »"),
        (["search", "élus", "--bavard"], "option inconnue : --bavard"),
        (["search", "élus", "--speaker"], "l’option --speaker attend une valeur"),
        (["search", "élus", "--json=oui"], "l’option --json ne prend pas de valeur"),
        (["chercher"], "commande inconnue : chercher"),
        (["show"], "argument manquant : document"),
        (["show", "absent"], "aucune base Recueil dans"),
    ],
)
def test_cli_usage_errors_are_french_without_traceback(tmp_path, args, line):
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--data", str(tmp_path / "vide"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("erreur : ") and line in done.stderr.splitlines()[0]
    assert "Traceback" not in done.stderr


def test_cli_unknown_document_is_french(corpus_data):
    done = run("show", "absent", data=corpus_data, check=False)
    assert done.returncode == 2 and "erreur : aucun document « absent »" in done.stderr


def test_the_default_model_is_the_same_in_help_and_readme():
    from search.embedders import DEFAULT_MODEL

    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert f"{DEFAULT_MODEL} (par défaut)" in " ".join(done.stdout.split())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `RECUEIL_MODEL`"))
    assert row.rstrip(" |").endswith(f"`{DEFAULT_MODEL}`")
