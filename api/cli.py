"""The `recueil` command line: it mirrors the library, one command per capability."""

from __future__ import annotations

import errno
import json
import os
import re
import socket
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer

from api.bounds import DESCRIPTION_CHARS, QUESTION_CHARS

if TYPE_CHECKING:
    from api.token import WriteToken
    from ingest.executors import RayExecutor

app = typer.Typer(
    help="Recueil : chercher dans les cas capitalisés (actes, comptes-rendus), "
    "citations vérifiables à l’appui.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEFAULT_DATA = "data"


class State:
    data: Path = Path(DEFAULT_DATA)
    model: str | None = None


state = State()


@app.callback()
def main_options(
    data: Annotated[
        Path, typer.Option(envvar="RECUEIL_DATA", help="Dossier de la base et de ses index.")
    ] = Path(DEFAULT_DATA),
    model: Annotated[
        str | None,
        typer.Option(
            envvar="RECUEIL_MODEL",
            help="Modèle de vecteurs : e5-small-recueil (par défaut), e5-small avec "
            "l'adaptateur de Recueil ; e5-small-onnx, le même sans l'adaptateur ; e5-small "
            "ou sentence-transformers:<nom ou chemin>.",
        ),
    ] = None,
) -> None:
    state.data = data
    state.model = model


# Terminal escape sequences (CSI, OSC, two-character) and every other C0/C1 control but
# newline and tab: text from a document could otherwise recolour, retitle or rewrite the
# terminal. Escape sequences go whole; lone controls become a space.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile(r"[\x7f-\x9f]")


def _safe(text: object) -> str:
    """Text from documents or file names, fit for a terminal: no escape sequence or control
    character, and the bytes of a file name that is not UTF-8 written \\xNN."""
    from ingest.pipeline import printable

    return _CONTROLS.sub(" ", _ESCAPES.sub("", printable(str(text))))


def _echo(text: object, err: bool = False, **style) -> None:
    """Print one line, sanitised first, then styled: the only styling is ours."""
    line = _safe(text)
    typer.echo(typer.style(line, **style) if style else line, err=err)


def _at_most(limit: int):
    """A typer callback refusing a text longer than the API takes (api.bounds): a usage
    error, exit 2, rather than a long wait on a pasted document."""

    def check(value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise typer.BadParameter(f"au plus {limit} caractères ({len(value)} donnés)")
        return value

    return check


def _sentence(text: str) -> str:
    """A reason as a sentence: its own question mark or full stop, else a full stop."""
    return text if text.endswith(("?", ".")) else f"{text}."


# The system's reasons, in French: its own are in the machine's language (« Is a directory »).
_OS_REASONS = {
    errno.EISDIR: "c’est un dossier",
    errno.ENOTDIR: "un élément du chemin n’est pas un dossier",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
}


def _reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno, exc.strerror or str(exc))


def _fail(message: str, code: int = 2) -> None:
    """One French line on stderr, then exit: the usual failures show no traceback."""
    _echo(f"erreur : {message}", err=True)
    raise typer.Exit(code)


def _store(read_only: bool = False, backend: str | None = None):
    """The data folder's store on the backend the environment names (ingest.store)."""
    from ingest.store import StoreUnavailable, open_store

    try:
        return open_store(state.data, read_only=read_only, backend=backend)
    except FileNotFoundError:
        _fail(f"aucune base Recueil dans {state.data} : lancez d’abord `recueil ingest corpus/`")
    except StoreUnavailable as exc:
        _fail(f"base de données injoignable : {exc}")
    except ValueError as exc:  # an unknown RECUEIL_BACKEND, a bad RECUEIL_DB_TIMEOUT
        _fail(f"configuration invalide : {exc}")


def _engine():
    from search.embedders import get_embedder
    from search.engine import SearchEngine
    from search.knowledge.build import knowledge_owed
    from search.retrieval import RetrievalError

    store = _store(read_only=False)
    try:
        embedder = get_embedder(state.model)
    except (ValueError, RuntimeError, OSError) as exc:
        _fail(f"modèle d’embeddings inutilisable ({exc})")
    if not store.documents():
        _first_ingest(store)
    knowledge_owed(store, embedder, _say_knowledge_owed)
    try:
        return SearchEngine(store, embedder)
    except RetrievalError as exc:
        _fail(f"configuration invalide : {exc}")


def _say_knowledge_owed() -> None:
    _echo(
        "Fiches pratiques, cas et acteurs à reconstruire (une écriture interrompue, ou un "
        "autre modèle de vecteurs) : mise à jour…",
        err=True,
    )


def _write_lock(store):
    """The store's write lock, saying so when another write holds it: an ingest behind a
    server's upload or a `recueil build` waited in silence."""
    guard = store.write_lock()
    with guard.idle() as idle:
        busy = not idle
    if busy:
        _echo(
            f"Une autre écriture est en cours sur {store.location} (un serveur ou une autre "
            "commande) : en attente de sa fin…",
            err=True,
        )
    return guard


def _first_ingest(store) -> None:
    """An empty store next to a `corpus/` folder (a fresh clone): ingest it once, saying so."""
    from ingest.pipeline import ingest as run_ingest

    corpus = Path("corpus")
    if not corpus.is_dir():
        _fail(f"la base {store.location} est vide : lancez d’abord `recueil ingest DOSSIER`")
    _echo(
        f"Base vide ({store.location}) : indexation de {corpus}/ d’abord (une fois, une "
        "minute environ)…",
        err=True,
    )
    with _write_lock(store):  # a server or another CLI writing is waited for
        run_ingest(store, [corpus])
        _refresh(store, quiet=True)


# `--format` and its companions, the same for every command that lists results.
JsonOption = Annotated[bool, typer.Option("--json", help="Comme --format json.")]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="text, json, jsonl (un résultat par ligne), csv, ou des citations pour un "
        "gestionnaire de références : bibtex, csl (CSL-JSON), ris.",
    ),
]
DocumentOption = Annotated[
    str | None, typer.Option(help="Ce document seulement (identifiant ou fichier).")
]
EventOption = Annotated[
    str | None, typer.Option(help="Les événements dont le nom contient ce texte.")
]
YearOption = Annotated[int | None, typer.Option(help="Les documents de cette année.")]
BaseUrlOption = Annotated[
    str,
    typer.Option(
        envvar="RECUEIL_URL",
        help="Où tourne `recueil serve` : le début des adresses des extraits.",
    ),
]


def _output_format(output: str, as_json: bool) -> str:
    """The format asked for, `--json` being `--format json`; an unknown one, or both options
    saying different things, is a clear error."""
    from api.result_formats import OUTPUTS

    if output not in OUTPUTS:
        _fail(f"format inconnu « {output} » : choisissez parmi {', '.join(OUTPUTS)}")
    if as_json and output not in ("text", "json"):
        _fail(f"--json et --format {output} se contredisent : n'en donnez qu'un")
    return "json" if as_json else output


def _print_json(payload) -> None:
    text = (
        payload.model_dump_json(indent=2)
        if hasattr(payload, "model_dump_json")
        else (json.dumps(payload, ensure_ascii=False, indent=2))
    )
    # JSON escapes C0 controls itself, not DEL and C1 ones (which only strings can hold).
    sys.stdout.write(_C1.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


@app.command(
    help="Indexer des documents (txt, md, html, docx, pdf) ; les fichiers inchangés sont gardés."
)
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Fichiers ou dossiers (parcourus en entier).")
    ],
    prune: Annotated[
        bool,
        typer.Option(
            help="Oublier les documents dont le fichier a disparu de ces dossiers (un dossier "
            "introuvable ne fait rien oublier)."
        ),
    ] = False,
    embed: Annotated[
        bool,
        typer.Option(help="Calculer les vecteurs des nouveaux extraits et mettre l’index à jour."),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Rapport en JSON.")] = False,
    executor_name: Annotated[
        str,
        typer.Option(
            "--executor",
            help="Où lire et calculer les vecteurs : local (ce processus) ou ray (un cluster "
            "Ray ; ce processus reste le seul à écrire dans la base).",
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Adresse du cluster Ray à rejoindre ; sans elle, un cluster local."),
    ] = None,
    ray_workers: Annotated[
        int | None,
        typer.Option(
            "--ray-workers", min=1, help="Travailleurs Ray (par défaut, un par cœur du cluster)."
        ),
    ] = None,
) -> None:
    """Ingest documents (txt, md, html, docx, pdf) into the store; unchanged files are kept."""
    from tqdm import tqdm

    from ingest.executors import ExecutorUnavailable, RayExecutor, open_executor
    from ingest.pipeline import discover
    from ingest.pipeline import ingest as run_ingest

    if executor_name != "ray" and (address or ray_workers):
        _fail("--address et --ray-workers vont avec --executor ray")
    store = _store()
    files, _ = discover(paths)
    try:
        executor = open_executor(executor_name, ray_workers, address)
    except ExecutorUnavailable as exc:
        _fail(str(exc))
    bar = tqdm(total=len(files), unit="file", desc="Lecture", disable=as_json, file=sys.stderr)
    spread = executor if isinstance(executor, RayExecutor) else None
    embedding = _DocumentEmbedder(store, spread, quiet=as_json) if embed else None

    def progress(path: Path) -> None:
        bar.set_postfix_str(_safe(path.name)[:40])
        bar.update(1)

    with _write_lock(store):
        try:
            report = run_ingest(
                store, paths, prune=prune, progress=progress, ingested=embedding, executor=executor
            )
            if embedding:
                embedding.flush()
        finally:
            executor.close()
        bar.close()
        spent = embedding.seconds if embedding else 0.0
        stages = {"reading": round(report.seconds - spent, 2)}
        if embed and store.documents():
            refreshed = _refresh(store, as_json, embedding.embedder)["seconds"]
            refreshed["embeddings"] = round(refreshed.get("embeddings", 0.0) + spent, 2)
            stages |= refreshed
    for result in report.results:
        if result.status in ("failed", "skipped"):
            _echo(f"{_STATUS[result.status]} : {result.path} : {result.error}", err=True)
    for document_id in report.pruned:
        _echo(f"oublié : {document_id} (son fichier a disparu)", err=True)
    summary = report.summary() | {"seconds": round(sum(stages.values()), 2), "stages": stages}
    if as_json:
        _print_json(
            {
                **summary,
                "files": [r.__dict__ for r in report.results],
                "pruned_documents": report.pruned,
            }
        )
    else:
        _echo(_summary_line(summary, stages))
    if report.failed:
        raise typer.Exit(1)


# Texts of one ingest step past which embedding them shows its own bar (a minute or so).
LONG_EMBEDDING = 1000


class _DocumentEmbedder:
    """Embeds each document as soon as it is committed, within the ingest's write.

    Embedding everything at the end left the documents read so far without vectors for the
    whole ingest: a search meanwhile had to embed them itself (68 s in the issue's probe).
    Now at most the document in hand lacks them. Batches stay full within a document; the
    time is the « vecteurs » stage of the summary.

    With a Ray executor the batches go to its workers, each holding the model once, and
    documents are embedded in groups of at least a full batch per worker (one document
    alone would keep most workers idle): at most a group lacks its vectors. This process
    still saves every vector; `flush` embeds the last group."""

    def __init__(self, store, executor: RayExecutor | None = None, quiet: bool = False) -> None:
        from search.embedders import configured_model, passage_embedding
        from search.vectors import EMBED_BATCH

        self.store = store
        self.quiet = quiet
        self.embedder = None  # loaded with the first document that needs it
        self.seconds = 0.0
        self.embed = None
        self.group = 0  # passages: each document alone
        if executor is not None:
            model = state.model or configured_model()
            self.embed = executor.mapper(partial(passage_embedding, model))
            self.group = executor.workers * EMBED_BATCH
        self.pending: list[str] = []
        self.waiting = 0

    def __call__(self, result) -> None:
        if result.status not in ("added", "updated") or not result.document_id:
            return
        self.pending.append(result.document_id)
        self.waiting += result.passages
        if self.waiting >= self.group:
            self.flush()

    def flush(self) -> None:
        from search.embedders import get_embedder
        from search.vectors import all_chunks, ensure_embeddings

        if not self.pending:
            return
        started = time.perf_counter()
        self.embedder = self.embedder or get_embedder(state.model)
        # Each document batched as if alone: the vectors a local ingest stores.
        parts = [all_chunks(self.store.searchable_passages([d])) for d in self.pending]
        bar = _VectorsBar(self.quiet, least=LONG_EMBEDDING)
        try:
            ensure_embeddings(self.store, self.embedder, parts, progress=bar, embed=self.embed)
        finally:
            bar.close()
        self.pending, self.waiting = [], 0
        self.seconds += time.perf_counter() - started


_STATUS = {"failed": "échec", "skipped": "ignoré"}
_STAGES = {
    "reading": "lecture",
    "embeddings": "vecteurs",
    "practices": "pratiques",
    "cases": "cas",
    "actors": "acteurs",
    "index": "index",
}


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


def _summary_line(summary: dict, stages: dict[str, float]) -> str:
    """« 5 ajoutés, … — 446 passages en 38,2 s (lecture 10,1 s, …) »: counts of files."""
    counts = ", ".join(
        f"{summary[key]} {word}"
        for key, word in [
            ("added", "ajoutés"),
            ("updated", "mis à jour"),
            ("unchanged", "inchangés"),
            ("failed", "en échec"),
            ("skipped", "ignorés"),
            ("pruned", "oubliés"),
        ]
    )
    timings = ", ".join(f"{_STAGES[name]} {_seconds(value)}" for name, value in stages.items())
    return (
        f"{counts} — {summary['passages']} passages en {_seconds(summary['seconds'])} ({timings})"
    )


def _refresh(store, quiet: bool, embedder=None) -> dict:
    """Embeddings, practice cards, cases and the vector index, brought up to date (with the
    embedder already loaded, if any)."""
    from search.embedders import get_embedder
    from search.knowledge.build import refresh

    if not quiet:
        # The derived records are rebuilt without a bar of their own: say so, as the
        # vectors' bar appears only when something lacks one (no « 0 extrait » bar).
        typer.echo("Mise à jour des fiches pratiques, cas, acteurs et index…", err=True)
    bar = _VectorsBar(quiet)
    try:
        return refresh(store, embedder or get_embedder(state.model), bar)
    finally:
        bar.close()


class _VectorsBar:
    """The « Vecteurs » bar: opened with the first batch embedded (no « 0 extrait » bar),
    and only when at least `least` texts are to be embedded (a long document's minutes of
    embedding had shown « Lecture 0/1 » alone; a short one's second needs no bar)."""

    def __init__(self, quiet: bool, least: int = 0) -> None:
        self.quiet, self.least = quiet, least
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if total < self.least:
            return
        self.bar = self.bar or tqdm(
            unit="extrait", desc="Vecteurs", disable=self.quiet, file=sys.stderr, leave=False
        )
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@app.command(help="Reconstruire ce qui dérive de la base : vecteurs, fiches pratiques, cas, index.")
def build(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Rebuild what derives from the store: embeddings, practice cards, cases, vector index."""
    store = _store()
    with _write_lock(store):
        counts = _refresh(store, quiet=as_json)
    if as_json:
        _print_json(counts)
    else:
        _echo(
            "{embedded} extraits vectorisés, {practices} fiches pratiques, {cases} cas".format(
                **counts
            )
        )


@app.command(help="Documents, extraits et vecteurs de la base.")
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents, passages and embeddings in the store."""
    summary = _store(read_only=True).stats()
    if as_json:
        _print_json(summary)
        return
    documents = summary["per_document"]
    _echo(f"Base : {summary['store']} (schéma v{summary['schema_version']})")
    _echo(f"{summary['documents']} documents, {_passage_counts(summary)}")
    for model, count in summary["embeddings"].items():
        _echo(f"vecteurs [{model}] : {count}")
    for doc in documents:
        _echo(
            f"  {doc['id']:<28} {doc['kind']:<17} {doc['searched']:>4} passages, "
            f"{doc['notes']:>3} notes  {doc['title'][:50]}"
        )


def _passage_counts(summary: dict) -> str:
    """The passages of a store as every command counts them (Store.stats): « passages »
    are the ones search reads, as `show` and the documents list count them; footnotes and
    bare links, kept but never searched, are counted apart, so that the three add up to
    the rows of the passages table."""
    documents = summary["per_document"]
    searched = sum(d["searched"] for d in documents)
    notes = sum(d["notes"] for d in documents)
    links = summary["passages"] - searched - notes
    return f"{searched} passages, {notes} notes, {links} liens"


@app.command(help="Les métadonnées d’un document et son plan (sections et pages).")
def show(
    document: Annotated[
        str, typer.Argument(help="Identifiant, nom ou chemin du fichier du document.")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A document's metadata and outline (sections with their pages)."""
    from api.outline import document_outline
    from ingest.pipeline import printable

    store = _store(read_only=True)
    found = (
        store.document(document)
        or next((d for d in store.documents() if d.file == document), None)
        or store.document_by_path(printable(str(Path(document).resolve())))
    )
    if found is None:
        _fail(f"aucun document « {document} » (voir `recueil stats`)")
    outline = document_outline(store, found)
    if as_json:
        _print_json(outline)
        return
    for key in ("id", "file", "title", "event", "date", "place", "kind", "pages", "passages"):
        _echo(f"{key:>9}: {'—' if outline[key] is None else outline[key]}")  # not « None »
    _echo("  outline:")
    for section in outline["outline"]:
        indent = "  " * section["depth"]
        speakers = f"  [{', '.join(section['speakers'])}]" if section["speakers"] else ""
        _echo(f"    {indent}p. {section['page']:<3} {section['title']}{speakers}")


def _document_kind(value: str) -> str:
    """A document kind by its name or by the label the page and the facets show it under
    (« actes » is `proceedings`); else a usage error naming both."""
    from ingest.metadata import KINDS
    from ingest.normalise import fold
    from search.facets import KIND_LABELS

    for kind in KINDS:
        if fold(value) in (kind, fold(KIND_LABELS.get(kind, kind))):
            return kind
    valid = ", ".join(
        f"{kind} ({KIND_LABELS[kind]})" if kind in KIND_LABELS else kind for kind in KINDS
    )
    _fail(f"type de document inconnu « {value} » : choisissez parmi {valid}")


def _filters(document, event, year, kind, speaker, place=None):
    from search.engine import Filters

    return Filters(
        document=document, event=event, year=year, kind=kind, speaker=speaker, place=place
    )


@app.command(help="Trouver les extraits qui répondent à une question, avec leurs citations.")
def search(
    query: Annotated[
        str,
        typer.Argument(
            help="Une question ou des mots-clés, en français ou en anglais.",
            callback=_at_most(QUESTION_CHARS),
        ),
    ],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="Nombre de résultats.")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, lexical ou dense.")] = "hybrid",
    document: DocumentOption = None,
    event: EventOption = None,
    year: YearOption = None,
    kind: Annotated[str | None, typer.Option(help="Ce type de document seulement.")] = None,
    speaker: Annotated[str | None, typer.Option(help="Les extraits de cet intervenant.")] = None,
    place: Annotated[str | None, typer.Option(help="Les documents de ce lieu.")] = None,
    as_json: JsonOption = False,
    output: FormatOption = "text",
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
) -> None:
    """Find the passages that answer a question, with their citations."""
    from api.models import search_response
    from api.result_formats import render
    from search.engine import MODES

    if not query.strip():
        _fail("la question est vide")
    if mode not in MODES:
        _fail(f"mode inconnu « {mode} » : choisissez parmi {', '.join(MODES)}")
    if kind is not None:
        kind = _document_kind(kind)
    output = _output_format(output, as_json)
    engine = _engine()
    try:
        filters = _filters(document, event, year, kind, speaker, place)
        hits = engine.search(query, k, mode, filters)
    except ValueError as exc:
        _fail(str(exc))
    response = search_response(query, mode, hits, engine)
    if output != "text":
        sys.stdout.write(render(output, hits, response, base_url))
        return
    if not response.results:
        _echo(f"Aucun résultat pertinent : {_sentence(response.reason)}")
    for number, result in enumerate(response.results, 1):
        _print_result(
            number,
            result.snippet,
            result.citation,
            result.speaker,
            [s.citation for s in result.also_in],
        )


def _print_result(
    number: int, snippet: str, citation: str, speaker: str | None, also: list[str]
) -> None:
    import html

    # Odd parts were inside <mark>: each part unescaped, then sanitised, then styled, so
    # that an entity such as &#27; cannot smuggle a control character past `_safe`.
    parts = re.split(r"<mark>(.*?)</mark>", snippet)
    text = "".join(
        typer.style(_safe(html.unescape(part)), bold=True)
        if index % 2
        else _safe(html.unescape(part))
        for index, part in enumerate(parts)
    )
    typer.echo(f"{number:>2}. {text}")
    _echo(f"    {citation}", fg="cyan")
    for other in also:
        _echo(f"    aussi dans : {other}", dim=True)
    _echo("")


@app.command(
    help="Ce qui marche, ce qu’il faut éviter, des témoignages et des cas, sources à l’appui."
)
def answer(
    query: Annotated[
        str,
        typer.Argument(
            help="Une question pratique, en français ou en anglais.",
            callback=_at_most(QUESTION_CHARS),
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """What works, what to avoid, testimonies and cases for a question, with sources."""
    from api.models import answer_response
    from search.answer import answer as build_answer

    if not query.strip():
        _fail("la question est vide")
    response = answer_response(build_answer(_engine(), query))
    if as_json:
        _print_json(response)
        return
    if not response.sections:
        _echo(f"Aucune réponse pertinente : {response.reason or 'rien de trouvé'}.")
    for section in response.sections:
        _echo(section.title, bold=True)
        for number, item in enumerate(section.items, 1):
            votes = f" ({'+' * item.votes})" if item.votes else ""
            who = f"{item.speaker} : " if item.speaker else ""
            _echo(f"{number:>2}. {who}{item.label}{votes}")
            for evidence in item.evidence[:3]:
                _echo(f"    {evidence.citation}", fg="cyan")
            if len(item.evidence) > 3:
                _echo(f"    … et {len(item.evidence) - 3} autres sources", dim=True)
        _echo("")


@app.command(
    help="Personnes, organisations et lieux que citent les documents, et qui travaille avec qui."
)
def actors(
    query: Annotated[
        str | None, typer.Argument(help="Une partie d’un nom, d’un rôle ou d’une graphie.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="person, organisation ou place.")] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=500)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """People, organisations and places the documents name, with who they work with."""
    from api.messages import count
    from api.models import ActorsResponse, actor_detail, actor_model

    if kind not in (None, "person", "organisation", "place"):
        _fail(f"type inconnu « {kind} » : choisissez parmi person, organisation, place")
    engine = _engine()
    found = engine.knowledge.actors_for(query, kind, k)
    if as_json:
        _print_json(ActorsResponse(query=query, results=[actor_model(a) for a in found]))
        return
    if not found:
        _echo("Aucun acteur.")
    for number, actor in enumerate(found, 1):
        detail = actor_detail(engine, actor)
        roles = f" — {detail.roles[0]}" if detail.roles else ""
        _echo(f"{number:>2}. {detail.name} ({detail.type_label}){roles}")
        _echo(f"    {count(detail.passages, 'passage')}, {count(detail.documents, 'document')}")
        if detail.part_of:
            _echo(f"    fait partie de : {detail.part_of.name}")
        if detail.parts:
            _echo(f"    comprend : {', '.join(part.name for part in detail.parts)}")
        if detail.works_with:
            names = ", ".join(n.actor.name for n in detail.works_with[:5])
            _echo(f"    avec : {names}", dim=True)


@app.command(help="Les fiches pratiques (conseils, leçons, leviers) et leurs sources.")
def practices(
    query: Annotated[
        str | None,
        typer.Argument(
            help="Ce que vous cherchez à faire (facultatif).", callback=_at_most(QUESTION_CHARS)
        ),
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Practice cards (advice, lessons, levers) with their cited evidence."""
    from api.messages import count
    from api.models import PracticesResponse, practice_card

    cards = [practice_card(c) for c in _engine().knowledge.practices(query, k)]
    if as_json:
        _print_json(PracticesResponse(query=query, results=cards))
        return
    if not cards:
        _echo("Aucune pratique pertinente." if query else "Aucune pratique.")
    for number, card in enumerate(cards, 1):
        avoid = " (à éviter)" if card.polarity == "avoid" else ""
        _echo(f"{number:>2}. {card.label}{avoid}", bold=True)
        sources = f"{count(card.documents, 'document')}, {count(card.events, 'événement')}"
        _echo(f"    {sources} — {card.id}")
        for evidence in card.evidence[:5]:
            _echo(f"    • {evidence.citation}", fg="cyan")
        _echo("")


@app.command(help="Citations exactes de leurs intervenants, avec l’événement et la page.")
def quotes(
    query: Annotated[
        str | None,
        typer.Argument(
            help="Le sujet de la citation (facultatif).", callback=_at_most(QUESTION_CHARS)
        ),
    ] = None,
    speaker: Annotated[str | None, typer.Option(help="Une partie du nom de l’intervenant.")] = None,
    document: DocumentOption = None,
    event: EventOption = None,
    year: YearOption = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=200, help="Nombre de citations.")] = 20,
    speech: Annotated[
        str | None,
        typer.Option(
            help="verbatim : les propos mêmes des intervenants seulement ; reported : ce que "
            "le rapport dit qu’ils ont dit."
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(help="relevance, ou par date du document : newest ou oldest d’abord."),
    ] = "relevance",
    as_json: JsonOption = False,
    output: FormatOption = "text",
    base_url: BaseUrlOption = "http://127.0.0.1:8000",
) -> None:
    """Exact quotes attributed to named speakers, with event and page."""
    from api.models import QuotesResponse, quote_model
    from api.paging import Sort, by_date, no_quotes, wanted
    from api.result_formats import render_quotes
    from search.engine import Filters

    if speech not in (None, "verbatim", "reported"):
        _fail(f"type de propos inconnu « {speech} » : choisissez parmi verbatim, reported")
    if sort not in get_args(Sort):
        _fail(f"ordre inconnu « {sort} » : choisissez parmi {', '.join(get_args(Sort))}")
    output = _output_format(output, as_json)
    within = Filters(document=document, event=event, year=year)
    try:
        hits = _engine().knowledge.quotes_for(query, speaker, wanted(0, k, sort), within, speech)
    except ValueError as exc:  # a document the collection does not hold
        _fail(str(exc))
    hits = by_date(hits, lambda h: h.document.date, sort)[:k]
    found = [quote_model(h) for h in hits]
    if output != "text":
        response = QuotesResponse(query=query, speaker=speaker, results=found)
        sys.stdout.write(render_quotes(output, hits, response, base_url))
        return
    if not found:
        reason = no_quotes(_engine(), query, speaker)
        _echo(_sentence(reason[0].upper() + reason[1:]))
    for number, quote in enumerate(found, 1):
        role = f", {quote.role}" if quote.role else ""
        how = " — propos rapportés" if quote.speech == "reported" else ""
        _echo(f"{number:>2}. {quote.speaker}{role}{how}", bold=True)
        _echo(f"    {quote.citation}", fg="cyan")
        # The id `/v1/quotes/{id}` and `/v1/export?quote=` take.
        _echo(f"    [{quote.id}]", dim=True)
        _echo("")


@app.command(help="Les initiatives et expériences nommées (les cas) que décrivent les documents.")
def cases(
    query: Annotated[
        str | None,
        typer.Argument(
            help="Le nom d’un cas, ou sa description (facultatif).",
            callback=_at_most(QUESTION_CHARS),
        ),
    ] = None,
    territory: Annotated[
        str | None,
        typer.Option(help="Les cas de ce type de territoire (rural, métropole…)."),
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Named initiatives and experiences (cases) the documents describe."""
    from api.models import CasesResponse, case_model
    from search.knowledge.case_pages import TERRITORY_TYPE_NAMES

    if territory is not None and territory not in TERRITORY_TYPE_NAMES:
        known = ", ".join(TERRITORY_TYPE_NAMES)
        _fail(f"type de territoire inconnu « {territory} » : choisissez parmi {known}")
    engine = _engine()
    knowledge = engine.knowledge
    found = [
        case_model(knowledge.page_of(c), knowledge.documents)
        for c in knowledge.cases_for(query, k, territory)
    ]
    if as_json:
        _print_json(CasesResponse(query=query, results=found))
        return
    if not found:
        _echo("Aucun cas pertinent." if query else "Aucun cas.")
    for number, case in enumerate(found, 1):
        _print_case(number, case)


def _print_case(
    number: int, case, reasons: list[str] | None = None, score: float | None = None
) -> None:
    place = f" ({case.place})" if case.place else ""
    similarity = f" · similarité {score:.2f}".replace(".", ",") if score is not None else ""
    title = typer.style(_safe(f"{number:>2}. {case.name}{place}"), bold=True)
    typer.echo(title + _safe(f" — {case.id}{similarity}"))
    _echo(f"    {case.description[:200]}")
    named = ", ".join(a.get("name", "?") for a in case.actors)
    _echo(f"    territoire : {case.territory_type or '—'} · acteurs : {named or '—'}")
    _echo(
        f"    types d’acteurs : {', '.join(case.actor_kinds) or '—'}"
        f" · leviers : {', '.join(case.levers) or '—'}"
    )
    if case.created:
        _echo("    fiche créée par un éditeur (sans extrait source)")
    for reason in reasons or []:
        _echo(f"    ↳ {reason}", fg="green")
    for source in case.sources[:3]:
        _echo(f"    {source.citation}", fg="cyan")
    _echo("")


@app.command(
    help="Cas et extraits proches d’une description, d’un extrait ou d’un cas, avec les raisons."
)
def similar(
    text: Annotated[
        str | None,
        typer.Argument(help="Un cas décrit avec vos mots.", callback=_at_most(DESCRIPTION_CHARS)),
    ] = None,
    passage: Annotated[str | None, typer.Option(help="Un identifiant d’extrait.")] = None,
    case: Annotated[
        str | None, typer.Option(help="Un identifiant de cas (voir `recueil cases`).")
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Cases and passages similar to a description, a passage or a case, with reasons."""
    from api.messages import message
    from api.models import similar_response

    if text is not None and not text.strip() and not (passage or case):
        _fail(message("similar.empty", "fr"))  # as the API says it
    if len([v for v in (text, passage, case) if v]) != 1:
        _fail("donnez exactement un de TEXT, --passage ou --case")
    try:
        response = similar_response(_engine(), passage, case, text, k)
    except LookupError:
        _fail(f"aucun passage « {passage} »" if passage else f"aucun cas « {case} »")
    if as_json:
        _print_json(response)
        return
    if not response.cases and not response.results and response.reason:
        _echo(f"Aucun résultat pertinent : {_sentence(response.reason)}")
        return
    _echo("Cas similaires", bold=True, underline=True)
    for number, found in enumerate(response.cases, 1):
        _print_case(number, found.case, found.reasons, found.score)
    _echo("Passages proches dans d’autres documents", bold=True, underline=True)
    for number, result in enumerate(response.results, 1):
        _print_result(number, result.snippet, result.citation, result.speaker, [])


@app.command(
    name="eval",
    help="nDCG@10, rappel@10, MRR et hit@1 de la recherche sur un fichier de questions, par type.",
)
def evaluate_command(
    file: Annotated[Path, typer.Argument(help="Les questions, un objet JSON par ligne.")],
    mode: Annotated[str, typer.Option(help="hybrid, lexical ou dense.")] = "hybrid",
    compare: Annotated[bool, typer.Option(help="Comparer les trois modes.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """nDCG@10, recall@10, MRR and hit@1 of search on a query file, per kind."""
    from search.engine import MODES
    from search.evaluate import METRICS, EvalFileError, evaluate, load

    try:
        queries = load(file)
    except (EvalFileError, OSError) as exc:
        _fail(str(exc))
    engine = _engine()
    modes = MODES if compare else (mode,)
    results = {}
    for name in modes:
        summary, rows = evaluate(queries, lambda q, name=name: engine.search(q, 10, name))
        results[name] = {"summary": summary, "queries": rows}
    if as_json:
        _print_json(results)
        return
    for metric in METRICS:
        _echo(f"\n{metric}")
        kinds = list(results[modes[0]]["summary"])
        _echo(f"  {'kind':<12}{'n':>4}" + "".join(f"{m:>10}" for m in modes))
        for kind_name in kinds:
            count = results[modes[0]]["summary"][kind_name]["queries"]
            values = "".join(f"{results[m]['summary'][kind_name][metric]:>10.3f}" for m in modes)
            _echo(f"  {kind_name:<12}{count:>4}{values}")


@app.command(
    name="eval-similar",
    help="Combien de descriptions de cas trouvent un cas comparable parmi les trois premiers "
    "de `similar`, sur des jugements par cas.",
)
def evaluate_similar_command(
    file: Annotated[Path, typer.Argument(help="Les jugements, un objet JSON par ligne.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Similar cases against case-level judgments (search.evaluate_similar)."""
    from search.evaluate import EvalFileError
    from search.evaluate_similar import score

    try:
        result = score(_engine(), file)
    except (EvalFileError, OSError) as exc:
        _fail(str(exc))
    if as_json:
        _print_json(result)
        return
    _echo(
        f"comparable case in the first {result['first']}: "
        f"{result['comparable']}/{result['descriptions']}  closely comparable: "
        f"{result['close']}/{result['with_close']}  missed: {', '.join(result['misses']) or '-'}"
    )


@app.command(
    name="eval-answers",
    help="Combien de questions pratiques les cinq premiers éléments de `answer` résolvent, "
    "à côté de la recherche.",
)
def evaluate_answers_command(
    file: Annotated[
        Path, typer.Argument(help="Questions et extraits attendus, comme pour `eval`.")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """How many practice questions the first five items of `answer` answer, beside search."""
    from search.evaluate import EvalFileError
    from search.evaluate_answers import score

    engine = _engine()
    try:
        result = score(engine, file)
    except (OSError, EvalFileError) as exc:
        _fail(str(exc))  # both name the file
    if as_json:
        _print_json(result)
        return
    _echo(
        f"answered in the first {result['first']} items: {result['answered']}/"
        f"{result['questions']}  (search's first {result['first']} passages: "
        f"{result['search_answered']})  missed: {', '.join(result['misses']) or 'none'}"
    )


@app.command(
    name="eval-speakers",
    help="Rappel et précision de l’attribution des intervenants sur des extraits annotés.",
)
def evaluate_speakers_command(
    file: Annotated[
        Path, typer.Argument(help="Extraits annotés à la main, un objet JSON par ligne.")
    ],
    misses: Annotated[bool, typer.Option(help="Lister les extraits mal attribués.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall and precision of speaker attribution on hand-labelled spans."""
    from search.evaluate_speakers import load_labels, score

    try:
        labels = load_labels(file)
    except (OSError, ValueError, KeyError) as exc:
        _fail(f"{file}: not a label file ({exc})")
    store = _store(read_only=True)
    result = score(store, labels)
    if as_json:
        _print_json(result)
        return
    counts = result["counts"]
    _echo(
        f"recall {result['recall']:.3f} ({counts.get('found', 0)}/{counts.get('positives', 0)} "
        f"spans)  precision {result['precision']:.3f}  verbatim/reported right "
        f"{result['mode_accuracy']:.3f}  negatives {counts.get('negatives', 0)}"
    )
    for miss in result["misses"] if misses else []:
        _echo(f"  want {miss['want']!s:<28} got {miss['got']!s:<28} {miss['span'][:60]}")


@app.command(help="Copier la base dans FICHIER, cohérente même pendant que le serveur écrit.")
def backup(
    file: Annotated[
        Path, typer.Argument(help="Le fichier de sauvegarde à écrire (remplacé en entier).")
    ],
) -> None:
    """Copy the store to FILE, consistent even while a server writes (SQLite's online backup,
    pg_dump on PostgreSQL)."""
    from ingest.store import BackupError

    store = _store(read_only=True)
    try:
        counts = store.backup(file)
    except OSError as exc:
        _fail(f"{file} : impossible d’écrire la sauvegarde ({_reason(exc)})")
    except BackupError as exc:
        _fail(f"sauvegarde impossible : {exc}")
    size = f"{counts['bytes'] / 1e6:.1f}".replace(".", ",")
    typer.echo(
        f"{counts['documents']} documents, {_passage_counts(store.stats())} sauvegardés "
        f"dans {file} ({size} Mo)"
    )


@app.command(
    help="Remplacer la base par une sauvegarde, vérifiée d’abord ; les index sont reconstruits."
)
def restore(
    file: Annotated[Path, typer.Argument(help="Un fichier écrit par `recueil backup`.")],
) -> None:
    """Replace the store with a backup, checked first; indexes are rebuilt from it. On
    PostgreSQL the database must be empty (pg_restore)."""
    from ingest.store import BackupError, RestoreError

    store = _store()
    try:
        counts = store.restore(file)
    except (RestoreError, BackupError) as exc:
        _fail(str(exc))
    typer.echo(
        f"{counts['documents']} documents, {_passage_counts(store.stats())} restaurés depuis "
        f"{file} dans {state.data} ; les index seront reconstruits à la prochaine recherche"
    )


@app.command(help="Documents, extraits et fiches en JSON lines, chacun avec son `type`.")
def export(
    file: Annotated[
        Path | None,
        typer.Argument(help="Fichier JSON lines à écrire (par défaut : la sortie standard)."),
    ] = None,
) -> None:
    """Documents, passages and records as JSON lines, each with a `type` (document, passage,
    quote, statement, mention, actor_mention, case_edit, document_edit)."""
    from ingest.atomic import replacing
    from ingest.backup import export as run_export

    store = _store(read_only=True)
    if file is None:
        counts = run_export(store, sys.stdout)
    else:
        try:
            with replacing(file) as partial, partial.open("w", encoding="utf-8") as out:
                counts = run_export(store, out)
        except OSError as exc:
            _fail(f"{file} : impossible d’écrire l’export ({_reason(exc)})")
    typer.echo(", ".join(f"{n} {kind}" for kind, n in counts.items()), err=True)


_BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


@app.command(
    help="Copier la base vers l’autre moteur (SQLite → PostgreSQL, ou l’inverse), comptes vérifiés."
)
def migrate(
    to: Annotated[
        str, typer.Option("--to", help="Le moteur où copier la base : postgres ou sqlite.")
    ],
) -> None:
    """Copy the store to the other backend (SQLite → PostgreSQL, or back), counts checked.

    PostgreSQL is RECUEIL_DATABASE_URL's server, or else the embedded one in the data
    folder; SQLite is the data folder's file. The target must be empty.
    """
    from tqdm import tqdm

    from ingest.transfer import TargetNotEmpty, TransferError, total_rows, transfer

    if to not in _BACKEND_NAMES:
        _fail(f"--to {to} : attendu postgres ou sqlite")
    source = _store(read_only=True, backend="postgres" if to == "sqlite" else "sqlite")
    target = _store(backend=to)
    bar = tqdm(total=total_rows(source), unit="ligne", desc="Copie", file=sys.stderr)

    def progress(table: str, rows: int) -> None:
        bar.set_postfix_str(table)
        bar.update(rows)

    try:
        counts = transfer(source, target, progress)
        passages = _passage_counts(target.stats())
    except TargetNotEmpty as exc:
        held = ", ".join(f"{n} {table}" for table, n in exc.counts.items())
        _fail(f"{target.location} n’est pas vide ({held}) : la copie ne fusionne pas deux bases")
    except TransferError as exc:
        differ = ", ".join(f"{table} {a} → {b}" for table, (a, b) in exc.counts.items())
        _fail(f"copie incomplète vers {target.location} ({differ}) : relancez sur une base vide")
    finally:
        bar.close()
        source.close()
        target.close()  # an embedded server is stopped when its last holder lets go
    _echo(
        f"Copie vers {_BACKEND_NAMES[to]} ({target.location}) vérifiée : "
        f"{counts['documents']} documents, {passages}, "
        f"{counts['embeddings']} vecteurs, {sum(counts.values())} lignes en tout."
    )
    _echo(
        "Pour s’en servir : RECUEIL_BACKEND=postgres (ou RECUEIL_DATABASE_URL)."
        if to == "postgres"
        else "Pour s’en servir : RECUEIL_BACKEND=sqlite, sans RECUEIL_DATABASE_URL."
    )


@app.command(
    help="Servir l’API HTTP et la page web. Les écritures (dépôts, corrections, suppressions) "
    "demandent un jeton : RECUEIL_TOKEN, sinon le contenu du fichier token du dossier de "
    "données (celui que `make run` crée) ; sans l’un ni l’autre, elles sont refusées. "
    "La ligne de démarrage dit lequel sert, jamais le jeton."
)
def serve(
    host: Annotated[str, typer.Option(help="Interface d’écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    reload: Annotated[
        bool, typer.Option(help="Redémarrer quand le code change (développement).")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processus servant le même port, chacun avec son moteur ; une écriture "
            "reçue par l’un est vue par les autres dès qu’elle est finie.",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API and the web page.

    With several workers each process loads its own engine and follows the store
    (api.reloader): writes are serialised by the store's write lock, and the others reload
    once the writer lets go. Under a supervisor (workers or reload), an embedded
    PostgreSQL is held by this parent process for as long as it serves (_supervisor_hold)."""
    import uvicorn

    if reload and workers > 1:
        _fail("--reload et --workers ne vont pas ensemble : le rechargement n’a qu’un processus")
    os.environ["RECUEIL_DATA"] = str(state.data.resolve())
    if state.model:
        os.environ["RECUEIL_MODEL"] = state.model
    _check_port(host, port)
    token = _write_token()
    with _supervisor_hold(supervised=reload or workers > 1):
        _echo(f"Recueil sur http://{host}:{port}/  (API : http://{host}:{port}/docs)")
        _echo(token.announcement(state.data))
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            workers=workers if workers > 1 else None,
        )


def _write_token() -> WriteToken:
    """The token the server's workers will read (api.token): said at start, as where it
    comes from, never as its value; an unreadable token file stops here, in French."""
    from api.token import write_token

    try:
        return write_token(state.data)
    except OSError as exc:
        _fail(f"impossible de lire le jeton d’écriture ({_reason(exc)}) : {exc.filename}")


def _supervisor_hold(supervised: bool) -> AbstractContextManager:
    """Under uvicorn's supervisor (workers, reload), the embedded PostgreSQL
    (RECUEIL_BACKEND=postgres without a URL) is started and held by this parent process:
    it stops when serving stops, whatever became of the workers (a worker that stops
    answering uvicorn's pings is killed), unless another holder (a second `recueil serve`,
    a CLI command) still uses it. A single process holds it through its store, as every
    command does."""
    from ingest.store import StoreUnavailable, embedded_wanted

    try:
        wanted = supervised and embedded_wanted()
    except ValueError as exc:
        _fail(f"configuration invalide : {exc}")
    if not wanted:
        return nullcontext()
    from ingest.backends.embedded import embedded_server

    try:
        return embedded_server(state.data)
    except StoreUnavailable as exc:
        _fail(f"base de données injoignable : {exc}")


def _check_port(host: str, port: int) -> None:
    """Bind the address once before announcing it: a port in use is one French line and
    exit 1, not « Recueil sur … » followed by uvicorn's error. (Released at once; uvicorn
    sets SO_REUSEADDR too, so this leaves nothing in the way.)"""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        _fail(f"adresse « {host} » inconnue ({_reason(exc)})", code=1)
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _fail(
                    f"le port {port} est déjà utilisé : choisissez-en un autre avec --port",
                    code=1,
                )
            _fail(f"impossible d’écouter sur {host}:{port} ({_reason(exc)})", code=1)


def main() -> None:
    """The `recueil` command: typer's usage errors (a bad option value, an unknown option
    or command) become one French line too, exit 2, as click's would."""
    from api.cli_errors import ClickException, NoArgsIsHelpError, UsageError, usage_message
    from api.cli_help import in_french

    try:
        code = in_french(typer.main.get_command(app)).main(
            prog_name="recueil", standalone_mode=False
        )
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        _echo(f"erreur : {usage_message(exc)}", err=True)
        command = exc.ctx.command_path if exc.ctx else "recueil"
        _echo(f"(voir `{command} --help`)", err=True)
        sys.exit(exc.exit_code)
    except ClickException as exc:
        _echo(f"erreur : {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        _echo("interrompu", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
