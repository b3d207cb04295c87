"""Does a typo change what comes back? The three sets' French questions, typed the way
users type them, against the same questions spelled right.

Each question is folded (no accents, as on a phone or an English keyboard) and, with a
fixed seed, one word in two of seven letters or more takes one edit: a letter dropped,
doubled, or two swapped. The script reports how many of the clean question's top 10 the
noisy one keeps, and both nDCG@10, with the query's respelling for the embedder
(search.respell) and without it.

    RECUEIL_DATA=… python eval/typo_robustness.py
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ingest.normalise import unaccented  # noqa: E402
from ingest.store import open_store  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.evaluate import K, load, score  # noqa: E402
from search.language import looks_english  # noqa: E402

SETS = ("queries.jsonl", "hard_queries.jsonl", "holdout_queries.jsonl")
MIN_LETTERS = 7


def typed(question: str, rng: random.Random) -> str:
    """The question without accents, one word in two of MIN_LETTERS or more mistyped."""
    words = unaccented(question).split(" ")
    for at, word in enumerate(words):
        if len(word) >= MIN_LETTERS and word.isalpha() and rng.random() < 0.5:
            i = rng.randrange(1, len(word) - 2)
            edit = rng.choice(("drop", "double", "swap"))
            if edit == "drop":
                word = word[:i] + word[i + 1 :]
            elif edit == "double":
                word = word[: i + 1] + word[i:]
            else:
                word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            words[at] = word
    return " ".join(words)


def main() -> None:
    engine = SearchEngine(open_store(Path(os.environ.get("RECUEIL_DATA", "data"))))
    rng = random.Random(0)
    questions = [
        q for name in SETS for q in load(HERE / name) if q.gold and not looks_english(q.query)
    ]
    noisy = {q.id: typed(q.query, rng) for q in questions}
    respell = engine.respell
    for label, respelling in (("respelled", respell), ("as typed", lambda query: query)):
        engine.respell = respelling
        kept = clean_ndcg = noisy_ndcg = 0.0
        for q in questions:
            clean_hits = engine.search(q.query, K)
            noisy_hits = engine.search(noisy[q.id], K)
            ids = {h.passage.id for h in clean_hits}
            kept += len(ids & {h.passage.id for h in noisy_hits}) / max(1, len(ids))
            clean_ndcg += score(clean_hits, q.gold)["ndcg@10"]
            noisy_ndcg += score(noisy_hits, q.gold)["ndcg@10"]
        n = len(questions)
        print(
            f"{label:<10} {n} questions: top {K} kept {kept / n:.3f}, "
            f"nDCG@10 clean {clean_ndcg / n:.3f}, noisy {noisy_ndcg / n:.3f}"
        )
    engine.respell = respell


if __name__ == "__main__":
    main()
