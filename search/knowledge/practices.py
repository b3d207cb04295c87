"""Practice cards: statements that say the same thing, grouped across documents and events.

Statements are embedded (short texts, cached in the store like passage vectors) and
grouped by average-linkage clustering on cosine similarity, separately for what to do and
what to avoid. A card's label is its most central statement, cleaned of list markers and
participants' initials; its evidence is every statement, each with its exact excerpt.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import numpy as np

from ingest.extract.practices import strip_list_marker
from ingest.store import Store
from search.embedders.base import Embedder
from search.french import analyse
from search.knowledge.vectorcache import embed_cached

# Two groups merge while their statements are this similar on average. e5-small cosines
# are compressed: half of all statement pairs are above 0.86, paraphrases of one advice
# above 0.95, and pairs between 0.92 and 0.95 mix same-advice with same-topic; sharing
# content words (stems used by under 5% of statements) tips those over.
MERGE_AT = 0.945
SHARED_WORD_BONUS = 0.02
COMMON_STEM_SHARE = 0.05
_NOTES = re.compile(r"\s*\((?:[+]+|[A-Z]{1,4}(?:\s*[,/]\s*[A-Z]{1,4})*|\+*\s*\)?)\)|\s*\(\+*\)")


def clean_statement(text: str) -> str:
    """'- B2 : Mobiliser les parties prenantes avant le projet (+++++)' → 'Mobiliser …'."""
    text = _NOTES.sub("", strip_list_marker(text)).strip(" -–;,.")
    return text[:1].upper() + text[1:]


def similarity(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """Cosine, plus a small bonus per shared uncommon content word (at most two)."""
    stems = [set(analyse(text)) for text in texts]
    counts = Counter(stem for words in stems for stem in words)
    common = {stem for stem, n in counts.items() if n > COMMON_STEM_SHARE * len(texts)}
    rare = [words - common for words in stems]
    shared = np.array([[min(2, len(a & b)) for b in rare] for a in rare], dtype=np.float32)
    return vectors @ vectors.T + SHARED_WORD_BONUS * shared


def _clusters(similarities: np.ndarray) -> list[list[int]]:
    """Average-linkage agglomerative clustering, stopping below MERGE_AT."""
    groups = [[i] for i in range(len(similarities))]
    if len(similarities) < 2:
        return groups
    linkage = similarities.copy()
    np.fill_diagonal(linkage, -1.0)
    alive = list(range(len(groups)))
    while len(alive) > 1:
        sub = linkage[np.ix_(alive, alive)]
        flat = int(np.argmax(sub))
        a, b = alive[flat // len(alive)], alive[flat % len(alive)]
        if sub.flat[flat] < MERGE_AT:
            break
        size_a, size_b = len(groups[a]), len(groups[b])
        merged = (linkage[a] * size_a + linkage[b] * size_b) / (size_a + size_b)
        linkage[a, :], linkage[:, a] = merged, merged
        linkage[a, a] = -1.0
        groups[a] += groups[b]
        groups[b] = []
        alive.remove(b)
    return [group for group in groups if group]


def build_cards(store: Store, embedder: Embedder) -> list[dict]:
    """All practice cards, biggest first; rows for the store's `practices` table."""
    statements = store.records("statements")
    if not statements:
        return []
    events = {d.id: d.event or d.id for d in store.documents()}
    texts = [clean_statement(s["text"]) for s in statements]
    vectors = embed_cached(store, embedder, texts)
    cards = []
    for polarity in ("do", "avoid"):
        rows = [i for i, s in enumerate(statements) if s["polarity"] == polarity]
        for group in _clusters(similarity(vectors[rows], [texts[i] for i in rows])):
            members = [rows[i] for i in group]
            centre = vectors[members].mean(axis=0)
            order = sorted(members, key=lambda i: -float(vectors[i] @ centre))
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
