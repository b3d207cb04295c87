"""When to say « aucun résultat pertinent » instead of ranking whatever comes closest.

Fused scores are relative: the collection's best match to « xyzzyqq blorf » still gets a
confident z-score. Two absolute signals say whether there is evidence at all:

- the share of the question's weight (IDF) a passage's words match, typos tolerated
  (search.bm25.BM25.matched_share): zero when no word of the question occurs there;
- how far the passage's meaning stands above the collection's for this question
  (the dense z-score);
- for an English question, the share of its weight a passage matches once its words are
  in French (search.english): a third at least, so that « best pizza dough recipe »
  (« bonnes ») is not on the subject when « elected officials » (« élus ») is.

A question none of whose words the collection knows is answered only by a passage whose
meaning stands out very clearly; a passage that shares no word with the question must
stand out clearly too. Thresholds were read off the evaluation sets' answerable and
unanswerable questions (docs/EVALUATION.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A question of unknown words, even in French: its best passage must stand this far above
# the collection. 4.0 let « how many calories are in a banana ? » through (4.1); no question
# on the subject of the four sets lacks every word, and none stood above 4.22.
UNKNOWN_WORDS_DENSE_Z = 4.5
# A passage sharing no word with the question must stand this far above the collection.
NO_WORD_DENSE_Z = 2.0
# Below this many characters a passage's meaning is no evidence: a few words embed near
# everything vague (« - Tempo », « QPV • Soutiens du CGET » were the closest passages to
# « asdfgh qwerty zzz », 4 deviations above the collection). Its words still are.
DENSE_MIN_CHARS = 80
# An English question's share matched in French that is evidence (see the docstring).
IN_FRENCH_SHARE = 1 / 3

NO_WORD_KNOWN = "aucun mot de la question n'apparaît dans les documents"
ONLY_COMMON_WORDS = (
    "la question ne contient que des mots trop courants pour être cherchés (le, de, et…)"
)
NOTHING_RELEVANT = "aucun passage ne répond à la question au-dessus du seuil de pertinence"
NO_PASSAGE_FILTERED = "aucun passage ne correspond aux filtres"


def stranger(name: str) -> str:
    """Why a question about a person no document names gets no one else's words."""
    return f"« {name} » n'apparaît dans aucun document"


@dataclass
class Evidence:
    share: np.ndarray  # per passage row, the share of the question's weight matched
    dense_z: np.ndarray | None  # per passage row (candidates only), or None without dense
    short: np.ndarray  # per passage row, whether it is under DENSE_MIN_CHARS
    has_words: bool = True  # whether the question has a word to look up, not only « le »
    in_french: np.ndarray | None = None  # per passage row, `share` of the question in French

    @property
    def matched(self) -> np.ndarray:
        """Per passage row, whether it matches the question's words, or enough of them
        once in French."""
        if self.in_french is None:
            return self.share > 0
        return (self.share > 0) | (self.in_french >= IN_FRENCH_SHARE)

    def keep(
        self, rows: np.ndarray, designated: np.ndarray | None = None
    ) -> tuple[np.ndarray, str | None]:
        """The candidate rows with evidence enough, or none and the reason why. The
        passages of a person the question designates (« que dit l'adjoint au maire de
        Lille ? ») are evidence by that alone: their words need not repeat the role's."""
        if designated is not None and len(designated):
            kept, _ = self.keep(np.setdiff1d(rows, designated))
            return np.union1d(kept, np.intersect1d(rows, designated)), None
        if not len(rows):
            return rows, NOTHING_RELEVANT
        if not self.has_words:
            return rows[:0], ONLY_COMMON_WORDS  # « de la » means nothing, near as it embeds
        matched = self.matched
        if self.dense_z is None:
            kept = rows[matched[rows]]
            return kept, None if len(kept) else NO_WORD_KNOWN
        dense_z = np.where(self.short[rows], -np.inf, self.dense_z[rows])
        if not matched.any() and dense_z.max() < UNKNOWN_WORDS_DENSE_Z:
            return rows[:0], NO_WORD_KNOWN
        kept = rows[matched[rows] | (dense_z >= NO_WORD_DENSE_Z)]
        return kept, None if len(kept) else NOTHING_RELEVANT
