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

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const details = body.details ? ` (${body.details.join("; ")})` : "";
    throw new Error((body.error || response.statusText) + details);
  }
  return body;
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

async function runSearch(event) {
  if (event) event.preventDefault();
  const form = new FormData($("#search-form"));
  const params = new URLSearchParams();
  for (const [key, value] of form.entries()) if (value) params.set(key, value);
  const query = params.get("q") || "";
  if (!query.trim()) return;
  history.replaceState(null, "", `/?${params}`);
  $("#status").textContent = "Recherche…";
  $("#results").replaceChildren();
  try {
    const data = await api(`/v1/search?${params}`);
    $("#status").textContent = data.results.length
      ? `${data.results.length} résultat(s) pour « ${query} »`
      : `Aucun résultat pour « ${query} ».`;
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

// ---- documents and upload ------------------------------------------------------

async function loadDocuments() {
  const list = $("#documents");
  try {
    const documents = await api("/v1/documents");
    list.replaceChildren(...documents.map((d) => el("li", {},
      el("strong", {}, d.title),
      el("span", { class: "meta" },
        ` — ${[d.event, d.date, d.place].filter(Boolean).join(", ")} · ${d.passages} passages · ${d.file}`))));
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
  try {
    const report = await api("/v1/documents", {
      method: "POST",
      headers: { Authorization: `Bearer ${$("#token").value}` },
      body,
    });
    status.textContent = report.files.map((f) =>
      f.status === "failed" ? `${f.file} : échec (${f.error})`
        : `${f.file} : ${f.status === "unchanged" ? "inchangé" : "indexé"} (${f.passages} passages)`).join(" · ");
    loadDocuments();
  } catch (error) {
    status.textContent = `Erreur : ${error.message}`;
  }
}

// ---- start -----------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => show(tab.dataset.view));
  }
  $("#search-form").addEventListener("submit", runSearch);
  $("#upload-form").addEventListener("submit", upload);
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
