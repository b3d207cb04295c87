"""The French page in headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARTIFACTS
from tests.factories import MARKDOWN
from tests.test_citation_formats import parse_bibtex, parse_ris

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make install-test`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(server)
    yield page
    context.close()


def test_question_gives_cited_results_and_copy(page, server):
    page.get_by_label("Votre question").fill("comment impliquer les entreprises ?")
    page.keyboard.press("Enter")
    results = page.locator(".result")
    results.first.wait_for()
    assert results.count() == 10
    assert "p. " in results.first.locator(".citation").inner_text()
    assert results.first.locator("mark").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=False)
    results.first.get_by_role("button", name="Copier la citation").click()
    page.get_by_text("Citation copiée ✓").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    # The whole passage is copied with its reference, not the excerpt the page shows.
    shown = results.first.locator(".citation").inner_text()
    api = httpx.get(f"{server}/v1/search", params={"q": "comment impliquer les entreprises ?"})
    whole = api.json()["results"][0]["text"]
    assert copied == f"« {' '.join(whole.split())} » — {shown.split(' » — ', 1)[1]}"
    assert len(copied) > len(shown)


def test_context_and_similar_cases(page):
    page.get_by_label("Votre question").fill("page blanche imaginaires")
    page.get_by_role("button", name="Rechercher").click()
    first = page.locator(".result").first
    first.wait_for()
    first.get_by_role("button", name="Voir le contexte").click()
    dialog = page.locator("dialog#panel")
    dialog.locator(".context.current").wait_for()
    assert "Contexte" in dialog.locator("h2").inner_text()
    dialog.get_by_role("button", name="Fermer").click()
    first.get_by_role("button", name="Cas similaires").click()
    dialog.locator(".result").first.wait_for()
    assert "similaires" in dialog.locator("h2").inner_text()


def test_upload_with_token_then_find_it(page, tmp_path):
    source = tmp_path / "jardins.md"
    source.write_text(MARKDOWN.replace("Trappes", "Montreuil-Bellay"), encoding="utf-8")
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_label("Jeton d’écriture").fill("jeton-de-test")
    page.get_by_label("Fichiers").set_input_files(str(source))
    page.get_by_role("button", name="Envoyer et indexer").click()
    page.get_by_text("jardins.md : indexé").wait_for(timeout=60_000)
    page.get_by_role("button", name="Recherche").click()
    page.get_by_label("Votre question").fill("coopérative Montreuil-Bellay")
    page.keyboard.press("Enter")
    page.locator(".result").first.wait_for()
    assert "Montreuil-Bellay" in page.locator(".result").first.inner_text()


def test_phone_width_is_usable(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(server)
    box = page.get_by_role("button", name="Rechercher").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    context.close()


def test_practices_cases_and_quotes_views(page):
    page.get_by_role("button", name="Pratiques").click()
    page.get_by_label("Quelle pratique cherchez-vous ?").fill("trouver des ambassadeurs")
    page.get_by_role("button", name="Voir les pratiques").click()
    page.get_by_text("pour « trouver des ambassadeurs »").wait_for()
    assert "ambassadeurs" in page.locator("#practices .practice").first.inner_text().lower()

    page.get_by_role("button", name="Cas", exact=True).click()
    page.locator("#cases .case").first.wait_for()
    page.get_by_label("Décrivez votre cas").fill("plateforme de dialogue des quartiers")
    page.get_by_role("button", name="Cas similaires").first.click()
    page.get_by_text("cas proches de votre description").wait_for()
    assert "Villes au Carré" in page.locator("#cases .case").first.inner_text()

    page.get_by_role("button", name="Citations").click()
    page.locator("#view-quotes").get_by_label("Intervenant·e").fill("CARON")
    page.get_by_role("button", name="Chercher les citations").click()
    page.locator("#quotes .quote").first.wait_for()
    page.wait_for_function("document.querySelectorAll('#quotes .quote').length < 30")
    assert "Jean-François CARON" in page.locator("#quotes .quote").first.inner_text()
    page.locator("#quotes .quote").first.get_by_role("button", name="Copier la citation").click()
    page.get_by_text("Citation copiée ✓").wait_for()


def test_a_question_shows_the_answer_before_the_passages(page):
    page.get_by_label("Votre question").fill("comment mobiliser les élus ?")
    page.keyboard.press("Enter")
    answer = page.locator("#answer")
    answer.get_by_role("heading", name="Ce qui marche").wait_for()
    first = answer.locator(".answer-item").first
    assert "p. " in first.locator(".citation").inner_text()
    with page.expect_download() as download:
        first.get_by_role("button", name="Exporter", exact=True).click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert len(exported) == 1 and "/documents/" in exported[0]["URL"]  # CSL-JSON by default
    first.get_by_role("button", name="Voir le contexte").click()
    page.locator("dialog#panel .context.current").wait_for()
    page.locator("dialog#panel").get_by_role("button", name="Fermer").click()
    assert page.locator("#results .result").count() == 10


def test_nonsense_says_there_is_nothing_relevant(page):
    page.get_by_label("Votre question").fill("xyzzyqq blorf")
    page.keyboard.press("Enter")
    page.get_by_text("Aucun résultat pertinent").wait_for()
    assert page.locator("#results .result").count() == 0
    assert page.locator("#answer").is_hidden()


def test_actors_view_walks_from_one_actor_to_another(page):
    page.get_by_role("button", name="Acteurs").click()
    page.locator("#view-actors").get_by_label("Nom, rôle ou organisation").fill("caron")
    page.get_by_role("button", name="Chercher les acteurs").click()
    page.locator("#actors .actor").first.wait_for()
    page.locator("#actors .actor").first.get_by_role("button").click()
    dialog = page.locator("dialog#panel")
    dialog.get_by_role("heading", name="Travaille avec").wait_for()
    assert "CARON" in dialog.locator("h2").inner_text()
    assert "(personne)" in page.locator("#actors .actor").first.inner_text()
    first_partner = dialog.locator(".works-with button").first
    partner = first_partner.inner_text()
    first_partner.click()
    page.wait_for_function(
        "name => document.querySelector('#panel-title').textContent === name", arg=partner
    )


def test_a_case_page_opens_from_the_cases_view(page):
    page.get_by_role("button", name="Cas", exact=True).click()
    first = page.locator("#cases .case").first
    first.wait_for()
    first.get_by_role("button", name="Fiche du cas").click()
    dialog = page.locator("dialog#panel")
    dialog.get_by_role("heading", name="Sources").wait_for()
    assert dialog.locator(".also li").count() >= 1


def test_facets_filter_then_a_selection_is_exported(page, server):
    page.get_by_label("Votre question").fill("comment impliquer les entreprises ?")
    page.keyboard.press("Enter")
    page.locator("#results .result").first.wait_for()
    facets = page.locator("#facets")
    assert facets.get_by_role("heading", name="Type").is_visible()
    kinds = page.locator("#f-kind option").evaluate_all("options => options.map(o => o.value)")
    assert {"case_study", "document"} <= set(kinds)  # every kind a facet can offer
    assert "(" in facets.locator("[data-facet=kind] button").first.inner_text()
    year = facets.locator("[data-facet=year] button").last
    chosen = year.inner_text().split()[0]
    year.click()
    page.wait_for_function("y => document.querySelector('#f-year').value === y", arg=chosen)
    page.wait_for_function(
        "y => [...document.querySelectorAll('#results .citation')].every("
        "c => c.textContent.includes(y)) && document.querySelector('#results .result')",
        arg=chosen,
    )
    assert page.locator("#facets [data-facet=year] button").inner_text().startswith(chosen)
    assert page.locator("#facets [data-facet=year] button").get_attribute("aria-pressed") == "true"

    results = page.locator("#results .result")
    ids = [results.nth(i).get_attribute("data-passage") for i in range(2)]
    for i in range(2):
        results.nth(i).get_by_label("Sélectionner").check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "facets-export.png"))
    page.locator("#search-export").get_by_label("Format").select_option("bibtex")
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter la sélection (2)").click()
    assert download.value.suggested_filename == "recueil-citations.bib"
    entries = parse_bibtex(Path(download.value.path()).read_text(encoding="utf-8"))
    ordinals = [f"#p-{pid.rsplit(':', 1)[1]}" for pid in ids]
    assert [e["url"][e["url"].index("#") :] for e in entries] == ordinals
    assert all(e["url"].startswith(f"{server}/documents/") for e in entries)

    page.locator("#search-export").get_by_label("Format").select_option("ris")
    with page.expect_download() as download:
        results.first.get_by_role("button", name="Exporter", exact=True).click()
    records = parse_ris(Path(download.value.path()).read_text(encoding="utf-8"))
    assert len(records) == 1 and records[0]["UR"][0].endswith(ordinals[0])


def test_speaker_index_leads_to_their_quotes_and_passages(page):
    page.get_by_role("button", name="Intervenants").click()
    entries = page.locator("#speakers .speaker-entry")
    entries.first.wait_for()
    page.get_by_label("Nom, rôle ou organisation").last.fill("Loos-en-Gohelle")
    page.get_by_role("button", name="Chercher les intervenants").click()
    page.wait_for_function("document.querySelectorAll('#speakers .speaker-entry').length === 1")
    caron = entries.first
    assert "Maire de Loos-en-Gohelle" in caron.inner_text()
    quotes_button = caron.get_by_role("button", name="Ses citations")
    count = int(quotes_button.inner_text().split("(")[1].rstrip(")"))
    quotes_button.click()
    page.get_by_text(f"{count} citation(s)").wait_for()
    assert page.locator("#view-quotes").get_by_label("Intervenant·e").input_value() == (
        "Jean-François CARON"
    )
    quotes = page.locator("#quotes .quote")
    assert quotes.count() == count
    assert all("CARON" in quotes.nth(i).inner_text() for i in range(count))

    page.get_by_role("button", name="Intervenants").click()
    caron.get_by_role("button", name="Ses passages").click()
    page.locator("#results .result").first.wait_for()
    assert page.locator("#f-speaker").input_value() == "Jean-François CARON"
    metas = page.locator("#results .meta").all_inner_texts()
    assert metas and all(m.startswith("Jean-François CARON") for m in metas)


def test_facets_fit_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{server}/?q=mobiliser+les+%C3%A9lus")
    page.locator("#facets [data-facet=kind] button").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#facets").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    context.close()
