"""The search engine: lexical and dense retrieval, fusion, filters, duplicate grouping.

Loaded once (store rows, BM25 postings, FAISS index, embedder) and then answers queries
without touching the disk except for the store's row cache refresh.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ingest.extract.quotes import all_roles_in
from ingest.metadata import KINDS
from ingest.normalise import holds_name, name_key
from ingest.store import DocumentRow, PassageRow, Store
from search import fusion, ranking, relevance
from search.bm25 import text_hash
from search.embedders import Embedder, get_embedder
from search.english import in_french
from search.french import analyse, fold, index_words
from search.intent import understand
from search.knowledge.actors import add_role, stated_roles
from search.knowledge.index import Knowledge
from search.knowledge.vectorcache import embed_cached
from search.language import looks_english
from search.lexical_cache import load_or_build_bm25, save_bm25
from search.lexicon import french_words
from search.people import COMMON_SHARE, Mention, People
from search.respell import Respeller
from search.retrieval import retriever_for
from search.sections import SectionIndex
from search.vectors import VectorIndex, all_chunks, embedding_input, load_or_build, save_index

MODES = ("hybrid", "lexical", "dense")
_NO_ROWS = np.zeros(0, dtype=np.int64)
# Candidates taken from each retriever before fusion.
CANDIDATES = 100
# Passages whose dense scores calibrate the query's cosine distribution.
CALIBRATION_SAMPLE = 2000
# Two passages sharing this share of their word trigrams say the same thing.
DUPLICATE_OVERLAP = 0.5


class FilterError(ValueError):
    """A filter value that can never match: the user mistyped it."""


class UnknownDocument(FilterError):
    """A document filter naming no document of the collection (a mistyped id or file)."""

    def __init__(self, document: str):
        super().__init__(f"aucun document « {document} »")
        self.document = document


@dataclass
class Filters:
    """Restrict results; every set field must match (case- and accent-insensitive)."""

    document: str | None = None
    event: str | None = None
    year: int | None = None
    kind: str | None = None
    speaker: str | None = None
    place: str | None = None

    def __bool__(self) -> bool:
        return any(v is not None and v != "" for v in self.__dict__.values())

    def validate(self) -> None:
        """An unknown value is a usage error that names the valid ones, not an empty list."""
        if self.kind and self.kind not in KINDS:
            raise FilterError(f"unknown kind '{self.kind}': use one of {', '.join(KINDS)}")

    def names(self, document: DocumentRow) -> bool:
        """Whether the document filter names this document, by its id or its file."""
        return self.document in (document.id, document.file)

    def accepts(self, passage: PassageRow, document: DocumentRow) -> bool:
        if self.document and not self.names(document):
            return False
        if self.event and fold(self.event) not in fold(document.event or ""):
            return False
        if self.year and document.year != self.year:
            return False
        if self.kind and self.kind != document.kind:
            return False
        if self.place and fold(self.place) not in fold(document.place or ""):
            return False
        return not self.speaker or holds_name(passage.speaker or "", self.speaker)


@dataclass
class Hit:
    """One result: a passage, its document, its score and the duplicates it stands for."""

    passage: PassageRow
    document: DocumentRow
    score: float
    components: dict[str, float | int | None]
    also_in: list[tuple[PassageRow, DocumentRow]] = field(default_factory=list)


class Results(list):
    """Hits, best first; when there are none, `reason` says why, for a person to read.

    `matched` holds the ids of every passage kept as relevant, before the top k are cut
    and duplicates grouped: what facets count."""

    def __init__(
        self,
        hits: list[Hit] | None = None,
        reason: str | None = None,
        matched: list[str] | None = None,
    ):
        super().__init__(hits or [])
        self.reason = reason if not hits else None
        self.matched = matched or []


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", fold(text))
    return {" ".join(words[i : i + 3]) for i in range(max(0, len(words) - 2))}


class SearchEngine:
    def __init__(
        self,
        store: Store,
        embedder: Embedder | None = None,
        previous: SearchEngine | None = None,
        knowledge: bool = True,
    ):
        """Load passages, BM25 and the vector index from the store, then the knowledge
        (cards, quotes, cases, actors).

        `previous`, the engine in service after a write, is left untouched and lends what
        did not change: its texts' analyses and its vectors, so the cost follows the
        write, not the store. With `knowledge=False` it lends its knowledge too, whole
        and bound to its own passages: a write becomes searchable before its cards and
        cases are rebuilt (search.knowledge.build), and those follow with the next engine.
        """
        self.store = store
        self.embedder = embedder or (previous.embedder if previous else get_embedder())
        self.documents = {
            d.id: d for d in self.store.documents(previous.documents if previous else None)
        }
        passages = self._passages(previous)
        self.passages = {p.id: p for p in passages}
        self.ids = [p.id for p in passages]
        # Built from an engine in service, the caches on disk are written after the swap
        # (`save`): the write is searchable first.
        self.lexical = load_or_build_bm25(
            self.store,
            self.ids,
            lambda row: embedding_input(passages[row]),
            previous.lexical if previous else None,
            save=previous is None,
            hashes=self._lexical_hashes(passages, previous),
        )
        self.vectors: VectorIndex = load_or_build(
            self.store,
            self.embedder,
            all_chunks(passages),
            previous.vectors if previous else None,
            save=previous is None,
        )
        if self.vectors.ids != self.ids:
            raise RuntimeError("vector index rows do not match the store's passages")
        # A fixed sample of passages whose cosine spread calibrates dense scores.
        sample = np.random.default_rng(0).permutation(len(self.ids))[:CALIBRATION_SAMPLE]
        self._calibration = self.vectors.gather(np.sort(sample))
        self._shingles: dict[str, set[str]] = {}
        # load_or_build has just checked (or written) this fingerprint against the store.
        self.fingerprint = self.vectors.manifest.fingerprint
        self.sections = SectionIndex(
            passages,
            lambda labels: embed_cached(self.store, self.embedder, labels),
            previous.sections if previous else None,
        )
        quotes = self.store.records("quotes")
        self._spelling = _spellings(passages, quotes)
        self._speaker_rows = _voiced_rows(passages, quotes, self.spelled)
        self._short = np.array([len(p.text) < relevance.DENSE_MIN_CHARS for p in passages], bool)
        roles = self._speaker_roles(passages, quotes, previous)
        self.people = People(roles, self.lexical.share_of)
        self.respell = Respeller(self.lexical, lambda row: passages[row].text, french_words)
        self.statements = self.store.record_counts("statements")
        # Where the candidates come from (RECUEIL_RETRIEVAL): chosen once, here.
        self.retriever = retriever_for(self, CANDIDATES)
        if previous is not None and not knowledge:
            self.knowledge = previous.knowledge
        else:
            self.knowledge = Knowledge(self, previous.knowledge if previous else None)

    def save(self) -> None:
        """Write the postings and the vector index to disk, for the next process to load
        (an engine built without `previous` has already)."""
        save_bm25(self.store, self.lexical)
        if not self.store.read_only:
            save_index(self.store, self.vectors)

    def _passages(self, previous: SearchEngine | None) -> list[PassageRow]:
        """The store's searchable passages, in its order (by document, then ordinal); those
        of documents whose content is unchanged since `previous` are taken from it."""
        if previous is None:
            return self.store.searchable_passages()
        before = {d.id: d.content_hash for d in previous.documents.values()}
        unchanged = {d.id for d in self.documents.values() if before.get(d.id) == d.content_hash}
        by_document: dict[str, list[PassageRow]] = {}
        for passage_id in previous.ids:
            passage = previous.passages[passage_id]
            if passage.document_id in unchanged:
                by_document.setdefault(passage.document_id, []).append(passage)
        for passage in self.store.searchable_passages(
            [d for d in self.documents if d not in unchanged]
        ):
            by_document.setdefault(passage.document_id, []).append(passage)
        return [p for d in sorted(self.documents) for p in by_document.get(d, [])]

    @staticmethod
    def _lexical_hashes(passages: list[PassageRow], previous: SearchEngine | None) -> list[str]:
        """The hash of each passage's indexed text (search.bm25.text_hash): the one
        `previous` holds for the passages it lends, else hashed (0.17 s for 24,000)."""
        lent = previous.lexical.hashes if previous is not None else []
        rows = previous.vectors.row_of if lent else {}
        return [
            lent[rows[p.id]]
            if lent and previous.passages.get(p.id) is p
            else text_hash(embedding_input(p))
            for p in passages
        ]

    def _speaker_roles(
        self, passages: list[PassageRow], quotes: list[dict], previous: SearchEngine | None
    ) -> dict[str, list[str]]:
        """Each speaker with every role the documents give them (their organisations too):
        on a « NOM, rôle » line anywhere, on the line that opens their turn, or after the
        words a press article quotes (« …, explique Samira Benali, directrice de … »).

        Reading the roles takes a pass of regular expressions over every document's text:
        kept per document version (`_roles_in`), so a reload reads only new documents."""
        known = previous._roles_in if previous else {}
        self._roles_in: dict[tuple[str, str], dict[str, list[str]]] = {}
        found: list[tuple[str, str | None]] = []
        for document in self.documents.values():
            version = (document.id, document.content_hash)
            found_in = known.get(version)
            if found_in is None:
                found_in = all_roles_in(document.text)
            self._roles_in[version] = found_in
            found += [(name, role) for name, listed in found_in.items() for role in listed]
        found += stated_roles(passages, quotes)
        roles: dict[str, list[str]] = {name: [] for name in self._speaker_rows}
        for name, role in found:
            name = self.spelled(name)
            if name in roles and role:
                add_role(roles[name], role)
        return roles

    def spelled(self, name: str) -> str:
        """A speaker's name as the collection spells it most (`_spellings`)."""
        return self._spelling.get(name_key(name), name)

    def dense_reference(self, vector: np.ndarray) -> np.ndarray:
        """Dense scores (best chunk) of a fixed sample of passages: how close `vector`
        stands to the collection's passages at large, to calibrate a closeness."""
        return self._calibration.scores(vector)

    def distinctive_terms(self, text: str) -> set[str]:
        """A text's analysed terms, or none when the documents use them all everywhere:
        « un partenariat » in partnership reports sorts nothing out."""
        terms = set(analyse(text))
        common = all(self.lexical.share_of(term) > COMMON_SHARE for term in terms)
        return set() if common else terms

    def embed_question(self, text: str) -> np.ndarray:
        """A user's text as a query vector, respelled first if French (search.respell):
        the embedder reads words as typed, and « ellus » is no « élus » to it."""
        return self.embedder.embed_query(text if looks_english(text) else self.respell(text))

    def is_fresh(self) -> bool:
        return self.fingerprint == self.store.fingerprint()

    # -- retrieval -------------------------------------------------------------

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None
    ) -> Results:
        """Ranked, grouped hits for a query; see search.fusion for how scores combine.

        An empty result says why (`Results.reason`): nothing is shown below the evidence
        search.relevance asks for, rather than ten confident answers to nonsense.
        """
        query = query.strip()
        if not query:
            raise ValueError("the query is empty")
        if mode not in MODES:
            raise ValueError(f"unknown mode '{mode}': use one of {', '.join(MODES)}")
        if filters:
            self.check(filters)
        allowed = self._allowed_rows(filters) if filters else None
        if allowed is not None and not len(allowed):
            return Results(reason=self.nothing_filtered(filters))
        intent = understand(query)
        mention = self.people.find(query)
        stranger = self.people.stranger(query, mention)
        if stranger:
            return Results(reason=relevance.stranger(stranger))
        # Asked of a person, the question is matched by what it asks of them: « le maire
        # adjoint de Lille » would match his introduction, not his answer. Asked who stood
        # where (« qui a représenté la ministre ? »), the person is what it asks.
        asked_of = mention is not None and not intent.about_event
        matched = (mention.rest_of(query) if asked_of else "").strip() or query
        candidates: list[np.ndarray] = []
        designated = self._rows_of(mention, allowed) if mention else None
        if designated is not None:
            candidates.append(designated)
        share = self.lexical.matched_share(query)
        french = in_french(query)
        # An English question none of whose words the documents hold is looked up by its
        # words in French; others keep theirs (the glossary did not help them rank, EVALUATION.md).
        looked_up = french if french and not share.any() else matched
        lexical = dense = lexical_reference = dense_reference = None
        if mode != "dense":
            lexical = self.lexical.scores(looked_up)
            lexical_reference = lexical
            candidates.append(self.retriever.lexical(looked_up, lexical, allowed))
        if mode != "lexical":
            vector = self.embed_question(matched)
            dense = np.zeros(len(self.ids), dtype=np.float32)
            candidates.append(self.retriever.dense(vector, allowed))
            dense_reference = self.dense_reference(vector)
        rows = np.unique(np.concatenate(candidates)) if candidates else np.array([], np.int64)
        if dense is not None and len(rows):
            dense[rows] = self.vectors.passage_scores(vector, rows)
        evidence = relevance.Evidence(
            share,
            fusion.zscores(dense, dense_reference) if dense is not None else None,
            self._short,
            has_words=bool(index_words(query)),
            in_french=self.lexical.matched_share(french) if french else None,
        )
        rows, reason = evidence.keep(rows, designated)
        if reason:
            return Results(reason=reason)
        weight = fusion.ENGLISH_LEXICAL_WEIGHT if looks_english(query) else fusion.LEXICAL_WEIGHT
        section = self.sections.zscores(vector, rows) if mode == "hybrid" else None
        ranked = fusion.combine(
            self.ids, rows, lexical, dense, lexical_reference, dense_reference, weight, section
        )
        complete = {self.ids[row] for row in rows if share[row] >= 0.999}
        voiced = (
            frozenset(self.ids[row] for row in designated)
            if designated is not None and asked_of
            else frozenset()
        )
        ranked = ranking.adjust(
            query,
            ranked,
            self.passages.__getitem__,
            intent,
            voiced,
            self.statements,
            complete,
            self.knowledge.describing_cases,
            self.knowledge.warning_passages,
            lambda passage: self.documents[passage.document_id],
        )
        return Results(self._group(ranked, k), matched=[r.passage_id for r in ranked])

    def _rows_of(self, mention: Mention, allowed: np.ndarray | None) -> np.ndarray:
        """Rows of the passages the people a question designates speak in, or where the
        report gives their view (`_voiced_rows`)."""
        rows = np.concatenate(
            [self._speaker_rows.get(person.name, _NO_ROWS) for person in mention.people]
        )
        return rows if allowed is None else np.intersect1d(rows, allowed)

    def _allowed_rows(self, filters: Filters) -> np.ndarray:
        return np.array(
            [row for row, pid in enumerate(self.ids) if self.accepts(pid, filters)],
            dtype=np.int64,
        )

    def similar_to_vector(
        self,
        vector: np.ndarray,
        k: int,
        exclude_document: str | None = None,
        exclude_passage: str | None = None,
    ) -> list[Hit]:
        """Passages nearest to a vector, optionally from other documents only."""
        found = self.vectors.search(vector, min(len(self.passages), k * 10 + 20))
        ranked = [
            fusion.Ranked(pid, score, {"dense": score, "dense_rank": rank})
            for rank, (pid, score) in enumerate(found, 1)
            if pid != exclude_passage
            and (exclude_document is None or self.passages[pid].document_id != exclude_document)
        ]
        return self._group(ranked, k)

    def nothing_filtered(self, filters: Filters) -> str:
        """Why no passage passes the filters, with the speaker a mistyped name is probably
        meant for."""
        return relevance.NO_PASSAGE_FILTERED + self.did_you_mean(filters.speaker)

    def did_you_mean(self, speaker: str | None) -> str:
        """« ; vouliez-vous dire « Jean-François CARON » ? » for a speaker name that names
        nobody but is a letter off one; else nothing."""
        meant = self.people.closest(speaker) if speaker else None
        return f" ; vouliez-vous dire « {meant} » ?" if meant else ""

    def check(self, filters: Filters) -> None:
        """A filter that can never match is a usage error, not an empty list: an unknown
        kind (Filters.validate), or a document the collection does not hold."""
        filters.validate()
        if filters.document and not any(map(filters.names, self.documents.values())):
            raise UnknownDocument(filters.document)

    def accepts(self, passage_id: str, filters: Filters) -> bool:
        """Whether the filters accept a passage of the index, by its document too."""
        passage = self.passages[passage_id]
        return filters.accepts(passage, self.documents[passage.document_id])

    # -- duplicates ------------------------------------------------------------

    def shingles(self, passage_id: str) -> set[str]:
        if passage_id not in self._shingles:
            self._shingles[passage_id] = _shingles(self.passages[passage_id].text)
        return self._shingles[passage_id]

    def same_content(self, a: str, b: str) -> bool:
        first, second = self.shingles(a), self.shingles(b)
        if not first or not second:
            return False
        return len(first & second) / min(len(first), len(second)) >= DUPLICATE_OVERLAP

    def _group(self, ranked: list[fusion.Ranked], k: int) -> list[Hit]:
        """Walk the ranking; a passage saying what a better one said joins its `also_in`."""
        hits: list[Hit] = []
        for position, item in enumerate(ranked):
            passage = self.passages[item.passage_id]
            document = self.documents[passage.document_id]
            twin = next((h for h in hits if self.same_content(h.passage.id, passage.id)), None)
            if twin is not None:
                twin.also_in.append((passage, document))
                continue
            if len(hits) == k:
                # Past k only duplicates of the shown results matter; stop early when far.
                if position > k * 4:
                    break
                continue
            hits.append(Hit(passage, document, item.score, item.components))
        return hits


def _spellings(passages: list[PassageRow], quotes: list[dict]) -> dict[str, str]:
    """Each speaker's name key (name_key) → the spelling the collection uses most for it
    (capitals first between equals): « Hugo Bevort » of a press article is « Hugo BEVORT »
    of the proceedings, one person in the speaker index, not two."""
    counts = Counter(p.speaker for p in passages if p.speaker)
    counts.update(q["speaker"] for q in quotes if q["speaker"])
    spelling: dict[str, str] = {}
    for name, _ in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])):
        spelling.setdefault(name_key(name), name)
    return spelling


def _voiced_rows(
    passages: list[PassageRow], quotes: list[dict], spelled: Callable[[str], str]
) -> dict[str, np.ndarray]:
    """Each person's passage rows: those they speak in, and those quoting them where
    nobody speaks (« Selon X, … », « « … », explique X » in a report's own paragraph):
    « que dit X ? » is answered there too, and X is known to the speaker index by them.
    `spelled`: one spelling per person."""
    rows: dict[str, set[int]] = {}
    row_of = {passage.id: row for row, passage in enumerate(passages)}
    for row, passage in enumerate(passages):
        if passage.speaker:
            rows.setdefault(spelled(passage.speaker), set()).add(row)
    for quote in quotes:
        row = row_of.get(quote["passage_id"])
        if row is not None and not passages[row].speaker:
            rows.setdefault(spelled(quote["speaker"]), set()).add(row)
    return {name: np.array(sorted(found), dtype=np.int64) for name, found in rows.items()}
