"""Searching practice cards, quotes and cases; loaded with the search engine."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ingest.extract.cases import case_key
from ingest.kinds import CONTENT
from ingest.normalise import holds_name, name_key
from ingest.store import DocumentRow, PassageRow
from search import fusion
from search.bm25 import BM25
from search.english import in_french
from search.french import analyse
from search.intent import acted_on
from search.knowledge.case_pages import (
    CasePage,
    edited_cases,
    extracted_fields,
    is_created,
    page,
    written_text,
)
from search.knowledge.cases import Case, SimilarCase, profile, similar_cases
from search.knowledge.practices import statement_label
from search.knowledge.vectorcache import embed_cached
from search.snippet import narrates_event

if TYPE_CHECKING:
    from search.engine import Filters

# Passages of the search results whose quotes answer a query; whose cases are similar.
QUOTE_PASSAGES = 50
CASE_PASSAGES = 50
# A question of this many words or more, found whole in a quote, quotes it.
QUOTED_WORDS = 4


# At most this many words, a query to the list of cases is a name, not a description.
NAME_WORDS = 4


@dataclass
class Evidence:
    """One statement behind a card, where it stands in its source."""

    record: dict
    passage: PassageRow
    document: DocumentRow


@dataclass
class Card:
    row: dict
    evidence: list[Evidence]
    score: float | None = None


@dataclass
class QuoteHit:
    record: dict
    passage: PassageRow
    document: DocumentRow
    score: float | None = None


def _evidence(passages: dict[str, PassageRow], passage_ids: list[str]) -> list[str]:
    """The content passages among `passage_ids`, and the introductions just before them."""
    content = [pid for pid in passage_ids if pid in passages and passages[pid].kind == CONTENT]
    introducing = set()
    for pid in content:
        passage = passages[pid]
        before = f"{passage.document_id}:{passage.ordinal - 1}"
        if (
            before in passage_ids
            and before in passages
            and passages[before].section == passage.section
        ):
            introducing.add(before)
    return [pid for pid in passage_ids if pid in content or pid in introducing]


class Knowledge:
    """Practice cards, quotes and cases over the engine's passages and vectors."""

    def __init__(self, engine, previous: Knowledge | None = None) -> None:
        """`previous`: the knowledge in service, whose card and quote texts' analyses
        are reused (search.bm25)."""
        self.engine = engine
        store = engine.store
        statements = {s["id"]: s for s in store.records("statements")}
        self._statements_in: dict[str, list[dict]] = {}  # passage id → its statements
        for statement in statements.values():
            self._statements_in.setdefault(statement["passage_id"], []).append(statement)
        self.cards = []
        for row in store.records("practices"):
            evidence = [
                self._evidence(statements[i])
                for i in json.loads(row["statement_ids"])
                if i in statements
            ]
            self.cards.append(Card(row, [e for e in evidence if e is not None]))
        # Without a query the catalogue lists the most supported cards first: those that
        # recur across documents and events, then those with the most statements (the
        # store gives them in the order of their ids, which is no order for a reader).
        self.cards.sort(
            key=lambda c: (-c.row["documents"], -c.row["events"], -len(c.evidence), c.row["label"])
        )
        # In reading order: a document's quotes as its pages give them (the store gives
        # them in the order of their ids, « q1, q10, q11… q2 »).
        self.quotes = sorted(
            (q for q in store.records("quotes") if q["passage_id"] in engine.passages),
            key=lambda q: (q["document_id"], q["start"]),
        )
        # Words only, folded (name_key): a quote pasted with other guillemets, accents or
        # case is still found in its source.
        self._quote_words = [f" {name_key(q['text'])} " for q in self.quotes]
        # Read once with the knowledge: every view of a case shows these edits (a write
        # reloads the engine, api.routers.knowledge).
        self.case_edits = store.case_edits()
        self.cases = edited_cases(
            [Case.from_row(row) for row in store.records("cases")], self.case_edits
        )
        self._card_index = BM25.build(
            [c.row["id"] for c in self.cards],
            [self._card_text(c) for c in self.cards],
            previous._card_index.analyses if previous else None,
        )
        self._quote_index = BM25.build(
            [q["id"] for q in self.quotes],
            [f"{q['speaker']} {q['text']}" for q in self.quotes],
            previous._quote_index.analyses if previous else None,
        )
        texts = [statement_label(e.record) for c in self.cards for e in c.evidence]
        vectors = embed_cached(store, engine.embedder, texts) if texts else None
        self.statement_vectors, position = [], 0
        for card in self.cards:
            self.statement_vectors.append(
                vectors[position : position + len(card.evidence)]
                if vectors is not None
                else np.zeros((0, engine.embedder.dim), dtype=np.float32)
            )
            position += len(card.evidence)
        # What a case is compared on: the content passages describing it, and a guest's
        # introduction just before one of them (the question that presents the project).
        # A speaker's biography elsewhere (a programme's, another talk's) is no evidence.
        self._evidence_of: dict[str, list[str]] = {}  # passage id → the cases it describes
        for case in self.cases:
            for pid in _evidence(engine.passages, case.passage_ids):
                self._evidence_of.setdefault(pid, []).append(case.id)
        self._case_vectors = {
            case.id: self._mean_vector(
                [p for p in case.passage_ids if case.id in self._evidence_of.get(p, ())]
            )
            for case in self.cases
        }
        # A case an editor wrote has no passage: it is compared on what they wrote.
        self._written = [c for c in self.cases if is_created(c.id)]
        texts = [written_text(self.case_edits[c.id]) for c in self._written]
        written = embed_cached(store, engine.embedder, texts) if texts else []
        self._case_vectors.update(zip((c.id for c in self._written), written, strict=True))
        # Every case's vector in one matrix, stacked once: a description is compared with
        # all of them (_closeness).
        self._case_ids = [c for c, vector in self._case_vectors.items() if vector is not None]
        self._case_matrix = (
            np.stack([self._case_vectors[c] for c in self._case_ids]) if self._case_ids else None
        )
        self.actors = [
            {**row, **{f: json.loads(row[f]) for f in ("aliases", "roles", "passage_ids")}}
            for row in store.records("actors")
        ]
        self.actors.sort(key=lambda a: (-len(a["passage_ids"]), a["name"]))  # most present first
        self._actor_by_id = {a["id"]: a for a in self.actors}
        self._actor_rank = {a["id"]: n for n, a in enumerate(self.actors)}
        self._actors_in: dict[str, list[str]] = {}  # passage id → the actors it names
        for actor in self.actors:
            for pid in actor["passage_ids"]:
                self._actors_in.setdefault(pid, []).append(actor["id"])
        self._spoken = self._spoken_by(self.actors, engine.passages.values())
        self._cases_of: dict[str, list[str]] = {}  # passage id → the cases it names
        for case in self.cases:
            for pid in case.passage_ids:
                self._cases_of.setdefault(pid, []).append(case.id)
        # Passages that describe a documented case: search favours them for precedents.
        self.describing_cases = frozenset(self._cases_of)
        # Passages that say what to avoid: search favours them for « quels pièges ? ».
        self.warnings_in: dict[str, list[str]] = {}  # passage id → its statements to avoid
        for card in self.cards:
            if card.row["polarity"] == "avoid":
                for e in card.evidence:
                    self.warnings_in.setdefault(e.passage.id, []).append(e.record["text"])
        self.warning_passages = frozenset(self.warnings_in)

    # -- building blocks -------------------------------------------------------

    def _evidence(self, record: dict) -> Evidence | None:
        passage = self.engine.passages.get(record["passage_id"])
        if passage is None:
            return None
        return Evidence(record, passage, self.engine.documents[passage.document_id])

    @staticmethod
    def _card_text(card: Card) -> str:
        return " ".join([card.row["label"]] + [e.record["text"] for e in card.evidence])

    def _mean_vector(self, passage_ids: list[str]) -> np.ndarray | None:
        vectors = [v for v in (self.engine.vectors.vector(p) for p in passage_ids) if v is not None]
        if not vectors:
            return None
        mean = np.mean(vectors, axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-9)

    def _rank(self, index: BM25, lexical: np.ndarray, dense: np.ndarray) -> list[tuple[int, float]]:
        """Rows of `index` ranked by calibrated lexical + dense scores (as passage search)."""
        rows = np.arange(len(index.ids))
        ranked = fusion.combine(index.ids, rows, lexical, dense, lexical, dense)
        position = {pid: row for row, pid in enumerate(index.ids)}
        return [(position[r.passage_id], r.score) for r in ranked]

    # -- practices -------------------------------------------------------------

    def practices(self, query: str | None, k: int) -> list[Card]:
        """Cards best matching a query, or the most supported cards without one. A query
        search finds nothing relevant for (search.relevance) gets no card, as it gets no
        passage and no quote: « zzqqxx » used to list ten cards."""
        if not self.cards:
            return []
        if not query or not query.strip():
            return self.cards[:k]
        if not self.engine.search(query, 1):
            return []
        vector = self.engine.embed_question(query)
        dense = np.array(
            [float((v @ vector).max()) if len(v) else -1.0 for v in self.statement_vectors]
        )
        lexical = self._card_index.scores(query)
        ranked = self._rank(self._card_index, lexical, dense)
        # A card shares a word with the query (or with its words in French, for English):
        # by meaning alone « réparer un vélo électrique » drew ten cards standing as close
        # to it as « mobiliser les élus » draws its own (docs/EVALUATION.md).
        worded = lexical > 0
        if french := in_french(query):
            worded |= self._card_index.scores(french) > 0
        ranked = [(row, score) for row, score in ranked if worded[row]]
        # « mobiliser les élus » is read as « comment mobiliser les élus ? »: the cards
        # that name what it acts on come first, before those that share only the verb
        # (« Mobiliser les bonnes pratiques »), as in an answer (search.answer).
        acted = acted_on(query) or acted_on(f"comment {query}")
        named = self.engine.distinctive_terms(acted) if acted else set()
        if named:
            texts = [self._card_text(self.cards[row]) for row, _ in ranked]
            ranked = [
                found
                for found, _ in sorted(
                    zip(ranked, texts, strict=True),
                    key=lambda pair: not named & set(analyse(pair[1])),
                )
            ]
        return [replace(self.cards[row], score=score) for row, score in ranked[:k]]

    def practice(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.row["id"] == card_id), None)

    # -- quotes ----------------------------------------------------------------

    def quotes_for(
        self,
        query: str | None,
        speaker: str | None,
        k: int,
        within: Filters | None = None,
        speech: str | None = None,
    ) -> list[QuoteHit]:
        """Quotes of a speaker and/or about a query; in document order without a query;
        `within`: of the passages these filters accept (a document, an event, a year);
        `speech`: « verbatim » for the speakers' own words only, « reported » for the
        report's accounts of them.

        About a query, verbatim quotes come before reported ones, each in the rank of its
        passage in search (which knows who a question designates and when nothing is
        relevant), then by their own words' match: a query search finds nothing for gets
        no quote."""
        rows = list(range(len(self.quotes)))
        if speech:
            rows = [i for i in rows if self.quotes[i]["speech"] == speech]
        if speaker:
            rows = [i for i in rows if holds_name(self.quotes[i]["speaker"], speaker)]
        if within:
            self.engine.check(within)
            rows = [i for i in rows if self.engine.accepts(self.quotes[i]["passage_id"], within)]
        scored: list[tuple[int, float | None]] = [(i, None) for i in rows]
        if query and query.strip() and rows:
            hits = self.engine.search(query, QUOTE_PASSAGES, filters=within)
            rank = {h.passage.id: n for n, h in enumerate(hits)}
            words = self._quote_index.scores(query)
            # Thanks and what the report tells of its event (« Nous remercions les
            # participants… ») are about no subject: they came first for « évaluation ».
            found = [
                i
                for i in rows
                if self.quotes[i]["passage_id"] in rank
                and not narrates_event(self.quotes[i]["text"])
            ]
            # A researcher wants the speaker's own words: verbatim before a report's account,
            # and the person the question names (« que dit Sophie Nguyen sur … ? ») first,
            # their reported views included, before anyone else's words.
            # A question that quotes a quote's words (pasted to check them) gets it first,
            # reported or not.
            mention = self.engine.people.find(query)
            named = {person.name for person in mention.people} if mention else set()
            spelled = self.engine.spelled
            pasted = name_key(query)
            quoted = len(pasted.split()) >= QUOTED_WORDS
            found.sort(
                key=lambda i: (
                    not (quoted and f" {pasted} " in self._quote_words[i]),
                    spelled(self.quotes[i]["speaker"]) not in named,
                    self.quotes[i]["speech"] != "verbatim",
                    rank[self.quotes[i]["passage_id"]],
                    -float(words[i]),
                )
            )
            scored = [(i, 1.0 / (1 + rank[self.quotes[i]["passage_id"]])) for i in found]
            if speaker:
                # One person's quotes on a word as common as « co-construction »: those
                # whose passage search ranked lower still say it, after the others.
                ranked = set(found)
                rest = [i for i in rows if words[i] > 0 and i not in ranked]
                rest.sort(key=lambda i: -float(words[i]))
                scored += [(i, 1.0 / (1 + QUOTE_PASSAGES)) for i in rest]
        return [self._quote_hit(self.quotes[row], score) for row, score in scored[:k]]

    def quote(self, quote_id: str) -> QuoteHit | None:
        """One quote by its id (`/v1/quotes/{id}`, the address a citation keeps)."""
        record = next((q for q in self.quotes if q["id"] == quote_id), None)
        return self._quote_hit(record) if record else None

    def _quote_hit(self, record: dict, score: float | None = None) -> QuoteHit:
        passage = self.engine.passages[record["passage_id"]]
        return QuoteHit(record, passage, self.engine.documents[passage.document_id], score)

    # -- actors ----------------------------------------------------------------

    def actors_for(self, query: str | None, kind: str | None, k: int) -> list[dict]:
        """Actors whose name, other spellings or roles hold the query (accents and case
        aside), most present first; all of one kind, or all, without a query."""
        wanted = query if query and query.strip() else None
        found = [
            a
            for a in self.actors
            if (kind is None or a["kind"] == kind)
            and (
                wanted is None
                or holds_name(" ".join([a["name"], *a["aliases"], *a["roles"]]), wanted)
            )
        ]
        return found[:k]

    def actor(self, actor_id: str) -> dict | None:
        return self._actor_by_id.get(actor_id)

    def whole_of(self, actor: dict) -> dict | None:
        """The organisation the documents name this one a part of (« Banque des
        Territoires de la Caisse des Dépôts »)."""
        return self._actor_by_id.get(actor.get("part_of") or "")

    def parts_of(self, actor: dict) -> list[dict]:
        """The organisations the documents name as parts of this one, most present first."""
        return [a for a in self.actors if a.get("part_of") == actor["id"]]

    @property
    def documents(self) -> dict[str, DocumentRow]:
        """The documents this knowledge was built on. A write serves a new engine before
        it rebuilds the knowledge (search.engine, `knowledge=False`): until then a case, an
        actor or a quote may cite a document the serving engine no longer has (a deletion)
        or does not have yet, so their views read documents and passages from here."""
        return self.engine.documents

    @property
    def passages(self) -> dict[str, PassageRow]:
        """The passages this knowledge was built on (see `documents`)."""
        return self.engine.passages

    def actor_passages(self, actor: dict) -> list[PassageRow]:
        """The passages of an actor as a reader wants them: a person's own words first (the
        turns they speak, which seldom repeat their name), then the content naming them,
        then introductions, and the programme and lists of participants last."""
        passages = self.engine.passages
        named = [passages[p] for p in actor["passage_ids"] if p in passages]
        spoken = self._spoken.get(actor["id"], [])
        said = {p.id for p in spoken}
        rest = sorted(
            (p for p in named if p.id not in said),
            key=lambda p: (p.kind != CONTENT, p.kind != "intro"),
        )
        return spoken + rest

    @staticmethod
    def _spoken_by(actors: list[dict], passages) -> dict[str, list[PassageRow]]:
        """Person actor id → the passages they speak, in reading order (a speaker is
        written as the actor or one of its spellings)."""
        person_of = {
            name_key(name): actor["id"]
            for actor in actors
            if actor["kind"] == "person"
            for name in (actor["name"], *actor["aliases"])
        }
        spoken: dict[str, list[PassageRow]] = {}
        for passage in passages:
            who = person_of.get(name_key(passage.speaker)) if passage.speaker else None
            if who is not None:
                spoken.setdefault(who, []).append(passage)
        return spoken

    def actor_cases(self, actor: dict) -> list[Case]:
        own = set(actor["passage_ids"])
        return [c for c in self.cases if own & set(c.passage_ids)]

    def neighbours(self, actor: dict, k: int = 12) -> list[tuple[dict, int]]:
        """Who works with whom: the actors named in the same passages of content, most
        shared first. Standing on one programme page or list of participants is no work
        together."""
        passages = self.engine.passages
        counts = Counter(
            other
            for pid in actor["passage_ids"]
            if pid in passages and passages[pid].kind in (CONTENT, "intro")
            for other in self._actors_in.get(pid, ())
            if other != actor["id"]
        )
        return [(self._actor_by_id[i], n) for i, n in counts.most_common(k)]

    # -- cases -----------------------------------------------------------------

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)

    def case_named(self, name: str, other_than: str | None = None) -> Case | None:
        """The case, other than `other_than`, that `name` names already: the same name once
        folded, articles and type words aside (« Loos-en-Gohelle », « loos en Gohelle »,
        « le projet Loos-en-Gohelle »), as a case's own name or its extracted key."""
        key = case_key(name)
        return next(
            (c for c in self.cases if c.id != other_than and key in (c.key, case_key(c.name))),
            None,
        )

    def case_page(self, case_id: str) -> CasePage | None:
        """A case's page: what the documents say, with what editors set over it."""
        case = self.case(case_id)
        return None if case is None else self.page_of(case)

    def page_of(self, case: Case) -> CasePage:
        """The page of a case as every view shows it (the list takes its values from it)."""
        # The case's own content first, a host's introductions of a guest after.
        passages = sorted(self.case_passages(case), key=lambda p: p.kind == "intro")
        own = [p.id for p in passages]
        shared = Counter(a for pid in own for a in self._actors_in.get(pid, ()))
        # Most named in the case's passages first, then most present in the documents.
        ranked = sorted(shared, key=lambda a: (-shared[a], self._actor_rank[a]))
        actors = [self._actor_by_id[a] for a in ranked]
        statements = [s for pid in own for s in self._statements_in.get(pid, ())]
        titles = frozenset(
            d.title for p in passages if (d := self.documents.get(p.document_id)) is not None
        )
        extracted = extracted_fields(case, passages, actors, statements, titles)
        return page(case, extracted, self.case_edits.get(case.id, {}), passages)

    def cases_for(self, query: str | None, k: int, territory: str | None = None) -> list[Case]:
        """Every case, most documented first; with a query, the cases whose name holds it
        (« Grange » finds « La Grange Partagée », and only it). A query no name holds is a
        description when it has more than NAME_WORDS words (« un café de village où… »):
        the cases search finds like it; a name no case holds finds none. `territory`:
        only the cases of that type of territory (an editor's value over extraction's)."""
        cases = [c for c in self.cases if territory is None or c.territory_type == territory]
        if not query or not query.strip():
            return sorted(cases, key=lambda c: (-c.documents, c.name))[:k]
        named = [c for c in cases if holds_name(c.name, query)]
        if named or len(query.split()) <= NAME_WORDS:
            return named[:k]
        if territory is None:
            return [s.case for s in self.similar_to_text(query, k)]
        # The filter drops some of the most similar: all are ranked, then k kept.
        kept = {c.id for c in cases}
        alike = self.similar_to_text(query, len(self.cases))
        return [s.case for s in alike if s.case.id in kept][:k]

    def case_vector(self, case: Case) -> np.ndarray | None:
        """Mean vector of the passages that name the case; for a case an editor created,
        the vector of what they wrote."""
        return self._case_vectors.get(case.id)

    def similar_cases(self, text: str, k: int, exclude: Case | None = None) -> list[SimilarCase]:
        """Cases whose passages search matches best with a description, with reasons."""
        if exclude is not None:
            # The case's own type of territory, its page's: not every type its passages
            # name (a list gave « urbain » to one case and « métropole » to the next).
            traits = {
                "actors": exclude.actors,
                "territories": [exclude.territory_type] if exclude.territory_type else [],
                "levers": exclude.levers,
            }
        else:
            traits = profile(text)
        own = set(exclude.passage_ids) if exclude else set()
        matches: dict[str, tuple[float, PassageRow | None]] = {}
        hits = self.engine.search(text, CASE_PASSAGES)
        for hit in hits:
            for passage in [hit.passage, *(p for p, _ in hit.also_in)]:
                if passage.id in own:
                    continue
                for case_id in self._evidence_of.get(passage.id, ()):
                    matches.setdefault(case_id, (hit.score, passage))
        query = self.engine.embed_question(text)
        if hits:
            matches.update(self._written_matches(query, min(h.score for h in hits)))
        matches.update(self._matches_in(traits["territories"], query, own, set(matches)))
        closeness = self._closeness(query, matches)
        return similar_cases(
            self.cases, matches, closeness, traits, exclude.key if exclude else None, k
        )

    def _closeness(self, query: np.ndarray, cases: Iterable[str]) -> dict[str, float]:
        """How close a description stands to each case as a whole: the cosine with the
        case's vector as a z-score over every case's. A raw cosine hardly moves (0.78 to
        0.88 for any description), and a part of the score that never moves says nothing
        to the editor who reads it."""
        if self._case_matrix is None:
            return {}
        cosines = self._case_matrix @ query
        spread = float(cosines.std()) or 1.0
        z = dict(zip(self._case_ids, ((cosines - cosines.mean()) / spread).tolist(), strict=True))
        return {case_id: z[case_id] for case_id in cases if case_id in z}

    def _matches_in(
        self, territories: list[str], query: np.ndarray, own: set[str], matched: set[str]
    ) -> dict[str, tuple[float, PassageRow]]:
        """The cases of a type of territory the description states that search did not
        return (not in `matched`), each with its passage nearest the description (the
        dense half of a passage's score, as a z-score over the collection): the one
        Moroccan case stood out of a description of a cooperation with Senegal, whose
        words matched others."""
        wanted = [c for c in self.cases if c.territory_type in territories and c.id not in matched]
        if not wanted:
            return {}
        vectors, found = self.engine.vectors, {}
        reference = self.engine.dense_reference(query)
        for case in wanted:
            passages = [
                self.engine.passages[p]
                for p in case.passage_ids
                if p in vectors.row_of and p not in own and p in self.engine.passages
            ]
            if not passages:
                continue
            rows = np.array([vectors.row_of[p.id] for p in passages], dtype=np.int64)
            scores = fusion.zscores(vectors.passage_scores(query, rows), reference)
            best = int(np.argmax(scores))
            found[case.id] = (float(scores[best]), passages[best])
        return found

    def _written_matches(self, query: np.ndarray, floor: float) -> dict[str, tuple[float, None]]:
        """The cases editors wrote that match a description as a passage search returned
        would: their text's cosine as a z-score over the collection's passages (the dense
        half of a passage's score, the only one a text outside the index has), kept when
        it reaches the lowest score among the passages search returned (`floor`)."""
        if not self._written:
            return {}
        vectors = np.stack([self._case_vectors[c.id] for c in self._written])
        scores = fusion.zscores(vectors @ query, self.engine.dense_reference(query))
        return {
            case.id: (float(z), None)
            for case, z in zip(self._written, scores, strict=True)
            if z >= floor
        }

    def similar_to_text(self, text: str, k: int) -> list[SimilarCase]:
        return self.similar_cases(text, k)

    def cases_of(self, passage_id: str) -> list[str]:
        """Ids of the cases a passage names."""
        return self._cases_of.get(passage_id, [])

    def case_name(self, case_id: str) -> str:
        case = self.case(case_id)
        return case.name if case else case_id

    def case_passages(self, case: Case) -> list[PassageRow]:
        return [self.engine.passages[p] for p in case.passage_ids if p in self.engine.passages]
