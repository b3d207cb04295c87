"""The API's words for people: one catalogue, French by default, English on request.

Recueil is read in French, so an error says so in French unless the request's
`Accept-Language` prefers English. Every message a router, the write middleware or request
validation sends is here, keyed by an id, so that a new language is one more column and no
French/English pair is scattered through the code. Routers raise `ApiError(status, id,
**params)`; the one error handler (api.routers.deps.error_response) renders it in the
language the request negotiated.
"""

from __future__ import annotations

from contextlib import suppress
from http import HTTPStatus
from typing import Any

from fastapi import HTTPException

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    # -- writes: token and limits (api.limits, api.routers.deps) --
    "token.disabled": {
        "fr": "écritures désactivées : démarrez le serveur avec RECUEIL_TOKEN, ou un jeton "
        "dans le fichier token de son dossier de données, pour les permettre",
        "en": "writes are disabled: start the server with RECUEIL_TOKEN set, or a token in "
        "its data folder's token file, to allow them",
    },
    "token.wrong": {"fr": "jeton absent ou erroné", "en": "missing or wrong token"},
    "limit.request": {
        "fr": "le corps de la requête dépasse {mb} Mo, la limite par requête",
        "en": "request body is larger than {mb} MB, the limit per request",
    },
    "limit.file": {
        "fr": "un fichier dépasse {mb} Mo, la limite par fichier",
        "en": "a file is larger than {mb} MB, the limit per file",
    },
    "limit.named_file": {
        "fr": "« {name} » dépasse {mb} Mo, la limite par fichier : rien de cet envoi n’a été "
        "indexé ; renvoyez les autres fichiers sans lui",
        "en": "« {name} » is larger than {mb} MB, the limit per file: nothing of this upload "
        "was indexed; send the other files again without it",
    },
    # -- the store (api.app) --
    "store.unavailable": {
        "fr": "base de données injoignable : réessayez dans un instant",
        "en": "the database cannot be reached: try again in a moment",
    },
    # -- reading --
    "query.empty": {"fr": "la requête est vide", "en": "the query is empty"},
    "export.none": {
        "fr": "donnez au moins un passage ou une citation à exporter",
        "en": "give at least one passage or quote id to export",
    },
    "export.too_many": {
        "fr": "au plus {max} passages et citations par export",
        "en": "at most {max} passages and quotes in one export",
    },
    "export.unknown": {
        "fr": "aucun passage ni citation « {ids} »",
        "en": "no passage or quote '{ids}'",
    },
    "similar.one_of": {
        "fr": "donnez exactement un paramètre parmi passage_id, case_id ou text",
        "en": "give exactly one of passage_id, case_id or text",
    },
    "similar.empty": {
        "fr": "la description est vide : décrivez le cas en quelques phrases",
        "en": "the description is empty: describe the case in a few sentences",
    },
    "document.unknown": {"fr": "aucun document « {id} »", "en": "no document '{id}'"},
    "passage.unknown": {"fr": "aucun passage « {id} »", "en": "no passage '{id}'"},
    "actor.unknown": {"fr": "aucun acteur « {id} »", "en": "no actor '{id}'"},
    "practice.unknown": {"fr": "aucune fiche pratique « {id} »", "en": "no practice card '{id}'"},
    "case.unknown": {"fr": "aucun cas « {id} »", "en": "no case '{id}'"},
    "quote.unknown": {"fr": "aucune citation « {id} »", "en": "no quote '{id}'"},
    # -- case pages --
    "case.name_required": {
        "fr": "un nouveau cas doit avoir un nom",
        "en": "a new case needs a name",
    },
    "case.name_locked": {
        "fr": "le cas « {id} » a été créé à la main : son nom ne peut pas être effacé",
        "en": "case '{id}' was created by hand: its name cannot be cleared",
    },
    "case.exists": {
        "fr": "un cas porte déjà ce nom : « {name} » ({id}) ; modifiez-le avec PUT",
        "en": "a case already bears this name: '{name}' ({id}); edit it with PUT",
    },
    "case.extracted": {
        "fr": "le cas « {id} » vient des documents : seul un cas créé par un éditeur se "
        "supprime (corrigez ses champs avec PUT)",
        "en": "case '{id}' comes from the documents: only a case an editor created can be "
        "deleted (correct its fields with PUT)",
    },
    # -- uploads, one message per file --
    "upload.none": {"fr": "aucun fichier envoyé", "en": "no file uploaded"},
    "upload.unsafe_name": {
        "fr": "nom de fichier vide ou dangereux",
        "en": "unsafe or empty file name",
    },
    "upload.unsupported": {
        "fr": "type de fichier non pris en charge : utilisez {suffixes}",
        "en": "unsupported file type: use {suffixes}",
    },
    "upload.too_large": {
        "fr": "fichier plus gros que {mb} Mo, la limite par fichier",
        "en": "file is larger than {mb} MB, the limit per file",
    },
    "upload.empty": {"fr": "fichier vide", "en": "the file is empty"},
    "upload.conflict": {
        "fr": "un autre fichier « {name} » a déjà été envoyé (document {document_id}) : "
        "renommez celui-ci, ou remplacez l’ancien (« Remplacer les documents du même nom », "
        "replace=true)",
        "en": "another file « {name} » was uploaded before (document {document_id}): rename "
        "this one, or replace the old one (replace=true)",
    },
    "upload.internal": {"fr": "erreur interne : {error}", "en": "internal error: {error}"},
    "upload.all_failed": {
        "fr": "aucun fichier n’a été indexé : {problems}",
        "en": "no file was indexed: {problems}",
    },
    "write.not_refreshed": {
        "fr": "enregistré, mais la recherche, les fiches et les cas ne sont pas encore à jour "
        "({error}) : renvoyez la requête ou lancez `recueil build`",
        "en": "saved, but search, cards and cases are not updated yet ({error}): "
        "repeat the request or run `recueil build`",
    },
    # -- request validation (api.app) --
    "request.invalid": {"fr": "requête invalide", "en": "invalid request"},
}

# Pydantic's own messages are English: the French for the errors a person meets, by error
# type; any other type keeps pydantic's wording.
VALIDATION_FR: dict[str, str] = {
    "missing": "champ requis",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "string_too_short": "au moins {min_length} caractère(s)",
    "string_too_long": "au plus {max_length} caractères",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "string_pattern_mismatch": "doit suivre le motif {pattern}",
    "literal_error": "valeur attendue : {expected}",
    "enum": "valeur attendue : {expected}",
    "json_invalid": "JSON invalide",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "vrai ou faux attendu",
    "value_error": "{error}",
}

# Starlette's own errors (unknown route, wrong method) carry the status's English phrase.
HTTP_FR: dict[int, str] = {
    404: "introuvable",
    405: "méthode non autorisée",
    400: "requête incorrecte",
    413: "requête trop volumineuse",
}


class ApiError(HTTPException):
    """An HTTP error whose message is a catalogue id, rendered per request language."""

    def __init__(
        self, status: int, key: str, headers: dict[str, str] | None = None, **params: Any
    ) -> None:
        if key not in MESSAGES:
            raise KeyError(f"no message {key!r} in api.messages")
        super().__init__(status, message(key, DEFAULT_LANGUAGE, **params), headers)
        self.key = key
        self.params = params

    def text(self, language: str) -> str:
        return message(self.key, language, **self.params)


def count(n: int, one: str, many: str | None = None) -> str:
    """« 1 document », « 3 documents »: French puts 0 and 1 in the singular."""
    return f"{n} {one if n <= 1 else many or one + 's'}"


def message(key: str, language: str, **params: Any) -> str:
    """The message `key` in `language` (French for a language the catalogue lacks); a float
    parameter is written as that language writes numbers (0,3 in French, 0.3 in English)."""
    texts = MESSAGES[key]
    shown = {k: _number(v, language) if isinstance(v, float) else v for k, v in params.items()}
    return texts.get(language, texts[DEFAULT_LANGUAGE]).format(**shown)


def _number(value: float, language: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if language == "fr" else text


def negotiate(accept_language: str | None) -> str:
    """The catalogue language the `Accept-Language` header prefers; French without one.

    Ranges are weighed by their q-value (1 when absent), ties keep the header's order;
    `fr-CA` counts as `fr`, `*` as the default.
    """
    best, best_weight = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        language = DEFAULT_LANGUAGE if primary == "*" else primary
        if language not in LANGUAGES:
            continue
        weight = _quality(params)
        if weight > best_weight:
            best, best_weight = language, weight
    return best


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def validation_problem(error: dict[str, Any], language: str) -> str:
    """One line per invalid field, `where: what`, in the request's language."""
    where = ".".join(str(p) for p in error["loc"][1:]) or str(error["loc"][0])
    template = VALIDATION_FR.get(error["type"]) if language == "fr" else None
    what = error["msg"]
    if template is not None:
        # A context this template does not expect keeps pydantic's words.
        context = dict(error.get("ctx") or {})
        if "expected" in context:  # pydantic lists values as « 'a', 'b' or 'c' »
            context["expected"] = str(context["expected"]).replace("' or '", "' ou '")
        with suppress(KeyError, IndexError):
            what = template.format(**context)
    return f"{where}: {what}"


def http_text(status: int, detail: str, language: str) -> str:
    """Starlette's default detail (the status phrase) in French; any other text as it is."""
    if language == "fr" and detail == HTTPStatus(status).phrase and status in HTTP_FR:
        return HTTP_FR[status]
    return detail
