"""Undo PDF-extraction artefacts while remembering where every character came from.

The output is a list of `Block`s (headings, paragraphs, list items, footnotes). Each
block's clean text is built from fragments of the raw text, and keeps the map back to
it, so a passage can always be cited by exact offsets into the extracted document.

What is repaired, in order:
1. page furniture: running headers/footers repeated across pages, bare page numbers;
2. footnotes: split out of the running text into blocks of their own (kind "note"), and
   their calls (« innovantes1. ») taken out of the clean text, the raw text kept as it is;
3. wrapped lines: joined back into paragraphs, with end-of-line hyphenation undone only
   where the document's own vocabulary shows the hyphen was a line break;
4. whitespace: non-breaking and repeated spaces folded to one space.

Typographic quotes and apostrophes (’ « ») are kept verbatim: researchers quote the text
exactly, and search folds them at analysis time instead.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.cues import RUBRIC_LINE, announces_advice
from ingest.extracted import ExtractedDocument
from ingest.names import CREDIT, NAME, SPEAKER_LABEL, TITLE_NAME
from ingest.voice import ends_on_mistyped_closing

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u2009\u200b]+")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|sur|of)\s*\d{1,4})?$", re.I
)
_FOOTNOTE_RULE = re.compile(r"^(?:\s{20,}|\s*[_─—-]{10,}\s*)$")
# « 12 https://… », « (2) Voir … » (not « 1) Marie DUPONT, … », a numbered title).
_FOOTNOTE_START = re.compile(r"^(?=\(?(\d{1,3}))(?:\(\d{1,3}\)|\d{1,3})\s+\S")
_BULLET_SIGN = r"[-–—•▪◦●■□➢➤►\uf0b7\uf0a7\uf0d8\uf076]"
# « * » is a bullet only before a space: « *Rédigé par…* » is Markdown's emphasis.
_BULLET = re.compile(rf"^(?:{_BULLET_SIGN}|\*(?=\s)|o(?=\s)|\d{{1,2}}[.)]|[a-z][)])\s*")
# Sentences that carry on an argument start this way; titles do not.
_CONNECTOR = re.compile(
    r"^(?:d[’']une part|d[’']autre part|enfin|ainsi|en effet|par ailleurs|cependant|"
    r"de plus|en outre|toutefois|néanmoins|mais|or|donc|pourtant|en revanche|"
    r"de même|en somme|bref|certes)\s*,",
    re.I,
)
# « … », a déclaré : a sentence reporting speech, never a title.
_SAID = re.compile(r"[»\"”]\s*,\s*(?:a|ont|avait)\s+\w+")
# A line that is only a web address: PDF extractions dump link targets this way.
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# The same under a short label: « Film à revoir ici : https://vimeo.com/124279791 ».
_LINK_LINE = re.compile(r"^(?:[^:]{1,60}:\s*)?(?:https?://|www\.)\S+$", re.I)
URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
# The rest of a web address cut at a line end (« …prospective- » then
# « Mod%C3%A8les-de-co-construction-BAD.pdf »), or a file's name alone: one token with an
# escape, a slash or a file's extension. Like a link, never a title nor prose.
ADDRESS_PIECE = re.compile(
    r"\S*(?:%[0-9A-Fa-f]{2}|/)\S*|\S+\.(?:pdf|html?|php|aspx?|docx?|xlsx?|pptx?|odt|jpe?g|png)",
    re.I,
)
# A footnote call: a number glued to the word (three letters at least: « M95 », « CO2 »
# are names), to the stop after it (« partenariale.16 ») or to the closing guillemet or
# bracket it refers to. Only the numbers of the document's own footnotes are calls (see
# _drop_footnote_calls). (The lookahead first: the lookbehinds are then tried at digits.)
FOOTNOTE_CALL = re.compile(
    r"(?=[1-9])(?:(?<=[^\W\d_]{3})|(?<=[^\W\d_]{3}[.!?])|(?<=[»”)]))([1-9]\d{0,2})(?!\w)"
)
_HOUR = r"(\d{1,2})\s?h\s?(\d{2})?"
# A programme's slot: « 9h30 : », « 12h30 – 14h : », « 14h00-15h30 Atelier », « 9h Accueil ».
TIMETABLE = re.compile(
    rf"^{_HOUR}(?:\s*[-–—à]\s*\d{{1,2}}\s?h(?:\s?\d{{2}})?)?(?:\s*[:–—-]|\s+[A-ZÀ-Ý«])"
)
# Two slots of one programme have at most this much text between them (a speaker list, a
# short description); more, and the later time opens a report, not a line of the same
# timetable.
TIMETABLE_GAP_CHARS = 1200
_TERMINAL = tuple('.!?»:;)…"”')
# « 12. » or « 12) » opening a line: an item of a numbered list, or a numbered title.
_LIST_NUMBER = re.compile(r"^(\d{1,2})[.)]\s")
# Three numbered lines in a row, with at most this much text between two of them, are a
# list (see _numbered_lists).
LIST_MIN_ITEMS = 3
LIST_GAP_CHARS = 300
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:atelier|sujet|session|table ronde|partie|chapitre|axe|thème|theme|annexe)s?\b"
    r"|\d{1,2}[).]\s|[IVX]{1,4}[.)]\s)",
    re.I,
)
# Word prefixes that French writes with a hyphen: a line break after them keeps it.
_HYPHEN_PREFIXES = frozenset(
    "co multi pluri pré post anti auto non sous sur inter intra extra ultra socio micro macro "
    "semi demi mi ex vice néo quasi contre après arrière avant bien mal néo e".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A line ending on one of these words is a wrapped sentence, never a whole title.
_OPEN_ENDINGS = frozenset(
    "de la le les des du d l et à a au aux en pour par sur avec dans un une ou qui que "
    "son sa ses leur leurs ce cette est sont était ont peut doit of the and to".split()
)


@dataclass
class Line:
    """One raw line after whitespace trimming, with its offsets in the raw text."""

    text: str
    start: int
    end: int
    page: int
    blank_before: bool = False
    page_start: bool = False


@dataclass
class Block:
    """A heading, paragraph, list item or footnote, with its map back to the raw text.

    `segments` holds (clean_offset, raw_offset) pairs: clean characters from
    `clean_offset` on come from raw text from `raw_offset` on, one to one, until the next
    segment. Joining two lines starts a new segment.
    """

    kind: str  # "heading" | "paragraph" | "item" | "note"
    text: str = ""
    segments: list[tuple[int, int]] = field(default_factory=list)
    raw_end: int = 0
    pages: list[int] = field(default_factory=list)
    level: int = 0
    # Clean offsets where a source line begins: names and titles do not run across them.
    line_starts: list[int] = field(default_factory=list)
    # Those of them where a link line after a blank one was joined to the block (« Film à
    # revoir ici : https://… » ends the text before it): no name runs across them. Other
    # blank lines a PDF puts inside a name (« l'Association des Régions » / « de
    # France », « Bretagne » / « Pays de la Loire ») are crossed.
    paragraph_starts: list[int] = field(default_factory=list)

    @property
    def raw_start(self) -> int:
        return self.segments[0][1]

    def raw_offset(self, clean_offset: int) -> int:
        """Raw offset of the clean character at `clean_offset` (or of the block end)."""
        if clean_offset >= len(self.text):
            return self.raw_end
        index = bisect.bisect_right([s[0] for s in self.segments], clean_offset) - 1
        clean_start, raw_start = self.segments[index]
        return raw_start + (clean_offset - clean_start)

    def split(self, at: int) -> tuple[Block, Block]:
        """The block cut at clean offset `at`, each part keeping its map to the raw text
        (both keep the block's pages: a part's own pages are not recorded)."""
        head_text = self.text[:at].rstrip()
        start = at + len(self.text[at:]) - len(self.text[at:].lstrip())
        head = Block(
            self.kind,
            head_text,
            [s for s in self.segments if s[0] < len(head_text)],
            self.raw_offset(len(head_text) - 1) + 1,
            list(self.pages),
            self.level,
            [offset for offset in self.line_starts if offset < len(head_text)],
            [offset for offset in self.paragraph_starts if offset < len(head_text)],
        )
        tail = Block(
            self.kind,
            self.text[start:],
            [(0, self.raw_offset(start))] + [(c - start, r) for c, r in self.segments if c > start],
            self.raw_end,
            list(self.pages),
            self.level,
            [offset - start for offset in self.line_starts if offset > start],
            [offset - start for offset in self.paragraph_starts if offset > start],
        )
        return head, tail

    def drop(self, start: int, end: int) -> None:
        """Take clean characters [start, end) out of the text, such as a footnote call.

        The raw text keeps them: what follows the cut maps to its own raw characters
        through a new segment, so passages and records still cite the source exactly.
        """
        resume = self.raw_offset(end)
        width = end - start
        if end >= len(self.text):
            self.raw_end = self.raw_offset(start - 1) + 1
        kept = [(c, r) for c, r in self.segments if c < start]
        if end < len(self.text):
            kept.append((start, resume))
        self.segments = kept + [(c - width, r) for c, r in self.segments if c > end]
        self.line_starts = _shifted(self.line_starts, start, width)
        self.paragraph_starts = _shifted(self.paragraph_starts, start, width)
        self.text = self.text[:start] + self.text[end:]

    def next_line_start(self, offset: int) -> int:
        """Clean offset of the first line start after `offset` (or the end of the text)."""
        return next((start for start in self.line_starts if start > offset), len(self.text))

    def extend(self, other: Block) -> None:
        """Add a whole block after this one, as the next line of the same text."""
        shift = len(self.text) + 1
        self.text = f"{self.text} {other.text}"
        self.segments += [(clean + shift, raw) for clean, raw in other.segments]
        self.line_starts += [shift] + [start + shift for start in other.line_starts]
        self.paragraph_starts += [start + shift for start in other.paragraph_starts]
        self.raw_end = other.raw_end
        self.pages += [page for page in other.pages if page not in self.pages]

    def append(
        self, line: Line, text: str, raw_start: int, separator: str = " ", new_line: bool = False
    ) -> None:
        """Add `text` (which starts at `raw_start` in the raw text) after a separator."""
        if self.text:
            self.text += separator
        if new_line:
            self.line_starts.append(len(self.text))
            if line.blank_before and self.text and _LINK_LINE.match(line.text):
                self.paragraph_starts.append(len(self.text))
        self.segments.append((len(self.text), raw_start))
        self.text += text
        self.raw_end = line.end
        if line.page not in self.pages:
            self.pages.append(line.page)


def _shifted(offsets: list[int], start: int, width: int) -> list[int]:
    """Clean offsets once `width` characters from `start` on are dropped."""
    return [o if o <= start else max(start, o - width) for o in offsets]


# Markdown's blockquote marks opening a line: « > « … » », « > — Paul MARTIN, directeur ».
_QUOTE_MARKS = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")


def split_lines(doc: ExtractedDocument) -> list[Line]:
    """Raw text → trimmed non-blank lines with offsets, page and layout flags.

    Runs of spaces inside a line are kept raw here; `_fold` folds them per fragment.
    """
    lines: list[Line] = []
    blank = True
    page_starts = set(doc.page_starts) | set(doc.set_apart)
    position = 0
    current_page_start = False
    quoting = False  # inside a Markdown blockquote
    for raw in doc.text.split("\n"):
        start, end = position, position + len(raw)
        position = end + 1
        for sub_start, sub in _split_form_feeds(raw, start):
            if sub_start in page_starts or sub_start - 1 in page_starts:
                current_page_start = True
            if doc.markup == "markdown":
                marks = _QUOTE_MARKS.match(sub)
                if bool(marks) != quoting:  # a blockquote opens or closes a paragraph
                    quoting, blank = bool(marks), True
                if marks:  # the marks are markup: the line starts after them
                    sub_start, sub = sub_start + marks.end(), sub[marks.end() :]
            stripped = sub.strip()
            if not stripped:
                # A whitespace-only line of footnote-rule width is kept: it separates notes.
                if _FOOTNOTE_RULE.match(sub) and len(sub) >= 20:
                    lines.append(Line("", sub_start, sub_start + len(sub), doc.page_at(sub_start)))
                blank = True
                continue
            lead = len(sub) - len(sub.lstrip())
            line_start = sub_start + lead
            lines.append(
                Line(
                    text=stripped,
                    start=line_start,
                    end=line_start + len(stripped),
                    page=doc.page_at(line_start),
                    blank_before=blank,
                    page_start=current_page_start,
                )
            )
            blank = False
            current_page_start = False
    return lines


def _split_form_feeds(raw: str, start: int) -> list[tuple[int, str]]:
    parts, offset = [], start
    for piece in raw.split("\f"):
        parts.append((offset, piece))
        offset += len(piece) + 1
    return parts


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", _SPACES.sub(" ", text.lower())).strip()


def drop_page_furniture(lines: list[Line], page_count: int) -> list[Line]:
    """Remove running headers/footers and bare page numbers at page edges."""
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        if line.text:
            by_page.setdefault(line.page, []).append(line)
    edges: dict[int, list[Line]] = {
        page: page_lines[:2] + page_lines[-2:] for page, page_lines in by_page.items()
    }
    counts = Counter()
    for edge_lines in edges.values():
        counts.update({_furniture_key(line.text) for line in edge_lines})
    threshold = max(2, math.ceil(0.5 * page_count))
    drop: set[int] = set()
    for edge_lines in edges.values():
        for line in edge_lines:
            key = _furniture_key(line.text)
            repeated = page_count >= 3 and counts[key] >= threshold and len(key) < 120
            if repeated or _PAGE_NUMBER.match(line.text):
                drop.add(line.start)
    return [line for line in lines if line.start not in drop or not line.text]


def split_footnotes(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    """Separate footnotes from running text; returns (body lines, one line list per note).

    Two layouts are recognised: a rule line (a long run of spaces or underscores) after
    which every line until the next page is a note, and a run of numbered lines at the
    foot of a page (of the whole text, in a text without pages) whose numbers appear as
    markers in that page's text.
    """
    body: list[Line] = []
    notes: list[list[Line]] = []
    in_notes = False
    notes_page = -1
    for line in lines:
        if not line.text:  # footnote rule
            in_notes, notes_page = True, line.page
            continue
        if in_notes and (
            line.page != notes_page
            or line.page_start
            or re.match(_BULLET_SIGN, line.text)  # a note holds no list: the text resumes
            # A page whose start the extraction did not mark: unnumbered text after a gap,
            # unless the last note stopped mid-sentence (« … en partenariat avec le « Co- »).
            or (
                line.blank_before
                and not _FOOTNOTE_START.match(line.text)
                and not (notes and _stops_short(notes[-1][-1].text))
            )
        ):
            in_notes = False
        if in_notes:
            if _FOOTNOTE_START.match(line.text) or not notes:
                notes.append([line])
            else:
                notes[-1].append(line)
        else:
            body.append(line)
    body, foot = _split_page_foot_notes(body)
    notes.extend(foot)
    return body, notes


def _marked_notes(lines: list[Line], starts: set[int]) -> tuple[list[Line], list[list[Line]]]:
    """The notes the source marks itself (ExtractedDocument.notes), out of the body: a
    marked line opens a note, the lines right under it (no blank line) go on with it."""
    body: list[Line] = []
    notes: list[list[Line]] = []
    in_note = False
    for line in lines:
        if line.start in starts:
            notes.append([line])
            in_note = True
        elif in_note and not line.blank_before:
            notes[-1].append(line)
        else:
            in_note = False
            body.append(line)
    return body, notes


def _stops_short(text: str) -> bool:
    """A note line cut mid-word or mid-phrase (« … avec le « Co- », « Alliances & »): the
    note goes on after the gap the extraction left."""
    return text.endswith(("-", "&", ",")) or _open_ending(text)


def _split_page_foot_notes(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    keep: list[Line] = []
    notes: list[list[Line]] = []
    for page_lines in by_page.values():
        page_text = " ".join(line.text for line in page_lines)
        cut = len(page_lines)
        for index in range(len(page_lines) - 1, 0, -1):
            match = _FOOTNOTE_START.match(page_lines[index].text)
            if match and re.search(rf"[^\s\d]{match.group(1)}\b", page_text):
                cut = index
            elif index < len(page_lines) - 3 and cut == len(page_lines):
                break
        keep.extend(page_lines[:cut])
        for line in page_lines[cut:]:
            if _FOOTNOTE_START.match(line.text) or not notes:
                notes.append([line])
            else:
                notes[-1].append(line)
    return keep, notes


def _is_heading(line: Line, previous: Line | None, following: Line | None, width: int) -> bool:
    """Standalone short line, after a finished sentence, that a reader would take as a title."""
    text = line.text
    if len(text) > (150 if _NUMBERED_HEADING.match(text) else 90) or len(text) < 3:
        return False
    if URL.search(text) or ADDRESS_PIECE.fullmatch(text) or TIMETABLE.match(text):
        return False  # a link (« Film à revoir ici : https://… ») or a programme's slot
    sentence = text.rstrip(' »"”’')  # « … concret. » ends a sentence inside a quotation
    if text.endswith((",", ";", ":", "-")) or (sentence.endswith(".") and not text.endswith("..")):
        return False
    open_ending = _open_ending(text)
    if open_ending and not _continues_title(line, following):
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in '«"“'):
        return False
    if sum(c.isalpha() for c in text) < 3 or (_BULLET.match(text) and not text[0].isdigit()):
        return False
    if _CONNECTOR.match(text) or _SAID.search(text):
        return False  # « D’autre part, … » carries on an argument; « … », a déclaré X reports
    if _PERSON_ASKS.match(text) or _OPENS_TURN.match(text):
        # « X, animateur : Et sur la durée ? », « X, comment avez-vous … ? », « X : « Et
        # du côté de l'État ? » »: someone's turn, however short.
        return False
    label, colon, _ = text.partition(" : ")
    if colon and len(label.split()) <= 2 and not _NUMBERED_HEADING.match(text):
        return False  # a field such as "Rapporteurs : Tarik et Thomas"
    if previous is not None and not (line.blank_before or line.page_start):
        # Directly under another line: only a title if that line was a title too.
        return False
    unfinished = (
        previous is not None
        and not previous.text.rstrip().endswith(_TERMINAL)
        and not _LINK_LINE.match(previous.text)
    )
    # A numbered or capitalised title opening a page stands even after an unfinished line,
    # and so does a capitalised one between blank lines (« PRÉSENTATION » under a header
    # line « Réseau des tiers-lieux — juin 2023 »).
    capitalised = _heading_level(text) == 1
    opens_page = line.page_start and (_NUMBERED_HEADING.match(text) or capitalised)
    stands_alone = (
        capitalised
        and sum(c.isalpha() for c in text) >= 6
        and line.blank_before
        and (following is None or following.blank_before)
    )
    if (
        unfinished
        and not opens_page
        and not stands_alone
        and not _looks_like_title(previous.text, width)
        and not _titles_list(line, following)
    ):
        return False
    # A numbered title may wrap onto a short lower-case line: « 3) Les spécificités … au
    # regard / de leurs enjeux ».
    wraps = bool(_NUMBERED_HEADING.match(text)) and _continues_title(line, following)
    return (
        following is None
        or following.blank_before
        or following.text[:1].isupper()
        or open_ending
        or wraps
    )


_NAME_START = re.compile(rf"{NAME}(?![\w’'-])")
# A person asks under their name (« NAME, animateur : Et sur la durée ? ») or is asked
# (« NAME, comment avez-vous … ? »): a turn of the discussion, never a title, though as
# short; « NAME, rôle » alone heads a talk, and a talk's title may ask without a name.
_PERSON_ASKS = re.compile(rf"^{NAME}\s*[,:].*\?[\s»”]*$")


def _titles_list(line: Line, following: Line | None) -> bool:
    """A short line naming the bulleted list right under it (« Ce qui a marché »,
    « Besoins »): it heads that list, even under a sentence a page layout left unfinished
    (« … doivent être emmenés dans l'expérience » then « Besoins »)."""
    text = line.text.rstrip()
    return (
        following is not None
        and bool(_BULLET.match(following.text))
        and len(text) <= _LIST_TITLE_CHARS
        and (text[:1].isupper() or text[:1].isdigit())
        and not text.endswith((",", ";"))  # « enjeux, les freins, … » goes on a sentence
        and (announces_advice(text) or bool(RUBRIC_LINE.match(text)))
    )


def _name_cut_by_wrap(title: str, line: str) -> bool:
    """The title's last word is a first name and the line opens on its surname: a name
    the line break cut, so the title goes on (a heading is never a bare first name)."""
    words = title.split()
    return bool(words) and bool(_NAME_START.match(f"{words[-1]} {line}"))


def _open_ending(text: str) -> bool:
    """Ends on a word that cannot end a title ("de", "la", "et"…): the title goes on."""
    return re.split(r"[\s’']", text)[-1].lower() in _OPEN_ENDINGS


def _is_label(text: str) -> bool:
    """« Nicolas KLEIN : », « Points de discussion : »: a line announcing what follows."""
    return bool(SPEAKER_LABEL.match(text)) or (
        len(text) <= 40 and text.endswith(":") and text[:1].isupper()
    )


def _continues_title(line: Line, following: Line | None) -> bool:
    """A title wrapped over two lines: a short, unpunctuated rest on the next line."""
    if following is None or len(following.text) > 60 or following.text.endswith((",", ";", ".")):
        return False
    return not following.blank_before or following.text[:1].islower()


def _looks_like_title(text: str, width: int) -> bool:
    """A previous line with no final punctuation may still be a title itself."""
    return len(text) < 0.6 * width and not text.endswith((",", ";", "-"))


def _heading_level(text: str) -> int:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return 1 if letters and upper / len(letters) > 0.6 else 2


def _fold(text: str, raw_start: int) -> list[tuple[str, int]]:
    """Split a line on runs of spaces, keeping each word run's raw offset."""
    pieces = []
    for match in re.finditer(r"\S+(?: \S+)*", text):
        pieces.append((match.group(), raw_start + match.start()))
    return pieces


def _add_line(block: Block, line: Line, separator: str = " ") -> None:
    for index, (piece, raw_start) in enumerate(_fold(line.text, line.start)):
        block.append(line, piece, raw_start, separator if index == 0 else " ", index == 0)


class Vocabulary:
    """Words of the document, to decide whether a line-final hyphen is real."""

    def __init__(self, lines: list[Line]):
        self.words = Counter(
            w.lower() for line in lines for w in _WORD.findall(line.text) if len(w) > 1
        )

    def keep_hyphen(self, left: str, right: str) -> bool:
        left_word = (_WORD.findall(left) or [""])[-1].lower()
        right_word = (_WORD.findall(right) or [""])[0].lower()
        if not left_word or not right_word:
            return True
        if f"{left_word}-{right_word}" in self.words:
            return True
        if f"{left_word}{right_word}" in self.words:
            return False
        if right[:1].isupper() or left_word.split("-")[-1] in _HYPHEN_PREFIXES:
            return True
        # Each fragment is counted once where it stands; a real word occurs elsewhere too.
        return self.words[left_word] > 1 and self.words[right_word] > 1


def build_blocks(doc: ExtractedDocument) -> list[Block]:
    """Extracted document → ordered blocks (headings, paragraphs, items, notes)."""
    lines = split_lines(doc)
    if doc.furniture:
        printed = set(doc.furniture)
        lines = [line for line in lines if line.start not in printed]
    if doc.page_count >= 2:
        lines = drop_page_furniture(lines, doc.page_count)
    body, notes = split_footnotes(lines)
    if doc.notes:
        body, marked = _marked_notes(body, set(doc.notes))
        notes.extend(marked)
    vocabulary = Vocabulary(body)
    lengths = sorted(len(line.text) for line in body) or [80]
    width = lengths[int(0.85 * (len(lengths) - 1))]
    blocks = _rejoin_interrupted(_paragraphs(doc, body, vocabulary, width))
    if not doc.headings:  # marked-up levels are the source's own
        _demote_inner_chapters(blocks, {line.start for line in body if line.page_start})
        _numbered_lists(blocks)
        _timetables(blocks)
    for note_lines in notes:
        note = Block("note")
        for line in note_lines:
            _join(note, line, vocabulary)
        blocks.append(note)
    _drop_footnote_calls(blocks)
    if doc.markup == "markdown":
        _drop_markdown_marks(blocks)
    return [block for block in blocks if block.text]


# « *Rédigé par…* », « **Résultats** », « __gras__ », « _mot_ » (not inside a word, as in
# « nom_de_fichier »), and a link's brackets and address: « [le rapport](https://…) ».
_EMPHASIS = re.compile(
    r"(?P<mark>\*\*|\*|__|(?<!\w)_)(?=\S)(?P<text>[^*\n]+?)(?<=\S)(?P=mark)(?!\w)"
)
_LINK = re.compile(r"\[(?P<text>[^\]\n]+)\]\((?P<address>[^)\s]+)\)")
# A footnote's call « [^1] » in the text, and its label « [^1]: » opening the note.
FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\](?::[ \t]*)?")


def _drop_markdown_marks(blocks: list[Block]) -> None:
    """Markdown's inline marks leave the clean text, as footnote calls do (Block.drop):
    citations, labels and names read « Rédigé par l'équipe », not « *Rédigé par… ». The
    raw text keeps them, so offsets still cite the source."""
    for block in blocks:
        for pattern in (_LINK, _EMPHASIS):
            spans = []
            for found in pattern.finditer(block.text):
                spans += [(found.start(), found.start("text")), (found.end("text"), found.end())]
            for start, end in sorted(spans, reverse=True):
                block.drop(start, end)
        for found in reversed(list(FOOTNOTE_MARK.finditer(block.text))):
            block.drop(found.start(), found.end())


def _rejoin_interrupted(blocks: list[Block]) -> list[Block]:
    """A paragraph the page cut goes on after what stood in its way: it ended with no
    stop, and the next paragraph, past a gap, a page's footnotes or links dumped on their
    own lines, opens in lower case (« … des acteurs de l'aménagement, des élus » / URLs /
    « et des citoyens : il donne… »). The two are one paragraph; the links stay apart."""
    kept: list[Block] = []
    open_paragraph: Block | None = None
    for block in blocks:
        if block.kind == "paragraph" and _bare_address(block.text):
            kept.append(block)  # between the two halves, not the end of the first
            continue
        first = block.text.lstrip()[:1]
        if (
            open_paragraph is not None
            and block.kind == "paragraph"
            and first.isalpha()
            and first.islower()
        ):
            open_paragraph.extend(block)
            continue
        kept.append(block)
        ended = block.text.rstrip().endswith(_TERMINAL)
        open_paragraph = block if block.kind == "paragraph" and not ended else None
    return kept


def _drop_footnote_calls(blocks: list[Block]) -> None:
    """Footnote calls leave the clean text: « impact social15 » is « impact social ».

    A call glued to its word would otherwise show in titles, citations and the names of
    cases (« … intérêt général2 »), and the word it sticks to would not be found. A
    number counts as a call only where the document has a footnote of that number; a
    number inside a web address (« #chapitre2 ») is part of the address.
    """
    starts = (_FOOTNOTE_START.match(block.text) for block in blocks if block.kind == "note")
    numbers = {start[1] for start in starts if start}
    if not numbers:
        return
    for block in blocks:
        if block.kind == "note":
            continue
        calls = [call for call in FOOTNOTE_CALL.finditer(block.text) if call[1] in numbers]
        if not calls:
            continue
        links = [(m.start(), m.end()) for m in URL.finditer(block.text)]
        calls = [call for call in calls if not any(a <= call.start() < b for a, b in links)]
        for call in reversed(calls):
            block.drop(call.start(), call.end())


def _demote_inner_chapters(blocks: list[Block], page_openings: set[int]) -> None:
    """Where chapters open pages, a capitalised title inside a page is a sub-heading.

    A report whose top-level titles each start a page shows its own convention; a title
    in capitals in the middle of a page there is a table header (« BESOINS (B)
    PRATIQUES ») or a part of the chapter, and must not become the parent of what follows.
    """
    inferred = [b for b in blocks if b.kind == "heading" and b.level == 1]
    opening = [b for b in inferred if b.raw_start in page_openings]
    if len(inferred) >= 3 and len(opening) >= 0.6 * len(inferred):
        for block in inferred:
            if block.raw_start not in page_openings:
                block.level = 2


def _numbered_lists(blocks: list[Block]) -> None:
    """Numbered lines that follow each other closely are a list's items, not headings.

    « 1. Comment animer son alliance ? », « 2. Co-construction et changement d'échelle »,
    … each stands alone on its line like a title; but a chapter « 2) » has content before
    « 3) », and the items of a list of 37 workshop topics have at most a wrapped line or a
    short sub-list between them. Read as headings, each item became the section of the
    next, and the list was cut into passages of a line or two.
    """
    run: list[Block] = []  # numbered blocks in sequence, headings and items alike
    between = 0  # characters since the last numbered block

    def close() -> None:
        if len(run) >= LIST_MIN_ITEMS:
            for block in run:
                if block.kind == "heading":
                    block.kind, block.level = "item", 0

    for block in blocks:
        number = _LIST_NUMBER.match(block.text) if block.kind in ("heading", "item") else None
        if number:
            previous = _LIST_NUMBER.match(run[-1].text) if run else None
            follows = previous is not None and int(number[1]) == int(previous[1]) + 1
            if not (follows and between <= LIST_GAP_CHARS):
                close()
                run = []
            run.append(block)
            between = 0
        elif block.kind == "heading":
            close()
            run, between = [], 0
        else:
            between += len(block.text)
    close()


def timetable_runs(blocks: list[Block]) -> list[tuple[int, int]]:
    """(first, last) indexes of each run of blocks that a programme's slots open.

    « 9h00 – Mise en perspective », « 9h15-10h30 - Table ronde », …, « 17h15 : En route
    vers demain ! »: slots whose times go forward, with at most TIMETABLE_GAP_CHARS of
    text between two of them (who speaks, what the session is about), are one timetable.
    Everything from its first slot to its last belongs to the programme.
    """
    runs: list[tuple[int, int]] = []
    first = last = -1
    last_time = -1
    between = 0
    for index, block in enumerate(blocks):
        if block.kind == "note":
            continue
        slot = TIMETABLE.match(_BULLET.sub("", block.text, count=1))
        if slot is None:
            between += len(block.text)
            continue
        time = int(slot[1]) * 60 + int(slot[2] or 0)
        if first < 0 or time < last_time or between > TIMETABLE_GAP_CHARS:
            if last > first >= 0:
                runs.append((first, last))
            first = index
        last, last_time, between = index, time, 0
    if last > first >= 0:
        runs.append((first, last))
    return runs


def _timetables(blocks: list[Block]) -> None:
    """A title between two slots of a timetable is a line of the programme.

    « En synthèse, que proposons-nous ensemble ? » stands alone between « 14h-16h30 » and
    « 16h30 – 17h15 » like a title; read as one, it became the section of the rest of the
    programme, which search then took for content.
    """
    for first, last in timetable_runs(blocks):
        for block in blocks[first : last + 1]:
            if block.kind == "heading":
                block.kind, block.level = "paragraph", 0


def _join(block: Block, line: Line, vocabulary: Vocabulary) -> None:
    """Append a wrapped line to a block, undoing end-of-line hyphenation where it is one."""
    text = block.text
    if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line.text[:1].isalpha():
        if not vocabulary.keep_hyphen(text, line.text):
            block.text = text[:-1]
        _add_line(block, line, separator="")
    else:
        _add_line(block, line)


def _paragraphs(
    doc: ExtractedDocument, lines: list[Line], vocabulary: Vocabulary, width: int
) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    previous: Line | None = None
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        source_level = _source_heading_level(doc, line)
        if source_level and URL.search(line.text):
            # A link is never a title, even marked up as one: it would name the passages below.
            current = Block("paragraph")
            _add_heading_line(current, line, doc)
            blocks.append(current)
        elif source_level or (not doc.headings and _is_heading(line, previous, following, width)):
            level = source_level or _heading_level(line.text)
            if (
                not source_level  # marked-up headings are whole; inferred ones may wrap
                and current is not None
                and current.kind == "heading"
                and current.level == level
                and not line.blank_before
                and not current.text.endswith(_TERMINAL)
            ):
                _add_line(current, line)  # a title wrapped over two lines, both title-like
            else:
                current = Block("heading", level=level)
                _add_heading_line(current, line, doc)
                blocks.append(current)
        elif (
            current is not None
            and current.kind == "heading"
            and not line.blank_before
            and _name_cut_by_wrap(current.text, line.text)
        ):
            _add_line(current, line)  # « … co-animé par Octavie X et Diane / HASSAN (Y) »
        elif (
            doc.layout == "wrapped"
            and current is not None
            and current.kind == "heading"
            and previous is not None
            and _continues_title(previous, line)
            and (
                _open_ending(current.text)
                or line.blank_before
                or (_NUMBERED_HEADING.match(current.text) and line.text[:1].islower())
            )
            and not current.text.endswith(_TERMINAL)
            and len(current.text) < 150
            and not TIMETABLE.match(line.text)
        ):
            _add_line(current, line)  # the rest of a wrapped title
        elif _BULLET.match(line.text):
            current = Block("item")
            _add_line(current, line)
            blocks.append(current)
        elif (
            current is None
            or current.kind == "heading"
            or _starts_paragraph(doc, line, previous, following, current, width)
        ):
            current = Block("paragraph")
            _add_line(current, line)
            blocks.append(current)
        else:
            _join(current, line, vocabulary)
        previous = line
    return blocks


def _add_heading_line(block: Block, line: Line, doc: ExtractedDocument) -> None:
    """Headings from Markdown drop their leading #'s; the map still points into the raw text."""
    hashes = len(line.text) - len(line.text.lstrip("#")) if doc.headings else 0
    if hashes:
        trimmed = line.text[hashes:].lstrip()
        shift = len(line.text) - len(trimmed)
        line = Line(
            trimmed.rstrip("# ").rstrip() or trimmed,
            line.start + shift,
            line.end,
            line.page,
            line.blank_before,
            line.page_start,
        )
    _add_line(block, line)


def _source_heading_level(doc: ExtractedDocument, line: Line) -> int:
    if not doc.headings:
        return 0
    for offset in (line.start, line.start + len(line.text) - len(line.text.lstrip("# "))):
        if offset in doc.headings:
            return doc.headings[offset]
    return 0


def _bare_address(text: str) -> bool:
    """A link dumped on its own line, or the rest of an address cut at a line end."""
    return bool(_BARE_URL.match(text) or ADDRESS_PIECE.fullmatch(text))


# A line on which a named speaker's quoted words open: « Martine Roussel, directrice du
# Garage : « … » ». Each such line is its speaker's turn, whoever spoke on the line above.
_OPENS_TURN = re.compile(rf"^(?:{NAME}|{TITLE_NAME})\s*(?:,[^:\n«»]{{3,160}})?\s?:\s*[«“]")
# « Animatrice : Claire Le Goff, … », « Modérateur : … »: who animates, on a line of its own.
CREDIT_LINE = re.compile(
    rf"^(?:Animat|Modérat|Rapporteu|Excusé)\w*\s*:\s*(?:{NAME}|{TITLE_NAME})", re.I
)
# A list's title is short.
_LIST_TITLE_CHARS = 80


def _starts_paragraph(
    doc: ExtractedDocument,
    line: Line,
    previous: Line | None,
    following: Line | None,
    current: Block,
    width: int,
) -> bool:
    """Whether `line` opens a new paragraph instead of continuing `current`."""
    if _bare_address(line.text) or (
        previous is not None
        and (_LINK_LINE.match(previous.text) or ADDRESS_PIECE.fullmatch(previous.text))
    ):
        return True  # a link dumped on its own line stands apart from the prose around it
    if _LINK_LINE.match(line.text):
        # « Film à revoir ici : https://… » points from the text it ends; after a blank
        # line under a list, « Pour en savoir plus : https://… » is not its last item's.
        return current.kind == "item" and line.blank_before
    if _is_label(line.text):
        return True
    finished = current.text.rstrip().endswith(_TERMINAL) or ends_on_mistyped_closing(current.text)
    if (finished or line.blank_before) and (
        _OPENS_TURN.match(line.text) or CREDIT_LINE.match(line.text)
    ):
        # The next speaker's turn, on the next line; or after a blank line, though the
        # line above has no final stop (« Rennes, 5 avril 2023 » / « Animatrice : … »).
        return True
    if _titles_list(line, following):
        return True  # « Ce qui a marché » above its list, not the end of the turn above
    if TIMETABLE.match(line.text):
        return True  # each slot of a programme is a line of its own
    if doc.layout == "lines":
        return True
    if doc.layout == "blank":
        return line.blank_before
    if current.kind == "item" and CREDIT.match(current.text) and line.blank_before:
        # « — Name, role » under a quotation ends where a blank line does, unless the role
        # wraps on in lower case: the next quotation, or the report going on, is not theirs.
        return not line.text[:1].islower()
    if not finished:
        return False
    if not (line.text[:1].isupper() or line.text[:1] in '«"“(' or line.text[:1].isdigit()):
        return False
    if line.blank_before and not line.page_start:
        return True
    # Same block of lines: a new paragraph only after a visibly short last line.
    return previous is not None and len(previous.text) < 0.75 * width
