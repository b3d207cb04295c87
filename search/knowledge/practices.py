"""Practice cards: statements that say the same thing, grouped across documents and events.

Statements are embedded (short texts, cached in the store like passage vectors) and
grouped by average-linkage clustering on cosine similarity, separately for what to do and
what to avoid. A card's label is its most central statement, cleaned of list markers and
participants' initials; its evidence is every statement, each with its exact excerpt.

Grouping costs in proportion to what changed, not to the store (issue #13: a write on a
store of 100 documents used to wait minutes for a cubic clustering of every statement):
- the groups of the previous build are kept; only statements that are new, and those of
  groups that lost a member, are placed again, a batch at a time, together with the
  existing groups they are close enough to join (their average similarity passes the
  merge threshold), which are re-clustered with them;
- identical texts count once, with their number as weight: they would merge first anyway,
  so average linkage gives the same groups;
- the clustering keeps each group's nearest neighbour instead of searching the whole
  linkage matrix at every merge: quadratic, not cubic, in the pool it is given.
A first build (an empty `practices` table) is the same procedure from nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

from ingest.extract.polarity import AVOID, pitfall
from ingest.extract.practices import COMPLETED_BY_ITEMS, strip_list_marker
from ingest.store import Store
from search.embedders.base import REFERENCE, CosineScale, Embedder
from search.french import analyse
from search.knowledge.vectorcache import embed_cached

# Two groups merge while their statements are this similar on average, on plain
# e5-small's scale (another model's cosines are read on it: CosineScale). Its cosines
# are compressed: half of all statement pairs are above 0.86, paraphrases of one advice
# above 0.95, and pairs between 0.92 and 0.95 mix same-advice with same-topic; sharing
# content words (stems used by under 5% of statements) tips those over.
MERGE_AT = 0.945
SHARED_WORD_BONUS = 0.02
COMMON_STEM_SHARE = 0.05
# New statements are placed this many at a time: bounds the memory of one step
# (BATCH × statements similarities) and the size of the pool re-clustered with them.
BATCH = 512
_NOTES = re.compile(r"\s*\((?:[+]+|[A-Z]{1,4}(?:\s*[,/]\s*[A-Z]{1,4})*|\+*\s*\)?)\)|\s*\(\+*\)")
# A connector that ties a sentence to the one before it (« Dans ce contexte, il faut… »):
# the card stands alone, without the argument it came from.
_CONNECTOR = re.compile(
    r"^(?:dans ce contexte|en effet|de (?:la )?même (?:façon|manière)|pour (?:cela|ce faire)|"
    r"d['’](?:une|autre) part|par ailleurs|de plus|ainsi|enfin|donc)\s*,\s*(?=\w)",
    re.I,
)


def clean_statement(text: str) -> str:
    """'- B2 : Mobiliser les parties prenantes avant le projet (+++++)' → 'Mobiliser …';
    « Dans ce contexte, il faut… » → « Il faut… »; « Accélérer le plaidoyer vers : » →
    « Accélérer le plaidoyer ». The statement itself, votes included, stays as written."""
    text = _NOTES.sub("", strip_list_marker(text))
    # « Accélérer le plaidoyer vers : » announces the list that completes it: the card
    # names the practice, without the colon and the word left hanging before it.
    text = COMPLETED_BY_ITEMS.sub("", _CONNECTOR.sub("", text)).strip(" -–;,.:")
    return text[:1].upper() + text[1:]


def statement_label(record: dict) -> str:
    """A statement as a card names it, cleaned; one of what to avoid by its pitfall
    (ingest.extract.polarity): '- Ne pas confier l'animation…' → 'Confier l'animation…',
    so that the label, the card's polarity and the answer's « Écueils » agree."""
    text = record["text"]
    if record["polarity"] == AVOID:
        text = pitfall(strip_list_marker(text))
    return clean_statement(text)


@lru_cache(maxsize=1 << 17)
def _stems(text: str) -> frozenset[str]:
    """A statement's stems, kept between refreshes: a server re-reads the same ones."""
    return frozenset(analyse(text))


def rare_stems(texts: Sequence[str]) -> list[frozenset[str]]:
    """Each text's content stems, without those more than COMMON_STEM_SHARE of texts use."""
    stems = [_stems(text) for text in texts]
    counts = Counter(stem for words in stems for stem in words)
    common = {stem for stem, n in counts.items() if n > COMMON_STEM_SHARE * len(texts)}
    return [words - common for words in stems]


def _incidence(rare: Sequence[frozenset[str]]) -> sparse.csr_matrix:
    """Texts × uncommon stems, 1 where the text uses the stem: shared words are sparse."""
    columns: dict[str, int] = {}
    rows, cols = [], []
    for row, words in enumerate(rare):
        for word in words:
            rows.append(row)
            cols.append(columns.setdefault(word, len(columns)))
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(rare), max(1, len(columns))))


def _node_weights(nodes: Sequence[Sequence[int]], weights: np.ndarray) -> np.ndarray:
    """How many statements each node (a list of distinct texts) stands for."""
    return np.array([weights[node].sum() for node in nodes], dtype=np.float32)


def _membership(nodes: Sequence[Sequence[int]], weights: np.ndarray) -> sparse.csr_matrix:
    """Nodes × texts, each text's weight in its node, normalised so that rows sum to 1."""
    rows = np.repeat(np.arange(len(nodes)), [len(node) for node in nodes])
    texts = np.fromiter((u for node in nodes for u in node), dtype=np.int64, count=len(rows))
    totals = _node_weights(nodes, weights)
    data = weights[texts] / totals[rows]
    return sparse.csr_matrix((data, (rows, texts)), shape=(len(nodes), len(weights)))


def _linkage(
    rows: Sequence[Sequence[int]],
    columns: Sequence[Sequence[int]],
    vectors: np.ndarray,
    weights: np.ndarray,
    incidence: sparse.csr_matrix,
    word_bonus: float,
) -> np.ndarray:
    """Average similarity between the texts of each row node and each column node.

    Similarity is cosine plus a small bonus per shared uncommon content word, at most two.
    Both are averaged over the nodes' texts, a text counting as often as it occurs. Between
    two groups this is cheap: the average cosine is the dot product of their weighted mean
    vectors, and the average number of shared words the dot product of their weighted stem
    profiles (capped after averaging, which is exact between single texts).
    """
    row_share, column_share = _membership(rows, weights), _membership(columns, weights)
    shared = ((row_share @ incidence) @ (column_share @ incidence).T).toarray()
    bonus = np.minimum(shared, 2)
    cosines = (row_share @ vectors) @ (column_share @ vectors).T
    return np.asarray(cosines + word_bonus * bonus, dtype=np.float32)


def _clusters(
    similarities: np.ndarray, merge_at: float, weights: np.ndarray | None = None
) -> list[list[int]]:
    """Average-linkage agglomerative clustering, stopping below `merge_at`.

    `weights` are the number of statements each row stands for. Each row's best partner is
    cached and recomputed only when its partner was merged away, which keeps a merge
    linear in the rows.
    """
    count = len(similarities)
    groups = [[i] for i in range(count)]
    if count < 2:
        return groups
    linkage = similarities.astype(np.float32, copy=True)
    np.fill_diagonal(linkage, -np.inf)
    size = np.ones(count, np.float32) if weights is None else weights.astype(np.float32)
    alive = np.ones(count, dtype=bool)
    best = linkage.argmax(axis=1)
    best_value = linkage[np.arange(count), best]
    while True:
        a = int(np.argmax(best_value))
        if best_value[a] < merge_at:
            break
        b = int(best[a])
        merged = (linkage[a] * size[a] + linkage[b] * size[b]) / (size[a] + size[b])
        linkage[a, :], linkage[:, a] = merged, merged
        linkage[a, a] = -np.inf
        linkage[b, :], linkage[:, b] = -np.inf, -np.inf
        alive[b], best_value[b] = False, -np.inf
        size[a] += size[b]
        groups[a] += groups[b]
        groups[b] = []
        closer = alive & (linkage[:, a] > best_value)
        best[closer], best_value[closer] = a, linkage[closer, a]
        for row in np.flatnonzero(alive & ((best == a) | (best == b))):
            best[row] = int(np.argmax(linkage[row]))
            best_value[row] = linkage[row, best[row]]
    return [group for group in groups if group]


def group_statements(
    texts: Sequence[str],
    vectors: np.ndarray,
    previous: Sequence[Sequence[int]] = (),
    scale: CosineScale = REFERENCE,
) -> list[list[int]]:
    """Groups of statement indices that say the same thing, by their vectors' cosines
    read on `scale` (the embedder's).

    `previous` are the groups of the last build (indices into `texts`) that are still
    whole: they are kept, and grow or merge only when new statements come close enough.
    """
    unique: dict[str, int] = {}
    text_of = [unique.setdefault(text, len(unique)) for text in texts]
    weights = np.bincount(text_of, minlength=len(unique)).astype(np.float32)
    first = {u: i for i, u in reversed(list(enumerate(text_of)))}
    unique_vectors = vectors[[first[u] for u in range(len(unique))]]
    rare = rare_stems(texts)
    unique_rare = [rare[first[u]] for u in range(len(unique))]
    incidence = _incidence(unique_rare)

    merge_at, word_bonus = scale.threshold(MERGE_AT), scale.gap(SHARED_WORD_BONUS)

    def linkage(rows: Sequence[Sequence[int]], columns: Sequence[Sequence[int]]) -> np.ndarray:
        return _linkage(rows, columns, unique_vectors, weights, incidence, word_bonus)

    kept: list[list[int]] = []  # groups of unique texts
    placed: set[int] = set()
    for group in previous:
        members = [u for u in dict.fromkeys(text_of[i] for i in group) if u not in placed]
        if members:
            kept.append(members)
            placed.update(members)
    waiting = [[u] for u in range(len(unique)) if u not in placed]
    for start in range(0, len(waiting), BATCH):
        batch = waiting[start : start + BATCH]
        joined = set()
        if kept:
            joined = set(np.flatnonzero((linkage(batch, kept) >= merge_at).any(axis=0)).tolist())
        pool = batch + [kept[g] for g in sorted(joined)]
        kept = [g for i, g in enumerate(kept) if i not in joined]
        for cluster in _clusters(linkage(pool, pool), merge_at, _node_weights(pool, weights)):
            kept.append([u for i in cluster for u in pool[i]])
    members_of: dict[int, list[int]] = defaultdict(list)
    for index, u in enumerate(text_of):
        members_of[u].append(index)
    return [[i for u in group for i in members_of[u]] for group in kept]


def build_cards(store: Store, embedder: Embedder) -> list[dict]:
    """All practice cards, biggest first; rows for the store's `practices` table."""
    statements = store.records("statements")
    if not statements:
        return []
    events = {d.id: d.event or d.id for d in store.documents()}
    texts = [statement_label(s) for s in statements]
    vectors = embed_cached(store, embedder, texts)
    position = {s["id"]: i for i, s in enumerate(statements)}
    last_build = store.records("practices")
    cards = []
    for polarity in ("do", "avoid"):
        rows = [i for i, s in enumerate(statements) if s["polarity"] == polarity]
        local = {row: i for i, row in enumerate(rows)}
        previous = _previous_groups(last_build, polarity, position, local)
        for group in group_statements(
            [texts[i] for i in rows], vectors[rows], previous, embedder.scale
        ):
            members = [rows[i] for i in group]
            centre = vectors[members].mean(axis=0)
            # Two statements stand equally near their mean: ties (to rounding) go to the
            # first in the store, so a label does not flip with a vector's last digits.
            order = sorted(members, key=lambda i: (-round(float(vectors[i] @ centre), 5), i))
            label = texts[order[0]]
            documents = {statements[i]["document_id"] for i in members}
            description = " ".join(dict.fromkeys(texts[i].rstrip(".") + "." for i in order[:2]))
            ids = [statements[i]["id"] for i in order]
            cards.append(
                {
                    "id": "pr-" + hashlib.sha1("|".join(sorted(ids)).encode()).hexdigest()[:10],
                    "label": label if len(label) <= 110 else label[:107].rsplit(" ", 1)[0] + "…",
                    "description": description,
                    "polarity": polarity,
                    "statement_ids": json.dumps(ids),
                    "documents": len(documents),
                    "events": len({events.get(d, d) for d in documents}),
                }
            )
    cards.sort(key=lambda c: (-c["documents"], -len(json.loads(c["statement_ids"])), c["label"]))
    return cards


def _previous_groups(
    last_build: list[dict], polarity: str, position: dict[str, int], local: dict[int, int]
) -> list[list[int]]:
    """The last build's groups of this polarity whose statements all still exist.

    A group that lost a statement (its document was updated or deleted) is left out, so
    its remaining statements are placed again rather than kept in a group that was only
    held together by the one that left.
    """
    groups = []
    for card in last_build:
        if card["polarity"] != polarity:
            continue
        ids = json.loads(card["statement_ids"])
        if all(i in position and position[i] in local for i in ids):
            groups.append([local[position[i]] for i in ids])
    return groups
