// Recueil's page: plain JavaScript over the HTTP API, no build step.
// Every view is a URL (/?view=…&q=…&page=…, /documents/{id}#p-{ordinal}): forms, tabs,
// pagers and citation links change the address, and the address alone draws the view, so
// a bookmarked or shared URL reopens the same view. The document view is in document.js.
"use strict";

const $ = (selector) => document.querySelector(selector);

// « 1 document », « 3 documents »: French puts 0 and 1 in the singular.
const count = (n, one, many = `${one}s`) => `${n} ${n > 1 ? many : one}`;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "html") node.innerHTML = value;          // only for server-escaped snippets
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// Each view renders only its latest request: an older answer arriving late is dropped.
const latest = {};
function ticket(view) {
  latest[view] = (latest[view] || 0) + 1;
  const mine = latest[view];
  return () => latest[view] === mine;
}

// The page is French: the API's messages (errors, per-file statuses) are asked in French.
// A request that never reaches the server (stopped, network down) says so in French, not
// as the browser's « Failed to fetch ».
const UNREACHABLE = "le serveur ne répond pas (arrêté ou hors réseau) : réessayez dans un instant";

async function api(path, options = {}) {
  const headers = { "Accept-Language": "fr", ...(options.headers || {}) };
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch {
    throw new Error(UNREACHABLE);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const details = body.details ? ` (${body.details.join("; ")})` : "";
    throw new Error((body.error || response.statusText) + details);
  }
  return body;
}

// « 2019-03-12 » → « 12 mars 2019 »; a year-month or a year alone keeps what it has.
function frenchDate(iso) {
  if (!iso) return "";
  const [year, month, day] = iso.split("-").map(Number);
  const options = { year: "numeric", timeZone: "UTC" };
  if (month) options.month = "long";
  if (day) options.day = "numeric";
  const date = new Date(Date.UTC(year, (month || 1) - 1, day || 1));
  return new Intl.DateTimeFormat("fr-FR", options).format(date);
}

// ---- addresses: every view is a URL ---------------------------------------------

const FORMS = {
  search: "#search-form", practices: "#practices-form", cases: "#cases-form",
  quotes: "#quotes-form", actors: "#actors-form", speakers: "#speakers-form",
};
const PAGE_SIZE = { search: 10, practices: 10, cases: 10, quotes: 20, actors: 30, documents: 50 };
// The tab a view belongs to: a case page is under « Cas », a document under « Documents ».
const TAB_OF = { case: "cases", actor: "actors", document: "documents" };
const lastUrl = {};  // tab → the URL it last showed: a tab reopens where the reader left it
// The page's own title; a document read names the tab (and the bookmark) after itself.
const SITE_TITLE = document.title;

function viewUrl(view, values = {}) {
  const params = new URLSearchParams({ view });
  for (const [key, value] of Object.entries(values)) {
    if (value !== "" && value !== null && value !== undefined) params.set(key, value);
  }
  return `/?${params}`;
}

// « Back » returns to where the reader was on the page they left, not to its top: the
// entry left keeps its scroll, restored once its view is drawn again (the browser's own
// restoring comes before the results are fetched, on an empty page).
history.scrollRestoration = "manual";

function go(url, replace = false) {
  if (url !== location.pathname + location.search + location.hash) {
    if (!replace) history.replaceState({ scroll: window.scrollY }, "");
    history[replace ? "replaceState" : "pushState"](null, "", url);
  }
  route();
}

function route() {
  if ($("#panel").open) $("#panel").close();
  const params = new URLSearchParams(location.search);
  if (location.pathname.startsWith("/documents/")) {
    show("document");
    openDocument(decodeURIComponent(location.pathname.slice("/documents/".length)), params);
    return;
  }
  const view = LOADERS[params.get("view")] ? params.get("view") : "search";
  document.title = SITE_TITLE;
  lastUrl[TAB_OF[view] || view] = location.pathname + location.search;
  fillForm(view, params);
  show(view);
  const scroll = history.state && history.state.scroll;
  Promise.resolve(LOADERS[view](params)).then(() => {
    if (scroll && history.state && history.state.scroll === scroll) window.scrollTo(0, scroll);
  });
}

function fillForm(view, params) {
  const form = FORMS[view] && $(FORMS[view]);
  if (!form) return;
  form.reset();
  for (const field of form.elements) {
    if (field.name && params.has(field.name)) field.value = params.get(field.name);
  }
}

function defaultOf(field) {
  if (field.tagName !== "SELECT") return field.defaultValue;
  const chosen = [...field.options].find((option) => option.defaultSelected) || field.options[0];
  return chosen ? chosen.value : "";
}

// A form asks for its view with the fields it changed, from the first page: the URL says
// only what differs from the defaults.
function submitsTo(view) {
  return (event) => {
    event.preventDefault();
    const values = {};
    for (const field of event.target.elements) {
      const value = (field.value || "").trim();
      if (field.name && value && value !== defaultOf(field)) values[field.name] = value;
    }
    go(viewUrl(view, values));
  };
}

function show(view) {
  const tab = TAB_OF[view] || view;
  for (const button of document.querySelectorAll(".tab")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === tab));
  }
  for (const section of document.querySelectorAll(".view")) {
    section.hidden = section.id !== `view-${view}`;
  }
}

// Links inside the page move without reloading it; a modified click opens a new tab.
function followInternalLink(event) {
  const link = event.target.closest("a.internal");
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || event.altKey) return;
  event.preventDefault();
  go(link.getAttribute("href"));
}

function pageOf(params) {
  return Math.max(1, Number.parseInt(params.get("page"), 10) || 1);
}

// The API's paging from the URL's page number.
function pageQuery(view, params) {
  const size = PAGE_SIZE[view];
  return { k: String(size), offset: String((pageOf(params) - 1) * size) };
}

function pager(target, view, params, data) {
  const page = pageOf(params);
  const link = (number, label, rel) => {
    const values = Object.fromEntries(params.entries());
    values.page = number > 1 ? number : "";
    delete values.view;
    return el("a", { class: "internal", href: viewUrl(view, values), rel }, label);
  };
  const of = data.total ? ` sur ${Math.max(1, Math.ceil(data.total / PAGE_SIZE[view]))}` : "";
  const nav = $(target);
  nav.replaceChildren(
    page > 1 ? link(page - 1, "← Page précédente", "prev") : "",
    el("span", {}, `Page ${page}${of}`),
    data.has_more ? link(page + 1, "Page suivante →", "next") : "");
  nav.hidden = page === 1 && !data.has_more;
}

// ---- citations: copied, and linked to their passage in the document ----------------

function copyButton(citation) {
  const button = el("button", { type: "button", class: "copy" }, "Copier la citation");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(citation);
      button.textContent = "Citation copiée ✓";
    } catch {
      button.textContent = "Copie impossible";
    }
    setTimeout(() => { button.textContent = "Copier la citation"; }, 2000);
  });
  return button;
}

// The document view at a cited passage; with `excerpt` ({start, end}), the exact words
// cited inside it are marked too.
function documentHref(documentId, passageId, excerpt = null) {
  const params = new URLSearchParams({ passage: passageId });
  if (excerpt) {
    params.set("start", excerpt.start);
    params.set("end", excerpt.end);
  }
  return `/documents/${encodeURIComponent(documentId)}?${params}`;
}

function contextLink(documentId, passageId, excerpt = null) {
  return el("a", { class: "internal context-link", href: documentHref(documentId, passageId, excerpt) },
    "Voir le contexte");
}

// A citation of a whole passage (a SourceRef): its text, and the link to read it in place.
function sourceItem(ref) {
  return el("li", {}, ref.citation, " ", contextLink(ref.document.id, ref.passage_id));
}

// The reference as shown (its quote may be cut), the button that copies it whole, and
// the links and buttons that go with it.
function citationBlock(citation, full = citation, ...actions) {
  return el("div", {},
    el("blockquote", { class: "citation" }, citation),
    el("div", { class: "actions" }, copyButton(full), ...actions));
}

// ---- citations for a reference manager: one item or a selection, as a file ------------

const EXPORT_FORMATS = [["csl", "CSL-JSON (Zotero)"], ["bibtex", "BibTeX"], ["ris", "RIS"]];

function exportBarOf(kind) {
  return document.querySelector(`.export-bar[data-kind="${kind}"]`);
}

// The file comes from GET /v1/export, which names it (Content-Disposition).
function downloadExport(kind, ids) {
  const params = new URLSearchParams({ format: exportBarOf(kind).querySelector("select").value });
  for (const id of ids) params.append(kind, id);
  const link = el("a", { href: `/v1/export?${params}`, download: "" });
  document.body.append(link);
  link.click();
  link.remove();
}

// A checkbox for the selection and « Exporter » for this item alone.
function exportControls(kind, id) {
  return [
    el("label", { class: "pick" },
      el("input", { type: "checkbox", value: id, onchange: () => countSelection(kind) }),
      "Sélectionner"),
    el("button", { type: "button", onclick: () => downloadExport(kind, [id]) }, "Exporter"),
  ];
}

function selectedIds(kind) {
  const list = $(exportBarOf(kind).dataset.list);
  return [...list.querySelectorAll(".pick input:checked")].map((box) => box.value);
}

function countSelection(kind) {
  const count = selectedIds(kind).length;
  const button = exportBarOf(kind).querySelector(".export-selection");
  button.disabled = !count;
  button.textContent = `Exporter la sélection (${count})`;
}

// Above a list: the format, « Tout sélectionner » and « Exporter la sélection ».
function setUpExportBar(bar, list) {
  const kind = bar.dataset.kind;
  bar.dataset.list = list;
  bar.replaceChildren(
    el("label", {}, "Format ",
      el("select", { name: "format" }, ...EXPORT_FORMATS.map(([value, label]) =>
        el("option", { value }, label)))),
    el("label", { class: "pick" },
      el("input", { type: "checkbox", class: "pick-all", onchange: (event) => {
        for (const box of $(list).querySelectorAll(".pick input")) box.checked = event.target.checked;
        countSelection(kind);
      } }), "Tout sélectionner"),
    el("button", { type: "button", class: "export-selection", disabled: "",
      onclick: () => downloadExport(kind, selectedIds(kind)) }, "Exporter la sélection (0)"));
}

// A new list: nothing selected yet; the bar shows when there is something to export.
function resetExportBar(kind, shown) {
  const bar = exportBarOf(kind);
  bar.querySelector(".pick-all").checked = false;
  countSelection(kind);
  bar.hidden = !shown;
}

// ---- facets: where the matching passages come from, each value a filter ------------

const FACET_TITLES = {
  year: "Année", event: "Événement", kind: "Type", speaker: "Intervenant·e", place: "Lieu",
  case: "Cas",
};
// Facets that are filters of the search form (the URL's parameters of the same names).
const FACET_FILTERS = ["year", "event", "kind", "speaker", "place"];

// A value filters the search (clicked again, it lifts the filter), from the first page:
// a new address, like any search. A case opens its page.
function facetButton(name, facet) {
  const params = new URLSearchParams(location.search);
  const filter = FACET_FILTERS.includes(name);
  const active = filter && params.get(name) === facet.value;
  const choose = () => {
    if (!filter) return go(viewUrl("case", { id: facet.value }));
    if (active) params.delete(name);
    else params.set(name, facet.value);
    params.delete("page");
    go(`/?${params}`);
  };
  return el("button", { type: "button", class: "facet-value", onclick: choose,
    "aria-pressed": filter ? String(active) : null },
    facet.label, " ", el("span", { class: "count" }, `(${facet.count})`));
}

function showFacets(facets) {
  const groups = Object.entries(facets || {}).filter(([, values]) => values.length);
  $("#facets").replaceChildren(el("h2", {}, "Affiner"),
    ...groups.map(([name, values]) => el("section", { class: "facet", "data-facet": name },
      el("h3", {}, FACET_TITLES[name] || name),
      el("ul", {}, ...values.map((facet) => el("li", {}, facetButton(name, facet)))))));
  $("#facets").hidden = !groups.length;
}

// ---- search and answer -------------------------------------------------------------

function resultItem(result, selectable = false) {
  const meta = [result.document.title, frenchDate(result.document.date), `p. ${result.page}`];
  if (result.speaker) meta.unshift(result.speaker);
  const item = el("li", { class: "result", "data-passage": result.passage_id },
    el("p", { class: "snippet", html: result.snippet }),
    el("p", { class: "meta" }, meta.filter(Boolean).join(" · ")),
    el("blockquote", { class: "citation" }, result.citation),
  );
  if (result.also_in.length) {
    item.append(el("details", { class: "also-in" },
      el("summary", {}, `Aussi dans ${count(result.also_in.length, "autre source", "autres sources")}`),
      el("ul", { class: "also" }, ...result.also_in.map(sourceItem))));
  }
  item.append(el("div", { class: "actions" },
    copyButton(result.full_citation),
    contextLink(result.document.id, result.passage_id),
    el("button", { type: "button", onclick: () => openSimilar(result.passage_id) }, "Cas similaires"),
    ...(selectable ? exportControls("passage", result.passage_id) : []),
  ));
  return item;
}

// The answer to a question: what works, what to avoid, testimonies, cases (GET /v1/answer).
function answerItem(item) {
  const votes = item.votes ? ` (${"+".repeat(item.votes)})` : "";
  const label = item.speaker ? `${item.speaker} : ${item.label}` : item.label;
  const link = (e) => contextLink(e.document.id, e.passage_id, e);
  const [first, ...others] = item.evidence;
  // When the label says all the excerpt says, the citation below it gives only its
  // source; a label cut short (« …shadowing… ») keeps the excerpt to read it whole.
  const [quoted, ...source] = first.citation.split("» — ");
  const cut = /(?:\[…\]|…)$/.test(item.label.trim());
  const same = !cut && source.length && squash(item.label).startsWith(squash(quoted.replace("[…]", "")));
  const entry = el("li", { class: "answer-item" },
    el("p", { class: "label" }, label + votes),
    el("blockquote", { class: "citation" }, same ? `— ${source.join("» — ")}` : first.citation),
  );
  if (others.length) {
    entry.append(el("details", { class: "also-in" },
      el("summary", {}, `Dit aussi dans ${count(others.length, "autre extrait", "autres extraits")}`),
      el("ul", { class: "also" }, ...others.map((e) => el("li", {}, e.citation, " ", link(e))))));
  }
  entry.append(el("div", { class: "actions" },
    copyButton(first.full_citation),
    link(first),
    el("button", { type: "button", onclick: () => downloadExport("passage", [first.passage_id]) },
      "Exporter"),
  ));
  return entry;
}

// Letters and digits only: a label and its excerpt compare whatever their marks and spaces.
function squash(text) {
  return text.replace(/[^\p{L}\p{N}]/gu, "").toLowerCase();
}

// Items shown at once in each section of the answer; the others one click away, so that
// the passages are not two screens below.
const ANSWER_SHOWN = 2;

function showAnswer(data) {
  const box = $("#answer");
  box.replaceChildren(el("h2", {}, "Réponse"),
    ...data.sections.map((section) => {
      const shown = section.items.slice(0, ANSWER_SHOWN);
      const more = section.items.slice(ANSWER_SHOWN);
      return el("section", { class: `answer-${section.kind}` },
        el("h3", {}, section.title),
        el("ol", { class: "answer-items" }, ...shown.map(answerItem)),
        ...(more.length ? [el("details", { class: "answer-more" },
          el("summary", {}, `${more.length} de plus`),
          el("ol", { class: "answer-items", start: ANSWER_SHOWN + 1 }, ...more.map(answerItem)))]
          : []));
    }));
  box.hidden = !data.sections.length;
}

// A filter narrows the passages; the answer (what works, pitfalls…) draws on them all.
const ANSWER_UNFILTERED = " (la réponse, ce qui marche et les écueils, porte sur toute la collection : retirez les filtres pour la voir)";

// A reason as a sentence: its own question mark, or a full stop.
function stop(reason) {
  return /[.?!]$/.test(reason) ? reason : `${reason}.`;
}

async function runSearch(params) {
  const query = (params.get("q") || "").trim();
  $("#results").replaceChildren();
  $("#answer").hidden = true;
  $("#results-title").hidden = true;
  $("#search-pager").hidden = true;
  $("#status").textContent = "";
  $("#facets").hidden = true;
  $("#search-export").hidden = true;
  if (!query) {
    if (params.has("q")) $("#status").textContent = "Tapez une question : la recherche est vide.";
    return;
  }
  const current = ticket("search");
  const asked = new URLSearchParams(params);
  asked.delete("view");
  asked.delete("page");
  for (const [key, value] of Object.entries(pageQuery("search", params))) asked.set(key, value);
  // The answer draws on the whole collection: shown on the first page, when no filter
  // narrows the search.
  const filtered = [...asked.keys()].some((key) => !["q", "mode", "sort", "k", "offset"].includes(key));
  $("#status").textContent = "Recherche…";
  try {
    const [data, answer] = await Promise.all([
      api(`/v1/search?${asked}`),
      filtered || pageOf(params) > 1 ? null : api(`/v1/answer?${new URLSearchParams({ q: query })}`),
    ]);
    if (!current()) return;
    $("#status").textContent = data.results.length
      ? `${span("Passages", data)} pour « ${query} »${filtered && pageOf(params) === 1 ? ANSWER_UNFILTERED : ""}`
      : `Aucun résultat pertinent pour « ${query} » : ${stop(data.reason || "rien de trouvé")}`;
    if (answer && answer.question) showAnswer(answer);
    $("#results-title").hidden = !data.results.length;
    $("#results").setAttribute("start", data.offset + 1);
    $("#results").replaceChildren(...data.results.map((result) => resultItem(result, true)));
    resetExportBar("passage", data.results.length > 0);
    showFacets(data.facets);
    pager("#search-pager", "search", params, data);
  } catch (error) {
    $("#status").textContent = `Erreur : ${error.message}`;
  }
}

// ---- panel: similar passages and cases ------------------------------------------

function openPanel(title, ...content) {
  $("#panel-title").textContent = title;
  $("#panel-body").replaceChildren(...content);
  const dialog = $("#panel");
  if (!dialog.open) dialog.showModal();
}

async function openSimilar(passageId) {
  try {
    const data = await api(`/v1/similar?passage_id=${encodeURIComponent(passageId)}&k=5`);
    // The cases first, as the button promises, then the passages close to this one.
    const parts = [
      ["Cas", data.cases, caseItem],
      ["Passages proches dans d’autres documents", data.results, resultItem],
    ].filter(([, found]) => found.length).flatMap(([title, found, item]) => [
      el("h3", {}, title), el("ol", { class: "results" }, ...found.map(item))]);
    openPanel("Cas similaires",
      ...(parts.length ? parts : [el("p", {}, "Aucun cas ni passage similaire.")]));
  } catch (error) {
    openPanel("Cas similaires", el("p", {}, `Erreur : ${error.message}`));
  }
}

// ---- list views: practices, cases, quotes, actors ---------------------------------

// Fetches one page of a list view and draws it: `path` is the API list, `item` draws an
// entry, `summary` says what the page holds, `drawn` follows up (an export bar, say).
async function loadList(view, path, params, item, summary, drawn = () => {}) {
  const status = $(`#${view}-status`);
  const current = ticket(view);
  status.textContent = "Recherche…";
  try {
    const data = await api(`${path}?${params}`);
    if (!current()) return;
    status.textContent = summary(data);
    $(`#${view}`).setAttribute("start", (data.offset || 0) + 1);
    $(`#${view}`).replaceChildren(...data.results.map(item));
    pager(`#${view}-pager`, view, new URLSearchParams(location.search), data);
    drawn(data);
  } catch (error) {
    status.textContent = `Erreur : ${error.message}`;
  }
}

// Which results a page shows: « Citations 21 à 40 (sur 57) ».
function span(noun, data) {
  const first = (data.offset || 0) + 1;
  const of = data.total ? ` (sur ${data.total})` : "";
  return `${noun} ${first} à ${first + data.results.length - 1}${of}`;
}

// The API query of a list view: the URL's fields that are filled, and the page.
function listQuery(view, params, fields) {
  const asked = new URLSearchParams(pageQuery(view, params));
  for (const field of fields) if (params.get(field)) asked.set(field, params.get(field));
  return asked;
}

function practiceItem(card) {
  const sources = `${count(card.documents, "document")}, ${count(card.events, "événement")}`;
  const list = el("ul", { class: "evidence" }, ...card.evidence.map((e) =>
    el("li", {}, citationBlock(e.citation, e.full_citation,
      contextLink(e.document.id, e.passage_id, e)))));
  return el("li", { class: "result practice", "data-card": card.id },
    el("h3", {}, card.polarity === "avoid" ? `À éviter : ${card.label}` : card.label),
    el("p", { class: "meta" }, sources),
    el("details", { open: card.evidence.length <= 3 ? "" : null },
      el("summary", {}, `Sources (${card.evidence.length})`), list));
}

function loadPractices(params) {
  const query = params.get("q");
  return loadList("practices", "/v1/practices", listQuery("practices", params, ["q"]),
    practiceItem, (data) => query
      ? `${count(data.results.length, "pratique")} pour « ${query} »`
      : "Les pratiques citées par le plus de documents");
}

function caseItem(entry) {
  const record = entry.case || entry;
  const item = el("li", { class: "result case", "data-case": record.id },
    el("h3", {}, record.place ? `${record.name} (${record.place})` : record.name),
    el("p", {}, record.description),
    el("p", { class: "meta" }, [
      `Territoire : ${record.territory_type || "—"}`,
      `Acteurs : ${record.actors.map((a) => a.name).join(", ") || "—"}`,
      `Types d’acteurs : ${record.actor_kinds.join(", ") || "—"}`,
      `Leviers : ${record.levers.join(", ") || "—"}`,
    ].join(" · ")));
  if (entry.reasons) {
    item.append(el("ul", { class: "reasons" }, ...entry.reasons.map((r) => el("li", {}, r))));
  }
  const source = record.sources[0];
  if (source) {
    item.append(citationBlock(source.citation, source.full_citation,
      contextLink(source.document.id, source.passage_id)));
  }
  item.append(el("div", { class: "actions" },
    el("a", { class: "internal button", href: viewUrl("case", { id: record.id }) }, "Fiche du cas"),
    el("button", { type: "button", onclick: () => similarCases(record.id, record.name) },
      "Cas similaires")));
  return item;
}

// With a description: the closest cases and why (one short list); without: all, paged.
async function loadCases(params) {
  const text = (params.get("text") || "").trim();
  if (!text) {
    return loadList("cases", "/v1/cases", listQuery("cases", params, ["territory_type"]), caseItem,
      (data) => span("Cas documentés", data));
  }
  const current = ticket("cases");
  $("#cases-status").textContent = "Recherche…";
  $("#cases-pager").hidden = true;
  try {
    const data = await api(`/v1/similar?k=20&text=${encodeURIComponent(text)}`);
    if (!current()) return;
    // The type of territory chosen keeps the similar cases of that type.
    const territory = params.get("territory_type");
    const shown = data.cases.filter((c) => !territory || c.case.territory_type === territory)
      .slice(0, 8);
    $("#cases-status").textContent = `${shown.length} cas proches de votre description`;
    $("#cases").setAttribute("start", 1);
    $("#cases").replaceChildren(...shown.map(caseItem));
  } catch (error) {
    $("#cases-status").textContent = `Erreur : ${error.message}`;
  }
}

async function similarCases(caseId, name) {
  try {
    const data = await api(`/v1/similar?k=5&case_id=${encodeURIComponent(caseId)}`);
    openPanel(`Cas similaires à ${name}`, data.cases.length
      ? el("ol", { class: "results" }, ...data.cases.map(caseItem))
      : el("p", {}, "Aucun cas similaire."));
  } catch (error) {
    openPanel("Cas similaires", el("p", {}, `Erreur : ${error.message}`));
  }
}

// A detail view (a case's or an actor's page): its heading and content, or the error.
async function loadDetail(view, path, draw) {
  const box = $(`#${view}-page`);
  const current = ticket(view);
  box.replaceChildren(el("p", { role: "status" }, "Chargement…"));
  try {
    const data = await api(path);
    if (!current()) return;
    box.replaceChildren(...draw(data));
  } catch (error) {
    box.replaceChildren(el("p", { role: "status" }, `Erreur : ${error.message}`));
  }
}

// A case page: every field (an editor's value over the extracted one, marked), sources.
function loadCase(params) {
  return loadDetail("case", `/v1/cases/${encodeURIComponent(params.get("id") || "")}`, (page) => {
    const edited = new Set(page.edited);
    const row = (label, key, value) => value && value.length !== 0
      ? el("p", {}, el("strong", {}, `${label} : `), value,
        edited.has(key) ? el("em", { class: "edited" }, " (complété par un éditeur)") : null)
      : null;
    const list = (title, items) => items.length
      ? [el("h3", {}, title), el("ul", {}, ...items.map((text) => el("li", {}, text)))] : [];
    return [
      el("h2", {}, page.name),
      row("Lieu", "place", page.place),
      row("Type de territoire", "territory_type", page.territory_type),
      el("p", {}, page.description),
      row("Acteurs", "actors", page.actors.map((a) => `${a.name} (${a.label || a.type})`).join(", ")),
      row("Types d’acteurs", "actor_kinds", page.actor_kinds.join(", ")),
      row("Thèmes", "themes", page.themes.join(" · ")),
      row("Leviers", "levers", page.levers.join(", ")),
      row("Dates", "dates", page.dates.join(", ")),
      ...list("Résultats", page.results),
      ...list("Enseignements", page.lessons.map((l) =>
        l.polarity === "avoid" ? `À éviter : ${l.text}`
          : l.polarity === "difficulty" ? `Difficulté : ${l.text}` : l.text)),
      // A case an editor created has no source passage: said, not an empty heading.
      ...(page.sources.length
        ? [el("h3", {}, "Sources"), el("ul", { class: "also" }, ...page.sources.map(sourceItem))]
        : [el("p", { class: "meta" }, "Fiche rédigée par un éditeur : aucun extrait source.")]),
      caseForm(page),
    ].filter(Boolean);
  });
}

function quoteItem(quote) {
  return el("li", { class: "result quote" },
    el("p", { class: "speaker" }, quote.role ? `${quote.speaker}, ${quote.role}` : quote.speaker,
      // The report's account of what they said, not their words (API `speech`).
      quote.speech === "reported" ? el("span", { class: "meta" }, " — propos rapportés") : null),
    citationBlock(quote.citation, quote.citation,
      contextLink(quote.document.id, quote.passage_id, quote), ...exportControls("quote", quote.id)));
}

function loadQuotes(params) {
  return loadList("quotes", "/v1/quotes", listQuery("quotes", params, ["q", "speaker", "event", "year", "sort"]),
    quoteItem, (data) => data.results.length
      ? span("Citations", data)
      // The API says why: whom a mistyped name meant, a person no document names.
      : data.reason ? stop(data.reason[0].toUpperCase() + data.reason.slice(1)) : "Aucune citation.",
    (data) => resetExportBar("quote", data.results.length > 0));
}

// ---- actors: who, of what type, where, with whom -----------------------------------

function actorLink(actor) {
  return el("a", { class: "internal", href: viewUrl("actor", { id: actor.id }) }, actor.name);
}

function actorItem(actor) {
  const roles = actor.roles.length ? ` — ${actor.roles[0]}` : "";
  return el("li", { class: "actor" },
    el("p", { class: "label" }, actorLink(actor), ` (${actor.type_label})${roles}`),
    el("p", { class: "meta" }, `${count(actor.passages, "passage")} · ${count(actor.documents, "document")}`),
  );
}

function loadActors(params) {
  const q = params.get("q");
  return loadList("actors", "/v1/actors", listQuery("actors", params, ["q", "kind"]), actorItem,
    (data) => data.results.length
      ? `${span("Acteurs", data)}${q ? ` pour « ${q} »` : ""}` : "Aucun acteur.");
}

// An actor's page: who works with them is a list of links, so the graph can be walked
// from one actor to the next.
function loadActor(params) {
  return loadDetail("actor", `/v1/actors/${encodeURIComponent(params.get("id") || "")}`,
    (actor) => [
      el("h2", {}, actor.name),
      el("p", { class: "meta" }, [actor.type_label, ...actor.roles.slice(0, 2)].join(" · ")),
      actor.part_of ? el("p", { class: "part-of" }, "Fait partie de : ", actorLink(actor.part_of)) : "",
      actor.parts.length ? el("p", { class: "parts" }, "Comprend : ",
        ...actor.parts.flatMap((part, i) => (i ? [", ", actorLink(part)] : [actorLink(part)]))) : "",
      actor.events.length ? el("p", {}, `Événements : ${actor.events.join(" ; ")}`) : "",
      el("h3", {}, "Travaille avec"),
      el("ul", { class: "works-with" }, ...actor.works_with.map((n) =>
        el("li", {}, actorLink(n.actor), ` — ${count(n.shared_passages, "passage")} en commun`))),
      el("h3", {}, "Sources"),
      el("ul", { class: "also" }, ...actor.sources.map(sourceItem)),
    ]);
}

// ---- documents and upload ------------------------------------------------------

// Writes need the token: one value for the upload form and the documents view.
function writeToken() {
  return $("#token").value || $("#manage-token").value;
}

function documentItem(d) {
  const edited = d.edited.length ? el("em", { class: "edited" }, " (modifié)") : null;
  return el("li", { "data-document": d.id },
    el("strong", {},
      el("a", { class: "internal", href: `/documents/${encodeURIComponent(d.id)}` }, d.title)),
    edited,
    el("span", { class: "meta" },
      ` — ${[d.event, frenchDate(d.date), d.place].filter(Boolean).join(", ")} · ${d.passages} passages · ${d.file}`),
    el("div", { class: "actions" },
      el("button", { type: "button", onclick: () => editDocument(d) }, "Modifier"),
      el("button", { type: "button", onclick: () => deleteDocument(d) }, "Supprimer")));
}

async function deleteDocument(d) {
  if (!confirm(`Supprimer « ${d.title} » (${d.file}) de Recueil ?`)) return;
  const status = $("#documents-status");
  try {
    const report = await api(`/v1/documents/${encodeURIComponent(d.id)}`, {
      method: "DELETE", headers: { Authorization: `Bearer ${writeToken()}` },
    });
    // The list without the document first, then the message that says so.
    await loadDocuments();
    status.textContent = `« ${d.title} » supprimé.` + (report.warning ? ` Attention : ${report.warning}` : "");
  } catch (error) {
    status.textContent = `Erreur : ${error.message}`;
  }
}

const DOCUMENT_KINDS = {
  proceedings: "actes",
  programme: "programme",
  animation_script: "trame d’animation",
  article: "article",
  case_study: "étude de cas",
  document: "autre document",
};

// The metadata form, in the panel. Only the fields changed are sent, so that the others keep
// following the file; a field emptied goes back to what was read from the file.
function editDocument(d) {
  const field = (label, name, value, attrs = {}) => el("label", {}, label,
    el("input", { name, value: value || "", ...attrs }));
  const kind = el("select", { name: "kind" }, ...Object.entries(DOCUMENT_KINDS).map(([value, label]) =>
    el("option", { value, selected: value === d.kind ? "" : null }, label)));
  const status = el("p", { role: "status", "aria-live": "polite" });
  const form = el("form", { class: "edit-document" },
    field("Titre", "title", d.title, { required: "" }),
    field("Événement", "event", d.event),
    field("Date (AAAA-MM-JJ)", "date", d.date, { pattern: "\\d{4}(-\\d{2}){0,2}" }),
    field("Lieu", "place", d.place),
    el("label", {}, "Type", kind),
    el("button", { type: "submit" }, "Enregistrer"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const [key, value] of new FormData(form).entries()) {
      if (value.trim() !== (d[key] || "")) body[key] = value.trim() || null;
    }
    try {
      const report = await api(`/v1/documents/${encodeURIComponent(d.id)}`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${writeToken()}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      status.textContent = "Enregistré." + (report.warning ? ` Attention : ${report.warning}` : "");
      loadDocuments();
    } catch (error) {
      status.textContent = `Erreur : ${error.message}`;
    }
  });
  openPanel(`Modifier « ${d.title} »`, form);
}

// The documents view shows a page of the list; the search form's document filter, all.
async function loadDocuments(params = new URLSearchParams(location.search)) {
  const list = $("#documents");
  try {
    const documents = await api("/v1/documents");
    const { k, offset } = pageQuery("documents", params);
    const start = Number(offset);
    list.setAttribute("start", start + 1);
    list.replaceChildren(...documents.slice(start, start + Number(k)).map(documentItem));
    pager("#documents-pager", "documents", params,
      { offset: start, has_more: documents.length > start + Number(k), total: documents.length });
    const select = $("#f-document");
    const chosen = new URLSearchParams(location.search).get("document") || select.value;
    select.replaceChildren(el("option", { value: "" }, "tous"),
      ...documents.map((d) => el("option", { value: d.id }, d.title.slice(0, 70))));
    select.value = chosen;
  } catch (error) {
    list.replaceChildren(el("li", {}, `Erreur : ${error.message}`));
  }
}

async function upload(event) {
  event.preventDefault();
  const status = $("#upload-status");
  const files = $("#files").files;
  const body = new FormData();
  for (const file of files) body.append("files", file);
  status.textContent = "Envoi et indexation…";
  $("#upload-report").replaceChildren();
  try {
    // Without the box, a file named as an earlier upload of other content is refused
    // (409), not silently made the old document.
    const replace = $("#upload-replace").checked ? "?replace=true" : "";
    const report = await api(`/v1/documents${replace}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${writeToken()}` },
      body,
    });
    const failed = report.files.filter((f) => f.status === "failed").length;
    status.textContent = (failed
      ? `${count(report.files.length - failed, "fichier indexé", "fichiers indexés")}, ${failed} en échec`
      : `${count(report.files.length, "fichier traité", "fichiers traités")}`)
      + (report.warning ? ` — attention : ${report.warning}` : "");
    $("#upload-report").replaceChildren(...report.files.map(uploadLine));
    loadDocuments();
  } catch (error) {
    status.textContent = `Erreur : ${error.message}`;
  }
}

// One line per file of an upload: indexed, unchanged or failed, and why.
function uploadLine(f) {
  const outcome = f.status === "failed" ? `échec (${f.error})`
    : `${f.status === "unchanged" ? "inchangé" : "indexé"} (${count(f.passages, "passage")})`;
  return el("li", { class: `upload-${f.status}` }, `${f.file} : ${outcome}`);
}

// ---- speakers: who speaks, as what, where; the way to their words --------------------

function speakerItem(speaker) {
  const facts = [
    speaker.organisations.length ? `${speaker.organisations.length > 1 ? "Organisations" : "Organisation"} : ${speaker.organisations.join(", ")}` : null,
    speaker.events.length ? `${speaker.events.length > 1 ? "Événements" : "Événement"} : ${speaker.events.join(" ; ")}` : null,
  ].filter(Boolean);
  return el("li", { class: "result speaker-entry", "data-speaker": speaker.name },
    el("h3", {}, speaker.name),
    el("p", {}, speaker.roles[0] || "Rôle non précisé dans les documents"),
    ...facts.map((fact) => el("p", { class: "meta" }, fact)),
    el("div", { class: "actions" },
      el("a", { class: "internal button", href: viewUrl("search", { q: speaker.name, speaker: speaker.name }) },
        `Ses passages (${speaker.passages})`),
      speaker.quotes
        ? el("a", { class: "internal button", href: viewUrl("quotes", { speaker: speaker.name }) },
          `Ses citations (${speaker.quotes})`)
        : null));
}

async function loadSpeakers(params) {
  const q = (params.get("q") || "").trim();
  const current = ticket("speakers");
  $("#speakers-status").textContent = "Recherche…";
  try {
    const data = await api(`/v1/speakers${q ? `?q=${encodeURIComponent(q)}` : ""}`);
    if (!current()) return;
    $("#speakers-status").textContent = data.results.length
      ? `${count(data.results.length, "intervenant·e", "intervenant·es")}${q ? ` pour « ${q} »` : ""}` : "Aucun intervenant.";
    $("#speakers").replaceChildren(...data.results.map(speakerItem));
  } catch (error) {
    $("#speakers-status").textContent = `Erreur : ${error.message}`;
  }
}

// ---- start -----------------------------------------------------------------------

const LOADERS = {
  search: runSearch, practices: loadPractices, cases: loadCases, case: loadCase,
  quotes: loadQuotes, actors: loadActors, actor: loadActor, speakers: loadSpeakers,
  documents: loadDocuments, upload: () => {},
};

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => go(lastUrl[tab.dataset.view] || viewUrl(tab.dataset.view)));
  }
  for (const [view, form] of Object.entries(FORMS)) $(form).addEventListener("submit", submitsTo(view));
  $("#cases-q").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("#cases-form").requestSubmit();
    }
  });
  $("#upload-form").addEventListener("submit", upload);
  $("#case-new").replaceChildren(caseForm(null));
  setUpExportBar($("#search-export"), "#results");
  setUpExportBar($("#quotes-export"), "#quotes");
  $("#panel-close").addEventListener("click", () => $("#panel").close());
  document.addEventListener("click", followInternalLink);
  window.addEventListener("popstate", route);
  loadDocuments();
  route();
});
