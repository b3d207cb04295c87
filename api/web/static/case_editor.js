// Case pages edited on the page (issue #12): an editor completes what extraction found, or
// documents a case the reports never named. Fields are sent to PUT /v1/cases/{id} (or POST
// /v1/cases for a new one) with the write token; the API keeps them apart from extracted
// values, so a re-ingest never overwrites them. Uses el(), api() and go() from app.js.
"use strict";

const TERRITORY_TYPES = [
  "urbain ou quartier prioritaire", "périurbain", "rural", "métropole", "international",
];
// Text fields and list fields (one item per line) an editor can set.
const CASE_TEXT_FIELDS = [["name", "Nom"], ["place", "Lieu"], ["description", "Description"]];
const CASE_LIST_FIELDS = [
  ["themes", "Thèmes"], ["levers", "Leviers"], ["dates", "Dates"], ["results", "Résultats"],
];
// The kinds of actors a case brings together (search.knowledge.cases.ACTORS), a closed list.
const ACTOR_KINDS = [
  "associations", "entreprises", "collectivités", "État", "recherche", "fondations",
  "habitants", "financeurs",
];
const TOKEN_KEY = "recueil-token";

// `prefix` keeps ids unique: the new-case form and a case page's form share the document.
function caseField(prefix, name, label, value, multiline) {
  const attrs = { name, id: `${prefix}-${name}` };
  const input = multiline ? el("textarea", { ...attrs, rows: 3 }) : el("input", attrs);
  input.value = value || "";
  return el("label", { for: attrs.id }, label, input);
}

function territorySelect(prefix, value) {
  const id = `${prefix}-territory_type`;
  const select = el("select", { name: "territory_type", id },
    el("option", { value: "" }, "non précisé"),
    ...TERRITORY_TYPES.map((type) => el("option", { value: type }, type)));
  select.value = value || "";
  return el("label", { for: id }, "Type de territoire", select);
}

function actorKinds(prefix, chosen) {
  return el("fieldset", { id: `${prefix}-actor_kinds` },
    el("legend", {}, "Types d’acteurs"),
    ...ACTOR_KINDS.map((kind) => {
      const box = el("input", { type: "checkbox", name: "actor_kinds", value: kind });
      box.checked = (chosen || []).includes(kind);
      return el("label", {}, box, ` ${kind}`);
    }));
}

// The fields that differ from what the page shows: only they are sent (an edit is partial).
function changedFields(form, page) {
  const data = new FormData(form);
  const changed = {};
  for (const [name] of CASE_TEXT_FIELDS) {
    const value = data.get(name).trim();
    if (value !== (page[name] || "")) changed[name] = value || null;
  }
  const territory = data.get("territory_type") || null;
  if (territory !== (page.territory_type || null)) changed.territory_type = territory;
  const kinds = data.getAll("actor_kinds");
  if (kinds.join("\n") !== (page.actor_kinds || []).join("\n")) changed.actor_kinds = kinds;
  for (const [name] of CASE_LIST_FIELDS) {
    const items = lines(data.get(name));
    if (items.join("\n") !== (page[name] || []).join("\n")) changed[name] = items;
  }
  // Named actors, one a line: those the page had keep their type and id; a new name is
  // typed by the API as extraction types it.
  const known = new Map((page.actors || []).map((actor) => [actor.name, actor]));
  const names = lines(data.get("actors"));
  if (names.join("\n") !== [...known.keys()].join("\n")) {
    changed.actors = names.map((name) => {
      const actor = known.get(name);
      return actor ? { name, type: actor.type, ...(actor.id ? { id: actor.id } : {}) } : name;
    });
  }
  return changed;
}

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

// Only a case an editor created can be deleted (DELETE /v1/cases/{id}); then the list.
function deleteButton(page, token, status) {
  return el("button", {
    type: "button",
    class: "danger",
    onclick: async () => {
      sessionStorage.setItem(TOKEN_KEY, token.value);
      status.textContent = "Suppression…";
      try {
        await api(`/v1/cases/${encodeURIComponent(page.id)}`, {
          method: "DELETE", headers: { Authorization: `Bearer ${token.value}` },
        });
        go(viewUrl("cases"));
      } catch (error) {
        status.textContent = `Erreur : ${error.message}`;
      }
    },
  }, "Supprimer ce cas");
}

// The form for a case page (`page` from GET /v1/cases/{id}), or for a new case (page null).
function caseForm(page) {
  const current = page || {
    name: "", actor_kinds: [], themes: [], levers: [], dates: [], results: [],
  };
  const prefix = page ? "case-edit" : "case-new";
  const status = el("p", { role: "status", "aria-live": "polite" });
  const token = el("input", {
    id: `${prefix}-token`, type: "password", autocomplete: "off", required: "",
  });
  token.value = sessionStorage.getItem(TOKEN_KEY) || "";
  const form = el("form", { class: "case-editor" },
    ...CASE_TEXT_FIELDS.map(([name, label]) =>
      caseField(prefix, name, label, current[name], name === "description")),
    territorySelect(prefix, current.territory_type),
    actorKinds(prefix, current.actor_kinds),
    caseField(prefix, "actors", "Acteurs cités (un par ligne)",
      (current.actors || []).map((actor) => actor.name).join("\n"), true),
    ...CASE_LIST_FIELDS.map(([name, label]) =>
      caseField(prefix, name, `${label} (un par ligne)`, (current[name] || []).join("\n"), true)),
    el("label", { for: token.id }, "Jeton d’écriture", token),
    el("button", { type: "submit" }, page ? "Enregistrer" : "Créer le cas"),
    page && page.created ? deleteButton(page, token, status) : null,
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changed = changedFields(form, current);
    if (page && !Object.keys(changed).length) {
      status.textContent = "Rien n’a changé.";
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token.value);
    status.textContent = "Enregistrement…";
    try {
      const saved = await api(page ? `/v1/cases/${encodeURIComponent(page.id)}` : "/v1/cases", {
        method: page ? "PUT" : "POST",
        headers: { Authorization: `Bearer ${token.value}`, "Content-Type": "application/json" },
        body: JSON.stringify(changed),
      });
      go(viewUrl("case", { id: saved.id }), Boolean(page));  // draws the saved page
    } catch (error) {
      status.textContent = `Erreur : ${error.message}`;
    }
  });
  return el("details", { class: "case-edit" },
    el("summary", {}, page ? "Compléter ou corriger cette fiche" : "Documenter un nouveau cas"),
    form);
}
