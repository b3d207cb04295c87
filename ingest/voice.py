"""Whose voice a paragraph is in: the speaker's, or the report's around their words.

A report that gives a person's words in guillemets (« Marie DUPONT, maire : « … » »)
speaks again in its own voice once the quotation closes, and proceedings that quote a
guest's first words often go on with the rest of the answer unquoted. French writing
tells the two apart by a few conventions, read here on the paragraph's first words:

- an editorial line is never anyone's words: « Publié par la mairie, … », « Source : … »,
  « Crédit photo : … », « Propos recueillis par … »;
- the report's account speaks of people in the third person (« Elle a depuis pris la
  tête du réseau », « La commune a ensuite lancé … ») or of its sources (« Selon le
  rapport, … »), or introduces another person (« Paul Durand, son adjoint, … »);
- a speaker going on says « je », « nous », « on »; a report carrying their words on uses a
  speech verb (« Elle a ajouté que … », « Selon elle, … »): both stay with the speaker.
"""

from __future__ import annotations

import re

from ingest.names import NAME, TITLE_NAME

# « je », « nous », « mon »…: the speaker's own voice (« on » is read apart: it is also
# the impersonal pronoun of a report's instructions).
FIRST_PERSON = re.compile(r"(?:\b(?:je|me|moi|mon|ma|mes|nous|notre|nos)\b|\bj[’'])", re.I)
_ON = re.compile(r"\bon\b", re.I)
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”")
# Where one sentence ends and the next begins (a capital, a figure or an opening quote).
_SENTENCES = re.compile(r"(?<=[.!?…])\s+(?=[«\"“A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ0-9])")

# A byline, a source or a credit: the publisher's voice, whatever precedes it.
_EDITORIAL = re.compile(
    r"^(?:publiée?s?\s+(?:le|par|sur|dans)|rédigée?s?\s+par|mise?s?\s+(?:en\s+ligne|à\s+jour)"
    r"|propos\s+recueillis|sources?\s*:|crédits?(?:\s+photos?)?\s*:|photos?\s*:|légende\s*:"
    r"|(?:lire|voir)\s+aussi\b|pour\s+en\s+savoir\s+plus\b|en\s+savoir\s+plus\b)",
    re.I,
)
# Verbs by which a report carries a person's words on (« Elle a ajouté que … »).
SPEECH_VERB = (
    r"(?:(?:expliqu|soulign|ajout|rappel|déclar|indiqu|précis|estim|insist|affirm|racont|"
    r"témoign|confi|résum|observ|not|regrett|plaid|assur|martel)(?:é|ée|e|ait|ent)"
    r"|averti|conclu|poursuivi|répondu|reconnu|admis|dit|mis\s+en\s+avant|fait\s+valoir)\b"
)
# An auxiliary of a past tense, then what is not a speech verb, maybe after an adverb.
_PAST = (
    r"(?:a|ont|avait|avaient|s[’']est|se\s+sont|s[’']était)\s+"
    rf"(?!(?:\w+\s+)?{SPEECH_VERB})(?:\w+\s+)?"
)
# « Il a depuis pris … », « Elle est maire depuis 2014 »: the report speaks of someone;
# not the impersonal « il a fallu », « il est important de ».
_PRONOUN_ACCOUNT = re.compile(
    rf"^(?:il|elle)s?\s+(?!a\s+fallu\b)(?:{_PAST}\w"
    r"|(?:est|était)\s+(?!\w+\s+(?:de|d[’']|que|qu[’'])\s))",
    re.I,
)
# « La commune a ensuite lancé … », « Le réseau s'est doté … »: a subject of the third
# person, then a past tense, at the paragraph's start.
_NOUN_ACCOUNT = re.compile(
    rf"^(?:la|le|les|l[’']|cette|ce|cet|ces|son|sa|ses|leur|leurs)\s*[\w’'-]+"
    rf"(?:\s+[\w’'-]+){{0,4}}?\s+{_PAST}\w+(?:é|ée|és|ées|i|is|ie|it|u|ue|us|int|ert|ait)\b",
    re.I,
)
# « Selon le rapport, … », « D'après l'étude, … »: the report cites a source, not the
# speaker (« Selon elle, … » reports the speaker's view and stays theirs).
_SOURCE = re.compile(r"^(?:selon|d[’']après)\s+(?!(?:elle|lui|eux|elles)\b)\S", re.I)
# « Paul Durand, son adjoint, … », « Paul Durand a … »: another person is introduced.
_OTHER_PERSON = re.compile(rf"^(?:{NAME}|{TITLE_NAME})\s*(?:,|\s(?:a|est|avait)\s)")
# « Elle a ajouté que … », « Il précise que … », « Selon elle, … »: the report gives the
# speaker's words in its own voice (their words in guillemets after a colon stay theirs).
_CARRIED_ON = re.compile(
    rf"^(?:(?:selon|pour|d[’']après)\s+(?:elle|lui)\b"
    rf"|(?:il|elle)\s+(?:(?:a|avait)\s+)?(?:\w+\s+)?{SPEECH_VERB}(?![^«“]*:\s*[«“]))",
    re.I,
)


def carries_words_on(text: str) -> bool:
    """The report goes on with the speaker's words in the third person: their account,
    not their own words."""
    return bool(_CARRIED_ON.match(text.strip()))


def is_editorial(text: str) -> bool:
    """A byline, a source, a credit: the publisher's line, never a speaker's words."""
    return bool(_EDITORIAL.match(text.strip()))


def speaks_in_first_person(text: str) -> bool:
    """The paragraph's own words (outside any quotation it holds) say « je », « nous » or
    « on »: a speaker's voice."""
    own = _QUOTED.sub(" ", text)
    return bool(FIRST_PERSON.search(own) or _ON.search(own))


def is_report_voice(text: str) -> bool:
    """The paragraph opens as a report's account of someone or of its sources, and never
    speaks in the first person: the words around a quotation, not the quoted person's."""
    text = text.strip()
    opens = (
        _PRONOUN_ACCOUNT.match(text)
        or _NOUN_ACCOUNT.match(text)
        or _SOURCE.match(text)
        or _OTHER_PERSON.match(text)
    )
    return bool(opens) and not speaks_in_first_person(text)


# Quotation marks that open and close a quotation, French and English.
OPENING, CLOSING = "«“", "»”"
# An opening mark after a full stop that ends the paragraph opens nothing: it is a closing
# one mistyped (« … la gestion d'un lieu. « », then the report's next paragraph), and read
# as an opening, it carried the speaker's words on over the report's.
_MISTYPED_CLOSING = re.compile(r"(?<=[.!?…])\s*«\s*$")


def ends_on_mistyped_closing(text: str) -> bool:
    """The text ends on an opening mark after its full stop, a closing one mistyped."""
    return bool(_MISTYPED_CLOSING.search(text))


def guillemets_opened(text: str) -> int:
    """How many « the text leaves open (« minus »), a mistyped closing one counted as
    closing."""
    mistyped = 2 if ends_on_mistyped_closing(text) else 0
    return text.count("«") - text.count("»") - mistyped


def closing_of(text: str) -> int | None:
    """Where the quotation `text` opens on (its first character is an opening mark)
    closes: the index of the mark that brings it back to none open; None when it never
    closes in `text`."""
    depth = 0
    last = len(text.rstrip()) - 1 if ends_on_mistyped_closing(text) else -1
    for index, char in enumerate(text):
        depth += (char in OPENING and index != last) - (char in CLOSING or index == last)
        if depth == 0:
            return index
    return None


_WHOLE_QUOTATION = re.compile(
    r"^(?:[^«»“”]{0,300}:\s*)?[«“][^«»“”]*(?:[»”]|[.!?…]\s*«)\s*[.!?…]?$", re.S
)
_CLOSING = re.compile(r"(?:[»”]|[.!?…]\s*«)\s*[.!?…]?$")


def closes_quotation(text: str, was_open: bool) -> bool:
    """The paragraph ends the speaker's words in guillemets: it is a quotation whole
    (« … » or « Name, role : « … » »), or it closes one an earlier paragraph opened (the
    last item of a quoted list). The report may then speak again in its own voice."""
    text = text.strip()
    return bool(_WHOLE_QUOTATION.match(text) or (was_open and _CLOSING.search(text)))


def asks(sentence: str) -> bool:
    """Whether a sentence is a question (« Qui finance ? »)."""
    return sentence.rstrip(' »"”)').endswith("?")


# The words a question opens on: « comment … », « pourquoi … », « qu'est-ce que … ».
_INTERROGATIVE = re.compile(
    r"^(?:comment|pourquoi|quand|où|combien|quel(?:le)?s?|lequel|laquelle|lesquel(?:le)?s|"
    r"qu[’']est-ce|est-ce)\b",
    re.I,
)


def is_question_clause(text: str) -> bool:
    """Whether a clause asks (« comment avez-vous convaincu … ? »): by its question mark,
    or by its interrogative word when a length limit cut it before the mark."""
    return asks(text) or bool(_INTERROGATIVE.match(text.strip()))


def only_asks(text: str) -> bool:
    """Whether every sentence of a text is a question: a moderator's « Madame Lefort,
    comment avez-vous convaincu… ? » asks; what someone said of the matter does not."""
    sentences = [s for s in _SENTENCES.split(text.strip(' «»"“”')) if s.strip()]
    return bool(sentences) and all(asks(s) for s in sentences)
