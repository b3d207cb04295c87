"""French text analysis for lexical search: the same function for passages and queries.

Steps: split elisions (l’, d’, qu’…), lower-case, fold accents, drop stop words, Snowball
French stemming. Accents are folded *before* stemming so that "elus" typed without
accents and "élus" in the text reach the same stem.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from ingest.normalise import fold

_STEMMER = Stemmer.Stemmer("french")
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’‘`]", re.I)
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# French function words (folded), plus the commonest English ones for English queries.
# Compound prepositions count by their parts and as a whole (« au-delà »: dela, audela).
STOP_WORDS = frozenset(
    """
    a au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les
    leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que
    qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y ete etre avoir ai as
    avons avez ont est sont etait etaient sera seront fait faire plus moins tres ainsi
    donc or ni car si comme quand dont celle celui ceux celles cela ca ici la-bas tout tous
    toute toutes autre autres aussi bien entre chez sans sous vers apres avant depuis
    pendant lors afin quel quelle quels quelles comment pourquoi quoi
    dela audela pardela dessus dessous audessus audessous aupres parmi selon
    the of and to in for on with by is are was were be been an as at or from that this
    these those it its how what which who why do does did can
    """.split()
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Folded word forms, elisions split off, before stop-word removal and stemming."""
    text = _ELISION.sub(" ", text)
    tokens = []
    for token in _TOKEN.findall(fold(text)):
        # Hyphenated compounds count as their parts and as the whole ("co-construction").
        if "-" in token:
            tokens.extend(part for part in token.split("-") if part)
            tokens.append(token.replace("-", ""))
        else:
            tokens.append(token)
    return tokens


def index_words(text: str) -> list[str]:
    """The folded words of a text that are indexed: no stop words, no single letters."""
    return [w for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def analyse(text: str) -> list[str]:
    """Text → stemmed, folded index terms without stop words."""
    return [stem(w) for w in index_words(text)]
