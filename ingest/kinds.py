"""What each block is for: content, or the furniture of a report around it.

Search must answer with what people said and advised, not with the programme, the list of
participants or a footnote; but a user who asks for the programme must still find it. So
every block gets a kind, passages never mix kinds, and search ranks by them:

- ``text``: content (talks, answers, summaries, advice);
- ``intro``: a moderator's question, a guest's introduction, a speaker's label line, a
  report's header line (« Rencontre…, Rennes, 5 avril 2023 »);
- ``programme``: timetable lines and the programme part of a document;
- ``participants``: lists of people with their role or organisation;
- ``questions``: lists of questions or topics (workshop subjects, questionnaires);
- ``toc``: a table of contents;
- ``references``: a bibliography;
- ``note``: footnotes; ``link``: a line that is only a pointer to a web page;
- ``chrome``: a web page's own furniture (comment form, sharing, navigation).

``note``, ``link`` and ``chrome`` are never search results (NOT_SEARCHED); ``chrome`` is
not even kept as a passage.
"""

from __future__ import annotations

import re

from ingest.clean import ADDRESS_PIECE, CREDIT_LINE, TIMETABLE, URL, timetable_runs
from ingest.metadata import DATE
from ingest.names import NAME, TITLE_NAME
from ingest.structure import Structured

CONTENT = "text"
KINDS = (
    CONTENT,
    "intro",
    "programme",
    "participants",
    "questions",
    "toc",
    "references",
    "note",
    "link",
    "chrome",
)
NOT_SEARCHED = frozenset({"note", "link", "chrome"})
DROPPED = frozenset({"chrome"})

_BULLET = re.compile(r"^(?:[-–—•▪◦●■□➢➤►*]|o(?=\s)|\d{1,2}[.)])\s*")
# A heading or a label line (« Liste des participants : », « Références : ») that opens
# a list of one kind; the list runs to the next heading, or to the first line that does
# not fit it.
_LISTS = {
    # « Sont intervenus de nombreux acteurs… : », « Étaient présents : » too.
    "participants": re.compile(
        r"^(?:annexes?\s*[-–:]\s*)?(?:liste des |co-?)?"
        r"(?:participants|intervenants|invités|animateurs|panélistes)\b"
        r"|^(?:(?:ils|elles) )?(?:sont|ont) (?:intervenu|participé)|^étaient (?:présent|représenté)"
        r"|^en présence d",
        re.I,
    ),
    "programme": re.compile(r"^(?:programme|déroulé|ordre du jour|agenda)\b", re.I),
    # « 37 sujets proposés par les participants », « Questions posées au panel : »
    "questions": re.compile(
        r"^(?:\d+\s+)?(?:sujets?|thèmes?|questions?)\s+(?:proposé|posé|abordé|soulevé|"
        r"retenu|de (?:travail|réflexion|discussion|débat))",
        re.I,
    ),
    "toc": re.compile(r"^(?:sommaire|table des matières|contents)\b", re.I),
    "references": re.compile(
        r"^(?:références|bibliographie|sources|pour aller plus loin|ressources)\b", re.I
    ),
}
_NAMED_LINE = re.compile(
    rf"^(?:(?:Animat\w*|Modérat\w*|Excusée?)\s*:\s*)?(?:{NAME}|{TITLE_NAME}|[A-Z]{{2,4}},\s*\w+)"
    r"\s*[,–(-].{0,200}$",
    re.S,
)
# A label line opening a list (« Sont intervenus de nombreux acteurs du développement des
# alliances territoriales : ») is at most this long; a longer one is a sentence.
LABEL_LINE_CHARS = 120
# An item of a list of participants that names an organisation, not a person (« Cosoter
# représenté par Cécile Dublanche (directrice) », « l'Avise »): a short line, one sentence.
WHO_ITEM_CHARS = 160
_SENTENCE_BREAK = re.compile(r"[.!?]\s+\S")
# A report's header line: what, where and when, ending on the date, within its first
# blocks. It introduces the report (its event, place and date are the document's
# metadata); a passage of it is no answer.
HEADER_BLOCKS = 4
_DATELINE = re.compile(
    rf"^[^.!?]{{3,160}}?,\s*(?:le\s+)?{DATE.pattern}\s*\.?$"
    # « Rencontre organisée par le réseau … / Le 14 mars 2024, à la salle des fêtes de
    # Saint-Affrique (Aveyron) »: a short block holding a date and no sentence's end.
    rf"|^(?=[^.!?]*{DATE.pattern})[^.!?]{{3,220}}$",
    re.I,
)
# A line crediting who animates is a name and a role, not a paragraph.
CREDIT_CHARS = 160
_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|\s{3,})\s*\d{1,3}$")
_REFERENCE_LINE = re.compile(r"[«\"“].+[»\"”]|https?://|\b(?:19|20)\d{2}\b")
# The furniture of a blog or a CMS page. A comment form's first line starts the page's
# tail (the form, then readers' comments): everything after it is chrome. The other
# pieces (a byline, sharing buttons, navigation) are chrome line by line, and only as
# short lines: a sentence of the report that opens « Publié par la mairie, ce guide… »
# is kept, and what follows a byline is never lost.
_COMMENT_FORM = re.compile(
    r"^(?:laisser un commentaire|laisser une réponse|votre adresse (?:e-?mail|de messagerie)|"
    r"les champs obligatoires|enregistrer mon nom|\d+ (?:thoughts?|réponses?|commentaires?) "
    r"(?:on|sur|à))",
    re.I,
)
_CHROME_LINE = re.compile(
    r"^(?:partager(?: sur| cet article)?\s*:?$|share this|j['’]aime(?: ceci)?$|"
    r"articles? (?:récents|similaires|précédent|suivant)|navigation (?:des|de l['’])|"
    r"aller au contenu|rechercher\s*:?$|catégories\s*:?$|étiquettes\s*:?$|"
    r"publié (?:le|par) [^,;]*$|propulsé par|proudly powered|répondre$|reply$)",
    re.I,
)
CHROME_LINE_CHARS = 90
_QUESTION = re.compile(r"\?\s*[»\"”)]?\s*(?:\([^)]*\))?\s*$")


def block_kinds(items: list[Structured]) -> list[str]:
    """One kind per structured block, in order."""
    kinds: list[str] = []
    in_chrome = False
    listing: str | None = None  # the kind of list the current lines belong to
    for index, item in enumerate(items):
        block, text = item.block, item.block.text.strip()
        if block.kind == "note":
            kinds.append("note")
            continue
        # A byline (« Publié le 3 février 2025 par … ») is the page's, though dated.
        chrome_line = len(text) <= CHROME_LINE_CHARS and bool(_CHROME_LINE.match(text))
        header = index < HEADER_BLOCKS and block.kind == "paragraph" and not chrome_line
        if header and _DATELINE.match(text):
            kinds.append("intro")  # « Rencontre régionale…, Rennes, 5 avril 2023 »
            continue
        if _COMMENT_FORM.match(text):
            in_chrome = True  # everything after a comment form's first line is the form
        if in_chrome or chrome_line:
            kinds.append("chrome")
            continue
        opened = _list_opened_by(item, text)
        if block.kind == "heading":
            listing = opened
        elif opened and len(text) <= LABEL_LINE_CHARS and text.endswith(":"):
            listing = opened
            kinds.append(opened)
            continue
        elif listing and not _fits(listing, item, text):
            listing = None  # the list ends at the first line that does not belong to it
        kinds.append(listing if listing and block.kind != "heading" else _kind(item, text))
    return _questions_in_runs(items, _timetables(items, kinds))


def _timetables(items: list[Structured], kinds: list[str]) -> list[str]:
    """A timetable is programme from its first slot to its last, whatever heads it: the
    lines between two slots (who speaks, what the session is about) are the programme's,
    not an account of the event."""
    out = list(kinds)
    for first, last in timetable_runs([item.block for item in items]):
        for index in range(first, last + 1):
            if out[index] not in NOT_SEARCHED:
                out[index] = "programme"
    return out


def _list_opened_by(item: Structured, text: str) -> str | None:
    """The kind of list a heading or a label line announces, if any."""
    if item.block.kind not in ("heading", "paragraph") or item.speaker:
        return None
    return next((kind for kind, pattern in _LISTS.items() if pattern.search(text)), None)


def _fits(listing: str, item: Structured, text: str) -> bool:
    """Whether a line goes on with the list it follows."""
    bare = _BULLET.sub("", text)
    if listing == "participants":
        named = bool(_NAMED_LINE.match(bare))
        who = (
            item.block.kind == "item"
            and len(bare) <= WHO_ITEM_CHARS
            and not _SENTENCE_BREAK.search(bare)
        )
        return (named or who) and not item.speaker
    if listing == "references":
        return bool(_REFERENCE_LINE.search(text)) and len(text) <= 600
    if listing == "toc":
        return bool(_TOC_LINE.search(text))
    return not item.speaker  # a programme or a list of topics runs to its next heading


def _kind(item: Structured, text: str) -> str:
    """The kind of a block outside any list."""
    if _is_link(text):
        return "link"
    if item.intro and not item.speaker:
        return "intro"
    if item.speaker:
        return CONTENT
    bare = _BULLET.sub("", text)
    if item.block.kind == "item" and _NAMED_LINE.match(bare):
        return "participants"
    credit = CREDIT_LINE.match(bare)
    if credit and len(bare) <= CREDIT_CHARS and ":" not in bare[credit.end() :]:
        # « Animatrice : X, rôle » alone, not « Rapporteur : X : what the group said ».
        return "participants"
    if TIMETABLE.match(bare):
        return "programme"
    if _TOC_LINE.search(text):
        return "toc"
    return CONTENT


def _is_link(text: str) -> bool:
    """« Film à revoir ici : https://… », a bare URL: a pointer, not content."""
    urls = URL.findall(text)
    if not urls:
        return bool(ADDRESS_PIECE.fullmatch(text.strip()))
    rest = URL.sub("", text)
    return len(re.findall(r"\w+", rest)) <= 6


def _questions_in_runs(items: list[Structured], kinds: list[str]) -> list[str]:
    """Three or more question lines in a row, without a speaker, are a list of questions."""
    out = list(kinds)
    run: list[int] = []
    for index, item in enumerate([*items, None]):
        is_question = (
            item is not None
            and kinds[index] == CONTENT
            and not item.speaker
            and item.block.kind in ("item", "paragraph", "heading")
            and bool(_QUESTION.search(item.block.text))
        )
        if is_question:
            run.append(index)
            continue
        if item is not None and item.block.kind == "heading" and run:
            continue  # a heading between two questions of one list
        if len(run) >= 3:
            for position in run:
                out[position] = "questions"
        run = []
    return out
