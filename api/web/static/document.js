// The document view (/documents/{id}): the extracted text with its pages, sections and
// speaker turns marked, every passage an element `p-{ordinal}`, the cited passage (and the
// exact excerpt, given `start`/`end`) highlighted and scrolled into view, and previous /
// next passage navigation (buttons, or the j and k keys). Uses el, api, go and ticket
// from app.js.
"use strict";

let reading = null;  // {data, key}: the document drawn, and the excerpt it marks

async function openDocument(documentId, params) {
  const current = ticket("document");
  const excerpt = excerptOf(params);
  const key = `${documentId}|${excerpt ? `${excerpt.start}-${excerpt.end}` : ""}`;
  if (!reading || reading.key !== key) {
    $("#document-status").textContent = "Chargement du document…";
    try {
      const data = reading && reading.data.document.id === documentId
        ? reading.data : await api(`/v1/documents/${encodeURIComponent(documentId)}/text`);
      if (!current()) return;
      drawDocument(data, excerpt);
      reading = { data, key };
      $("#document-status").textContent = "";
    } catch (error) {
      if (!current()) return;
      reading = null;
      $("#document-head").replaceChildren();
      $("#document-text").replaceChildren();
      $("#document-nav").hidden = true;
      $("#document-status").textContent = `Erreur : ${error.message}`;
      return;
    }
  }
  document.title = `${reading.data.document.title} — Recueil`;
  cite(citedPassage(reading.data, params));
}

function excerptOf(params) {
  const start = Number.parseInt(params.get("start"), 10);
  const end = Number.parseInt(params.get("end"), 10);
  return Number.isInteger(start) && Number.isInteger(end) && end > start ? { start, end } : null;
}

// The passage the URL cites: by fragment (#p-12), by id (?passage=), or by offset (?start=).
function citedPassage(data, params) {
  const fragment = /^#p-(\d+)$/.exec(location.hash);
  if (fragment) return data.passages.find((p) => p.ordinal === Number(fragment[1])) || null;
  if (params.get("passage")) return data.passages.find((p) => p.id === params.get("passage")) || null;
  const excerpt = excerptOf(params);
  return excerpt ? data.passages.find((p) => p.start <= excerpt.start && excerpt.start < p.end) || null
    : null;
}

// ---- drawing ------------------------------------------------------------------------

function drawDocument(data, excerpt) {
  const doc = data.document;
  const pages = data.pages.length;
  const facts = [doc.event, frenchDate(doc.date), data.place, `${pages} page${pages > 1 ? "s" : ""}`, doc.file];
  $("#document-head").replaceChildren(
    el("h2", {}, doc.title),
    el("p", { class: "meta" }, facts.filter(Boolean).join(" · ")),
    data.url ? el("p", { class: "meta" }, el("a", { href: data.url }, "Source en ligne")) : "");
  $("#document-text").replaceChildren(structuredText(data, excerpt));
  $("#document-nav").hidden = !data.passages.length;
}

// Walks the text from cut to cut: at each, passages that end are closed, section titles,
// speaker turns, page marks and passages that begin are opened, then the text up to the
// next cut goes into the innermost open passage (a footnote can stand inside a passage).
function structuredText(data, excerpt) {
  const root = el("article", { class: "document-body" });
  const markdown = /\.(md|markdown)$/i.test(data.document.file || "");
  const stack = [{ node: root, end: Infinity }];
  const starting = (items) => groupBy(items, (item) => item.start);
  const sections = starting(data.sections);
  const turns = starting(data.turns);
  const passages = starting(data.passages);
  const pages = new Map(data.pages.map((page) => [page.start, page]));
  const cuts = new Set([0, data.text.length, ...pages.keys()]);
  for (const p of data.passages) cuts.add(p.start).add(p.end);
  if (excerpt) cuts.add(excerpt.start).add(excerpt.end);
  const said = leads(data, sections, turns, excerpt);
  for (const end of said.values()) cuts.add(end);
  let hiddenUntil = -1;
  const ordered = [...cuts].filter((x) => x >= 0 && x <= data.text.length).sort((a, b) => a - b);
  ordered.forEach((at, index) => {
    while (stack.length > 1 && stack.at(-1).end <= at) stack.pop();
    const top = () => stack.at(-1).node;
    if (stack.length === 1) {
      for (const section of sections.get(at) || []) root.append(sectionTitle(section));
      for (const turn of turns.get(at) || []) root.append(turnLabel(turn));
      if (said.has(at)) hiddenUntil = said.get(at);
    }
    if (pages.has(at)) top().append(pageMark(pages.get(at)));
    for (const passage of passages.get(at) || []) {
      const node = passageNode(passage);
      top().append(node);
      stack.push({ node, end: Math.min(passage.end, stack.at(-1).end) });
    }
    const next = ordered[index + 1];
    if (next !== undefined && next > hiddenUntil) appendText(top(), data.text.slice(at, next), stack.length === 1,
      excerpt && at >= excerpt.start && next <= excerpt.end, markdown);
  });
  return root;
}

// Where the text repeats the section titles and the speaker label just drawn above it
// (« Ouverture », « **Martine LEROY, maire de Saint-Fargeau** : »), up to where it goes on:
// start → end of what is not shown again. Not where the cited excerpt begins inside it.
function leads(data, sections, turns, excerpt) {
  const said = new Map();
  for (const at of new Set([...sections.keys(), ...turns.keys()])) {
    let end = at;
    for (const section of sections.get(at) || []) end += leadLength(data.text, end, section.title);
    for (const turn of turns.get(at) || []) {
      end += leadLength(data.text, end, turnName(turn)) || leadLength(data.text, end, turn.speaker);
    }
    if (end > at && !(excerpt && excerpt.start < end && excerpt.end > at)) said.set(at, end);
  }
  return said;
}

// The length of `label` written at `at`, its words apart by blanks or Markdown marks, with
// the marks, colon and blanks that end it; 0 if the text does not start with it.
function leadLength(text, at, label) {
  const words = label.split(/\s+/).filter(Boolean)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) return 0;
  const pattern = new RegExp(
    `^[\\s#*_]*${words.join("[\\s*_]+")}(?![\\p{L}\\p{N}])[*_]*(?:[ \\t]*:)?\\s*`, "iu");
  const found = pattern.exec(text.slice(at, at + label.length * 2 + 40));
  return found ? found[0].length : 0;
}

function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) || []), item]);
  return groups;
}

function sectionTitle(section) {
  const level = Math.min(section.depth + 3, 6);
  return el(`h${level}`, { class: `section-title depth-${section.depth}` }, section.title);
}

function turnLabel(turn) {
  const how = turn.speech === "reported" ? " — propos rapportés" : "";
  return el("p", { class: "turn" }, turnName(turn) + how);
}

// « Name, role »: the label drawn above a turn, which its text may repeat.
function turnName(turn) {
  return turn.role ? `${turn.speaker}, ${turn.role}` : turn.speaker;
}

function pageMark(page) {
  return el("span", { class: "page-mark", id: `page-${page.number}` }, `p. ${page.number}`);
}

function passageNode(passage) {
  return el("div", {
    class: `passage kind-${passage.kind}${passage.speaker ? " spoken" : ""}`,
    id: `p-${passage.ordinal}`, tabindex: "-1", "data-passage": passage.id,
  }, el("a", { class: "anchor", href: `#p-${passage.ordinal}`,
    "aria-label": `Lien vers le passage ${passage.ordinal}` }, "¶"));
}

// Raw text as a reader sees it: runs of blank lines shown as one, the source's line wrapping
// undone (a break stays after a sentence's end and before a list item; a word cut at a
// hyphen is joined); outside passages, only what is not blank (page furniture, stray lines)
// is kept, muted; Markdown's marks (« ## », « ** », links' brackets) are not shown, as
// search's clean text drops them. Only the display changes: offsets keep indexing the
// extracted text.
function appendText(node, text, outside, cited, markdown) {
  const unmarked = markdown ? withoutMarkdown(text) : text;
  const shown = unmarked.replace(/[ \t]*\n\s*\n\s*/g, "\n\n")
    .replace(/(\p{L}-)[ \t]*\n[ \t]*(?=\p{L})/gu, "$1")
    .replace(/([^\n.:?!»;])[ \t]*\n(?![ \t]*(?:[-–•*]|\d+[.)]|\n))[ \t]*/g, "$1 ");
  if (outside) {
    if (shown.trim()) node.append(el("div", { class: "outside" }, shown.trim()));
    return;
  }
  node.append(cited ? el("mark", { class: "excerpt" }, shown) : shown);
}

function withoutMarkdown(text) {
  return text.replace(/^[ \t]*#{1,6}[ \t]+/gm, "")
    .replace(/\[([^\]\n]+)\]\([^)\s]+\)/g, "$1")
    .replace(/\*\*|__/g, "")
    .replace(/(^|[\s(«])\*(?=\S)([^*\n]+?)\*(?=[\s.,;:!?)»]|$)/gm, "$1$2");
}

// ---- the cited passage, and moving from passage to passage -------------------------

function cite(passage) {
  for (const old of document.querySelectorAll("#document-text .cited")) {
    old.classList.remove("cited");
    old.removeAttribute("aria-current");
  }
  updateNav(passage);
  if (!passage) {
    window.scrollTo(0, 0);
    return;
  }
  if (location.hash !== `#p-${passage.ordinal}`) {
    history.replaceState(null, "", `${location.pathname}${location.search}#p-${passage.ordinal}`);
  }
  const node = document.getElementById(`p-${passage.ordinal}`);
  node.classList.add("cited");
  node.setAttribute("aria-current", "location");
  // A passage taller than most of the screen opens at its start, below the sticky bar
  // (scroll-margin-top); centred, its first lines hid under it on a phone.
  node.scrollIntoView({ block: node.offsetHeight > innerHeight * 0.6 ? "start" : "center" });
  node.focus({ preventScroll: true });
}

function neighbour(passage, step) {
  const list = reading ? reading.data.passages : [];
  const index = passage ? list.indexOf(passage) : -1;
  return list[index === -1 && step < 0 ? -1 : index + step] || null;
}

function updateNav(passage) {
  const list = reading.data.passages;
  $("#document-position").textContent = passage
    ? `Passage ${list.indexOf(passage) + 1} sur ${list.length}, p. ${passage.page}`
    : `${list.length} passages`;
  $("#document-previous").disabled = !neighbour(passage, -1);
  $("#document-next").disabled = !neighbour(passage, 1);
}

// Steps replace the address rather than stacking it: « back » returns to where the reader
// came from, not through every passage read.
function step(by) {
  if (!reading) return;
  const target = neighbour(citedPassage(reading.data, new URLSearchParams(location.search)), by);
  if (target) go(`${location.pathname}${location.search}#p-${target.ordinal}`, true);
}

function readingKeys(event) {
  if ($("#view-document").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.key === "j") step(1);
  if (event.key === "k") step(-1);
}

document.addEventListener("DOMContentLoaded", () => {
  $("#document-previous").addEventListener("click", () => step(-1));
  $("#document-next").addEventListener("click", () => step(1));
  document.addEventListener("keydown", readingKeys);
});
