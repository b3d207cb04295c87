"""Quotes: words attributed to a named speaker, whole sentences, with exact offsets.

Three sources:
- turns: paragraphs that `structure` attributed to a speaker (round-table answers, talks,
  labelled interventions, accounts of a talk), flagged `verbatim` (the speaker's own words)
  or `reported` (the report's account of them), as `structure` says;
- quotations: words in « » or "" followed by "a témoigné / a souligné … NAME"
  (structure.QUOTATION): verbatim;
- accounts: a sentence of the report's own giving someone's view, « Selon X, … », « X
  estime que … » (structure.ACCOUNT), anywhere in a paragraph nobody speaks: reported.
A quote is at least one whole sentence, never a fragment of a list; a moderator's question
is never one (structure keeps it apart). Its text is the clean text of the block (the
source modulo line wrapping), never rewritten. Roles come from the text itself: the label
line, or "NAME, role" elsewhere.
"""

from __future__ import annotations

import re

from ingest.extract.practices import strip_list_marker
from ingest.extract.records import Quote
from ingest.structure import (
    ACCOUNT,
    NAME,
    QUOTATION,
    REPORTED,
    VERBATIM,
    Structured,
    cut_role,
    match_turn,
    normalise_name,
    surname,
)
from ingest.voice import OPENING, closing_of, only_asks

MIN_WORDS = 6  # a sentence: at least this many words…
# The report's frame around a speaker's words within their turn: « Elle a ajouté :
# « … » », « Il précise : « … » ».
_FRAMED = re.compile(
    r"^(?:il|elle)s?\s+(?:a\s+|ont\s+)?[a-zéèêàâîôûç]+\s*:\s*«\s*(?P<quote>.+?)\s*»\s*$",
    re.I | re.S,
)
# A sentence announcing a list (« … : ») is quoted with the items that follow, up to this.
ANNOUNCED_CHARS = 1200
_FIRST_PERSON_START = re.compile(r"^(?:je|j[’']|nous|on)\b", re.I)
# « Discours : clarifier … », « passage à nouveau monde via … »: a label, then notes that
# open on a lower-case infinitive or noun, no subject.
_NOTE_FORM = re.compile(r"^(?:[A-ZÉ]\w+\s*:\s*)?[a-zéèàâ]")
_SENTENCE_END = re.compile(r"[.!?…]\s*[»\"”’)]?\s*$")  # …ending as sentences end (« … . »)
_SENTENCE_START = re.compile(r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ0-9]")  # …and opening as they open
# A role may wrap onto the next line of the source when that line carries on in lower
# case (« Maire Adjoint de la Ville / de Lille ») or on a short name in guillemets, across
# the blank lines a PDF's layout leaves, not onto the next item of a list nor onto the
# next quotation (« — Name, role » credits the one above it, « … » opens another's).
_WRAPPED = (
    r"\n(?![ \t]*o\s)(?=[ \t]*(?:[a-zàâéèêîôûç(]|«[^»\n]{1,60}»))"
    # past blank lines, only a lower-case word: a title in « » there is the talk's
    r"|\n(?:[ \t]*\n){1,2}(?![ \t]*o\s)(?=[ \t]*[a-zàâéèêîôûç])"
)
# Emphasis marks end a role: the raw text of a Markdown file keeps them (« **Sophie
# NGUYEN, directrice de La Fabrique Commune** : »), its clean text does not.
_ROLE = re.compile(
    rf"(?P<name>{NAME}),\s*(?P<role>(?:[^:\n.;\-–*_]|[-–](?=\w)|{_WRAPPED}){{3,120}})"
)
# The last word a role of the longest length allowed was cut in (« … des territoir »).
_CUT_WORD = re.compile(r"\s*\S*$")


# What follows « X, » when it is a clause of the sentence rather than X's role.
_NOT_A_ROLE = re.compile(
    r"(?:vous|en|depuis|suite|qui|que|a|ont|avait|est|sont|s[’']est|dans|pour|avec|lors|"
    r"et|mais|car|nous|je|il|elle|"
    # « X, au-delà des solutions… », « X, retenue par une réunion… »: the sentence goes on.
    r"au|aux|à|selon|après|avant|comme|entre|sans|parmi|ainsi|alors|aussi|donc|puis|enfin|"
    r"(?:retenu|représenté|invité|excusé|empêché|accompagné)(?:e|s|es)?)\b",
    re.I,
)


def clean_role(text: str | None) -> str | None:
    """What follows « X, » as X's role, or None when it is a clause of the sentence:
    « directrice de la recherche au RAMEAU, a présenté … » → « directrice de la recherche
    au RAMEAU »; « qui insiste aussi sur … » → None."""
    role = cut_role(text or "")
    return None if not role or _NOT_A_ROLE.match(role) else role


# A title in guillemets the layout wrapped over a blank line closes within this.
QUOTED_TITLE_CHARS = 120


def _through_title(role: str, text: str, end: int) -> str:
    """A role stops at a line end, but a title it quotes runs to its closing guillemet
    (« Co-auteur du rapport « Innovation & territoires de / faible densité » »); one that
    never closes nearby is cut by clean_role."""
    if role.count("«") <= role.count("»"):
        return role
    close = text.find("»", end, end + QUOTED_TITLE_CHARS)
    return role + text[end : close + 1] if close >= 0 else role


def all_roles_in(text: str) -> dict[str, list[str]]:
    """Every distinct role stated for each name ("Bettina LAVILLE, Présidente …")."""
    roles: dict[str, list[str]] = {}
    for match in _ROLE.finditer(text):
        name = normalise_name(match.group("name"))
        role, end = match.group("role"), match.end("role")
        if end < len(text) and text[end].isalnum():
            role = _CUT_WORD.sub("", role)  # the length limit fell inside a word
        role = clean_role(_through_title(role, text, end))
        if role and role not in roles.setdefault(name, []):
            roles[name].append(role)
    return {name: found for name, found in roles.items() if found}


def roles_in(text: str) -> dict[str, str]:
    """First stated role of each name in a document."""
    return {name: found[0] for name, found in all_roles_in(text).items()}


def _same_person(reported: str, speaker: str) -> bool:
    """« Jean-François Caron » is « Jean-François CARON »; « Julie Leroy » is not
    « Claire LEROY »."""
    same_first = reported.split()[0].lower() == speaker.split()[0].lower()
    return surname(reported) == surname(speaker) and same_first


def is_sentence(text: str, list_item: bool = False) -> bool:
    """At least one whole sentence: enough words, and an end as sentences end (or many
    words, for a paragraph the extraction cut before its full stop). Notes are fragments:
    a list item (« - La veille, »), unless its speaker says « je / nous », and a line in
    note form (« Discours : clarifier les notions… »)."""
    body = strip_list_marker(text)
    if list_item and not _FIRST_PERSON_START.match(body):
        return False
    if _NOTE_FORM.match(body):
        return False
    words = len(re.findall(r"\w+", body))
    whole = words >= MIN_WORDS and (bool(_SENTENCE_END.search(text)) or words >= 3 * MIN_WORDS)
    return whole and not only_asks(body)


def completed_role(role: str | None, known: list[str]) -> str | None:
    """A role the layout cut (« Directrice du réseau Banque des ») completed by the
    longest role the document states elsewhere that starts the same way."""
    if not role:
        if not known:
            return None
        role = known[0]
    longer = [k for k in known if k.lower().startswith(role.lower()) and len(k) > len(role)]
    return max(longer, key=len) if longer else role


def extract(items: list[Structured], document_text: str) -> list[Quote]:
    every_role = _known_roles(items, document_text)
    roles = {name: found[0] for name, found in every_role.items()}
    quotes: list[Quote] = []
    announced: set[int] = set()  # items an announcing sentence took in
    for index, item in enumerate(items):
        block = item.block
        if block.kind == "note":
            continue
        quoted = list(QUOTATION.finditer(block.text))
        # A paragraph that quotes someone inside the reporter's prose gives the quotation,
        # not the whole paragraph.
        if item.speaker and block.kind in ("paragraph", "item") and not quoted:
            if index in announced:
                continue
            turn = match_turn(block.text)
            framed = _FRAMED.match(block.text)
            begin = turn.start("rest") if turn and turn.group("rest") else 0
            text, end = block.text[begin:], block.raw_end
            if framed:  # « Elle a ajouté : « … » »: the words, not the report's frame
                begin, finish = framed.span("quote")
                text, end = block.text[begin:finish], block.raw_offset(finish - 1) + 1
            elif (closed := quotation_end(text)) is not None:
                # « X : « … » Il ajoute que… »: the words in guillemets are X's, what the
                # report goes on to say after them is not.
                text, end = text[:closed], block.raw_offset(begin + closed - 1) + 1
            if text.rstrip().endswith(":"):
                # « … trois manières d'allumer le feu : » says nothing without its list.
                listed = _announced_items(items, index)
                if not listed:
                    continue
                announced.update(listed)
                text = "\n".join([text.rstrip(), *(items[i].block.text for i in listed)])
                end = items[listed[-1]].block.raw_end
            if is_sentence(text, list_item=block.kind == "item"):
                quotes.append(
                    Quote(
                        speaker=item.speaker,
                        role=completed_role(item.speaker_role, every_role.get(item.speaker, [])),
                        text=text,
                        start=block.raw_offset(begin),
                        end=end,
                        page=block.pages[0],
                        method="turn",
                        speech=item.speech or REPORTED,
                    )
                )
        if not item.speaker and block.kind == "paragraph" and not quoted:
            quotes += _accounts(block, roles)
        said: list[tuple[int, str, str | None]] = []  # where each quotation's person is named
        for match in quoted:
            name = " ".join(match.group("name").split())
            known = next((s for s in roles if _same_person(name, s)), None)
            role = clean_role(match.group("role")) or (roles.get(known) if known else None)
            said.append((match.end(), known or name, role))
            quotes += _quotation(block, match, known or name, role)
        # « "…", a-t-il expliqué. »: the press's « il » is who the paragraph quoted last.
        for match in _PRONOUN_QUOTATION.finditer(block.text):
            before = [(speaker, role) for end, speaker, role in said if end <= match.start()]
            if before:
                quotes += _quotation(block, match, *before[-1])
    return quotes


# « "…", a-t-il expliqué », « « … », a-t-elle ajouté »: a quotation credited by a pronoun.
_PRONOUN_QUOTATION = re.compile(
    r"[«\"“]\s*(?P<quote>[^«»\"“”]{20,700}?)\s*[»\"”]\s*,\s*a-t-(?:il|elle)\s+"
    r"\w+(?:é|i|u|it|is)\b"
)


def _quotation(block, match: re.Match, speaker: str, role: str | None) -> list[Quote]:
    """The words a match quotes, as the speaker's own, if they make an utterance whole:
    its full stop outside the guillemets; one opening in lower case is a clause of the
    reporter's sentence (« Pour que …, « il est essentiel de … », a mis en avant X »)."""
    words = match.group("quote")
    if len(words.split()) < MIN_WORDS or not _SENTENCE_START.match(words) or only_asks(words):
        return []
    return [
        Quote(
            speaker=speaker,
            role=role,
            text=words,
            start=block.raw_offset(match.start("quote")),
            end=block.raw_offset(match.end("quote") - 1) + 1,
            page=block.pages[0],
            method="reported",
            speech=VERBATIM,
        )
    ]


# A role as running text gives a person's (« Jean Martin, directeur de la régie, estime
# que … »), which tells a person written in lower case from an organisation (« Selon
# Territoires Conseils, … »).
_PERSON_ROLE = re.compile(
    r"(?i:(?:co-?)?(?:maire|adjointe?|présidente?|vice-présidente?|directeur|directrice|"
    r"fondat(?:eur|rice)|déléguée?|secrétaire|responsable|coordinat(?:eur|rice)|chargée?|"
    r"membre|élue?|conseill(?:er|ère)|chercheu(?:r|se)|sociologue|économiste|professeure?|"
    r"habitante?|bénévole|salariée?|gérante?|cheffe?|animat(?:eur|rice)|ministre|"
    r"préfète?|sénat(?:eur|rice)|député(?:e)?|agricult(?:eur|rice)|porte-parole))\b"
)


def _accounts(block, roles: dict[str, str]) -> list[Quote]:
    """The sentences of a paragraph that give someone's view in the report's words
    (structure.ACCOUNT), each a reported quote of its person. A name the text writes in
    lower case is a person's when the document knows them or a person's role follows."""
    found = []
    for match in ACCOUNT.finditer(block.text):
        name = " ".join((match.group("by") or match.group("name")).split())
        stated = clean_role(match.group("by_role") or match.group("role"))
        known = next((s for s in roles if _same_person(name, s)), None)
        person = re.fullmatch(NAME, name) or known or (stated and _PERSON_ROLE.match(stated))
        if not person or not is_sentence(match.group()):
            continue
        found.append(
            Quote(
                speaker=known or name,
                role=stated or (roles.get(known) if known else None),
                text=match.group(),
                start=block.raw_offset(match.start()),
                end=block.raw_offset(match.end() - 1) + 1,
                page=block.pages[0],
                method="account",
                speech=REPORTED,
            )
        )
    return found


def quotation_end(text: str) -> int | None:
    """Where the quotation a text opens on closes (after its mark and a full stop), when
    it ends a sentence and the text goes on with another, the report's (« « … du
    département. » Il ajoute que… »); None when the text does not open on one, is that
    quotation whole, or carries the sentence on (« « On est devant une page blanche » ;
    ce qui oblige… », « « A » et « B » »)."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in OPENING:
        return None
    index = closing_of(stripped)
    if index is None:
        return None
    end = len(text) - len(stripped) + index + 1
    ended = stripped[:index].rstrip()[-1:] in tuple(".!?…")
    while end < len(text) and text[end] in ".!?…":
        end, ended = end + 1, True
    rest = text[end:].strip()
    return end if ended and rest[:1].isupper() else None


def _known_roles(items: list[Structured], document_text: str) -> dict[str, list[str]]:
    """The roles the text states for each name, and those its speakers' labels give: a
    label read whole keeps a role the line wrapped (« Directrice du réseau Banque des
    Territoires de la / Caisse des Dépôts : »), which completes a shorter mention."""
    roles = all_roles_in(document_text)
    for item in items:
        if item.speaker and item.speaker_role:
            known = roles.setdefault(item.speaker, [])
            if item.speaker_role not in known:
                known.append(item.speaker_role)
    return roles


def _announced_items(items: list[Structured], index: int) -> list[int]:
    """The list items of the same speaker right after a sentence ending with « : », as
    many as make a quote of reasonable length (ANNOUNCED_CHARS); none when no list follows."""
    speaker, taken, size = items[index].speaker, [], 0
    for following in range(index + 1, len(items)):
        item = items[following]
        if item.block.kind != "item" or item.speaker != speaker:
            break
        size += len(item.block.text)
        if taken and size > ANNOUNCED_CHARS:
            break
        taken.append(following)
    return taken
