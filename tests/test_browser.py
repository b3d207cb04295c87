"""The French page in headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

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


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """selector => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top < innerHeight && box.bottom > 0 && box.left >= 0
                && box.right <= innerWidth;
        }""",
        selector,
    )


def test_journey_from_a_result_to_its_passage_in_the_document_and_back(page, server):
    page.get_by_label("Votre question").fill("page blanche imaginaires")
    page.get_by_role("button", name="Rechercher").click()
    first = page.locator("#results .result").first
    first.wait_for()
    cited_id = first.get_attribute("data-passage")
    first.get_by_role("link", name="Voir le contexte").click()
    cited = page.locator("#document-text .passage.cited")
    cited.wait_for()
    assert page.url.startswith(f"{server}/documents/{cited_id.split(':')[0]}?")
    assert cited.get_attribute("data-passage") == cited_id
    assert page.evaluate("location.hash") == "#" + cited.get_attribute("id")
    assert cited.get_attribute("id") == f"p-{cited_id.split(':')[1]}"
    assert page.locator("#document-text .passage.cited").count() == 1
    assert "page blanche" in cited.inner_text()
    assert in_viewport(page, "#document-text .passage.cited")
    assert page.locator("#document-text .page-mark").count() > 40
    assert page.locator("#document-text .section-title").count() > 10
    turns = page.locator("#document-text .turn").all_inner_texts()
    assert any(t.startswith("Jean-François CARON, Maire") for t in turns)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document.png"), full_page=False)

    # Next and previous passage, by button and by key; the address follows.
    position = page.locator("#document-position").inner_text()
    page.get_by_role("button", name="Suivant →").click()
    page.wait_for_function("id => location.hash !== '#p-' + id", arg=cited_id.split(":")[1])
    moved = page.locator("#document-text .passage.cited")
    assert moved.get_attribute("data-passage") != cited_id
    assert in_viewport(page, "#document-text .passage.cited")
    page.keyboard.press("k")
    page.wait_for_function("id => location.hash === '#p-' + id", arg=cited_id.split(":")[1])
    assert page.locator("#document-position").inner_text() == position

    page.go_back()
    page.locator("#results .result").first.wait_for()
    assert page.get_by_label("Votre question").input_value() == "page blanche imaginaires"
    assert page.locator("#results .result").first.get_attribute("data-passage") == cited_id


def test_a_cited_excerpt_is_marked_inside_its_passage(page):
    page.get_by_label("Votre question").fill("comment mobiliser les élus ?")
    page.keyboard.press("Enter")
    item = page.locator("#answer .answer-item").first
    item.wait_for()
    href = item.get_by_role("link", name="Voir le contexte").get_attribute("href")
    start, end = (int(v) for v in re.search(r"start=(\d+)&end=(\d+)", href).groups())
    item.get_by_role("link", name="Voir le contexte").click()
    marked = page.locator("#document-text .passage.cited mark.excerpt")
    marked.first.wait_for()
    shown = " ".join(" ".join(marked.all_inner_texts()).split())
    document_id = href.split("/")[2].split("?")[0]
    text = page.evaluate(f"fetch('/v1/documents/{document_id}/text').then(r => r.json())")["text"]
    assert shown == " ".join(text[start:end].split())
    assert in_viewport(page, "#document-text .passage.cited")


def test_every_view_links_its_citations_to_the_document_view(page, server):
    views = {
        "practices": "#practices .practice",
        "quotes": "#quotes .quote",
        "cases": "#cases .case",
    }
    for view, item in views.items():
        page.goto(f"{server}/?view={view}")
        page.locator(item).first.wait_for()
        link = page.locator(item).first.locator("a.context-link").first
        assert link.get_attribute("href").startswith("/documents/")
    page.locator("#cases .case").first.get_by_role("link", name="Fiche du cas").click()
    page.locator("#case-page h3", has_text="Sources").wait_for()
    assert page.locator("#case-page .also a.context-link").count() >= 1
    page.goto(f"{server}/?view=actors&q=caron")
    page.locator("#actors .actor a").first.click()
    page.locator("#actor-page h3", has_text="Sources").wait_for()
    # His own words first: the citation credits him, the passage need not name him.
    source = page.locator("#actor-page .also li").first.inner_text()
    assert "Jean-François CARON," in source
    opening = source.split("« ", 1)[1][:30].lstrip("“")  # a quotation within: “…”
    page.locator("#actor-page .also a.context-link").first.click()
    page.locator("#document-text .passage.cited").wait_for()
    assert opening in page.locator("#document-text .passage.cited").inner_text()


def test_the_cases_view_lists_one_type_of_territory(page, server):
    """« Type de territoire » keeps the cases of that type, as /v1/cases does."""
    expected = httpx.get(f"{server}/v1/cases", params={"territory_type": "rural"}).json()
    page.goto(f"{server}/?view=cases")
    page.locator("#cases .case").first.wait_for()
    page.locator("#cases-territory").select_option("rural")
    page.locator("#cases-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"territory_type=rural"))
    page.locator("#cases-status", has_text="Cas documentés").wait_for()
    names = page.locator("#cases .case h3").all_inner_texts()
    assert len(names) == len(expected["results"]) > 0
    assert all(
        "Territoire : rural" in m for m in page.locator("#cases .case .meta").all_inner_texts()
    )


def test_a_shared_url_reopens_the_same_view(browser, server):
    expected = httpx.get(f"{server}/v1/quotes", params={"q": "page blanche", "k": 20}).json()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/?view=quotes&q=page+blanche")
    page.locator("#quotes .quote").first.wait_for()
    assert page.locator("#view-quotes").is_visible() and page.locator("#view-search").is_hidden()
    assert page.locator("#quotes-q").input_value() == "page blanche"
    shown = page.locator("#quotes .quote .citation").all_inner_texts()
    assert shown == [q["citation"] for q in expected["results"]]

    # Sorted and paged, then shared: a fresh page opens on the same page of the same list.
    page.locator("#quotes-q").fill("")
    page.locator("#quotes-sort").select_option("oldest")
    page.get_by_role("button", name="Chercher les citations").click()
    page.wait_for_url(re.compile(r"sort=oldest"))
    page.locator("#quotes-pager").get_by_role("link", name="Page suivante →").click()
    page.wait_for_url(re.compile(r"page=2"))
    page.locator("#quotes-status", has_text="Citations 21 à").wait_for()
    second_page = page.locator("#quotes .quote .citation").all_inner_texts()
    shared = page.url
    context.close()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(shared)
    page.locator("#quotes-status", has_text="Citations 21 à").wait_for()
    assert page.locator("#quotes .quote .citation").all_inner_texts() == second_page
    assert page.locator("#quotes-sort").input_value() == "oldest"

    # One year's words: the form's year filters the list as the API's does.
    of_2016 = httpx.get(f"{server}/v1/quotes", params={"year": 2016, "sort": "oldest"}).json()
    page.locator("#quotes-year").fill("2016")
    page.get_by_role("button", name="Chercher les citations").click()
    page.wait_for_url(re.compile(r"year=2016"))
    page.locator("#quotes-status", has_text="Citations 1 à").wait_for()
    shown = page.locator("#quotes .quote .citation").all_inner_texts()
    assert shown == [q["citation"] for q in of_2016["results"]]
    assert shown and all("2016" in citation for citation in shown)
    context.close()


def test_reported_words_are_said_to_be_reported_on_the_quotes_view(page, server):
    """A speaker's line over the report's account of what they said says « propos
    rapportés », and its citation does not open on their name."""
    found = httpx.get(f"{server}/v1/quotes", params={"speaker": "GAZEL"}).json()["results"]
    reported = [q for q in found if q["speech"] == "reported"]
    assert reported
    page.goto(f"{server}/?view=quotes&speaker=GAZEL")
    page.locator("#quotes .quote").first.wait_for()
    speakers = page.locator("#quotes .quote .speaker").all_inner_texts()
    assert sum("propos rapportés" in s for s in speakers) == len(reported)
    assert len(speakers) == len(found)


def test_the_page_says_why_nothing_comes_in_french(page, server):
    """An empty question asks for one; a filter says the answer needs the whole collection;
    a mistyped speaker says whom it meant; a server out of reach says so in French, not
    as the browser's « Failed to fetch » (a tester's)."""
    page.goto(f"{server}/?view=search&q=+++")
    page.locator("#status", has_text="Tapez une question").wait_for()
    page.goto(f"{server}/?view=search&q=mobiliser+les+habitants&year=2019")
    page.locator("#status", has_text="retirez les filtres pour la voir").wait_for()
    page.goto(f"{server}/?view=quotes&speaker=Caronn")
    page.get_by_text("vouliez-vous dire « Jean-François CARON » ?").wait_for()
    page.goto(f"{server}/?view=search")
    page.route("**/v1/**", lambda route: route.abort())
    page.get_by_label("Votre question").fill("comment mobiliser les élus ?")
    page.keyboard.press("Enter")
    page.locator("#status", has_text="le serveur ne répond pas").wait_for()
    assert "Failed to fetch" not in page.locator("#status").inner_text()


def test_back_from_a_document_returns_to_where_the_reader_was_in_the_results(page, server):
    """Not to the top of the list: a reader who opened the tenth result finds it again."""
    page.goto(f"{server}/?view=search&q=co-construction&page=2")
    last = page.locator("#results .result").nth(9)
    last.wait_for()
    last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 200
    site = page.title()
    last.get_by_role("link", name="Voir le contexte").click()
    page.locator("#document-text .passage.cited").wait_for()
    # The tab (and a bookmark) is named after the document read.
    title = page.evaluate(
        "fetch(`/v1/documents/${location.pathname.split('/')[2]}`)"
        ".then((r) => r.json()).then((d) => d.title)"
    )
    assert page.title() == f"{title} — Recueil"
    page.go_back()
    page.locator("#results .result").nth(9).wait_for()
    assert page.title() == site
    page.wait_for_function("window.scrollY > 200")
    assert in_viewport(page, "#results .result:nth-child(10)")
    # A new search starts at the top.
    page.get_by_label("Votre question").fill("mobiliser les élus")
    page.keyboard.press("Enter")
    page.locator("#status", has_text="pour « mobiliser les élus »").wait_for()
    assert page.evaluate("window.scrollY") < 200


def test_a_search_page_and_a_case_page_are_addresses_too(page, server):
    page.goto(f"{server}/?view=search&q=co-construction&sort=newest&page=2")
    page.locator("#status", has_text="Passages 11 à").wait_for()
    assert page.locator("#f-sort").input_value() == "newest"
    assert page.locator("#results .result").count() == 10 and page.locator("#answer").is_hidden()
    page.get_by_role("link", name="← Page précédente").click()
    page.locator("#status", has_text="Passages 1 à").wait_for()
    page.go_back()
    page.locator("#status", has_text="Passages 11 à").wait_for()
    page.goto(f"{server}/?view=case&id=case-loos-en-gohelle")
    page.get_by_role("heading", name="Loos-en-Gohelle").wait_for()
    assert page.locator(".tab[aria-pressed=true]").inner_text() == "Cas"


def test_similar_cases_panel(page):
    page.get_by_label("Votre question").fill("page blanche imaginaires")
    page.get_by_role("button", name="Rechercher").click()
    first = page.locator(".result").first
    first.wait_for()
    dialog = page.locator("dialog#panel")
    first.get_by_role("button", name="Cas similaires").click()
    dialog.locator(".result").first.wait_for()
    assert "similaires" in dialog.locator("h2").inner_text()
    # Cases, as the button says (it listed passages only), then passages.
    assert dialog.locator(".result.case").count() > 0
    assert dialog.locator("h3", has_text="Passages proches").count() == 1


def test_upload_with_token_then_find_it(page, server, tmp_path):
    """Uploaded, found, read, then deleted: the server is shared with other tests' files."""
    try:
        _upload_find_and_read(page, tmp_path)
    finally:
        deleted = httpx.delete(
            f"{server}/v1/documents/jardins",
            headers={"Authorization": "Bearer jeton-de-test"},
            timeout=120,
        )
        assert deleted.status_code in (200, 404), deleted.text


def _upload_find_and_read(page, tmp_path) -> None:
    source = tmp_path / "jardins.md"
    text = MARKDOWN.replace("Trappes", "Montreuil-Bellay").replace(
        "deux bailleurs sociaux", "**deux bailleurs sociaux** ([voir](https://example.org))"
    )
    text += (
        "\n## Témoignage\n\n**Nadia BOUZID, présidente de la coopérative** : Nous avons"
        " commencé avec six familles et une parcelle prêtée par la mairie, sans subvention"
        " la première année. Le comité d'usagers se réunit chaque mois au jardin.\n"
    )
    source.write_text(text, encoding="utf-8")
    page.get_by_role("button", name="Ajouter").click()
    page.locator("#upload-form").get_by_label("Jeton d’écriture").fill("jeton-de-test")
    page.get_by_label("Fichiers").set_input_files(str(source))
    page.get_by_role("button", name="Envoyer et indexer").click()
    page.get_by_text("jardins.md : indexé").wait_for(timeout=60_000)
    page.get_by_role("button", name="Recherche").click()
    page.get_by_label("Votre question").fill("coopérative Montreuil-Bellay")
    page.keyboard.press("Enter")
    page.locator(".result").first.wait_for()
    assert "Montreuil-Bellay" in page.locator(".result").first.inner_text()
    # Read in its document, the Markdown shows its words, not its marks (by its id: a
    # twin uploaded by another test may stand first for these words).
    page.goto(urljoin(page.url, "/documents/jardins"))
    page.locator("#document-text .passage").first.wait_for()
    body = page.locator("#document-text").inner_text()
    assert "deux bailleurs sociaux (voir)" in body, body
    assert "**" not in body and "# " not in body and "](" not in body, body
    # A section title and a speaker's label are shown once, above the text that repeats them.
    assert body.count("Leviers") == 1 and body.count("Nadia BOUZID") == 1, body
    label = page.locator("#document-text .turn").inner_text()
    assert label == "Nadia BOUZID, présidente de la coopérative"
    turn = page.locator("#document-text .passage.spoken").inner_text().lstrip("¶ \n")
    assert turn.startswith("Nous avons commencé avec six familles"), turn


def test_the_document_view_is_usable_at_phone_width(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server}/documents/001_82aaa8b671886fce#p-20")
    cited = page.locator("#document-text .passage.cited")
    cited.wait_for()
    assert cited.get_attribute("id") == "p-20"
    # The document's facts in French: « 26 juin 2019 », « 33 pages ».
    facts = page.locator("#document-head .meta").first.inner_text()
    assert "26 juin 2019" in facts and "page(s)" not in facts and "pages" in facts
    assert in_viewport(page, "#p-20")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("← Précédent", "Suivant →"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document-phone.png"), full_page=False)
    page.get_by_role("button", name="Suivant →").click()
    page.wait_for_function("location.hash !== '#p-20'")
    assert in_viewport(page, "#document-text .passage.cited")
    context.close()


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
    card = page.locator("#practices .practice").first.inner_text()
    assert "ambassadeurs" in card.lower()
    assert "(s)" not in card and re.search(r"\b1 document,|\b[2-9] documents,", card), card

    page.get_by_role("button", name="Cas", exact=True).click()
    page.locator("#cases .case").first.wait_for()
    page.get_by_label("Décrivez votre cas").fill("plateforme de dialogue des quartiers")
    page.get_by_label("Décrivez votre cas").press("Enter")  # a textarea: Enter searches
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
    assert page.locator("#results .result").count() == 10
    # Two items a section at once, the others one click away, so that passages are not
    # screens below; a label that says the whole excerpt is not quoted again under it, a
    # label cut short (« …shadowing… ») keeps its excerpt to be read whole.
    for section in answer.locator("section").all():
        assert section.locator(":scope > ol > .answer-item").count() <= 2
    for item in answer.locator(":scope section > ol > .answer-item").all():
        label = item.locator(".label").inner_text()
        citation = item.locator(".citation").inner_text()
        if label.endswith(("…", "[…]")):
            assert citation.startswith("« ") and label[:30].split(" : ")[-1][:20] in citation
        else:  # not quoted again (the section a citation names may say it)
            assert label[:40] not in citation.split("» — ")[0]


def test_words_looked_up_show_passages_and_no_answer(page):
    """A researcher's phrase (« page blanche ») is words to find, not a question: the
    passages that hold them, without « Ce qui marche » above them."""
    page.get_by_label("Votre question").fill("page blanche")
    page.keyboard.press("Enter")
    page.locator("#results .result").first.wait_for()
    assert "page blanche" in page.locator("#results .result").first.inner_text()
    assert page.locator("#answer").is_hidden()


def test_nonsense_says_there_is_nothing_relevant(page):
    page.get_by_label("Votre question").fill("xyzzyqq blorf")
    page.keyboard.press("Enter")
    page.get_by_text("Aucun résultat pertinent").wait_for()
    assert page.locator("#results .result").count() == 0
    assert page.locator("#answer").is_hidden()
    # Nothing to export nor to page through: neither bar shows.
    assert page.locator("#search-export").is_hidden()
    assert page.locator("#search-export").get_by_text("Exporter la sélection").is_hidden()
    assert page.locator("#search-pager").is_hidden()


def test_actors_view_walks_from_one_actor_to_another(page):
    page.get_by_role("button", name="Acteurs").click()
    page.locator("#view-actors").get_by_label("Nom, rôle ou organisation").fill("caron")
    page.get_by_role("button", name="Chercher les acteurs").click()
    page.locator("#actors .actor").first.wait_for()
    page.locator("#actors-status", has_text="pour « caron »").wait_for()
    assert "(personne)" in page.locator("#actors .actor").first.inner_text()
    page.locator("#actors .actor").first.get_by_role("link").click()
    detail = page.locator("#actor-page")
    detail.get_by_role("heading", name="Travaille avec").wait_for()
    assert "CARON" in detail.locator("h2").inner_text()
    assert "view=actor&id=" in page.url
    first_partner = detail.locator(".works-with a").first
    partner = first_partner.inner_text()
    first_partner.click()
    page.wait_for_function(
        "name => document.querySelector('#actor-page h2')?.textContent === name", arg=partner
    )
    page.go_back()
    page.wait_for_function(
        "document.querySelector('#actor-page h2')?.textContent.includes('CARON')"
    )


def test_an_organisation_page_links_its_parts_and_its_whole(page):
    page.get_by_role("button", name="Acteurs").click()
    page.locator("#view-actors").get_by_label("Nom, rôle ou organisation").fill("CDC")
    page.get_by_role("button", name="Chercher les acteurs").click()
    # The list found for « CDC », not the one shown before it (its first is another actor).
    page.locator("#actors-status", has_text="pour « CDC »").wait_for()
    page.locator("#actors .actor").first.get_by_role("link").click()
    detail = page.locator("#actor-page")
    detail.locator(".parts").wait_for()
    assert detail.locator("h2").inner_text() == "Caisse des Dépôts"
    detail.locator(".parts").get_by_role("link", name="Banque des Territoires").click()
    page.wait_for_function(
        "document.querySelector('#actor-page h2')?.textContent === 'Banque des Territoires'"
    )
    assert "Caisse des Dépôts" in detail.locator(".part-of").inner_text()


def test_a_case_page_opens_from_the_cases_view(page):
    page.get_by_role("button", name="Cas", exact=True).click()
    first = page.locator("#cases .case").first
    first.wait_for()
    name = first.locator("h3").inner_text()
    first.get_by_role("link", name="Fiche du cas").click()
    detail = page.locator("#case-page")
    detail.get_by_role("heading", name="Sources").wait_for()
    assert detail.locator(".also li").count() >= 1
    assert name.startswith(detail.locator("h2").inner_text())
    page.reload()
    detail.get_by_role("heading", name="Sources").wait_for()
    assert name.startswith(detail.locator("h2").inner_text())


def test_an_editor_documents_a_case_then_completes_it_on_the_page(page, server):
    page.goto(f"{server}/?view=cases")
    page.get_by_text("Documenter un nouveau cas").click()
    new = page.locator("#case-new form")
    new.get_by_label("Nom").fill("Jardin partagé des Tilleuls")
    new.get_by_label("Lieu").fill("Saint-Dié-des-Vosges")
    new.get_by_label("Jeton d’écriture").fill("jeton-de-test")
    new.get_by_role("button", name="Créer le cas").click()
    detail = page.locator("#case-page")
    detail.get_by_role("heading", name="Jardin partagé des Tilleuls").wait_for()
    assert "view=case" in page.url and "Saint-Dié-des-Vosges" in detail.inner_text()

    detail.get_by_text("Compléter ou corriger cette fiche").click()
    form = detail.locator("form.case-editor")
    form.get_by_label("Type de territoire").select_option("métropole")
    form.get_by_label("Thèmes (un par ligne)").fill("alimentation\nlien social")
    # Each box of the actor kinds beside its word (boxes stood full-width above them).
    box = form.get_by_label("habitants").bounding_box()
    word = form.locator("fieldset label", has_text="habitants").bounding_box()
    assert box["width"] < 40 and abs(box["y"] - word["y"]) < word["height"]
    form.get_by_label("Acteurs cités (un par ligne)").fill("Ville de Saint-Dié-des-Vosges")
    form.get_by_role("button", name="Enregistrer").click()  # the token is remembered
    detail.get_by_text("alimentation · lien social").wait_for()
    assert "métropole" in detail.inner_text()
    assert detail.locator("em.edited").count() >= 3  # name, place, territory type, themes

    case_id = page.url.split("id=")[1]
    saved = httpx.get(f"{server}/v1/cases/{case_id}").json()
    assert saved["territory_type"] == "métropole"
    assert saved["themes"] == ["alimentation", "lien social"]
    assert [(a["name"], a["type"]) for a in saved["actors"]] == [
        ("Ville de Saint-Dié-des-Vosges", "local authority")
    ]
    page.reload()
    detail.get_by_text("alimentation · lien social").wait_for()


def test_an_editors_case_is_listed_says_it_has_no_source_and_is_deleted_on_its_page(page, server):
    body = {"name": "Ressourcerie des Coteaux", "place": "Gaillac", "territory_type": "rural"}
    headers = {"Authorization": "Bearer jeton-de-test"}
    case_id = httpx.post(f"{server}/v1/cases", json=body, headers=headers).json()["id"]
    # A case no document describes comes after the others (most documented first): on the
    # last page of ten.
    last = -(-len(httpx.get(f"{server}/v1/cases", params={"k": 100}).json()["results"]) // 10)
    page.goto(f"{server}/?view=cases&page={last}")
    item = page.locator(f"#cases [data-case='{case_id}']")
    item.wait_for()
    assert "Territoire : rural" in item.inner_text()
    item.get_by_role("link", name="Fiche du cas").click()
    detail = page.locator("#case-page")
    detail.get_by_text("aucun extrait source").wait_for()
    assert detail.get_by_role("heading", name="Sources").count() == 0
    detail.get_by_text("Compléter ou corriger cette fiche").click()
    detail.get_by_label("Jeton d’écriture").fill("jeton-de-test")
    detail.get_by_label("habitants").check()
    detail.get_by_role("button", name="Enregistrer").click()
    detail.get_by_text("Types d’acteurs : habitants").wait_for()
    assert httpx.get(f"{server}/v1/cases/{case_id}").json()["actor_kinds"] == ["habitants"]
    detail.get_by_text("Compléter ou corriger cette fiche").click()
    detail.get_by_role("button", name="Supprimer ce cas").click()
    page.wait_for_url(re.compile(r"view=cases$"))
    # Its page may have held it alone: the list's last page now.
    last = -(-len(httpx.get(f"{server}/v1/cases", params={"k": 100}).json()["results"]) // 10)
    page.goto(f"{server}/?view=cases&page={last}")
    page.locator("#cases .case").first.wait_for()
    assert page.locator(f"#cases [data-case='{case_id}']").count() == 0
    assert httpx.get(f"{server}/v1/cases/{case_id}").status_code == 404


def test_an_extracted_case_page_offers_no_deletion(page, server):
    page.goto(f"{server}/?view=case&id=case-villes-au-carre")
    detail = page.locator("#case-page")
    detail.get_by_role("heading", name="Sources").wait_for()
    detail.get_by_text("Compléter ou corriger cette fiche").click()
    assert detail.get_by_role("button", name="Supprimer ce cas").count() == 0


def test_a_case_edit_with_a_wrong_token_says_so(page, server):
    page.goto(f"{server}/?view=cases")
    page.get_by_text("Documenter un nouveau cas").click()
    new = page.locator("#case-new form")
    new.get_by_label("Nom").fill("Cas refusé")
    new.get_by_label("Jeton d’écriture").fill("mauvais-jeton")
    new.get_by_role("button", name="Créer le cas").click()
    new.get_by_text("Erreur").wait_for()
    assert httpx.get(f"{server}/v1/cases/case-ed-cas-refuse").status_code == 404


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
    quotes_link = caron.get_by_role("link", name="Ses citations")
    count = int(quotes_link.inner_text().split("(")[1].rstrip(")"))
    quotes_link.click()
    shown = min(count, 20)  # the first page of quotes
    page.wait_for_function(f"document.querySelectorAll('#quotes .quote').length === {shown}")
    assert page.locator("#view-quotes").get_by_label("Intervenant·e").input_value() == (
        "Jean-François CARON"
    )
    quotes = page.locator("#quotes .quote")
    assert all("CARON" in quotes.nth(i).inner_text() for i in range(shown))

    # Back on the tab, the list is fetched and drawn again: its link is clicked once drawn
    # (clicked while it was replaced, under load, the link led nowhere).
    with page.expect_response(lambda response: "/v1/speakers" in response.url):
        page.get_by_role("button", name="Intervenants").click()
    page.wait_for_function(
        "document.querySelector('#speakers-status').textContent !== 'Recherche…'"
    )
    caron.get_by_role("link", name="Ses passages").click()
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
    page.locator("#upload-form").get_by_label("Jeton d’écriture").fill("jeton-de-test")
    page.get_by_label("Fichiers").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Envoyer et indexer").click()
    report = page.locator("#upload-report li")
    report.first.wait_for(timeout=60_000)
    assert report.nth(0).inner_text().startswith("ruches.md : indexé (")
    assert report.nth(1).inner_text().startswith("macro.exe : échec (type de fichier non pris")
    assert page.locator("#upload-status").inner_text() == "1 fichier indexé, 1 en échec"
    # Another report of that name is refused, unless the box says to replace the old one.
    good.write_text(MARKDOWN.replace("Trappes", "Vénissieux"), encoding="utf-8")
    page.get_by_label("Fichiers").set_input_files([str(good)])
    page.get_by_role("button", name="Envoyer et indexer").click()
    page.get_by_text("a déjà été envoyé (document ruches)").wait_for(timeout=60_000)
    page.get_by_label("Remplacer les documents envoyés sous le même nom").check()
    page.get_by_label("Fichiers").set_input_files([str(good)])
    page.get_by_role("button", name="Envoyer et indexer").click()
    page.get_by_text("ruches.md : indexé (").wait_for(timeout=60_000)

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
