"""Practice statements: what a document recommends, proposes or would (not) do again.

Precision first. A block counts only with a cue the text gives itself:
- it stands under a heading that announces practices (« Bonnes pratiques », « Ce que je
  referais », « Les leviers… », « Propositions », « Conditions de réussite »…), as a list
  item or a short paragraph;
- it is a proposition line (« Proposition 2 : Se former à coopérer »);
- it is a numbered or bulleted line that opens on an infinitive (« 12. Accompagner les
  élus à faire un pas de côté. ») under any heading;
- it is a sentence stating a necessity (« il faut… », « il est essentiel de… »).
« Ce que je ne referais pas » gives statements with polarity "avoid", and so does a
necessity sentence that says what is difficult (« … est difficile, il faut … »); under a
heading, the heading's polarity stands.
"""

from __future__ import annotations

import re

from ingest.clean import Block
from ingest.extract.records import Statement
from ingest.structure import Structured

# Obstacles a text lists (« Les freins à la valorisation »), not a practice that lifts
# them (« Lever les freins »).
_OBSTACLES = (
    r"(?<!lever les )(?<!surmonter les )(?<!dépasser les )"
    r"\b(?:freins?|obstacles|difficultés (?:rencontrées|à))\b"
)
_CUE_HEADING = re.compile(
    r"bonnes? pratiques?|ce que (?:je|j['’]|nous|on) (?:ne )?(?:re)?fer(?:ais|ions|ait|ons|a)|"
    r"leviers?|recommandations?|propositions?|actions? proposées?|idées concrètes|"
    r"conditions? (?:de|du) (?:réussite|succès)|facteurs? clés?|clés? de (?:réussite|succès)|"
    r"enseignements|conseils|pistes d.action|à (?:ne pas )?reproduire|à éviter|écueils|"
    rf"erreurs|points? de vigilance|{_OBSTACLES}",
    re.I,
)
# « Développement des compétences », « Mise en réseau » : a practice named by its action.
_ACTION_NOUN = re.compile(r"^(?:Mise en|Prise en|[A-ZÉ][a-zéèêîôûç]+(?:tion|ment|age)s?\b(?! :))")
_HAS_NAME = re.compile(r"\b[A-ZÉ][a-zàâçéèêëîïôûü]+ [A-ZÉ]{2,}\b|^[A-Z0-9&]{3,}\s*[:–-]|’actions$")
# Parts whose lists are people's commitments, attendees or schedules, not practices.
_NOT_PRACTICES = re.compile(r"engagements|participants|programme|liste des", re.I)
_AVOID = re.compile(
    r"ne (?:re)?fer\w* pas|à éviter|écueils?|erreurs?|pièges?|ne pas reproduire|"
    rf"points? de vigilance|{_OBSTACLES}",
    re.I,
)
# Headings whose list items are each one statement, whatever their grammar: proposals,
# and obstacles (« Les freins à la valorisation » : « - Un manque de compétence… »).
_PROPOSED = re.compile(
    rf"^proposition\s*\d*\s*:|actions? proposées?|idées concrètes|{_OBSTACLES}",
    re.I,
)
# The innermost heading of lists that state needs, stakes, goals or topics, not practices
# (the judges' reading of the workshops' « Enjeux » and « Besoins » grids).
_NOT_PRACTICE_LIST = re.compile(
    r"^(?:\d+[.)]\s*)?(?:enjeux|besoins?|objectifs|sujets|thèmes?|les mots qui|ordre du jour)\b",
    re.I,
)


def warns(heading: str) -> bool:
    """Whether a heading (or a cue line) announces what to avoid or what stands in the way:
    « Ce que je ne referais pas », « Écueils », « Les freins à la valorisation »."""
    return bool(_AVOID.search(heading))


_PROPOSITION = re.compile(r"^Proposition\s+\d+\s*:\s*(?P<rest>.{8,})$", re.I)
_MARKER = re.compile(
    r"^(?:[-–—•▪◦●■➢➤►\uf0b7\uf0a7\uf0d8*o]\s*|\d{1,2}[.)]\s*|[A-Z]\d{1,2}\s*:\s*)+"
)
_INFINITIVE = re.compile(
    r"^[A-ZÀÂÉÈÊÎÔÛÇ][a-zàâäçéèêëîïôöùûüÿ]*(?:-[a-zàâäçéèêëîïôöùûüÿ]+)?(?:er|ir|re)\b"
)
_NOT_VERBS = frozenset(
    "Le Leur Notre Votre Entre Autre Premier Dernier Cahier Quartier Atelier Métier Pilier "
    "Dossier Avenir Plaisir Désir Loisir Centre Livre Cadre Titre Ordre Nombre Membre Chiffre "
    "Offre Être Manière Matière Filière Frontière Lumière Carrière Pierre Terre Guerre Lettre "
    "Mètre Registre Ministre Théâtre Siècle Rencontre Contre Outre Partenaire Dire Faire".split()
)
_NECESSITY = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<s>[^.!?]*?\b(?:il faut|il est (?:essentiel|nécessaire|"
    r"indispensable|important|primordial|crucial) de|il convient de|"
    r"(?:est|sont) (?:également |aussi )?à (?:valoriser|développer|encourager|renforcer|"
    r"privilégier|soutenir)|devrai(?:t|ent) être|"
    r"la condition[^.!?]{0,80}\best)\b[^.!?]*[.!?])",
    re.I,
)
_DISCOURSE = re.compile(
    r"\b(?:important|essentiel|nécessaire) de (?:noter|souligner|rappeler|dire|préciser)", re.I
)
# « la conduite du changement est difficile, il faut … »: a sentence that says what is
# hard is a point of vigilance, like the obstacles a heading lists, not a thing to do.
_DIFFICULTY = re.compile(
    r"\b(?:est|sont|reste|restent|demeure|demeurent)\s+(?:\w+\s+)?difficiles?\b|"
    r"\bil est (?:\w+\s+)?difficile de\b",
    re.I,
)
MIN_CHARS, MAX_CHARS = 12, 400


def strip_list_marker(text: str) -> str:
    """'- B2 : Mobiliser…' → 'Mobiliser…': bullets, numbers and grid codes removed."""
    return _MARKER.sub("", text).strip()


def _opens_on_infinitive(text: str) -> bool:
    body = strip_list_marker(text)
    match = _INFINITIVE.match(body)
    return bool(match) and match.group().rstrip() not in _NOT_VERBS and len(body) >= MIN_CHARS


def _reads_as_practice(text: str) -> bool:
    """An action (infinitive or action noun), not a question, a name or a topic."""
    body = strip_list_marker(text)
    if _HAS_NAME.search(body) or body.rstrip(" .").endswith("?"):
        return False
    return (
        _opens_on_infinitive(text)
        or bool(_ACTION_NOUN.match(body))
        or bool(_NECESSITY.search(body))
    )


def _statement(
    block: Block, item: Structured, begin: int, finish: int, cue: str, polarity: str
) -> Statement:
    return Statement(
        text=block.text[begin:finish].strip(),
        start=block.raw_offset(begin),
        end=block.raw_offset(finish - 1) + 1,
        page=block.pages[0],
        section=" › ".join(item.section),
        cue=cue,
        polarity=polarity,
    )


def extract(items: list[Structured]) -> list[Statement]:
    statements: list[Statement] = []
    label: str | None = None  # a cue line that is not a heading: « Ce que je referais »
    for item in items:
        block = item.block
        text = block.text
        if block.kind != "note" and (proposition := _PROPOSITION.match(text)):
            statements.append(
                _statement(block, item, proposition.start("rest"), len(text), "proposition", "do")
            )
            continue
        if block.kind == "heading":
            label = None
        if block.kind not in ("paragraph", "item") or not item.section:
            continue
        if (
            block.kind == "paragraph"
            and len(text) <= 60
            and (_CUE_HEADING.match(text) or _NOT_PRACTICE_LIST.match(text) or text.endswith(":"))
        ):
            label = text  # « Points de discussion : » ends the list of lessons above it
            continue
        if _NOT_PRACTICES.search(" ".join(item.section)):
            continue
        heading = label or item.section[-1]
        if _NOT_PRACTICE_LIST.match(heading) or _NOT_PRACTICES.search(heading):
            continue  # « Enjeux », « Besoins », « 3 engagements : »: needs, aims, pledges
        cue_heading = _CUE_HEADING.search(heading)
        polarity = "avoid" if warns(heading) else "do"
        short = MIN_CHARS <= len(text) <= MAX_CHARS
        lesson = bool(cue_heading) and "fer" in cue_heading.group().lower()
        # Under a proposition or a list of proposed actions, every item of its list is one
        # (« • Des champions charismatiques pour inspirer »); under « Bonnes pratiques »,
        # an item must read as a practice (a list of partners is not one).
        listed = (
            block.kind == "item"
            and bool(_PROPOSED.search(heading))
            and not _HAS_NAME.search(strip_list_marker(text))
            and len(strip_list_marker(text).split()) >= 3
        )
        if (
            cue_heading
            and short
            and (_reads_as_practice(text) or lesson or (listed and not text.rstrip().endswith("?")))
        ):
            statements.append(_statement(block, item, 0, len(text), heading, polarity))
            continue
        if (
            block.kind == "item"
            and short
            and _opens_on_infinitive(text)
            and _reads_as_practice(text)
        ):
            statements.append(_statement(block, item, 0, len(text), "recommandation", "do"))
            continue
        for match in _NECESSITY.finditer(text):
            sentence = match.group("s")
            if _DISCOURSE.search(sentence):
                continue  # « il est important de souligner… » comments, it does not advise
            if MIN_CHARS <= len(sentence.strip()) <= MAX_CHARS:
                offset = match.start("s") + (len(sentence) - len(sentence.lstrip()))
                polarity = "avoid" if _DIFFICULTY.search(sentence) else "do"
                statements.append(
                    _statement(block, item, offset, match.end("s"), "nécessité", polarity)
                )
    return statements
