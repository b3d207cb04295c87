// Recueil's page: plain JavaScript over the HTTP API, no build step.
"use strict";

const $ = (selector) => document.querySelector(selector);

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
async function api(path, options = {}) {
  const headers = { "Accept-Language": "fr", ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
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

// ---- views -----------------------------------------------------------------

function show(view) {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.setAttribute("aria-pressed", String(tab.dataset.view === view));
  }
  for (const section of document.querySelectorAll(".view")) {
    section.hidden = section.id !== `view-${view}`;
  }
  if (view === "documents") loadDocuments();
  if (view === "practices" && !$("#practices").children.length) loadPractices();
  if (view === "cases" && !$("#cases").children.length) loadCases();
  if (view === "quotes" && !$("#quotes").children.length) loadQuotes();
  if (view === "actors" && !$("#actors").children.length) loadActors();
}

// ---- results ---------------------------------------------------------------

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

function resultItem(result) {
  const meta = [result.document.title, `p. ${result.page}`];
  if (result.speaker) meta.unshift(result.speaker);
  const item = el("li", { class: "result", "data-passage": result.passage_id },
    el("p", { class: "snippet", html: result.snippet }),
    el("p", { class: "meta" }, meta.join(" · ")),
    el("blockquote", { class: "citation" }, result.citation),
  );
  if (result.also_in.length) {
    const list = el("ul", { class: "also" });
    for (const other of result.also_in) {
      list.append(el("li", {}, `${other.document.title}, p. ${other.page}`));
    }
    item.append(el("details", { class: "also-in" },
      el("summary", {}, `Aussi dans ${result.also_in.length} autre(s) source(s)`), list));
  }
  item.append(el("div", { class: "actions" },
    copyButton(result.citation),
    el("button", { type: "button", onclick: () => openContext(result.passage_id) }, "Voir le contexte"),
    el("button", { type: "button", onclick: () => openSimilar(result.passage_id) }, "Cas similaires"),
  ));
  return item;
}

// The answer to a question: what works, what to avoid, testimonies, cases (GET /v1/answer).
function answerItem(item) {
  const votes = item.votes ? ` (${"+".repeat(item.votes)})` : "";
  const label = item.speaker ? `${item.speaker} : ${item.label}` : item.label;
  const first = item.evidence[0];
  const entry = el("li", { class: "answer-item" },
    el("p", { class: "label" }, label + votes),
    el("blockquote", { class: "citation" }, first.citation),
  );
  if (item.evidence.length > 1) {
    const others = el("ul", { class: "also" });
    for (const evidence of item.evidence.slice(1)) others.append(el("li", {}, evidence.citation));
    entry.append(el("details", { class: "also-in" },
      el("summary", {}, `Dit aussi dans ${item.evidence.length - 1} autre(s) source(s)`), others));
  }
  entry.append(el("div", { class: "actions" },
    copyButton(first.citation),
    el("button", { type: "button", onclick: () => openContext(first.passage_id) }, "Voir le contexte"),
  ));
  return entry;
}

function showAnswer(data) {
  const box = $("#answer");
  box.replaceChildren(el("h2", {}, "Réponse"),
    ...data.sections.map((section) => el("section", { class: `answer-${section.kind}` },
      el("h3", {}, section.title),
      el("ol", { class: "answer-items" }, ...section.items.map(answerItem)))));
  box.hidden = !data.sections.length;
}

async function runSearch(event) {
  if (event) event.preventDefault();
  const form = new FormData($("#search-form"));
  const params = new URLSearchParams();
  for (const [key, value] of form.entries()) if (value) params.set(key, value);
  const query = params.get("q") || "";
  if (!query.trim()) return;
  history.replaceState(null, "", `/?${params}`);
  const current = ticket("search");
  $("#status").textContent = "Recherche…";
  $("#results").replaceChildren();
  $("#answer").hidden = true;
  $("#results-title").hidden = true;
  try {
    // The answer draws on the whole collection: shown when no filter narrows the search.
    const filtered = [...params.keys()].some((key) => !["q", "mode"].includes(key));
    const [data, answer] = await Promise.all([
      api(`/v1/search?${params}`),
      filtered ? null : api(`/v1/answer?${new URLSearchParams({ q: query })}`),
    ]);
    if (!current()) return;
    $("#status").textContent = data.results.length
      ? `${data.results.length} passage(s) pour « ${query} »`
      : `Aucun résultat pertinent pour « ${query} » : ${data.reason || "rien de trouvé"}.`;
    if (answer) showAnswer(answer);
    $("#results-title").hidden = !data.results.length;
    $("#results").replaceChildren(...data.results.map(resultItem));
  } catch (error) {
    $("#status").textContent = `Erreur : ${error.message}`;
  }
}

// ---- panel: context and similar cases ------------------------------------------

function openPanel(title, ...content) {
  $("#panel-title").textContent = title;
  $("#panel-body").replaceChildren(...content);
  const dialog = $("#panel");
  if (!dialog.open) dialog.showModal();
}

function passageBlock(ref, label, current = false) {
  return el("section", { class: current ? "context current" : "context" },
    el("h3", {}, `${label} — p. ${ref.page}`),
    el("p", { class: "passage-text" }, ref.text));
}

async function openContext(passageId) {
  try {
    const data = await api(`/v1/passages/${encodeURIComponent(passageId)}`);
    const blocks = [];
    if (data.previous) blocks.push(passageBlock(data.previous, "Avant"));
    blocks.push(passageBlock(data.passage, "Passage", true));
    if (data.next) blocks.push(passageBlock(data.next, "Après"));
    blocks.push(el("blockquote", { class: "citation" }, data.passage.citation),
                copyButton(data.passage.citation));
    openPanel(`Contexte — ${data.passage.document.title}`, ...blocks);
  } catch (error) {
    openPanel("Contexte", el("p", {}, `Erreur : ${error.message}`));
  }
}

async function openSimilar(passageId) {
  try {
    const data = await api(`/v1/similar?passage_id=${encodeURIComponent(passageId)}&k=5`);
    const list = el("ol", { class: "results" }, ...data.results.map(resultItem));
    openPanel("Cas similaires dans d’autres documents",
      data.results.length ? list : el("p", {}, "Aucun passage similaire."));
  } catch (error) {
    openPanel("Cas similaires", el("p", {}, `Erreur : ${error.message}`));
  }
}

// ---- practices, cases, quotes ----------------------------------------------------

function citationBlock(citation) {
  return el("div", {},
    el("blockquote", { class: "citation" }, citation),
    el("div", { class: "actions" }, copyButton(citation)));
}

function practiceItem(card) {
  const sources = `${card.documents} document(s), ${card.events} événement(s)`;
  const list = el("ul", { class: "evidence" },
    ...card.evidence.map((e) => el("li", {}, citationBlock(e.citation))));
  return el("li", { class: "result practice", "data-card": card.id },
    el("h3", {}, card.polarity === "avoid" ? `À éviter : ${card.label}` : card.label),
    el("p", { class: "meta" }, sources),
    el("details", { open: card.evidence.length <= 3 ? "" : null },
      el("summary", {}, `Sources (${card.evidence.length})`), list));
}

async function loadPractices(event) {
  if (event) event.preventDefault();
  const query = $("#practices-q").value.trim();
  const current = ticket("practices");
  $("#practices-status").textContent = "Recherche…";
  try {
    const data = await api(`/v1/practices?k=15${query ? `&q=${encodeURIComponent(query)}` : ""}`);
    if (!current()) return;
    $("#practices-status").textContent = query
      ? `${data.results.length} pratique(s) pour « ${query} »`
      : "Les pratiques citées par le plus de documents";
    $("#practices").replaceChildren(...data.results.map(practiceItem));
  } catch (error) {
    $("#practices-status").textContent = `Erreur : ${error.message}`;
  }
}

function caseItem(entry) {
  const record = entry.case || entry;
  const item = el("li", { class: "result case", "data-case": record.id },
    el("h3", {}, record.place ? `${record.name} (${record.place})` : record.name),
    el("p", {}, record.description),
    el("p", { class: "meta" },
      `Acteurs : ${record.actors.join(", ") || "—"} · Leviers : ${record.levers.join(", ") || "—"}`));
  if (entry.reasons) {
    item.append(el("ul", { class: "reasons" }, ...entry.reasons.map((r) => el("li", {}, r))));
  }
  if (record.sources.length) item.append(citationBlock(record.sources[0].citation));
  item.append(el("div", { class: "actions" },
    el("button", { type: "button", onclick: () => openCase(record.id) }, "Fiche du cas"),
    el("button", { type: "button", onclick: () => similarCases(record.id, record.name) },
      "Cas similaires")));
  return item;
}

// A case page: every field (an editor's value over the extracted one, marked), sources.
async function openCase(caseId) {
  try {
    const page = await api(`/v1/cases/${encodeURIComponent(caseId)}`);
    const edited = new Set(page.edited);
    const row = (label, key, value) => value && value.length !== 0
      ? el("p", {}, el("strong", {}, `${label} : `), value,
        edited.has(key) ? el("em", { class: "edited" }, " (complété par un éditeur)") : null)
      : null;
    openPanel(page.name,
      row("Lieu", "place", page.place),
      row("Type de territoire", "territory_type", page.territory_type),
      el("p", {}, page.description),
      row("Acteurs", "actors", page.actors.map((a) => `${a.name} (${a.label || a.type})`).join(", ")),
      row("Thèmes", "themes", page.themes.join(" · ")),
      row("Leviers", "levers", page.levers.join(", ")),
      row("Dates", "dates", page.dates.join(", ")),
      page.results.length ? el("h3", {}, "Résultats") : null,
      page.results.length ? el("ul", {}, ...page.results.map((r) => el("li", {}, r))) : null,
      page.lessons.length ? el("h3", {}, "Enseignements") : null,
      page.lessons.length ? el("ul", {}, ...page.lessons.map((l) =>
        el("li", {}, l.polarity === "avoid" ? `À éviter : ${l.text}` : l.text))) : null,
      el("h3", {}, "Sources"),
      el("ul", { class: "also" }, ...page.sources.map((s) => el("li", {}, s.citation))));
  } catch (error) {
    openPanel("Cas", el("p", {}, `Erreur : ${error.message}`));
  }
}

async function loadCases(event) {
  if (event) event.preventDefault();
  const text = $("#cases-q").value.trim();
  const current = ticket("cases");
  $("#cases-status").textContent = "Recherche…";
  try {
    if (text) {
      const data = await api(`/v1/similar?k=8&text=${encodeURIComponent(text)}`);
      if (!current()) return;
      $("#cases-status").textContent = `${data.cases.length} cas proches de votre description`;
      $("#cases").replaceChildren(...data.cases.map(caseItem));
    } else {
      const data = await api("/v1/cases?k=50");
      if (!current()) return;
      $("#cases-status").textContent = `${data.results.length} cas documentés`;
      $("#cases").replaceChildren(...data.results.map(caseItem));
    }
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

function quoteItem(quote) {
  return el("li", { class: "result quote" },
    el("p", { class: "speaker" }, quote.role ? `${quote.speaker}, ${quote.role}` : quote.speaker),
    citationBlock(quote.citation));
}

async function loadQuotes(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ k: "30" });
  const query = $("#quotes-q").value.trim();
  const speaker = $("#quotes-speaker").value.trim();
  if (query) params.set("q", query);
  if (speaker) params.set("speaker", speaker);
  const current = ticket("quotes");
  $("#quotes-status").textContent = "Recherche…";
  try {
    const data = await api(`/v1/quotes?${params}`);
    if (!current()) return;
    $("#quotes-status").textContent = `${data.results.length} citation(s)`;
    $("#quotes").replaceChildren(...data.results.map(quoteItem));
  } catch (error) {
    $("#quotes-status").textContent = `Erreur : ${error.message}`;
  }
}

// ---- documents and upload ------------------------------------------------------

// Writes need the token: one value for the upload form and the documents view.
function writeToken() {
  return $("#token").value || $("#manage-token").value;
}

function documentItem(d) {
  const edited = d.edited.length ? el("em", { class: "edited" }, " (modifié)") : null;
  return el("li", { "data-document": d.id },
    el("strong", {}, d.title), edited,
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
    status.textContent = `« ${d.title} » supprimé.` + (report.warning ? ` Attention : ${report.warning}` : "");
    loadDocuments();
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

async function loadDocuments() {
  const list = $("#documents");
  try {
    const documents = await api("/v1/documents");
    list.replaceChildren(...documents.map(documentItem));
    const select = $("#f-document");
    const chosen = select.value;
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
    const report = await api("/v1/documents", {
      method: "POST",
      headers: { Authorization: `Bearer ${writeToken()}` },
      body,
    });
    const failed = report.files.filter((f) => f.status === "failed").length;
    status.textContent = (failed
      ? `${report.files.length - failed} fichier(s) indexé(s), ${failed} en échec`
      : `${report.files.length} fichier(s) traité(s)`)
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
    : `${f.status === "unchanged" ? "inchangé" : "indexé"} (${f.passages} passages)`;
  return el("li", { class: `upload-${f.status}` }, `${f.file} : ${outcome}`);
}

// ---- actors: who, of what type, where, with whom -----------------------------------


function actorItem(actor) {
  const roles = actor.roles.length ? ` — ${actor.roles[0]}` : "";
  return el("li", { class: "actor" },
    el("p", { class: "label" },
      el("button", { type: "button", class: "link", onclick: () => openActor(actor.id) }, actor.name),
      ` (${actor.type_label})${roles}`),
    el("p", { class: "meta" }, `${actor.passages} passage(s) · ${actor.documents} document(s)`),
  );
}

async function loadActors(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ k: "50" });
  const q = $("#actors-q").value.trim();
  const kind = $("#actors-kind").value;
  if (q) params.set("q", q);
  if (kind) params.set("kind", kind);
  const current = ticket("actors");
  $("#actors-status").textContent = "Recherche…";
  try {
    const data = await api(`/v1/actors?${params}`);
    if (!current()) return;
    $("#actors-status").textContent = data.results.length
      ? `${data.results.length} acteur(s)${q ? ` pour « ${q} »` : ""}` : "Aucun acteur.";
    $("#actors").replaceChildren(...data.results.map(actorItem));
  } catch (error) {
    $("#actors-status").textContent = `Erreur : ${error.message}`;
  }
}

// An actor's page in the panel: who works with them is a list of links, so the graph
// can be walked from one actor to the next.
async function openActor(actorId) {
  try {
    const actor = await api(`/v1/actors/${encodeURIComponent(actorId)}`);
    const kind = actor.type_label;
    const partners = el("ul", { class: "works-with" }, ...actor.works_with.map((n) =>
      el("li", {}, el("button", { type: "button", class: "link", onclick: () => openActor(n.actor.id) },
        n.actor.name), ` — ${n.shared_passages} passage(s) en commun`)));
    openPanel(actor.name,
      el("p", { class: "meta" }, [kind, ...actor.roles.slice(0, 2)].join(" · ")),
      el("p", {}, actor.events.length ? `Événements : ${actor.events.join(" ; ")}` : ""),
      el("h3", {}, "Travaille avec"), partners,
      el("h3", {}, "Sources"),
      el("ul", { class: "also" }, ...actor.sources.map((s) => el("li", {}, s.citation))));
  } catch (error) {
    openPanel("Acteur", el("p", {}, `Erreur : ${error.message}`));
  }
}

// ---- start -----------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => show(tab.dataset.view));
  }
  $("#search-form").addEventListener("submit", runSearch);
  $("#upload-form").addEventListener("submit", upload);
  $("#practices-form").addEventListener("submit", loadPractices);
  $("#cases-form").addEventListener("submit", loadCases);
  $("#quotes-form").addEventListener("submit", loadQuotes);
  $("#actors-form").addEventListener("submit", loadActors);
  $("#panel-close").addEventListener("click", () => $("#panel").close());
  loadDocuments();
  const params = new URLSearchParams(location.search);
  if (params.get("q")) {
    for (const [key, value] of params.entries()) {
      const field = $("#search-form").elements.namedItem(key);
      if (field) field.value = value;
    }
    runSearch();
  }
});
