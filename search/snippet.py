"""Snippets: the passage's best sentence window, with the query's words marked."""

from __future__ import annotations

import html
import re

from ingest.normalise import name_key
from ingest.store import PassageRow
from ingest.structure import match_turn, surname
from ingest.voice import CLOSING, FIRST_PERSON, OPENING, SPEECH_VERB, asks
from search.citations import unquoted
from search.french import STOP_WORDS, fold, stem

_WORD = re.compile(r"\w+(?:[-’']\w+)*", re.U)
# A sentence ends at . ! ? or … followed by what starts one: « … et à ceux qui l'animent »
# goes on the same sentence, and a label never opens on its second half.
# Nor does « ! » or « ? » before a closing guillemet or a comma: « la plateforme
# « L'innovation territoriale en actions ! », créée en 2016 » is one sentence; so is one
# that lists « …, citoyens, etc. - » and goes on.
_SENTENCE = re.compile(r"(?<=[.!?…])(?<!etc\.)\s+(?=[^a-zà-öø-ÿ»”),;:])")


# A numbered list flattened into one line (a window: search.vectors.windows): each number
# opens an item, whose sentence the one before does not run into (« … (YLB) 9. Créer un
# dialogue… » had made the label « … (YLB) 9. »).
_NUMBERED = re.compile(r"\s+(?=\d{1,2}[.)]\s+[A-ZÀ-ÖØ-Þ«])")
_NUMBER = re.compile(r"(\d{1,2}[.)])\s+")


def split_sentences(text: str) -> list[str]:
    """A text's sentences, its line breaks and runs of spaces made single spaces."""
    flat = " ".join(text.split())
    sentences = []
    for item in _NUMBERED.split(flat):
        number = _NUMBER.match(item)  # « 9. » ends no sentence of its own
        head = number.group(1) + " " if number else ""
        parts = _SENTENCE.split(item[number.end() :] if number else item)
        sentences += [head + parts[0], *parts[1:]]
    return sentences


def _terms(query: str) -> set[str]:
    return {stem(fold(w)) for w in _WORD.findall(query) if fold(w) not in STOP_WORDS}


def _matches(word: str, terms: set[str]) -> bool:
    folded = fold(word)
    return stem(folded) in terms or any(stem(p) in terms for p in re.split(r"[-’']", folded))


def snippet(text: str, query: str, width: int = 300) -> str:
    """HTML-safe excerpt around the densest run of query words, matches in <mark>."""
    terms = _terms(query)
    flat = " ".join(text.split())
    sentences = _SENTENCE.split(flat)
    best, best_score = 0, -1
    for index, sentence in enumerate(sentences):
        score = sum(_matches(w, terms) for w in _WORD.findall(sentence))
        if score > best_score:
            best, best_score = index, score
    window = sentences[best]
    after = best + 1
    while after < len(sentences) and len(window) + len(sentences[after]) < width:
        window += " " + sentences[after]
        after += 1
    if len(window) > width * 1.5:
        window = window[: int(width * 1.5)].rsplit(" ", 1)[0] + " …"
    prefix = "… " if best > 0 else ""
    suffix = " …" if after < len(sentences) and not window.endswith("…") else ""
    return prefix + mark(window, terms) + suffix


def mark(text: str, terms: set[str]) -> str:
    out, last = [], 0
    for match in _WORD.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        word = html.escape(match.group())
        out.append(f"<mark>{word}</mark>" if _matches(match.group(), terms) else word)
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def best_sentences(text: str, query: str, width: int = 220, statements: bool = False) -> str:
    """The whole sentences of a text that hold most of the query's words, up to `width`
    characters (more if one sentence is longer): plain text, to be read as a label.

    With `statements`, the sentences that ask something are left out unless the text only
    asks: an answer's label says what the documents say, and a question shares the most
    words with a question (« Comment financer cette animation ? »)."""
    terms = _terms(query)
    sentences = split_sentences(text)
    allowed = [i for i, s in enumerate(sentences) if not (statements and asks(s))]
    allowed = allowed or list(range(len(sentences)))
    scores = [sum(_matches(w, terms) for w in _WORD.findall(s)) for s in sentences]
    best = max(allowed, key=lambda i: (scores[i], -i))
    window, after = sentences[best], best + 1
    while after in allowed and len(window) + len(sentences[after]) < width:
        window += " " + sentences[after]
        after += 1
    return window


def says_something(text: str, chars: int) -> bool:
    """Whether a text holds a sentence of at least `chars` characters that does not ask."""
    return any(len(s) >= chars and not asks(s) for s in split_sentences(text))


def opens_mid_sentence(text: str) -> bool:
    """Whether a text starts inside a sentence: a window cut after « ! » or « : »
    (« », créée en partenariat avec… », « outils numériques existants… »)."""
    first = text.lstrip()[:1]
    return bool(first) and (first.islower() or first in "»”),;:")


def last_sentence(text: str) -> str:
    """The text's last sentence, where one that runs on past the text begins."""
    return split_sentences(text)[-1]


def untitled(text: str, titles: set[str], keep: int) -> str:
    """A text without the section titles it opens on: a title has no full stop, so a
    passage's first sentence runs on from its titles (« Rencontre des coopérations
    Associer les élus La Coopérative des Prés… »). Titles are taken off while at least
    `keep` characters remain and what remains opens a sentence, in any order (a
    document's title, then its section's)."""
    stripped = True
    while stripped:
        stripped = False
        for title in titles:
            rest = text[len(title) :].lstrip(" \n\t:.–—-")
            if title and text.startswith(title) and len(rest) >= keep and _opens_sentence(rest):
                text, stripped = rest, True
    return text


# What a report tells of its own event: a meeting, a session or its participants taking
# place, being led or split up (« La session s'est déroulée en 3 temps », « Chaque groupe a
# été animé par… », « Le RAMEAU réunissait ce 26 juin… »), and thanks.
_EVENT_NARRATION = re.compile(
    r"^\W*(?:(?:la|le|les|l['’]|cette|ce|cet|chaque|un|une|nos|notre)\s+)?"
    r"(?:\d+\s*(?:e|è|ème|er|ère)\s+)?"
    r"(?:rencontres?|ateliers?|sessions?|séances?|journées?|tables?[ -]rondes?|groupes?|"
    r"participants?|réunions?|webinaires?|matinées?|débats?|échanges?|sous-groupes?|travaux)\b"
    r"[^.!?]{0,140}?\b(?:s['’]est (?:tenue?|déroulée?|ouverte?|clôturée?)|ont? eu lieu|"
    r"a (?:réuni|rassemblé|accueilli)|(?:a|ont) été (?:animée?s?|modérée?s?|organisée?s?|"
    r"illustrée?s?|répartie?s?|accueillie?s?|invitée?s?|ouverte?s?)|(?:co-)?animée?s? par|"
    r"modérée?s? par|réunissai(?:t|ent)|rassemblai(?:t|ent)|est l['’]occasion|"
    r"(?:est|a été) rendue? possible)"
    r"|^\W*(?:(?:bravo\W+(?:et\s+)?)?merci|nous remercions|nos remerciements|remerciements|"
    r"je remercie)\b"
    r"|\b(?:réunissait|a réuni|accueillait) ce \d",
    re.I,
)


def narrates_event(text: str) -> bool:
    """Whether a label tells of the event itself rather than of what was said there."""
    return bool(_EVENT_NARRATION.search(text))


# A title line: short, ending on no punctuation that ends or carries on a sentence.
TITLE_LINE_CHARS = 120
_NOT_A_TITLE_END = re.compile(r"[.!?…;,:]\s*[»”\"]?\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-•o*–—]\s|\d{1,2}[.)]\s)")


def titles_of(section: str, text: str) -> set[str]:
    """The titles a passage may open on: its section's, and the title lines it starts with
    that the section path does not keep (« Synthèse de la session animée par Bleu Blanc
    Zèbre », then « Exemple de Helen Keller », then the text). A list's items are none."""
    titles = {t for t in section.split(" › ") if t} if section else set()
    lines = text.split("\n")
    # Above its own section's title line, a passage holds only headings: those of sections
    # without text of their own (« Comment est-ce vécu par les élus locaux ? » over « La
    # perception… par un élu »), whatever their last character.
    own = section.split(" › ")[-1] if section else ""
    if own in lines[:-1]:
        titles.update(line.strip() for line in lines[: lines.index(own)])
    for line in lines[:-1]:
        line = line.strip()
        if (
            not line
            or len(line) > TITLE_LINE_CHARS
            or _NOT_A_TITLE_END.search(line)
            or _LIST_ITEM.match(line)
        ):
            break
        titles.add(line)
    return titles


def _opens_sentence(text: str) -> bool:
    """Whether `text` starts a sentence: a capital, a figure or an opening guillemet. A
    title that is the name the sentence opens on (« Pôle Coopératif du Livradois, à
    Ambert, réunit… ») is no title to strip: what is left (« , à Ambert, … ») opens none."""
    return bool(re.match(r"[«\"“\d]|[^\W\d_]", text)) and not text[:1].islower()


def _balanced(text: str) -> str:
    """The text without a guillemet that closes nothing opened in it, nor one it opens and
    never closes: a window cut inside a quotation (« …pour des réunions. » »)."""
    kept, open_at = [], []
    for char in text:
        if char in OPENING:
            open_at.append(len(kept))
        elif char in CLOSING:
            if not open_at:
                continue
            open_at.pop()
        kept.append(char)
    for index in reversed(open_at):
        del kept[index]
    return " ".join("".join(kept).split())


def spoken(label: str, speaker: str | None) -> str:
    """A speaker's label is their words: without the line that names them (« Sophie
    LAMBERT, chargée de mission : « … » »), the speaker being said beside it, nor the
    guillemets around the whole or left over from a cut."""
    return unquoted(_balanced(_unlabelled(label, speaker)))


def cited_words(passage: PassageRow) -> str:
    """What a citation of a whole passage quotes: its text without the section titles it
    opens on nor the label naming its speaker, which nobody said (« Synthèse Selon
    Sophie NGUYEN… », « Jean-Paul ROCHE, chef d'entreprise : Les entreprises… »). An
    introduction's label names the guest the moderator then speaks to: nobody said it
    either."""
    titles = titles_of(passage.section, passage.text)
    text = untitled(passage.text, titles, 1)
    text = _unlabelled(text, passage.speaker, any_name=passage.kind == "intro")
    if passage.speaker and passage.speech == "verbatim":
        return " […] ".join(their_quotes(text)) or text
    return text


# Words in guillemets or quotation marks, and what a report tells of someone's words around
# them: « "…", a témoigné X », « a-t-il expliqué », « Il a insisté sur … ».
_QUOTED = re.compile(r"«\s*([^«»]+?)\s*»|“\s*([^“”]+?)\s*”|\"\s*([^\"\n]+?)\s*\"")
_TOLD = re.compile(
    rf"\b(?:a|ont|avait|a-t-(?:il|elle))\s+(?:\w+\s+)?{SPEECH_VERB}"
    rf"|,\s*(?:{SPEECH_VERB})(?:-t-(?:il|elle))?\s+(?:[A-ZÀ-Þ]|-t-)"
)
# Fewer words in guillemets are a term the report quotes (« "démocratie participative" »,
# « le "50/50" »), not someone's words; so are words in guillemets that a sentence takes
# in as its own (« pour les "territoires pilotes de la transition" »), where someone's
# words open a sentence or follow a colon, a dash or « que ».
_SAID_WORDS = 4
_SAID_AFTER = re.compile(r"(?:^|[.!?…:;—–-]|\bque|\bqu['’])\s*$", re.I)


def their_quotes(text: str) -> list[str]:
    """A speaker's words alone, where the report tells of them around its quotations
    (« "La co-construction…", a témoigné Jean-François Caron, … qui ne veut plus… »): a
    citation or a testimony credited to the speaker quotes what they said, not the
    journalist's account. Empty when the text is their own words throughout, or speaks in
    the first person."""
    spoken = [
        next(filter(None, found.groups()))
        for found in _QUOTED.finditer(text)
        if _SAID_AFTER.search(text[: found.start()])
    ]
    spoken = [words for words in spoken if len(words.split()) >= _SAID_WORDS]
    around = _QUOTED.sub(" ", text)
    # Told in the first person, the words around are the speaker's own (« comme l'a
    # expliqué notre maire »).
    if not spoken or not _TOLD.search(around) or FIRST_PERSON.search(around):
        return []
    return spoken


def _unlabelled(text: str, speaker: str | None, any_name: bool = False) -> str:
    """`text` without the line naming `speaker` (or anyone, `any_name`) that opens it
    (« X, rôle : … »)."""
    turn = match_turn(text)
    if not (turn and turn.group("rest")):
        return text
    if any_name or (speaker and _same_surname(turn.group("name"), speaker)):
        return turn.group("rest")
    return text


def _same_surname(a: str, b: str) -> bool:
    """Two spellings of one surname, spaces, hyphens and accents aside: a line break in a
    compound name (« Marie LECLERC- BRUANT ») leaves its two halves apart."""
    return _compact(a).endswith(_compact(surname(b))) or _compact(b).endswith(_compact(surname(a)))


def _compact(name: str) -> str:
    return name_key(name).replace(" ", "")


# Words that link the names of a list (« Union Nationale des Acteurs et Structures du
# Développement Local »): lower case, yet no prose.
LINKERS = frozenset("de des du la le les l d et en au aux a par pour sur avec un une".split())


def in_prose(text: str, names: set[str] = frozenset(), words: int = 4) -> bool:
    """At least `words` words the text writes in lower case, linking words and the words
    of `names` aside: a list of names (« l'UNADEL • Cluster Jura • Le Catalyseur • … »,
    « Observatoire des territoires, Carrefour des Innovations Sociales ») has fewer."""
    own = {w for name in names for w in re.findall(r"\w+", name)}
    lower = [fold(w) for w in re.findall(r"[^\W\d_]{2,}", text) if w[0].islower()]
    return sum(1 for w in lower if w not in LINKERS and w not in own) >= words
