"""Practice statements: what a document recommends, proposes or would (not) do again.

Precision first. A block counts only with a cue the text gives itself:
- it stands under a heading that announces practices (« Bonnes pratiques », « Ce que je
  referais », « Ce qu'il faut faire », « Les leviers… », « Propositions », « Conditions de
  réussite »…) or what to avoid (« Ce qu'il ne faut pas faire », « Erreurs à éviter »,
  « Points de vigilance », « Freins »…), as a list item or a short paragraph; a paragraph
  may carry that heading inline (« Ce que nous ne referions pas : lancer la cantine… »),
  or end on it when its list follows without a blank line;
- it is a proposition line (« Proposition 2 : Se former à coopérer »), or an item of the
  list right after it (« • Des champions charismatiques pour inspirer »); under
  proposals, levers and obstacles every item that says something is one, noun phrases
  included (« - Les voyages d'études… »);
- it is a numbered or bulleted line that opens on an infinitive (« 12. Accompagner les
  élus à faire un pas de côté. ») or an imperative (« - Associez les habitants… »),
  advises against something (« - Ne pas confier… », « - Éviter de… »), names a means
  and what it helps to do (« • Un appui externe peut aider à évaluer… ») or says what is
  hard (« - L'articulation avec les élus reste complexe. »), under any heading;
- it is a sentence that advises by its form (« il faut agir… », « il est très important
  de… », « il ne faut pas… », « mieux vaut… », « la clé, c'est… », « … à condition de… »,
  « nous avons appris que… »).
Lists that name needs, stakes, aims or pledges (« Enjeux », « Les besoins », « Cette
étude a 3 objectifs : ») and partners (« • Cluster Jura ») are not practices, however
their items are worded: the judges of eval/labels/practices.jsonl count them out.
Its polarity, "do" or "avoid", follows ingest.extract.polarity: a heading that warns
gives "avoid" to every statement under it; a statement that advises against something is
"avoid" under any heading; one that says what is hard is "avoid" unless a heading
announces it as a practice (_polarity_under).
"""

from __future__ import annotations

import re

from ingest.clean import Block
from ingest.cues import DO_CUE, LIST_TITLE_CHARS, REDO, RUBRIC_LINE, announces_advice, heads_a_list
from ingest.extract.polarity import (
    AVOID,
    DO,
    advises,
    advises_against,
    cautions,
    not_to_do,
    polarity_of,
    states_difficulty,
    warns,
)
from ingest.extract.records import Statement
from ingest.structure import Structured

# A heading inline, before the statement it announces: « Ce que nous ne referions pas :
# lancer la cantine sans cuisinier », « Point de vigilance : la disponibilité des élus ».
_INLINE = re.compile(r"^(?P<label>[^:.!?]{3,60}?)\s*:\s*(?P<rest>\S.{7,})$", re.S)
# « Développement des compétences », « Mise en réseau » : a practice named by its action.
_ACTION_NOUN = re.compile(r"^(?:Mise en|Prise en|[A-ZÉ][a-zéèêîôûç]+(?:tion|ment|age)s?\b(?! :))")
_HAS_NAME = re.compile(r"\b[A-ZÉ][a-zàâçéèêëîïôûü]+ [A-ZÉ]{2,}\b|^[A-Z0-9&]{3,}\s*[:–-]|’actions$")
# A line whose every word but linking words is capitalised names something (« Cluster
# Jura », « Révélateurs de Richesses Immatérielles »): an item of a list of partners.
_NAME_ONLY = re.compile(
    r"^[A-ZÀ-Ý][\w’'-]*(?:\s+(?:[A-ZÀ-Ý&][\w’'-]*|de|du|des|et|en|pour|[dl]’[A-ZÀ-Ý][\w’'-]*))+[\s.]*$"
)
# Parts whose lists are people's commitments, attendees or schedules, not practices: a
# heading that opens on them (« Participants Groupe Bleu », « Conclusion et engagements »),
# not one that names them in passing (« Ce que retiennent les participants »).
_NOT_PRACTICES = re.compile(
    r"(?:^|\bet\s+)(?:(?:les|nos|\d+)\s+)?(?:engagements|participants|programme)\b|liste des",
    re.I,
)
# Headings whose list items are each one statement, whatever their grammar: proposals,
# levers and conditions of success (« Trois natures de leviers ont été proposés : - Les
# voyages d'études… »), and (ingest.extract.polarity.warns) obstacles and mistakes (« Les
# freins à la valorisation » : « - Un manque de compétence… »).
_EVERY_ITEM = re.compile(
    r"^proposition\s*\d*\s*:|actions? proposées?|idées concrètes|\bleviers?\b|"
    r"conditions? (?:de|du) (?:réussite|succès)|facteurs? clés?|clés? de (?:réussite|succès)",
    re.I,
)
# A paragraph's last sentence that announces a list of stakes, needs, aims or lines of
# work (« Cette étude a 3 objectifs : », « Il existe encore plusieurs enjeux pour la
# suite : », « Le projet intervient sur trois axes : »): what the list after it names is
# what someone aims at or works on, not advice.
_AIMS_LEAD = re.compile(
    r"\b(?:\d+|deux|trois|quatre|cinq|six|plusieurs|quelques|(?:de\s+)?nombreux|principaux|"
    r"grands)\s+(?:grands\s+|principaux\s+)?(?:enjeux|besoins|objectifs|axes|missions|"
    r"ambitions|finalités|priorités)\b[^.!?:]*:\s*$",
    re.I,
)
# A line that ends on a preposition before its colon (« accélérer le plaidoyer vers : »)
# is completed by each item of its list, which is a target, not a statement of its own;
# a card drops those words (search.knowledge.practices.clean_statement).
COMPLETED_BY_ITEMS = re.compile(
    r"\s+(?:vers|pour|auprès\s+de|avec|à|aux|de|des|du|envers)\s*:\s*$", re.I
)
_DETERMINER = re.compile(
    r"^(?:les?|la|l['’]|des|du|de|d['’]|une?|\d+|deux|trois|chaque|tout|toute|tous|toutes|nos|"
    r"vos|leurs?|ses|son|sa|ces?|cet|cette|plus|moins|trop|peu|manque)\b",
    re.I,
)
# A paragraph's closing words after its last sentence, with no stop of their own: a cue
# line the text runs on without a blank line (« … chaque mois. Ce que nous ne referions
# pas » then « - Lancer la collecte… »).
_CLOSING_WORDS = re.compile(r"[.!?»]\s+(?P<last>[^.!?»]{3,60}?)\s*:?\s*$")
_PROPOSITION = re.compile(r"^Proposition\s+\d+\s*:\s*(?P<rest>.{8,})$", re.I)
# « o » is a bullet only when a space follows it: « outils », « on a » are words.
_MARKER = re.compile(
    r"^(?:[-–—•▪◦●■➢➤►\uf0b7\uf0a7\uf0d8*]\s*|o\s+|\d{1,2}[.)]\s*|[A-Z]\d{1,2}\s*[:.]\s*)+"
)
_INFINITIVE = re.compile(
    r"^[A-ZÀÂÉÈÊÎÔÛÇ][a-zàâäçéèêëîïôöùûüÿ]*(?:-[a-zàâäçéèêëîïôöùûüÿ]+)?(?:er|ir|re)\b"
)
_NOT_VERBS = frozenset(
    "Le Leur Notre Votre Entre Autre Premier Dernier Cahier Quartier Atelier Métier Pilier "
    "Dossier Avenir Plaisir Désir Loisir Centre Livre Cadre Titre Ordre Nombre Membre Chiffre "
    "Offre Être Manière Matière Filière Frontière Lumière Carrière Pierre Terre Guerre Lettre "
    "Mètre Registre Ministre Théâtre Siècle Rencontre Contre Outre Partenaire".split()
)
# A sentence that advises by its form, wherever it stands: a necessity (« il faut
# agir… », not « il faut des moyens », which names a need), what is important, better or
# advisable (« il est très important de… », « mieux vaut… »), the key or the condition of
# success (« la clé, c'est… », « … à condition de… »), a lesson learnt (« nous avons
# appris que… »).
_NECESSITY = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<s>[^.!?]*?\b(?:"
    r"il faut(?!\s+(?:un|une|des|du|de\s+la|de\s+l['’]|d['’]autres)\s)|"
    r"il ne faut (?:surtout |absolument )?(?:pas|jamais)|"
    r"il (?:est|sera|serait) (?:(?:donc|très|aussi|également|particulièrement|vraiment|"
    r"absolument)\s+)?(?:essentiel|nécessaire|indispensable|important|primordial|crucial|"
    r"préférable|conseillé|recommandé) d(?:e|['’])|il convient d(?:e|['’])|"
    r"mieux vaut|il vaut mieux|"
    r"(?:est|sont) (?:également |aussi )?à (?:valoriser|développer|encourager|renforcer|"
    r"privilégier|soutenir)|devrai(?:t|ent) être|"
    # « Le bailleur doit s'engager sur plusieurs années », « les élus doivent venir »
    # (not what a thing « doit permettre », its purpose, nor « qu'ils doivent » reported)
    r"(?<!qui )(?<!qu['’]ils )(?<!qu['’]elles )"
    r"(?:doi(?:t|vent)|devrai(?:t|ent))\s+(?:(?:donc|aussi|également|toujours|absolument)\s+)?"
    r"(?!permettre\b)(?:s['’]|se\s+)?[a-zéèêàâîôû]+(?:er|ir|re)\b(?![^.!?]*\?)|"
    r"la condition[^.!?]{0,80}\best|la clé(?: du succès| de la réussite)?\s*(?:,\s*c['’]est|"
    r"est|réside)|à (?:la )?condition (?:d(?:e|['’])|qu(?:e|['’]))|"
    r"(?:nous avons|j['’]ai|on a|ils ont|elles ont) (?:appris|compris|retenu) qu(?:e|['’])"
    r")\b[^.!?]*[.!?])",
    re.I,
)
_DISCOURSE = re.compile(
    r"\b(?:important|essentiel|nécessaire) de (?:noter|souligner|rappeler|dire|préciser)|"
    r"\bne faut pas oublier que\b",
    re.I,
)
# An item that names a means and what it helps to do (« Un appui externe peut aider à
# évaluer… », « L'appui de chercheurs peut être un bon levier pour gagner en
# légitimité »), not an effect (« … peuvent être un levier de réputation »).
_HELPS = re.compile(
    r"\b(?:peu(?:t|vent)|pourrai(?:t|ent))\s+(?:\w+\s+)?(?:aider|servir)\s+à\b|\bleviers?\s+pour\b",
    re.I,
)
# « Associez les habitants… »: the imperative that addresses the reader, before what it
# acts on. The first person plural (« Nous, pionniers : - Créons des liens… ») exhorts
# the writers themselves, a pledge the judges do not count as a practice.
_IMPERATIVE = re.compile(
    r"^[A-ZÀ-Ý][a-zàâäçéèêëîïôöùûüÿ]+ez\s+(?:à|au|aux|de|des|du|d['’]|la|le|les|"
    r"l['’]|un|une|vos|votre|ensemble|avec|en|sur|pour|dès|toujours|bien)\b"
)
_NOT_IMPERATIVES = frozenset("Chez Assez".split())
MIN_CHARS, MAX_CHARS = 12, 400


def _names(body: str) -> bool:
    """Whether a statement (list marker removed) names a person or an organisation."""
    return bool(_HAS_NAME.search(body) or _NAME_ONLY.match(body))


def strip_list_marker(text: str) -> str:
    """'- B2 : Mobiliser…' → 'Mobiliser…', 'B5. Partager…' → 'Partager…': bullets,
    numbers and grid codes removed."""
    return _MARKER.sub("", text).strip()


def _opens_on_infinitive(text: str) -> bool:
    body = strip_list_marker(text)
    match = _INFINITIVE.match(body)
    return bool(match) and match.group().rstrip() not in _NOT_VERBS and len(body) >= MIN_CHARS


def _opens_on_imperative(body: str) -> bool:
    """« Associez les habitants dès le début »: advice in the imperative."""
    return bool(_IMPERATIVE.match(body)) and body.split()[0] not in _NOT_IMPERATIVES


def _reads_as_practice(text: str) -> bool:
    """An action (infinitive or action noun), advice against something or a difficulty,
    not a question, a name or a topic."""
    body = strip_list_marker(text)
    if _names(body) or body.rstrip(" .").endswith("?"):
        return False
    return (
        _opens_on_infinitive(text)
        or _opens_on_imperative(body)
        or bool(_ACTION_NOUN.match(body))
        or bool(_NECESSITY.search(body))
        or cautions(body)
    )


def _labels_a_list(text: str) -> bool:
    """A short line that names what follows (« Ce que je referais », « Points de
    vigilance : », « Besoins »), or ends on a colon, not a statement."""
    return heads_a_list(text) or (len(text) <= LIST_TITLE_CHARS and text.endswith(":"))


def _closing_cue(text: str) -> str | None:
    """The cue line a paragraph ends on, when a list follows it without a blank line: the
    line then heads that list as it would standing alone (_labels_a_list)."""
    found = _CLOSING_WORDS.search(text)
    if found is None:
        return None
    last = found.group("last")
    return last if announces_advice(last) else None


def _announces(heading: str) -> bool:
    """Whether a heading announces practices or what to avoid."""
    return bool(DO_CUE.search(heading) or REDO.search(heading)) or warns(heading)


def _lesson(heading: str) -> bool:
    """A heading of what one would (not) do again: every short block under it is one."""
    return bool(REDO.search(heading)) or not_to_do(heading)


# A footnote call after a statement's last word or stop (« … salarié. 1 »).
_TRAILING_CALL = re.compile(r"(?<=[.!?»)\w])\s*\d{1,3}\s*$")


def _statement(
    block: Block, item: Structured, begin: int, finish: int, cue: str, polarity: str
) -> Statement:
    call = _TRAILING_CALL.search(block.text, begin, finish)
    if call and call.start() > begin:
        finish = call.start()
    return Statement(
        text=block.text[begin:finish].strip(),
        start=block.raw_offset(begin),
        end=block.raw_offset(finish - 1) + 1,
        page=block.pages[0],
        section=" › ".join(item.section),
        cue=cue,
        polarity=polarity,
    )


def _inline(block: Block, item: Structured) -> Statement | None:
    """« Ce que nous ne referions pas : lancer la cantine sans cuisinier. »: the statement
    after a heading written inline, with that heading's polarity."""
    found = _INLINE.match(block.text)
    if found is None:
        return None
    label = strip_list_marker(found.group("label"))
    if not announces_advice(label):
        return None  # « Bourse des pionniers – proposition : que chaque… » is one line
    if RUBRIC_LINE.match(label) or _NOT_PRACTICES.search(label):
        return None
    rest = found.group("rest")
    if not MIN_CHARS <= len(rest) <= MAX_CHARS or rest.rstrip().endswith("?"):
        return None
    polarity = _polarity_under(label, strip_list_marker(rest))
    return _statement(block, item, found.start("rest"), len(block.text), label, polarity)


def _under_heading(block: Block, item: Structured, heading: str) -> Statement | None:
    """A block under a heading that announces practices or what to avoid, with the
    heading's polarity (see _polarity_under)."""
    text = block.text
    if not _announces(heading) or not MIN_CHARS <= len(text) <= MAX_CHARS:
        return None
    if COMPLETED_BY_ITEMS.search(heading):
        return None  # « accélérer le plaidoyer vers : - Le grand public »
    body = strip_list_marker(text)
    # Under a proposition, a list of proposed actions or of obstacles, every item of its
    # list is one (« • Des champions charismatiques pour inspirer », « - Le manque de
    # bénévoles »); under « Bonnes pratiques », an item must read as a practice (a list
    # of partners is not one).
    listed = (
        block.kind == "item"
        and bool(_EVERY_ITEM.search(heading) or warns(heading))
        and not _names(body)
        and _says_something(body)
        and not text.rstrip().endswith("?")
    )
    if _reads_as_practice(text) or _lesson(heading) or listed:
        return _statement(block, item, 0, len(text), heading, _polarity_under(heading, body))
    return None


def _says_something(body: str) -> bool:
    """An item of a list of proposals, levers or obstacles that says something: three words
    with an article (« Des champions charismatiques pour inspirer », « Le manque de
    bénévoles »), or five without; a bare noun phrase of four words or fewer names a
    network, a tool or an event (« Carrefour des innovations sociales »)."""
    words = len(body.split())
    return words >= 5 or (words >= 3 and bool(_DETERMINER.match(body)))


def _polarity_under(heading: str, body: str) -> str:
    """Under a heading (or a proposition) that announces practices or what to avoid, the
    heading's polarity, unless the statement advises against something (« Bonnes
    pratiques : - Ne pas être seul »): what is hard beside advice (« Ces émergences sont
    difficiles, il est important de… ») stays the advice the heading announces, as the
    judges read it."""
    return AVOID if warns(heading) or advises_against(body) else DO


def _listed_line(block: Block, item: Structured) -> Statement | None:
    """A list item that advises (opening on an infinitive, an imperative or in the
    negative: « Ne pas hésiter à… », « Ne jamais… »), names a means and what it helps to
    do, or says what is hard, under any heading."""
    text = block.text
    if block.kind != "item" or not MIN_CHARS <= len(text) <= MAX_CHARS:
        return None
    body = strip_list_marker(text)
    if _names(body) or body.rstrip(" .").endswith("?"):
        return None
    if (_opens_on_infinitive(text) and _reads_as_practice(text)) or advises(body):
        cue = "recommandation"
    elif _opens_on_imperative(body):
        cue = "impératif"
    elif _HELPS.search(body):
        cue = "levier"
    elif states_difficulty(body):
        cue = "difficulté"
    else:
        return None
    return _statement(block, item, 0, len(text), cue, polarity_of(body))


def _necessities(block: Block, item: Structured) -> list[Statement]:
    """Sentences stating a necessity (« il faut… », « il ne faut pas… »). Their polarity is
    their own: under « Les freins », « il faut … » is the remedy, not an obstacle."""
    found = []
    for match in _NECESSITY.finditer(block.text):
        sentence = match.group("s")
        if _DISCOURSE.search(sentence):
            continue  # « il est important de souligner… » comments, it does not advise
        begin = match.start("s") + (len(sentence) - len(sentence.lstrip()))
        for start, end in _clauses(block.text, begin, match.end("s")):
            clause = block.text[start:end]
            if MIN_CHARS <= len(clause) <= MAX_CHARS:
                found.append(_statement(block, item, start, end, "nécessité", polarity_of(clause)))
    return found


# Two pieces of advice in one sentence: « … ont conclu qu'il faut prévoir un temps de
# convivialité et qu'il faut éviter de confier l'animation à un seul bénévole. »
_NEXT_NECESSITY = re.compile(
    r",?\s+(?:et|mais|puis)\s+(?:qu['’]\s*)?(?=il\s+(?:ne\s+)?(?:faut|faudrait)\b)", re.I
)


def _clauses(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """The spans of a necessity's clauses, each a statement with its own polarity: the
    second of « il faut prévoir … et qu'il faut éviter … » is a pitfall, the first not."""
    spans, start = [], begin
    for joint in _NEXT_NECESSITY.finditer(text, begin, end):
        spans.append((start, joint.start()))
        start = joint.end()
    spans.append((start, end))
    return spans


# A cue written inline inside a paragraph, before the sentence it announces: « … accueille
# quarante adhérents. À éviter : multiplier les comités de pilotage sans … budget. »
_LABELLED = re.compile(
    r"(?:^|(?<=[.!?…]\s))(?P<label>[^.!?:\n]{3,60}?)\s*:\s*(?P<rest>[^.!?\n]{8,}[.!?…]?)"
)


def _labelled(block: Block, item: Structured) -> list[Statement]:
    """Sentences of a paragraph announced inline by a cue, each with the cue's polarity
    (as _inline for a paragraph that is only that)."""
    found = []
    for match in _LABELLED.finditer(block.text):
        label, rest = strip_list_marker(match.group("label")), match.group("rest").strip()
        if not announces_advice(label) or _not_practices(label):
            continue
        if MIN_CHARS <= len(rest) <= MAX_CHARS and not rest.endswith("?"):
            polarity = _polarity_under(label, rest)
            begin = match.start("rest")
            found.append(_statement(block, item, begin, match.end("rest"), label, polarity))
    return found


def _sentences(block: Block, item: Structured) -> list[Statement]:
    """A paragraph's sentences that advise by their form or under a cue written inline,
    in reading order; a sentence the cue announces is not read twice as a necessity."""
    labelled = _labelled(block, item)
    taken = [(s.start, s.end) for s in labelled]
    necessities = [
        s for s in _necessities(block, item) if not any(a < s.end and s.start < b for a, b in taken)
    ]
    return sorted(labelled + necessities, key=lambda s: s.start)


def extract(items: list[Structured]) -> list[Statement]:
    """The practice statements of a structured document, in reading order."""
    statements: list[Statement] = []
    label: str | None = None  # a cue line that is not a heading: « Ce que je referais »
    lead: str | None = None  # a line that heads only the list right after it
    for item in items:
        block = item.block
        text = block.text
        if block.kind != "item":
            lead = None
        if block.kind != "note" and (proposition := _PROPOSITION.match(text)):
            polarity = _polarity_under("", proposition.group("rest"))
            begin = proposition.start("rest")
            statements.append(_statement(block, item, begin, len(text), "proposition", polarity))
            lead = text  # « Proposition 1 : … » then « • Des champions… »: its means
            continue
        if block.kind == "heading":
            label = None
        if block.kind not in ("paragraph", "item") or not item.section:
            continue
        if _NOT_PRACTICES.search(" ".join(item.section)):
            continue
        if (inline := _inline(block, item)) is not None:
            statements.append(inline)
            continue
        if block.kind == "paragraph" and _labels_a_list(text):
            label = text  # « Points de discussion : » ends the list of lessons above it
            continue
        if lead and _AIMS_LEAD.search(lead):
            # An item is an aim or a line of work; a necessity it states is still advice.
            statements.extend(_necessities(block, item))
            continue
        heading = lead or label or item.section[-1]
        if _not_practices(heading):
            continue  # « Enjeux », « Besoins », « 3 engagements : »: needs, aims, pledges
        found = _under_heading(block, item, heading) or _listed_line(block, item)
        statements.extend([found] if found else _sentences(block, item))
        if block.kind == "paragraph" and _AIMS_LEAD.search(text):
            lead = text  # « Cette étude a 3 objectifs : » then the objectives
        elif block.kind == "paragraph" and (closing := _closing_cue(text)):
            lead = closing  # « … chaque mois. Ce que nous ne referions pas » then its list
    return statements


def _not_practices(heading: str) -> bool:
    """Whether the list under a heading names needs, stakes, aims, pledges or attendees
    (« Enjeux », « Les besoins », « 3 engagements : »), which the judges do not count as
    practices."""
    return bool(RUBRIC_LINE.match(heading) or _NOT_PRACTICES.search(heading))
