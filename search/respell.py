"""A French query as the collection spells it, for the embedder.

Lexical search folds accents and tolerates typos (search.spelling), but the embedder
reads the query as typed: « comment mobilizer les ellus locaux » landed near the Caisse
d'épargne's microcredit, « mobiliser les élus locaux » near the passages on élus. So before
a query is embedded, each of its words is respelled:

- typed without accents, a word the collection only writes with them takes its spelling
  (« elus » → « élus », « caise » stays for the next rule), unless the two differ by a
  final « é » alone (« pense » / « pensé », « utilise » / « utilisé »: a verb's person, not
  a spelling);
- a word neither the collection nor French knows (search.lexicon) takes the nearest
  spelling the collection has (« ellus » → « élus », « financment » → « financement »).

Words typed with an accent are left as meant, so are acronyms, capitalised words past
the first (names) and English questions (search.language), whose words are no French
typos.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from ingest.normalise import fold
from search.bm25 import BM25

_WORD = re.compile(r"[^\W\d_]+")
MIN_LETTERS = 3  # « a » / « à », « ou » / « où »: too short to tell a spelling
SAMPLE = 12  # texts read to learn how the collection spells a word
MEMO = 100_000  # words whose respelling is kept
DOMINANT = 0.8  # share of those spellings one must have to be the collection's
# Letters folding strips of their accents, ligatures first (search.french folds « œ » to
# « oe »): a folded word's letters → what the texts may write in their place.
_ACCENTED = {
    "oe": "(?:oe|œ)",
    "ae": "(?:ae|æ)",
    "a": "[aàâä]",
    "c": "[cç]",
    "e": "[eéèêë]",
    "i": "[iîï]",
    "o": "[oôö]",
    "u": "[uùûü]",
    "y": "[yÿ]",
}
_FOLDED_LETTERS = re.compile("|".join(_ACCENTED))
_ACCENTABLE = frozenset("AEIOUYC")


class Respeller:
    """Respells queries' words (memoised: a word's respelling depends on the collection
    alone)."""

    def __init__(
        self,
        index: BM25,
        text_of: Callable[[int], str],
        french: Callable[[], frozenset[str]],
    ):
        """`text_of`: a row's text; `french`: the folded French words, read on first need."""
        self._index = index
        self._text_of = text_of
        self._french = french
        self._memo: dict[str, str] = {}

    def __call__(self, query: str) -> str:
        def respelled(match: re.Match[str]) -> str:
            word = match.group(0)
            if word.isupper() or (match.start() and word[0].isupper()):
                return word  # an acronym, a name
            lower = word.lower()
            if lower not in self._memo:
                if len(self._memo) >= MEMO:
                    self._memo.clear()  # a server's users type more words than it keeps
                self._memo[lower] = self._respelled(lower)
            spelled = self._memo[lower]
            if spelled == lower:
                return word
            return spelled[0].upper() + spelled[1:] if word[0].isupper() else spelled

        return _WORD.sub(respelled, query)

    def _respelled(self, word: str) -> str:
        folded = fold(word)
        if folded != word or len(word) < MIN_LETTERS:
            return word
        rows = self._index.word_rows(folded)
        if len(rows):
            return self._collection_spelling(folded, word, rows)
        if folded in self._french():
            return word
        near = self._index.nearest_word(folded)
        return self._collection_spelling(near, near, self._index.word_rows(near)) if near else word

    def _collection_spelling(self, folded: str, typed: str, rows: np.ndarray) -> str:
        """How the texts holding a folded word (`rows`) write it, if they agree (DOMINANT)
        and do not also write it as typed."""
        pattern = _spellings_of(folded)
        spellings: Counter[str] = Counter()
        for row in rows[:SAMPLE]:
            found = pattern.findall(self._text_of(int(row)))
            spellings.update(word.lower() for word in found if _accents_kept(word))
        if not spellings or typed in spellings:
            return typed
        spelling, count = spellings.most_common(1)[0]
        if count < DOMINANT * spellings.total() or _inflection(spelling, typed):
            return typed
        return spelling


def _spellings_of(folded: str) -> re.Pattern[str]:
    """A folded word's spellings, accented or not, in any case: « elus » → « élus »,
    « Elus »; « oeuvre » → « œuvre »."""
    pattern = _FOLDED_LETTERS.sub(lambda letters: _ACCENTED[letters.group(0)], folded)
    return re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE)


def _accents_kept(word: str) -> bool:
    """Whether a written word shows all its accents: capitals often drop theirs (« ELUS »,
    « Economie »), « Dépôts » keeps its own."""
    return word[0].islower() or (not word.isupper() and word[0] not in _ACCENTABLE)


def _inflection(spelling: str, typed: str) -> bool:
    """Whether two words differ by a final « é » (or « és ») alone."""
    return re.sub(r"é(s?)$", r"e\1", spelling) == typed
