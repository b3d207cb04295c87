"""English words of the field, in French: evidence that an English question is on the subject.

The documents are French, so an English question (« how to get elected officials on
board ») shares no word with them and used to be refused as unknown words
(search.relevance), dense search alone standing no higher for it than for « how old is
Taylor Swift ». Its words, once in French (« élus »), say whether the documents speak of
it at all. They decide that only: added to the ranking's lexical query they helped the
questions they were written for and no others (docs/EVALUATION.md).

`glossary_en_fr.json` (777 words) was written by a helper who saw neither the documents
nor any evaluation question, from a description of the field: territorial cooperation,
local authorities, associations, companies, funding, evaluation.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_GLOSSARY = Path(__file__).with_name("glossary_en_fr.json")


@cache
def _glossary() -> dict[str, str]:
    return json.loads(_GLOSSARY.read_text(encoding="utf-8"))


def in_french(query: str) -> str | None:
    """The query with the English words the glossary knows in French, the others as they
    are (an unknown word still weighs in what a passage must match), or None when the
    glossary knows none of its words."""
    glossary = _glossary()
    words = [w for w in re.findall(r"[\w’'-]+", query.lower()) if w not in _FUNCTION_WORDS]
    if not any(w in glossary for w in words):
        return None
    return " ".join(glossary.get(w, w) for w in words)


# English words that carry no subject: left in, each weighed as a word the documents never
# use, and « how to get young people from the neighbourhood into jobs? » matched less
# than a third of its weight though « jeunes », « quartier » and « emplois » are the
# documents' words.
_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for from into with without about over under between "
    "and or but if than as so this that these those there here it its is are was were "
    "be been being do does did done have has had can could should would will shall may "
    "might must how what which who whom whose when where why i we you he she they me us "
    "him her them my our your his their some any more most other such not no get gets "
    "getting got make makes making".split()
)
