"""The French page in headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ARTIFACTS
from tests.factories import MARKDOWN

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
    assert copied == results.first.locator(".citation").inner_text()


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


def test_api_docs_render_with_the_internet_cut_off(browser, server):
    """Every request leaving the server is refused: Swagger UI still lists the operations."""
    context = browser.new_context()
    outside: list[str] = []

    def local_only(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.goto(f"{server}/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    assert "/v1/search" in page.locator("#swagger-ui").inner_text()
    assert outside == []
    context.close()


def test_documents_are_uploaded_edited_and_deleted_on_the_page(page, tmp_path):
    good = tmp_path / "ruches.md"
    good.write_text(MARKDOWN.replace("Trappes", "Vaulx-en-Velin"), encoding="utf-8")
    bad = tmp_path / "macro.exe"
    bad.write_bytes(b"MZ")
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_label("Jeton d’écriture").fill("jeton-de-test")
    page.get_by_label("Fichiers").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Envoyer et indexer").click()
    report = page.locator("#upload-report li")
    report.first.wait_for(timeout=60_000)
    assert report.nth(0).inner_text().startswith("ruches.md : indexé (")
    assert report.nth(1).inner_text().startswith("macro.exe : échec (type de fichier non pris")
    assert page.locator("#upload-status").inner_text() == "1 fichier(s) indexé(s), 1 en échec"

    page.get_by_role("button", name="Documents").click()
    dates = page.locator("#documents").inner_text()
    assert "26 juin 2019" in dates and "2019-06-26" not in dates  # dates in French
    item = page.locator('#documents li[data-document="ruches"]')
    # Behind the token: without it, a delete is refused and the document stays.
    page.evaluate("document.querySelector('#token').value = ''")
    page.once("dialog", lambda confirm: confirm.accept())
    item.get_by_role("button", name="Supprimer").click()
    page.get_by_text("Erreur : jeton absent ou erroné").wait_for()
    assert item.count() == 1

    page.get_by_label("Jeton (pour modifier ou supprimer)").fill("jeton-de-test")
    item.get_by_role("button", name="Modifier").click()
    dialog = page.locator("dialog#panel")
    dialog.get_by_label("Titre").fill("Les ruches de Vaulx")
    dialog.get_by_label("Date").fill("2021-05-03")
    dialog.get_by_label("Type").select_option("article")
    dialog.get_by_role("button", name="Enregistrer").click()
    dialog.get_by_text("Enregistré.").wait_for(timeout=60_000)
    dialog.get_by_role("button", name="Fermer").click()
    item.get_by_text("Les ruches de Vaulx").wait_for()
    assert "3 mai 2021" in item.inner_text() and "(modifié)" in item.inner_text()
    # Only the fields changed became edits: the event and place still follow the file.
    listed = page.evaluate("fetch('/v1/documents').then((r) => r.json())")
    assert next(d for d in listed if d["id"] == "ruches")["edited"] == ["date", "kind", "title"]

    page.once("dialog", lambda confirm: confirm.accept())
    item.get_by_role("button", name="Supprimer").click()
    page.get_by_text("« Les ruches de Vaulx » supprimé.").wait_for(timeout=60_000)
    assert item.count() == 0
