"""An answer to a practice question, assembled from what search finds, not from word matching.

A catalyser asks « comment mobiliser les élus ? » and wants, with sources: what works,
what to avoid, who said so, and who did it. The search engine (with its understanding of
the question: search.intent, search.people) ranks the passages; this module reads the
records ingest extracted from those passages and sorts them into four sections:

- « Ce qui marche » (practices): practice statements to follow (advice, levers,
  conditions, propositions), each merged with the statements that say the same thing in
  other documents (the practice cards, search.knowledge.practices), and the passages
  that give advice without a statement extracted from them;
- « Écueils » (pitfalls): statements of what not to do, obstacles and risks, each named
  by the thing not to do (ingest.extract.polarity), and the passages whose sentences warn
  without a statement extracted from them (under « Les freins… », « … reste complexe »);
  first when the question asks what to avoid (search.intent);
- « Témoignages » (testimonies): speakers' own words from the passages found;
- « Cas » (cases): documented initiatives named in those passages or like the question.

Every item carries its evidence: the exact excerpt, its offsets in the document's text
and a citation. Items are ordered by the rank of the best passage behind them, so the
answer is as good as search, and an empty search gives an empty answer with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ingest.cues import REDO
from ingest.extract.practices import strip_list_marker
from ingest.metadata import WHO_PARTS
from ingest.normalise import name_key
from ingest.store import DocumentRow, PassageRow
from search.citations import quote_excerpt
from search.embedders.base import CosineScale
from search.engine import Results, SearchEngine
from search.french import analyse
from search.intent import CASE, acted_on, is_question, understand
from search.knowledge.cases import Case
from search.knowledge.index import Card
from search.knowledge.practices import statement_label
from search.ranking import advises, gives_practice, squash, warns_in
from search.snippet import (
    best_sentences,
    in_prose,
    last_sentence,
    narrates_event,
    opens_mid_sentence,
    says_something,
    split_sentences,
    spoken,
    their_quotes,
    titles_of,
    untitled,
)
from search.vectors import context, windows

SECTIONS = (
    ("practices", "Ce qui marche"),
    ("pitfalls", "Écueils"),
    ("testimonies", "Témoignages"),
    ("cases", "Cas"),
)
# Passages read from the top of the search results.
DEPTH = 30
# Items at most in each section.
LIMITS = {"practices": 8, "pitfalls": 5, "testimonies": 5, "cases": 3}
# Statements of one passage kept: those this close to its best match with the question.
# This and MERGE_AT are on plain e5-small's scale (search.embedders.base.CosineScale).
SAME_PASSAGE_MARGIN = 0.03
STATEMENTS_PER_PASSAGE = 3
# A statement is kept if its closeness to the question stands this many standard
# deviations above all statements' (docs/EVALUATION.md): from the first passage found,
# rising to STRONG_STATEMENT_Z at the last one read (_statement_floor).
STATEMENT_Z = 1.0
STRONG_STATEMENT_Z = 3.0
# Fewer statements than this are no reference to stand out from (a first upload holds a
# handful, and with four of them only the closest stands a deviation above the mean): a
# statement is then kept when its passage is among the top ones, whatever its closeness
# and that of the passage's other statements (SAME_PASSAGE_MARGIN),
# and an item is about the question's object only when it, its section or its document's
# title names it (_Builder._object).
MIN_REFERENCE = 30
# Asked what to avoid, a warning from a top passage needs only stand above the mean: its
# polarity is what the question asks for, its passage's rank says it is on the subject.
WARNING_Z = 0.0
# How close to the question's object an item must stand when it does not name it
# (see _Builder._object). Over 231 statements the closest to any object, even « une tache
# de vin rouge sur un canapé », stands about 2 deviations out by chance: at 2.0 one
# statement on the catalysers' watch answered it; 2.2 keeps every answer of the three
# sets and of « comment mobiliser les élus ? » as it was.
NAMED_OR_Z = 2.2
# The same for a passage's window, against the collection's passages: a bare object
# (« les élus ») is a weak signal at that size (of the corpus's windows naming « élus »,
# 4 in 24 stand 2 deviations above; 4 not naming it do too, none at 2.5 with plain
# e5-small; with its adapter, which spreads the tail, two stand at 2.51, none at 2.6).
WINDOW_NEAR_Z = 2.6
# How much of a statement to avoid (spaces aside) an advice window must hold, or of the
# window the statement must, for the window to be a pitfall (_states_a_warning).
WARNING_CHARS = 40
# Passages counted as the top of the results for statements and advice.
TOP_PASSAGES = 10
# What a label announcing a list (« … sur trois axes : ») shows of it, at most.
ANNOUNCED_CHARS = 160
# Why an answer is empty when search found passages: none of them says anything on what
# the question acts on (search.intent.acted_on).
NOTHING_SAID = (
    "les passages trouvés ne donnent ni pratique, ni témoignage, ni cas sur ce que "
    "demande la question"
)
# A statement labelling an item is cut beyond this, at a word (its excerpt is whole).
CARD_LABEL_CHARS = 240
# Testimonies and cases, who said and who did it, come from this deep: for « comment
# mobiliser les élus ? » a mayor's words on his town's élus and the case of his town stood
# 13th; a closing speech's generalities stood 23rd to 29th in others.
EXAMPLE_DEPTH = 20
# Search's strongest passages stand behind an item even without a word announcing advice:
# a paraphrased question's best answer rarely says « il faut » (docs/EVALUATION.md). As
# many as the items a person reads first (search.evaluate_answers.FIRST): the answer is
# built from search and should never show less than search's own first passages.
STRONGEST = 5
# A label shorter than this once its section title is taken off keeps the title.
MIN_LABEL = 40
# Words a label needs: « (AB) 6. », what a numbered list left of a sentence, says nothing.
MIN_LABEL_WORDS = 4
_WORD = re.compile(r"[^\W\d_]{2,}")
# Two items whose labels are this close say the same thing: one item, both evidences.
MERGE_AT = 0.93
_VOTES = re.compile(r"\((\+{1,12})\)")
_SPACE = re.compile(r"\s+")
# More characters than this in the source's slice than in the sentences found there: not
# line-end hyphens and footnote calls, but notes or links standing between them.
INTERRUPTED_CHARS = 12
# How much of a case's description finds the passage it was written from.
DESCRIBED_CHARS = 60
# A case's evidence: the sentences naming it, and those after it up to this length.
CASE_EXCERPT_CHARS = 400
# A label opening on a pronoun for someone or something named before (« Il a détaillé… »,
# « Elle a deux ambitions », « Cela a donné lieu… »), not an impersonal « il » (« Il faut »,
# « Il est nécessaire », « Il s'agit »); its antecedent sentence goes first, up to:
_REFERS_BACK = re.compile(
    r"^(?:Elles?\s|Ils?\s(?!(?:faut|fallait|est|était|sera|s[’']agit|existe|y\s|reste|"
    r"convient|importe|semble|apparaît|suffit|manque|vaut|n[’']est|ne\s))|Cela\s|Ceci\s|"
    r"Celui-ci\s|Celle-ci\s|Ce dernier\s|Cette dernière\s)"
)
ANTECEDENT_CHARS = 200


@dataclass
class Evidence:
    """An exact excerpt of a document, with its offsets into the document's text."""

    text: str
    passage: PassageRow
    document: DocumentRow
    start: int
    end: int
    page: int


@dataclass
class Item:
    label: str
    section: str
    evidence: list[Evidence]
    rank: int  # of the best search result behind it
    votes: int | None = None  # « (+++++) »: how many participants backed a workshop item
    speaker: str | None = None
    case_id: str | None = None
    vector: np.ndarray | None = field(default=None, repr=False)
    card_id: str | None = None  # the practice card whose statement labels the item
    # A statement, or a passage that advises (search.ranking.advises); one of search's
    # strongest passages that does neither may narrate, or announce a list.
    advice: bool = True


@dataclass(frozen=True)
class _Object:
    """What a question acts on (search.intent.acted_on), to keep items about it."""

    terms: set[str]  # its distinctive analysed terms
    vector: np.ndarray
    statement_floor: float  # closeness a statement needs when it does not name it
    passage_floor: float  # the same for a passage's window (search.vectors.windows)


@dataclass
class Answer:
    query: str
    sections: dict[str, list[Item]]
    reason: str | None = None

    @property
    def question(self) -> bool:
        """Whether the query asks something (search.intent.is_question): the page shows
        an answer to a question, and only passages for words looked up."""
        return is_question(self.query)

    @property
    def documents(self) -> set[str]:
        return {
            e.document.id for items in self.sections.values() for i in items for e in i.evidence
        }


def votes_of(text: str) -> int | None:
    """The « + » a workshop gave an item: « (+++++) » is five votes."""
    marks = _VOTES.findall(text)
    return sum(len(m) for m in marks) if marks else None


def answer(engine: SearchEngine, query: str) -> Answer:
    hits: Results = engine.search(query, DEPTH)
    if not hits:
        return Answer(query, {}, hits.reason)
    rank: dict[str, int] = {}
    for position, hit in enumerate(hits):
        for passage in [hit.passage, *(p for p, _ in hit.also_in)]:
            rank.setdefault(passage.id, position)
    builder = _Builder(engine, query, rank)
    # Statements of both kinds first: a passage that gave one is not given again as a
    # passage of advice (« Ce que je ne referais pas » in « Ce qui marche »).
    sections = {"practices": builder.statements("do"), "pitfalls": builder.statements("avoid")}
    for item in builder.advice_passages(hits):
        sections[item.section].append(item)
    sections["testimonies"] = builder.testimonies(hits)
    sections["cases"] = builder.cases()
    order = [name for name, _ in SECTIONS]
    if builder.intent.warns:
        order.remove("pitfalls")
        order.insert(0, "pitfalls")
    shown = {
        name: _by_source(_merged(sections[name], engine.embedder.scale))[: LIMITS[name]]
        for name in order
        if sections[name]
    }
    if list(shown) == ["cases"] and builder.intent.kind != CASE:
        # Cases say who did what the items say; alone, they answer only a question asking
        # for precedents. « on n'arrive pas à garder les bénévoles » got one initiative
        # whose report lists « limites du bénévolat » among its obstacles.
        shown = {}
    return Answer(query, shown, None if shown else NOTHING_SAID)


def says_enough(label: str) -> bool:
    """Whether a label has words enough to say something (MIN_LABEL_WORDS)."""
    return len(_WORD.findall(label)) >= MIN_LABEL_WORDS


def _by_source(items: list[Item]) -> list[Item]:
    """Items by the rank of the passage behind them, one per passage first: the first items
    a person reads come from as many sources as there are, not three statements of one
    list (a passage's other statements follow, still by rank). Among each, the items that
    advise come before the strongest passages that only narrate (« Le sujet … est souvent
    revenu », « Ces Ateliers se sont structurés… »): 35 → 36 of 44 practice questions
    answered in the first five items, none lost (docs/EVALUATION.md)."""
    seen: dict[str, int] = {}
    keyed = []
    for item in sorted(items, key=lambda i: i.rank):
        source = item.evidence[0].passage.id if item.evidence else item.label
        seen[source] = seen.get(source, 0) + 1
        keyed.append((seen[source] > 1, not item.advice, item.rank, len(keyed), item))
    return [item for *_, item in sorted(keyed, key=lambda k: k[:4])]


class _Builder:
    """Reads the records of the passages search ranked, for one question."""

    def __init__(self, engine: SearchEngine, query: str, rank: dict[str, int]):
        self.engine = engine
        self.knowledge = engine.knowledge
        self.rank = rank
        self.query_vector = engine.embed_question(query)
        self.query = query
        self.intent = understand(query)
        self.used: set[str] = set()  # passages already standing behind an item
        # Each passage's window about the question (_best_window), read once: items and
        # cases both ask it of the passages found.
        self._windows: dict[str, str | None] = {}

    def _evidence(self, record: dict) -> Evidence | None:
        passage = self.engine.passages.get(record["passage_id"])
        if passage is None:
            return None
        document = self.engine.documents[passage.document_id]
        return Evidence(
            record["text"], passage, document, record["start"], record["end"], record["page"]
        )

    def statements(self, polarity: str) -> list[Item]:
        """Practice statements of the passages found, each with its card's other evidence."""
        chosen: dict[str, list[tuple[float, Card, int, np.ndarray]]] = {}
        threshold, strong = self._statement_thresholds(
            WARNING_Z if polarity == "avoid" and self.intent.warns else STATEMENT_Z
        )
        for card, vectors in zip(
            self.knowledge.cards, self.knowledge.statement_vectors, strict=True
        ):
            if card.row["polarity"] != polarity:
                continue
            for index, evidence in enumerate(card.evidence):
                pid = evidence.passage.id
                if pid in self.rank and len(vectors):
                    closeness = float(vectors[index] @ self.query_vector)
                    relevant = closeness >= self._statement_floor(self.rank[pid], threshold, strong)
                    if relevant and self._about_the_object(
                        evidence.record["text"], vectors[index], evidence.passage
                    ):
                        chosen.setdefault(pid, []).append((closeness, card, index, vectors[index]))
        items = []
        # Closeness tells nothing among a handful of statements: then a top passage gives
        # them all, as it gives them whatever their closeness (MIN_REFERENCE).
        margin = (
            self.engine.embedder.scale.gap(SAME_PASSAGE_MARGIN)
            if np.isfinite(threshold)
            else np.inf
        )
        for pid, found in chosen.items():
            best = max(f[0] for f in found)
            kept = sorted((f for f in found if f[0] >= best - margin), key=lambda f: -f[0])[
                :STATEMENTS_PER_PASSAGE
            ]
            for _, card, index, vector in kept:
                items.append(self._card_item(card, index, polarity, vector))
            self.used.add(pid)
        return items

    @staticmethod
    def _statement_floor(rank: int, threshold: float, strong: float) -> float:
        """How close to the question a statement of the passage ranked `rank` must stand.

        From the best passage, close to the question (`threshold`); from further down,
        nearer what it asks, up to `strong` at the last one read (DEPTH). A rising bar,
        not a step at the tenth passage: a near-tie that ranked a passage eleventh took
        its statements out of the answer (« Un euforia… pour des élus » for « comment
        mobiliser les élus ? »). With a handful of statements (no spread to read), the top
        passages give them all and the others none."""
        if not np.isfinite(strong):
            return threshold if rank < TOP_PASSAGES else strong
        return threshold + (strong - threshold) * rank / DEPTH

    def _statement_thresholds(self, near_top: float) -> tuple[float, float]:
        """How close to the question a statement must stand among all statements, from a
        top passage (`near_top` spreads above the mean) and from any passage: a passage
        found for its subject may hold advice on something else."""
        closeness = self._closeness(self.query_vector)
        if closeness is None or len(closeness) < MIN_REFERENCE:
            return -np.inf, np.inf
        mean, spread = float(closeness.mean()), float(closeness.std())
        return mean + near_top * spread, mean + STRONG_STATEMENT_Z * spread

    @cached_property
    def _statement_matrix(self) -> np.ndarray | None:
        """Every statement's vector, one row each (None when there are no statements)."""
        vectors = [v for v in self.knowledge.statement_vectors if len(v)]
        return np.concatenate(vectors) if vectors else None

    def _closeness(self, vector: np.ndarray) -> np.ndarray | None:
        matrix = self._statement_matrix
        return matrix @ vector if matrix is not None else None

    @cached_property
    def _object(self) -> _Object | None:
        """« comment mobiliser les élus ? »: an item must be about « les élus », not only
        about mobilising (« Mobiliser les bonnes pratiques », « mobiliser leur impôt »):
        it names the object, its section or its document's title does, or it stands
        closer to it than most statements (or most passages, for a passage's sentences)
        do; with too few statements to tell (MIN_REFERENCE), only the names count. None
        when every item is about it. An object the documents speak of everywhere (« un
        partenariat » in partnership reports) sorts nothing out: then the verb carries
        the question (« évaluer »)."""
        acted = acted_on(self.query)
        named = self.engine.distinctive_terms(acted) if acted else set()
        matrix = self._statement_matrix
        if not named or matrix is None:
            return None
        vector = self.engine.embed_question(acted)
        if len(matrix) < MIN_REFERENCE:
            return _Object(named, vector, np.inf, np.inf)
        statements = self._closeness(vector)
        passages = self.engine.dense_reference(vector)
        return _Object(
            named,
            vector,
            float(statements.mean() + NAMED_OR_Z * statements.std()),
            float(passages.mean() + WINDOW_NEAR_Z * passages.std()),
        )

    def _names_object(self, text: str) -> bool:
        return self._object is None or bool(self._object.terms & set(analyse(text)))

    def _about_the_object(self, text: str, vector: np.ndarray, passage: PassageRow) -> bool:
        """Whether a statement (its text, its vector, its passage) is about the question's
        object."""
        return (
            self._names_object(text)
            or float(vector @ self._object.vector) >= self._object.statement_floor
            or self._titled_object(passage)
        )

    def _titled_object(self, passage: PassageRow) -> bool:
        """Whether the passage's section or its document's title names the question's
        object: « Confier l'arrosage d'été à un seul bénévole » in « Jardins partagés de
        Quimper : retour d'expérience » is about a shared garden without saying so."""
        title = self.engine.documents[passage.document_id].title or ""
        return self._names_object(f"{passage.section or ''}\n{title}")

    def _card_item(self, card: Card, index: int, polarity: str, vector: np.ndarray) -> Item:
        """The card, with the statement the search found first among its evidence, which
        labels it: the card's own label is its most central statement, cut at 110
        characters, and read under another statement's excerpt it said what that one
        did not (« Créer un nouveau métier de facilitateur » over « Structurer la
        mutualisation entre facilitateurs »). Statements of the found one's own passage
        are items of their own (_same), not its evidence: each would list the other."""
        found = card.evidence[index]
        others = sorted(
            (
                e
                for i, e in enumerate(card.evidence)
                if i != index and e.passage.id != found.passage.id
            ),
            key=lambda e: self.rank.get(e.passage.id, len(self.rank)),
        )
        evidence = [
            ev for ev in (self._evidence(e.record) for e in [found, *others]) if ev is not None
        ]
        return Item(
            label=quote_excerpt(statement_label(found.record), CARD_LABEL_CHARS),
            section="practices" if polarity == "do" else "pitfalls",
            evidence=evidence,
            rank=self.rank[found.passage.id],
            votes=_votes(evidence),
            vector=vector,
            card_id=card.row["id"],
        )

    def advice_passages(self, hits: Results) -> list[Item]:
        """Top passages that yielded no statement: their best sentences, with their speaker.

        Those that give advice (a cue, search.ranking.gives_practice) and are not a
        speaker's own words, which are testimonies; and search's strongest passages
        whatever their wording, since the best answer to a paraphrase seldom announces
        itself."""
        candidates = [
            (position, hit.passage)
            for position, hit in enumerate(hits[:TOP_PASSAGES])
            if hit.passage.id not in self.used
            and hit.passage.kind == "text"
            and not _presents_who(hit.passage)
            and (
                position < STRONGEST
                or (gives_practice(hit.passage, 0) and not _own_words(hit.passage))
            )
        ]
        items = self._passage_items(candidates, "practices")
        for item in items:  # what it says, under its heading (« Ce que je referais »)
            passage = item.evidence[0].passage
            item.advice = advises(f"{context(passage)}\n{passage.text}")
        return items

    def testimonies(self, hits: Results) -> list[Item]:
        """Speakers' own words among the passages found, one item a passage, down to
        EXAMPLE_DEPTH: further down, a closing speech's « Dès demain, soyons les
        témoins… » stood in nearly every answer. A question about a person (« qu'a dit le
        maire de Loos-en-Gohelle… ? ») is answered by that person's words alone."""
        mention = self.engine.people.find(self.query)
        asked = {p.name for p in mention.people} if mention else set()
        candidates = [
            (position, hit.passage)
            for position, hit in enumerate(hits[:EXAMPLE_DEPTH])
            if hit.passage.id not in self.used
            and hit.passage.kind == "text"
            and _own_words(hit.passage)
            and (not asked or hit.passage.speaker in asked)
        ]
        return self._passage_items(candidates, "testimonies")

    def _passage_items(self, candidates: list[tuple[int, PassageRow]], section: str) -> list[Item]:
        """An item for each candidate passage about the question's object, with its speaker;
        advice whose sentences warn (under « Les freins… », or « … reste complexe ») is a
        pitfall. An item credited to a speaker quotes their words, in whichever section:
        a strong passage of a report's account is advice too."""
        items = []
        for position, passage, sentences in self._on_the_object(candidates):
            if _own_words(passage):
                sentences = _quoted_in(passage, sentences)
            warning = section == "practices" and (
                warns_in(passage, sentences) or self._states_a_warning(passage, sentences)
            )
            kind = "pitfalls" if warning else section
            item = self._passage_item(passage, kind, position, sentences)
            item.speaker = passage.speaker
            items.append(item)
        return items

    def _states_a_warning(self, passage: PassageRow, sentences: str) -> bool:
        """Whether the sentences hold a statement the extractor read as one to avoid: a
        list under « Ce que je ne referais pas » inside a passage headed otherwise (a
        table's « BESOINS (B) PRATIQUES ») had its « Forcer la pluridisciplinarité… »
        shown under « Ce qui marche »."""
        window = squash(sentences)
        for statement in self.knowledge.warnings_in.get(passage.id, ()):
            said = squash(strip_list_marker(statement))
            if said[:WARNING_CHARS] in window or window[:WARNING_CHARS] in said:
                return True
        return False

    def _on_the_object(
        self, candidates: list[tuple[int, PassageRow]]
    ) -> list[tuple[int, PassageRow, str]]:
        """The passages that speak of what the question acts on, each with its window
        (search.vectors.windows) nearest the question in meaning among those that do."""
        found = []
        for position, passage in candidates:
            window = self._best_window(passage)
            if window is not None:
                found.append((position, passage, window))
        return found

    def _best_window(self, passage: PassageRow) -> str | None:
        if passage.id not in self._windows:
            self._windows[passage.id] = self._window_about(passage)
        return self._windows[passage.id]

    def _window_about(self, passage: PassageRow) -> str | None:
        """Of the passage's windows about the question's object (naming it, or standing
        as near it as the best of most passages), the one closest to the question: the
        sentences dense search ranks the passage by, read by meaning rather than by the
        words they share with the question (« au-delà » in « faire connaître nos
        réussites au-delà des convaincus » is no subject). The vectors are the index's
        own: nothing is embedded at question time. Returned: the window's sentences that
        share most of the question's words; the next window when they narrate the event."""
        cut = windows(passage.text)
        vectors = self.engine.vectors.chunk_vectors(passage.id)
        closeness = vectors @ self.query_vector
        titled = self._titled_object(passage)  # then every window is about the object
        about = [
            i
            for i, text in enumerate(cut)
            if titled
            or self._names_object(text)
            or float(vectors[i] @ self._object.vector) >= self._object.passage_floor
        ]
        if not about:
            return None
        # A window that only asks (« Atelier 1 : Comment agir… ? Rapporteur : X ») is
        # near the question for asking it: the answer is in the passage's other windows,
        # and a passage that only asks about the object answers nothing.
        # Nor does a list of names (« l'UNADEL • Cluster Jura • Le Catalyseur • … »).
        about = [i for i in about if says_something(cut[i], MIN_LABEL) and in_prose(cut[i])]
        if not about:
            return None
        titles = titles_of(passage.section, passage.text)
        for index in sorted(about, key=lambda i: -closeness[i]):
            label = self._label_of(passage, cut, index, titles)
            # What the report tells of its own event (« Le RAMEAU réunissait ce 26 juin… »,
            # « Les participants ont été répartis… », thanks) answers no how-to question.
            if says_enough(label) and not narrates_event(spoken(label, passage.speaker)):
                return label
        return None

    def _label_of(self, passage: PassageRow, cut: list[str], index: int, titles: set[str]) -> str:
        """Within a window (up to search.vectors.CHUNK_CHARS), its sentences that share
        most of the question's words: a window may end one subject and start the next."""
        best = cut[index]
        if index and opens_mid_sentence(best):  # the label reads from its sentence's start
            best = f"{last_sentence(cut[index - 1])} {best}"
        sentences = best_sentences(best, self.query, 220, statements=True)
        sentences = _with_antecedent(sentences, best, cut[index - 1] if index else "")
        if sentences.rstrip().endswith(":"):
            sentences = self._with_announced(passage, sentences, best, cut[index + 1 :])
        # The section's titles, when the passage opens on them, are the citation's, not the
        # label's (« Un nécessaire décloisonnement des Pouvoirs publics A travers… »).
        return untitled(_one_lesson_side(sentences), titles, MIN_LABEL)

    def _with_announced(
        self, passage: PassageRow, sentences: str, best: str, later: list[str]
    ) -> str:
        """A sentence announcing what follows (« … intervient sur trois axes : ») says it
        only with what it announces: the words after it, in the window and the next, or
        the next passage's when the passage ends there; with nothing after it, it goes."""
        tail = sentences[-40:]
        at = best.rfind(tail)
        after = best[at + len(tail) :] if at >= 0 else ""
        following = f"{after} {later[0]}" if later else after
        if not following.strip():  # the list is the next passage's
            following = self._next_text(passage)
        if following.strip():
            return f"{sentences} {quote_excerpt(following, ANNOUNCED_CHARS)}".strip()
        return _unannounced(sentences)  # « En synthèse : » over a figure the text lost

    def _next_text(self, passage: PassageRow) -> str:
        """The text of the passage after this one in its section: « … autour de deux
        aspects : » ends a passage whose list the next one holds."""
        after = self.engine.passages.get(f"{passage.document_id}:{passage.ordinal + 1}")
        return after.text if after is not None and after.section == passage.section else ""

    def _passage_item(
        self, passage: PassageRow, section: str, position: int, sentences: str
    ) -> Item:
        """An item from a whole passage: its sentences closest to the question as label."""
        sentences = spoken(sentences, passage.speaker)
        label = strip_list_marker(sentences)
        evidence = self._excerpt(passage, sentences)
        self.used.add(passage.id)
        return Item(label, section, [evidence], position)

    def _excerpt(self, passage: PassageRow, sentences: str) -> Evidence:
        """Evidence of a passage's sentences as the source has them, when they can be found
        in it (line breaks aside); else the whole passage."""
        document = self.engine.documents[passage.document_id]
        start, end = _locate(document.text, (passage.start, passage.end), sentences) or (
            passage.start,
            passage.end,
        )
        source = document.text[start:end]
        # Where the sentences run over what cleaning took out between them (a page's
        # footnotes and links, « … des élus » / notes / « et des citoyens »), the source's
        # slice holds those too: the excerpt is the sentences, its offsets the slice's.
        if (start, end) == (passage.start, passage.end):
            source = passage.text
        elif len(_SPACE.sub("", source)) > len(_SPACE.sub("", sentences)) + INTERRUPTED_CHARS:
            source = sentences
        return Evidence(source, passage, document, start, end, document.page_at(start))

    def cases(self) -> list[Item]:
        """Cases named in the passages found (who did what they say), then, when the
        question asks for precedents (search.intent.CASE), cases like it. A how-to
        question used to get the three cases most like it too, the same few whatever it
        asked; the passages that answer it name the ones that did it."""
        passages = self.engine.passages
        # A case counts when a passage found (down to EXAMPLE_DEPTH) names it and speaks of
        # what the question acts on: « RONALPIA » in a passage on mobilising stakeholders is
        # no answer to « comment mobiliser les élus ? ». From anywhere in the results, the
        # same ten cases stood in most answers.
        named = [
            case
            for case in self.knowledge.cases
            if any(
                self.rank.get(pid, DEPTH) < EXAMPLE_DEPTH and self._best_window(passages[pid])
                for pid in case.passage_ids
            )
        ]
        named.sort(key=lambda c: min(self.rank.get(pid, len(self.rank)) for pid in c.passage_ids))
        similar = (
            [s.case for s in self.knowledge.similar_to_text(self.query, LIMITS["cases"])]
            if self.intent.kind == CASE
            else []
        )
        items = []
        unique = {case.id: case for case in [*similar[::-1], *named[::-1]]}  # first wins
        for case in reversed(list(unique.values())):
            # The passage its label quotes first (the citation shown with a label must hold
            # its words), then those that name the case, then those search found first:
            # those that made the case an answer.
            named_in = name_key(case.name)
            described = name_key(case.description[:DESCRIBED_CHARS])
            own = sorted(
                self.knowledge.case_passages(case),
                key=lambda p: (
                    not described or described not in name_key(p.text),
                    named_in not in name_key(p.text),
                    self.rank.get(p.id, len(self.rank)),
                ),
            )
            if not own:
                continue
            # Where the passage speaks of the case, past its titles if the text names it
            # too: a case described by its passage's title (« À Loos-en-Gohelle, le maire
            # contractualise… ») is not quoted twice, as its label and its excerpt's start.
            evidence = [self._excerpt(p, _naming(_body(p, named_in), named_in)) for p in own[:3]]
            best = min((self.rank.get(p.id, len(self.rank)) for p in own), default=DEPTH)
            items.append(
                Item(
                    _case_label(case),
                    "cases",
                    evidence,
                    best,
                    case_id=case.id,
                )
            )
        return items


def _body(passage: PassageRow, name: str) -> str:
    """A passage's text past its titles, when the rest still names the case; else whole
    (« Envies d'Alliances » is named by its section's title alone)."""
    body = untitled(passage.text, titles_of(passage.section, passage.text), 1)
    return body if name in name_key(body) else passage.text


def _naming(text: str, name: str) -> str:
    """A passage's sentences from the first that names a case, up to CASE_EXCERPT_CHARS:
    a case's evidence shows where the passage speaks of it, not the passage's first lines
    (« Exemple de RONALPIA : … » stood in the middle of a 1,300-character passage on
    mobilising stakeholders). The whole passage when no sentence names it."""
    cut = split_sentences(text)
    at = next((i for i, sentence in enumerate(cut) if name in name_key(sentence)), None)
    if at is None:
        return text
    excerpt = cut[at]
    for sentence in cut[at + 1 :]:
        if len(excerpt) + len(sentence) > CASE_EXCERPT_CHARS:
            break
        excerpt = f"{excerpt} {sentence}"
    return excerpt


def _case_label(case: Case) -> str:
    """« Name — description », or the description alone when it names the case already
    (« Exemple de RONALPIA : le Comité territorial… », not « RONALPIA — Exemple de
    RONALPIA : … »)."""
    if not case.description:
        return case.name
    description = _unannounced(case.description)
    if name_key(case.name) in name_key(description):
        return description
    return f"{case.name} — {description}"


def _with_antecedent(sentences: str, window: str, before_window: str) -> str:
    """« Il a détaillé le dispositif… », « Cela a donné lieu à… »: who or what, the
    sentence before says; it goes first."""
    if not _REFERS_BACK.match(sentences):
        return sentences
    at = window.find(sentences[:40])
    before = window[:at] if at > 0 else before_window
    antecedent = last_sentence(before) if before.strip() else ""
    if antecedent and len(antecedent) <= ANTECEDENT_CHARS:
        return f"{antecedent} {sentences}"
    return sentences


def _one_lesson_side(sentences: str) -> str:
    """A window may run from one list into the next (« … d'évaluer (JM) Ce que je ne
    referais pas - Travailler… »): the label keeps one side of the lesson's line."""
    redo = REDO.search(sentences, 1)
    if redo is None:
        return sentences
    head, tail = sentences[: redo.start()].rstrip(" -–"), sentences[redo.start() :]
    return head if len(head) >= MIN_LABEL else tail


def _unannounced(text: str) -> str:
    """A label without its last sentence when that one only announces what the label
    does not hold (« Envie d'Alliances intervient sur trois axes : », « En synthèse : »)."""
    said = " ".join(split_sentences(text)[:-1]) if text.rstrip().endswith(":") else text
    return said if len(said) >= MIN_LABEL else text


_WHO_PART = re.compile(rf"(?:{WHO_PARTS})(?: du projet| de l['’]initiative)?", re.I)


def _quoted_in(passage: PassageRow, sentences: str) -> str:
    """A testimony's words: where the report tells of the speaker around what it quotes
    (« "Construire la ville ensemble" : c'est ce qu'il a proposé… »), the longest
    quotation the chosen sentences hold, or of the passage when they hold none that says
    something (MIN_LABEL); the sentences themselves otherwise."""
    quotes = [" ".join(q.split()) for q in their_quotes(passage.text)]
    if not quotes:
        return sentences
    flat = " ".join(sentences.split())
    held = max((q for q in quotes if q in flat), key=len, default="")
    return held if len(held) >= MIN_LABEL else max(quotes, key=len)


def _presents_who(passage: PassageRow) -> bool:
    """Whether a passage is a case study's part on who carries it and where (« Acteurs »,
    « Contexte »): a list of partners answers no how-to question, the case does (« Cas »)."""
    part = (passage.section or "").split(" › ")[-1].strip(" :")
    return bool(_WHO_PART.fullmatch(part))


def _own_words(passage: PassageRow) -> bool:
    return bool(passage.speaker) and passage.speech == "verbatim"


def _locate(text: str, span: tuple[int, int], sentences: str) -> tuple[int, int] | None:
    """Offsets of `sentences` in the document's text, within `span` (a passage's), aside from what
    cleaning changed: spaces and line breaks, a hyphen at a line end (« au- » then « delà »
    on the next line), a footnote call glued to a word (« sociale12 »). A word whose
    line-end hyphen cleaning removed (« coopé- », « ration ») is found by the sentences'
    first and last words."""
    words = sentences.split()
    if not words:
        return None
    start, end = span
    whole = _find(text, words, start, end)
    if whole:
        return whole
    head = _find(text, words[:3], start, end)
    tail = _find(text, words[-3:], head[1], end) if head else None
    return (head[0], tail[1]) if head and tail else None


def _find(text: str, words: list[str], start: int, end: int) -> tuple[int, int] | None:
    pattern = re.compile(r"\s+".join(_as_written(w) for w in words))
    found = pattern.search(text, start, end)
    return (found.start(), found.end()) if found else None


def _as_written(word: str) -> str:
    """A pattern for a clean word as the source may write it (see _locate)."""
    pattern = re.escape(word).replace(r"\-", r"-\s*")
    return pattern + (r"(?:\d{1,3})?" if word[-1].isalpha() or word[-1] in "»)" else "")


def _merged(items: list[Item], scale: CosineScale) -> list[Item]:
    """Items saying the same thing (close statement vectors, their cosine read on the
    embedder's `scale`, or the same card) become one, the best-ranked with the others'
    evidence. Before the items are ordered by source (_by_source): a twin merged away
    there left its passage's next statement where that passage's first item stood."""
    merge_at = scale.threshold(MERGE_AT)
    out: list[Item] = []
    for item in sorted(items, key=lambda i: i.rank):
        twin = next((o for o in out if _same(o, item, merge_at)), None)
        if twin is None:
            out.append(item)
            continue
        known = {(e.passage.id, e.start) for e in twin.evidence}
        twin.evidence += [e for e in item.evidence if (e.passage.id, e.start) not in known]
        twin.votes = _votes(twin.evidence)
    return out


def _votes(evidence: list[Evidence]) -> int | None:
    counts = [v for v in (votes_of(e.text) for e in evidence) if v]
    return sum(counts) if counts else None


def _same(a: Item, b: Item, merge_at: float) -> bool:
    if a.label == b.label and a.case_id == b.case_id:
        return True
    if a.evidence and b.evidence and a.evidence[0].passage.id == b.evidence[0].passage.id:
        return False  # two items of one list are two things, however alike they read
    if a.card_id is not None and a.card_id == b.card_id:
        return True
    if a.vector is None or b.vector is None:
        return False
    return float(a.vector @ b.vector) >= merge_at
