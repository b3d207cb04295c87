"""Give every block its section path and, where the text says who speaks, its speaker.

Proceedings give words to people in a handful of conventions, and a turn runs from its
first paragraph to its last, across the sub-headings a rapporteur puts inside a long answer:

- an explicit turn ``Charles-Benoît HEIDSIECK : Depuis 2014…`` or a label line
  ``Bettina LAVILLE, Présidente du Comité 21 :`` (or a bare ``Nicolas KLEIN :``);
- a moderator's question addressed to a person (``Yannick BLANC, vous êtes Préfet…
  Pouvez-vous… ?``, ``…je me tourne vers vous Guillaume COUARRAZE… ?``): the answer is
  what follows the question;
- a heading or line naming whose talk follows: ``1) Florence RAINEIX, Directeur…``,
  ``Conclusion par Tarik GHEZALI :``, ``… par Françoise CANDIER, Directrice de FACE``,
  a heading that is only ``Name, role``;
- reported speech: ``Pour X, …``, ``X a rappelé que…``, ``« … », a témoigné X``.
- a credit on the line after a quotation: ``« … »`` then ``— X, rôle`` (a web page's
  ``<blockquote><footer>``, ingest.readers.html).

A turn ends at a new turn, at a heading that is not a sub-point of the part the turn
opened in, at a line announcing the next part of the event (« Conclusion du modérateur : »)
or when the moderator speaks again (a paragraph addressed to the speaker that is not a
follow-up question). Moderator questions, introductions of a guest and labels are marked
``intro`` and stay unattributed. Each attributed block says whether it holds the person's
own words (``verbatim``: a transcript convention, first person, guillemets) or the
report's account of them (``reported``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ingest.clean import Block
from ingest.names import CREDIT, FIRST_NAME, NAME, PARTICLE_NAME, TITLE_NAME, UPPER
from ingest.voice import (
    FIRST_PERSON,
    carries_words_on,
    closes_quotation,
    guillemets_opened,
    is_editorial,
    is_question_clause,
    is_report_voice,
    only_asks,
)

VERBATIM, REPORTED = "verbatim", "reported"

# « NAME : text », « NAME, rôle : « … » »: an explicit turn, its speaker's role maybe given.
# « représentée par Y »: Y stood in for who the line names first, and spoke.
_REPRESENTED_BY = r"représenté(?:e|s|es)?\s+par\s"
# « Pour X, rôle : « … » »: the quotation is X's, as after « X, rôle : ».
_FOR = r"(?:(?:Pour|Selon|D[’']après)\s+)?"
TURN = re.compile(
    rf"^{_FOR}(?P<name>{NAME})(?:\s*,\s*(?P<role>[^:«»\n]{{3,160}}?))?\s?:\s*(?P<rest>\S.*)?$",
    re.S,
)
# « Marie Dupont, maire de Givry : « … » »: a name as running text writes it is a turn
# when a quotation follows its colon (« Loos-en-Gohelle Ville : » announces nothing), or
# when a role in lower case stands between them and a sentence follows (« Bernard
# Lacombe, vice-président de la communauté de communes : Nous avons commencé… »).
_QUOTED_TURN = re.compile(
    rf"^{_FOR}(?P<name>{TITLE_NAME})(?:\s*,\s*(?P<role>[^:«»\n]{{3,160}}?))?\s?:\s*"
    r"(?P<rest>[«“].*)$",
    re.S,
)
_ROLE_TURN = re.compile(
    rf"^(?P<name>{TITLE_NAME})\s*,\s*(?P<role>[a-zàâçéèêëîïôöûü][^:«»\n]{{2,159}}?)\s?:\s*"
    rf"(?P<rest>[{UPPER}—–-].*)$",
    re.S,
)


# « Madame la Préfète de région, représentée par Olivier Jaouen, directeur… : L'État… »:
# who is represented, unnamed, then who stood in and spoke (stood_in reads the role).
_STOOD_IN_TURN = re.compile(
    rf"^(?P<name>[{UPPER}][^:«»\n,]{{2,100}}?),?\s+(?P<role>{_REPRESENTED_BY}\s*"
    # Their role, not what the report says they did (« …, a partagé les outils : »).
    rf"(?:{NAME}|{TITLE_NAME})(?:(?!,\s*(?:a|ont|avait|est|sont|s[’']est)\s)[^:«»\n]){{0,160}}?)"
    r"\s?:\s*(?P<rest>\S.*)$",
    re.S,
)


def match_turn(text: str) -> re.Match[str] | None:
    """« NAME : text », « NAME, rôle : … », « Prénom Nom, rôle : « … » », « Prénom Nom,
    rôle : Sentence… » or « Someone, représenté par Prénom Nom, rôle : … »."""
    found = (
        TURN.match(text)
        or _QUOTED_TURN.match(text)
        or _ROLE_TURN.match(text)
        or _STOOD_IN_TURN.match(text)
    )
    # « X, conseillère…, a souligné l'importance des pairs : les jeunes… »: the report
    # tells what X said, up to its colon; no label opens X's own words. Words in
    # guillemets after it (« …, a déclaré : « … » ») are X's.
    role, rest = (found.group("role") or "", found.group("rest") or "") if found else ("", "")
    if role and not rest.startswith(("«", "“")) and _SAID_IN_ROLE.search(role):
        return None
    return found


# Verbs of saying in the present, as a report writes them after who speaks.
_SAYING = (
    r"explique|souligne|ajoute|rappelle|déclare|indique|précise|estime|insiste|affirme|"
    r"raconte|témoigne|confie|résume|observe|note|conclut|poursuit|répond"
)
# Where a role stops: a verb (« , a présenté », « , explique »), a relative clause, or the
# subject of the talk or report.
_ROLE_END = re.compile(
    r",\s*(?:a|ont|avait|est|sont|s[’']est|qui|que|dont|sur|rapport|rapporteur)(?:\s|$)"
    rf"|,\s*(?:{_SAYING}|intervient|présente)\b"
    # « directrice de la ressourcerie, coordonne l'ensemble des partenaires »: what they do.
    r"|,\s*(?:coordonne|anime|dirige|pilote|porte|accompagne|gère|préside|travaille|mène|"
    r"organise|propose|souhaite|défend|accueille|finance|soutient|représente|conduit|"
    r"développe|suit|forme|crée|lance)\s"
    # « adjoint au maire d'Ouahigouya, lors de la rencontre… », « …, venue visiter… »: when
    # and why they were there, not their role.
    r"|,\s*(?:lors|pendant|durant|au cours|venue?s?|présente?s?|invitée?s?|interrogée?s?|"
    r"rencontrée?s?)\b"
    # « Ministre de la Cohésion des territoires représentée par Hugo Bevort »: the rest is
    # the person who stood in.
    rf"|\s+{_REPRESENTED_BY}"
    # « Consultante Etudes / RSE et est disponible en ligne… »: the sentence goes on.
    r"|\s+et\s+(?:a|ont|avait|est|sont|était)\s"
    # « coordinatrice du lieu, le plus grand succès est que… »: a new clause, its subject.
    r"|,\s*(?:le|la|les|l[’']|un|une|il|elle|ils|elles|on|nous|je|ce|cet|cette|ces|c[’']est|"
    r"selon|grâce|depuis)(?:\s|(?<=[’']))"
)


# What a report says someone did, within what would be their label: « , a souligné »,
# « , explique ».
_SAID_IN_ROLE = re.compile(rf",\s*(?:(?:a|ont|avait)\s+\w+é\b|(?:{_SAYING})\b)")


# A role the layout cut mid-phrase ends on a word that needs what follows it.
_DANGLING = re.compile(
    r"(?:\s+(?:de|du|des|la|le|les|à|au|aux|en|et|ou|pour|sur|par|chez|avec|dans)"
    r"|\s+[dl][’'])+$",
    re.I,
)


def cut_role(text: str) -> str:
    """The role a « NAME, role » line states, without what the sentence goes on to say
    (« adjointe au maire, a témoigné » → « adjointe au maire »), nor a phrase the layout
    cut: a title whose guillemet never closes (« Co-auteur du rapport « Innovation & » →
    « Co-auteur du rapport »), a dangling function word (« directrice de la » →
    « directrice », « chargé de mission à l' » → « chargé de mission »). A clause that
    asks (« X, comment avez-vous convaincu … ? ») is no role: empty."""
    role = _ROLE_END.split(" ".join(text.split()))[0]
    if is_question_clause(role):
        return ""
    if role.count("«") > role.count("»"):
        role = role[: role.rfind("«")]
    return _DANGLING.sub("", role.rstrip(" ,.")).rstrip(" ,.")


# « X, Ministre de … représentée par Y, directeur … »: Y spoke, for X.
_STOOD_IN = re.compile(
    rf"^(?P<role>.*?)(?:^|[\s,]+){_REPRESENTED_BY}\s*(?P<name>{NAME}|{TITLE_NAME})"
    r"(?:\s*,\s*(?P<own>.+))?$",
    re.S,
)


def stood_in(name: str, role: str | None) -> tuple[str, str | None]:
    """Who speaks under a label: the person the label names, or whoever stood in for them
    (« Jacqueline GOURAULT, Ministre … représentée par Hugo Bevort, directeur … »: the
    words that follow are Hugo Bevort's, as his role says « représentant … »)."""
    found = _STOOD_IN.match(" ".join((role or "").split()))
    if found is None:
        return name, role
    # What follows the name is a role (« directeur de cabinet ») or what they did (« a
    # partagé… »), which cut_role stops at when it follows a comma, as it does here.
    own = cut_role(f", {found.group('own')}").lstrip(", ") if found.group("own") else ""
    held = cut_role(found.group("role"))
    represented = f"représentant {name}, {held}" if held else f"représentant {name}"
    return found.group("name"), f"{own}, {represented}" if own else represented


# A name as running text writes it, with or without a particle: whether it is a person is
# the document's to say (_people_in).
_RUNNING_NAME = rf"(?:{PARTICLE_NAME}|{TITLE_NAME})"
# « Jean-Luc de La Roche (mairie de Saint-Aubin) : Franchement… », « Claire Dumont : »: a
# turn labelled with a name as running text writes it, its organisation maybe in brackets.
_RUNNING_TURN = re.compile(
    rf"^(?P<name>{_RUNNING_NAME}|{NAME})(?:\s*\((?P<role>[^()\n]{{2,120}})\))?\s?:\s*"
    r"(?P<rest>\S.*)?$",
    re.S,
)
# « Marc Durand (M. D.), vice-président… »: initials or an acronym in brackets may follow.
_RUNNING_LABEL = re.compile(
    rf"^(?:\d{{1,2}}\)\s*)?(?P<name>{_RUNNING_NAME})(?:\s*\([^()\n]{{1,40}}\))?\s*[,–-]\s*"
    r"(?P<role>[^:]{3,200}?)\s*:?$",
    re.S,
)
# « Témoignage de Soizic Le Bihan, infirmière », « Conclusion par Claire Dumont » (not
# « Exemple de Helen Keller »: an example's name).
_RUNNING_BY_NAME = re.compile(
    r"(?:^|\s)(?:par|(?i:^(?:témoignage|intervention|propos|discours|mot|allocution|"
    r"conclusion|introduction|présentation|regard|parole|point de vue|exposé)s?\s+(?:de|d[’'])))"
    rf"\s*(?P<name>{_RUNNING_NAME})(?:\s*,\s*(?P<role>[^:]{{3,160}}?))?\s*:?$",
    re.S,
)
# « Mme Rousseau : … », « M. Durand : … », « Dr Diallo : … »: a turn labelled with a
# civility and a surname, the person the document names in full elsewhere.
_CIVIL_TURN = re.compile(
    rf"^(?P<name>(?:M\.|Mme|Mlle|Monsieur|Madame|Dr|Docteur|Pr|Professeur)\s+"
    rf"(?:(?:de|du|d[’']|le|la)\s*)?[{UPPER}][\w’'-]+)"
    r"(?:\s*\((?P<role>[^()\n]{2,120})\))?\s?:\s*(?P<rest>\S.*)?$",
    re.S,
)
# « M. D. : … » after « Marc Durand (M. D.) »: a transcript's initials for its speakers.
_INITIALS = r"(?:[A-Z][a-z]?\.\s?-?\s?){2,4}"
_INITIALS_TURN = re.compile(rf"^(?P<name>{_INITIALS})\s?:\s*(?P<rest>\S.*)?$", re.S)
_INITIALS_DEFINED = re.compile(
    rf"(?P<name>{NAME}|{PARTICLE_NAME}|{TITLE_NAME})\s*\((?P<initials>{_INITIALS})\)"
)
# « Animation : Sylvie Carpentier », « table ronde animée par Thomas GIRARD »: who leads the
# debate; their labelled questions are nobody's words.
_MODERATED_BY = re.compile(
    r"(?:\b(?:Animation|Modération|Animat(?:eur|rice)|Modérat(?:eur|rice))\s*:\s*"
    r"|\b(?:animée?s?|modérée?s?)\s+par\s+)"
    rf"(?P<name>{NAME}|{PARTICLE_NAME}|{TITLE_NAME})"
)
# « X, fonction, témoigne : », « X raconte : »: the report hands X the floor.
_HANDS_OVER_TO = re.compile(
    rf"^(?P<name>{NAME}|{PARTICLE_NAME}|{TITLE_NAME})(?:\s*,\s*(?P<role>[^:«»\n]{{3,200}}?)\s*,)?"
    r"\s+(?:témoigne|raconte|explique|se souvient|prend la parole|poursuit|conclut)\s*:"
    r"\s*(?P<rest>\S.*)?$",
    re.S,
)
# « INTERVENTION DE MARIE-PIERRE DU CHÂTELET, VICE-PRÉSIDENTE »: a talk's title in capitals.
_CAPS_TALK = re.compile(
    r"^(?:INTERVENTION|TÉMOIGNAGE|PROPOS|DISCOURS|ALLOCUTION|MOT|EXPOSÉ|REGARD)S?\s+"
    rf"(?:DE|D[’'])\s*(?P<name>[{UPPER}][{UPPER}’'\- ]+?)\s*(?:,\s*(?P<role>.+))?$",
    re.S,
)
# A transcript's note of what the room did, between or inside turns.
_STAGE_DIRECTION = re.compile(
    r"\((?:rires?|applaudissements?|silence|brouhaha|inaudible|"
    r"murmures?|[a-zé ]{0,30}(?:salle|public))[^()]{0,150}\)\.?",
    re.I,
)
# A guest called by name at the start of what the moderator says to them: « Claire Dumont,
# vous êtes… ? », « Karim, vous êtes… », « Nadia, comment… ? ».
_CALLED = re.compile(rf"^(?P<name>{_RUNNING_NAME}|{FIRST_NAME})(?:,\s|\s*\?)")
# Where a document gives a name as a person's: a role after a comma, « vous », brackets
# (not a colon alone: « Givry Solidaire : un réseau de quinze associations »).
_AS_PERSON = re.compile(
    rf"(?<![\w’'-])(?P<name>{_RUNNING_NAME})(?=\s*(?:,\s*(?:[a-zàâçéèêëîïôöûü]|vous\b)|\())"
)
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-zàâçéèêëîïôöûüÿ][\w’'-]*")
_LABEL = re.compile(rf"^(?P<name>{NAME})\s*[,–-]\s*(?P<role>[^:]{{3,200}}?)\s*:?$", re.S)
_NUMBERED_LABEL = re.compile(rf"^\d{{1,2}}\)\s*(?P<name>{NAME})\s*[,–-]\s*(?P<role>.+)$", re.S)
# "Conclusion par X :", "Mot d'accueil de X", "… par X, Directrice de FACE Paris".
_BY_NAME = re.compile(
    rf"(?:^|\s)(?:par|de)\s+(?P<name>{NAME})(?:\s*,\s*(?P<role>[^:]{{3,160}}?))?\s*:?$", re.S
)
_BY_NAME_LINE = re.compile(rf"^par\s+(?P<name>{NAME})(?:\s*,\s*(?P<role>[^:]{{3,200}}))?", re.S)
# Who animates or reports a workshop does not speak in what follows: a summary does.
_NOT_A_TALK = re.compile(r"^(?:atelier\s+)?(?:co-?)?(?:anim|modér|rapport|coordin|organis)", re.I)
# « Table ronde animée par Lucie Arnaud, journaliste »: she leads it, the guests talk.
_LED_BY = re.compile(r"\b(?:anim|modér|présid|coordonn|rapport)\w*\s+par\s", re.I)
_SECOND_PERSON = re.compile(r"\b(?:vous|votre|vos)\b", re.I)
_I = re.compile(r"(?<![\w’'-])(?:je|j[’']|moi|mon|ma|mes)(?![\w-])", re.I)
# « Pour X, … », « X a rappelé … », « X, directrice de …, a présenté … », « Le CGET,
# représenté par X, a présenté … »: the report gives an account of X's words.
_REPORTED_OPEN = re.compile(
    rf"^(?:(?:Pour|Selon|D[’']après)\s+(?P<a>{NAME}|{TITLE_NAME})\s*,"
    # « Lors de l'échange avec la salle, X, rôle, a fait valoir que … »
    r"|(?:(?:Lors|Au cours|Pendant|Durant|Enfin|Puis|Ensuite|Dans la foulée)\b[^,.]{0,60},\s*)?"
    rf"(?:[^.]{{0,80}}?\breprésentée?\s+par\s+)?(?P<b>{NAME}|{PARTICLE_NAME}|{TITLE_NAME})"
    r"(?:\s*,(?P<role>[^,.]{3,160}))?\s*,?\s+"
    r"(?:a|avait|s[’']est|est)\s+(?:\w+\s+)?\w+(?:é|i|u|is|it)e?s?\b)"
)
# « … », a témoigné X / a mis en avant X / explique X: after a closing quote and a comma,
# any past participle (or « mis en avant », « fait valoir »), or a verb of saying in the
# present as the press writes it, introduces who said it; the quotation is X's own words
# (ingest.extract.quotes takes them as a quote).
_SAYS = (
    rf"{_SAYING}|assure|reconnaît|dit|lance|martèle|regrette|analyse|détaille|commente|"
    r"prévient|avertit|constate|relève"
)
QUOTATION = re.compile(
    r"[«\"“]\s*(?P<quote>[^«»\"“”]{20,700}?)\s*[»\"”]\s*,\s*(?:(?:a|ont|avait)\s+"
    r"(?:(?:mis|fait)\s+(?:en\s+avant|valoir|remarquer|observer)|\w+(?:é|i|u|it|is))"
    rf"|(?:{_SAYS}))\s+(?P<name>{NAME}|{TITLE_NAME})(?:\s*,\s*(?P<role>[^.;()\n]{{3,120}}))?"
)
# A quotation's incise, as the press writes it: « « Au départ, nous étions trois, sourit
# Amandine Lefèvre-Castan, directrice… ». The quotation is hers.
_INCISE = re.compile(
    r"^[«“][^»”]{15,600}?,\s*(?:"
    rf"{_SAYS}|sourit|tempère|raconte|résume|insiste|ajoute|poursuit|conclut|plaide|avance"
    rf")\s+(?P<name>{NAME}|{PARTICLE_NAME}|{TITLE_NAME})"
)
# The report's account of someone's view in a sentence of its own, mid-paragraph as well
# as first: « Selon Marie DUPONT, maire de Givry, les habitants … . », « Jean MARTIN
# estime que … . » (ingest.extract.quotes takes the sentence as a reported quote).
ACCOUNT = re.compile(
    rf"(?:^|(?<=[.!?…»]\s))(?:(?:Selon|D[’']après|Pour)\s+(?P<by>{NAME}|{TITLE_NAME})"
    r"(?:\s*,\s*(?P<by_role>[^,.;:«»\n]{3,120}))?\s*,\s+(?=[a-zàâçéèêîôû])"
    rf"|(?P<name>{NAME}|{TITLE_NAME})(?:\s*,\s*(?P<role>[^,.;:«»\n]{{3,120}})\s*,)?\s+"
    rf"(?:{_SAYING}|considère|juge|pense|a\s+\w+é(?:\s+sur\s+le\s+fait)?)\s+qu(?:e\s|[’']))"
    r"[^.!?…«»\n]{15,600}[.!?…]"
)
_SENTENCE_END = re.compile(r"[.!?…](?=\s+[A-ZÉÀ«\"“]|\s*$)")
_PRONOUN_REPORT = re.compile(
    r"^(?:Selon|Pour|D[’']après)\s+(?:elle|lui)\b|^(?:Elle|Il)\s+a\s+\w+é"
    # « « … », poursuit-elle. »: the same person's words, quoted on.
    rf"|^[«“].*[»”]\s*,\s*(?:{_SAYS}|poursuit|conclut|ajoute)-(?:t-)?(?:elle|il)\b",
    re.S,
)
# A short line announcing the next part of an event ends whoever spoke before it.
_EVENT_PART = re.compile(
    r"modérat|animat|questions?\b|réponses?\b|débat|conclusion|introduction|déroulé|"
    r"programme|participants|intervenants|synthèse|rapporteur|pause|déjeuner",
    re.I,
)
# A heading that opens a new part of an event ends any turn.
_PART = re.compile(
    r"^(?:(?:première|deuxième|troisième|quatrième|\d+\s*(?:e|ème|re|er))\s+)?"
    r"(?:ateliers?|sujets?|sessions?|tables? rondes?|parties?|chapitres?|axes?|annexes?|"
    r"séquences?|plénières?|conclusion|introduction|synthèse|programme|questions?)\b",
    re.I,
)
# « Présentation : X est présidente de… »: the report introduces the speaker.
# The moderator hands over to the next guest: « X nous livre son regard », « je passe
# la parole à … », « place à … ». Whoever spoke before has finished.
_HANDOVER = re.compile(
    r"\bnous (?:livre|livrera|présente|présentera|racontera|raconte|parlera|dira|fera "
    r"part)\s+(?:de\s+)?(?:son|sa|ses|leur|leurs)\b|\b(?:je|nous) (?:passe|passons|donne|"
    r"donnons|laisse|laissons|cède|cédons) (?:maintenant |tout de suite )?la parole\b|"
    r"\bla parole (?:est )?(?:maintenant )?à\b|^place à\b",
    re.I,
)
# At most this many paragraphs make the quotation a credit line closes.
CREDITED_BLOCKS = 5
_INTRO_LABEL = re.compile(r"^(?:Présentation|Biographie|Parcours|Profil)\s*:", re.I)
_NUMBERED = re.compile(r"^(?:\d{1,2}[).]|[IVX]{1,4}[.)]|[A-Z][.)])\s")


@dataclass
class Structured:
    """A block with its place in the document's outline and, if the text says so, its speaker."""

    block: Block
    section: tuple[str, ...]
    speaker: str | None
    speaker_role: str | None = None
    speech: str | None = None  # "verbatim" | "reported" when a speaker is set
    intro: bool = False  # a moderator's question, a guest's introduction, a speaker label
    question: str | None = None  # the moderator's question this block answers, if any


def normalise_name(name: str) -> str:
    """'Marie LECLERC- BRUANT' → 'Marie LECLERC-BRUANT'."""
    return re.sub(r"\s*-\s*", "-", " ".join(name.split()))


def surname(name: str) -> str:
    """The last word of a name, upper-cased: how two spellings of one person are matched."""
    return name.split()[-1].upper()


def _is_subpoint_heading(block: Block) -> bool:
    """Headings drawn with a symbol-font bullet are points inside an answer, not new parts."""
    return bool(block.text) and 0xF000 <= ord(block.text[0]) <= 0xF8FF


def _titles(path: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(title for _, title in path)


def _names_in(text: str) -> list[str]:
    return list(dict.fromkeys(normalise_name(m) for m in re.findall(NAME, text)))


@dataclass
class _Turn:
    speaker: str
    role: str | None
    speech: str  # the default for its paragraphs
    anchor: str  # the heading the turn opened under
    said: bool = False  # has any block been attributed yet
    open_quotes: int = 0
    # Opened inside a paragraph (« …, a témoigné X », « Pour X, … »): it goes on only
    # where the next paragraph carries on the report (« Selon elle, … »).
    single: bool = False
    # Opened by a question to the person: the answer may start under the next heading.
    asked: bool = False
    # Opened by the report's account of the person's words (« X, rôle, a rappelé que … »):
    # the report may go on in its own voice (_leaves_the_account).
    account: bool = False
    question: str | None = None  # the last question put to the speaker
    crossed: bool = False  # a heading came between the question and the answer
    # The last block ended the speaker's words in guillemets (a quotation whole, or the
    # close of one an earlier block opened): the report may speak again in its own voice
    # (see ingest.voice).
    quoted: bool = False

    def speech_of(self, text: str) -> str:
        """Verbatim inside a quotation still open (the items of a quoted list) or opening
        one; reported where the report carries the words on (« Elle a ajouté que … »);
        otherwise by the turn's convention, or verbatim only in the first person."""
        if self.open_quotes > 0:
            return VERBATIM
        if text.lstrip().startswith(("«", '"', "“")):
            return VERBATIM
        if carries_words_on(text):
            return REPORTED
        if self.speech == VERBATIM:
            return VERBATIM
        return VERBATIM if FIRST_PERSON.search(text) else REPORTED


class _Walker:
    """Walks the blocks in order, tracking the outline and the current turn."""

    def __init__(self, texts: list[str]):
        """`texts`: the document's blocks but its notes, whose names say who is who."""
        known_names = _names_in(" ".join(texts))  # in capitals: « Marie DUPONT »
        # As running text writes them, where the document gives them as people's.
        self.running = _people_in(texts)
        people = [*known_names, *self.running]
        # « Nadia, comment… ? »: the one person of the document with that first name.
        self.by_first = _only_one(people, lambda person: person.split()[0])
        # « Mme Rousseau », « DIALLO »: the one person of the document with that surname.
        self.by_last = _only_one(people, surname)
        self.path: list[tuple[int, str]] = []
        self.turn: _Turn | None = None
        self.out: list[Structured] = []
        # A question a moderator put under their own name, for the answer that follows.
        self.asked: str | None = None
        # Title-case mentions ("Jean-François Caron") map to the document's own spelling.
        self.by_surname: dict[str, str] = {}
        for known in known_names:
            self.by_surname.setdefault(surname(known), known)
        # Who the document says leads the debate; the initials a transcript defines.
        self.moderators = {
            self.canonical(found.group("name"))
            for text in texts
            for found in _MODERATED_BY.finditer(text)
        }
        self.initials = {
            found.group("initials").replace(" ", ""): self.canonical(found.group("name"))
            for text in texts
            for found in _INITIALS_DEFINED.finditer(text)
        }

    def canonical(self, name: str) -> str:
        """The document's « Jean-François CARON » for a running-text « Jean-François Caron »;
        « Sophie Martin » stays herself beside « Paul MARTIN »."""
        name = normalise_name(name)
        if re.fullmatch(NAME, name):
            return name
        known = self.by_surname.get(surname(name))
        if known and known.split()[0].lower() == name.split()[0].lower():
            return known
        return name

    def is_person(self, name: str) -> bool:
        """A name in capitals, or one the document gives as a person's (_people_in)."""
        name = normalise_name(name)
        return bool(re.fullmatch(NAME, self.canonical(name))) or name in self.running

    def _running_turn(self, text: str) -> tuple[str, str | None, str] | None:
        """(name, role, rest) of a turn whose label writes a person's name as running text
        does (« Claire Dumont : … »), adds their organisation (« Jean-Luc de La Roche
        (mairie de …) : … »), gives a civility and a surname (« Mme Rousseau : … »), the
        initials the transcript defined (« M. D. : … ») or hands them the floor (« X,
        fonction, témoigne : »)."""
        civil = _CIVIL_TURN.match(text)
        if civil:
            person = self.by_last.get(surname(civil.group("name")))
            return (person, civil.group("role"), civil.group("rest") or "") if person else None
        initials = _INITIALS_TURN.match(text)
        if initials and initials.group("name").replace(" ", "") in self.initials:
            name = self.initials[initials.group("name").replace(" ", "")]
            return name, None, initials.group("rest") or ""
        handed = _HANDS_OVER_TO.match(text)
        if handed:  # only a person « témoigne » or « raconte »: the verb says so
            return handed.group("name"), handed.group("role"), handed.group("rest") or ""
        found = _RUNNING_TURN.match(text)
        if found and self.is_person(found.group("name")):
            return found.group("name"), found.group("role"), found.group("rest") or ""
        return None

    def _running_label(self, text: str) -> re.Match[str] | None:
        found = _RUNNING_LABEL.match(text)
        return found if found and self.is_person(found.group("name")) else None

    @staticmethod
    def _asks(text: str) -> bool:
        """A question put to the guest: « Quel projet vous a le plus marquée ? »."""
        return _is_question(text) and bool(_SECOND_PERSON.search(text))

    def _caps_talk(self, text: str) -> tuple[str, str | None, str] | None:
        """« INTERVENTION DE BOUBACAR DIALLO, MÉDECIN… »: the talk of the one person of the
        document with that surname."""
        found = _CAPS_TALK.match(text)
        person = self.by_last.get(surname(found.group("name"))) if found else None
        return (person, None, VERBATIM) if person else None

    def _called(self, text: str) -> str | None:
        """The person a moderator calls at the start of what they say to them (« Claire
        Dumont, vous êtes… ? », « Karim, vous êtes… », « Madame Rousseau, … ? »), if the
        document knows them."""
        found = _CALLED.match(text)
        if found is None or not (_SECOND_PERSON.search(text) or _is_question(text)):
            return None
        name = normalise_name(found.group("name"))
        if name.split()[0] in CIVILITIES:
            return self.by_last.get(surname(name))
        if self.is_person(name):
            return name
        return self.by_first.get(name)

    def _called_in(self, text: str) -> str | None:
        """The person a moderator's words call at the start of one of their sentences."""
        for start in re.finditer(r"(?:^|(?<=[.!?…]\s))\S", text):
            called = self._called(text[start.start() :])
            if called:
                return called
        return None

    def emit(self, block: Block, intro: bool = False) -> None:
        self.out.append(Structured(block, _titles(self.path), None, intro=intro))
        # The report went on: the question found no answer. A heading does not say so (a
        # moderator's question under « Introduction » is answered under « Les intervenants »).
        if not intro and block.kind != "heading":
            self.asked = None
        if intro and self.turn is not None:
            asked = _questions_in(block.text)
            if asked:
                self.turn.question = asked

    def attribute(self, block: Block) -> None:
        turn = self.turn
        assert turn is not None
        turn.said = True
        speech = turn.speech_of(block.text)  # before this block opens or closes a quotation
        was_open = turn.open_quotes > 0
        turn.open_quotes += guillemets_opened(block.text)
        turn.quoted = turn.open_quotes == 0 and closes_quotation(block.text, was_open)
        self.out.append(
            Structured(
                block,
                _titles(self.path),
                turn.speaker,
                turn.role,
                speech,
                question=turn.question,
            )
        )

    def open(
        self,
        name: str,
        role: str | None,
        speech: str,
        single: bool = False,
        asked: bool = False,
        account: bool = False,
    ) -> None:
        anchor = self.path[-1][1] if self.path else ""
        name, role = stood_in(name, role)
        if role:  # « rôle, représentant … NAME, rôle bis »: the role stops where it repeats
            # The name, whole or as its label writes it: « dirigeant de la menuiserie
            # Moreau à Tonnerre » names his firm after him, and goes on.
            written = normalise_name(name).split()
            first, last = written[0], written[-1]
            whole = rf"(?i:{re.escape(first)})\s+(?i:{re.escape(last)})"
            role = cut_role(re.split(rf"\s(?:{whole}|{re.escape(last)})\b", role)[0]) or None
        elif self.turn is not None and surname(self.turn.speaker) == surname(name):
            role = self.turn.role  # the label gave it; the question that follows does not
        question, self.asked = self.asked, None
        if (
            self.turn is not None
            and not self.turn.said
            and surname(self.turn.speaker) == surname(name)
        ):
            question = self.turn.question or question  # « X, comment … ? » then « X : … »
        self.turn = _Turn(
            self.canonical(name),
            role or None,
            speech,
            anchor,
            single=single,
            asked=asked,
            account=account,
        )
        self.turn.question = question

    # -- headings --------------------------------------------------------------

    def heading(self, block: Block) -> None:
        text = block.text.strip()
        named = _speaker_heading(text, self.is_person) or self._caps_talk(text)
        if self.turn is not None:  # a quotation may open or close on a heading's line
            self.turn.open_quotes += text.count("«") - text.count("»")
        if not _is_subpoint_heading(block):
            keep = self.turn is not None and named is None and self._continues_through(block)
            level = max(1, block.level)
            self.path = [*(entry for entry in self.path if entry[0] < level), (level, text)]
            if not keep:
                self.turn = None
        if named is not None:
            name, role, speech = named
            self.open(name, role, speech)
            self.emit(block, intro=True)
            return
        if self.turn is not None and self.turn.asked and self._asks(text):
            self.emit(block, intro=True)  # the interviewer's next question, set as a title
            return
        addressee = self._addressee(text)
        if addressee:  # « Paul MARTIN, vous êtes maire … ? » set as a heading
            self.open(addressee, None, VERBATIM, asked=True)
            self.emit(block, intro=True)
            return
        self.emit(block)

    def _continues_through(self, block: Block) -> bool:
        """Whether the current turn goes on past this heading."""
        turn = self.turn
        assert turn is not None
        if turn.open_quotes > 0 or (turn.open_quotes == 0 and "»" in block.text):
            return True  # « … still open, or closing on this line: inside the quotation
        if (block.level == 1 and turn.said) or _PART.match(block.text):
            return False
        if not turn.said:
            # The question was asked and the answer starts under this heading, or the
            # heading is the title of the talk announced (« Les ODD permettent-ils… ? »).
            if turn.asked and not turn.crossed:
                turn.crossed = True
                return True
            return _is_question(block.text) or block.text.startswith(("«", '"'))
        # Under a numbered part ("2) …"), unnumbered headings are points of the answer.
        return bool(_NUMBERED.match(turn.anchor)) and not _NUMBERED.match(block.text)

    # -- paragraphs and items --------------------------------------------------

    def paragraph(self, block: Block) -> None:
        text = block.text.strip()
        if self._credit(block):
            return
        if _STAGE_DIRECTION.fullmatch(text):
            self.emit(block)  # « (Rires et applaudissements.) »: the room, not the speaker
            return
        found = match_turn(text)
        turn = (
            (found.group("name"), found.group("role"), found.group("rest") or "")
            if found
            else self._running_turn(text)
        )
        if turn and _SECOND_PERSON.search(turn[1] or ""):
            turn = None  # « X, vous qui … : » is the moderator speaking to X
        if turn and not turn[2]:  # "Nicolas KLEIN :" announces what follows
            self.open(turn[0], turn[1], VERBATIM)
            self.emit(block, intro=True)
            return
        name, role, rest = turn or ("", None, "")
        guest = self._called_in(rest) if turn else None
        moderator = normalise_name(name) in self.moderators and _is_question(rest)
        if turn and (
            moderator
            or _moderates(role, rest)
            or (guest and (_is_question(rest) or _SECOND_PERSON.search(rest)))
        ):
            # « Julie MARTIN : Madame Lefort, comment avez-vous convaincu… ? », « Paul
            # MARTIN, animateur : Bonjour. Marie Durand, que change… ? »: a labelled turn
            # that asks the next speaker is the moderator's question, nobody's words on the
            # matter; the answer after it answers it, the guest's words when the moderator
            # called them (« Nadia, comment… ? » then an unlabelled answer).
            self.turn = None
            self.emit(block, intro=True)
            self.asked = _questions_in(rest)
            if guest:
                self.open(guest, None, VERBATIM, asked=True)
            return
        if turn:
            self.open(name, role, VERBATIM)
            self.attribute(block)
            return
        label = (
            (_LABEL.match(text) or self._running_label(text)) if block.kind == "paragraph" else None
        )
        if label and text.endswith(":") and not _SECOND_PERSON.search(text):
            self.open(label.group("name"), label.group("role"), VERBATIM)
            self.emit(block, intro=True)
            return
        by_name = _BY_NAME_LINE.match(text) or (
            len(text) <= 120
            and text.endswith(":")
            and not _NOT_A_TALK.match(text)
            and _BY_NAME.search(text)
        )
        if by_name:
            self.open(by_name.group("name"), by_name.group("role"), REPORTED)
            if len(text) > 250:  # « par X, role, s’est exprimé sur … »: the account begins
                self.attribute(block)
            else:
                self.emit(block, intro=True)
            return
        if self._reported(block):
            return
        if label and _is_label_like(text):
            self._beside_speaker_heading(text, label.group("name"))
            self.open(label.group("name"), label.group("role"), REPORTED)
            self.emit(block, intro=True)
            return
        addressee = self._addressee(text)
        if addressee:
            self.open(addressee, None, VERBATIM, asked=True)
            self.emit(block, intro=True)
            return
        current = self.turn
        if current is None:
            self.emit(block)
            return
        if (len(text) <= 60 and text.endswith(":") and _EVENT_PART.search(text)) or (
            _MODERATED_BY.match(text)
        ):
            self.turn = None  # "Conclusion du modérateur (5 minutes) :", « Animation : X »
            self.emit(block)
            return
        if _is_question(text) and block.kind == "paragraph":
            self.emit(block, intro=True)  # the moderator asks; the answer follows
            return
        if len(text) <= 300 and _HANDOVER.search(text):
            self.turn = None
            self.emit(block, intro=True)
            return
        # Only a moderator who asked the question speaks to the guest as « vous »; a
        # speaker giving a talk says « vous » to the audience.
        if (
            (
                current.asked
                and _SECOND_PERSON.search(text)
                and block.kind == "paragraph"
                # « Avec prudence, je ne vais pas vous mentir. »: the guest answers.
                and (_is_question(text) or current.said or not _I.search(text))
            )
            or surname(current.speaker) in text.upper().split()
            or _INTRO_LABEL.match(text)
        ):
            # The moderator speaks: a follow-up question keeps the floor with the guest,
            # anything else (thanks, a transition) ends the turn.
            if current.said and not _is_question(text):
                self.turn = None
            self.emit(block, intro=True)
            return
        if _is_question(text) and not current.said:
            self.emit(block, intro=True)  # the rest of the question
            return
        if current.account and _leaves_the_account(block, self.out[-1]):
            self.turn = None
            self.emit(block)
            return
        if _report_speaks(text, current) or _gives_another_view(text, current.speaker):
            self.turn = None
            self.emit(block)
            return
        self.attribute(block)

    def _credit(self, block: Block) -> bool:
        """« — Name, role » under a quotation: the quotation is that person's own words,
        whoever the walker thought was speaking; the credit line closes it."""
        credit = CREDIT.match(block.text.strip())
        quotation = self._quotation_before() if credit else []
        if not quotation:
            return False
        self.open(credit.group("name"), credit.group("role"), VERBATIM)
        turn = self.turn
        assert turn is not None
        for item in quotation:
            item.speaker, item.speaker_role, item.speech = turn.speaker, turn.role, VERBATIM
            item.question = item.question or turn.question
        self.turn = None
        self.emit(block, intro=True)
        return True

    def _quotation_before(self) -> list[Structured]:
        """The paragraphs just emitted that make one quotation whole, from the one opening
        on « to the one closing it; none when the last block closes no quotation."""
        taken: list[Structured] = []
        depth = 0  # guillemets closed but not yet opened, reading backwards
        for item in reversed(self.out[-CREDITED_BLOCKS:]):
            text = item.block.text.strip()
            if item.intro or item.block.kind not in ("paragraph", "item"):
                return []
            if not taken and not closes_quotation(text, True):
                return []
            depth -= guillemets_opened(text) + text.count("“") - text.count("”")
            taken.append(item)
            if depth <= 0:
                return taken[::-1] if depth == 0 and text.startswith(("«", "“")) else []
        return []

    def _beside_speaker_heading(self, text: str, name: str) -> None:
        """« Gisèle ROSSAT-MIGNOD, Directrice … » set as a paragraph after the heading
        « Jean-François CARON, Maire … »: the layout lost the line's heading style, not its
        rank. It heads the next speaker's part, in place of the previous speaker's."""
        if not self.path:
            return
        level, title = self.path[-1]
        named = _speaker_heading(title)
        if named is not None and surname(named[0]) != surname(name):
            self.path[-1] = (level, text)

    def _addressee(self, text: str) -> str | None:
        """The person a moderator's question or introduction speaks to, if any."""
        start = re.match(rf"^({NAME}),\s", text)
        if start:
            # « Philippe JAHSHAN, depuis 2008, Le Mouvement associatif… »: a person's name
            # then a comma opens a question or an introduction, not the person's own words.
            return start.group(1)
        called = self._called(text)
        if called:
            return called
        if self._asks(text):
            names = _names_in(text)
            if len(names) == 1:
                return names[0]
        return None

    def _several_voices(self, block: Block) -> bool:
        """A paragraph quoting two people or more is cut after each one's sentence, each
        part theirs: « « … », a mis en avant X. … « … », a expliqué Y. »"""
        voices = _voices(block.text)
        if len(voices) < 2:
            return False
        rest, done = block, 0
        for index, (end, name) in enumerate(voices):
            last = index == len(voices) - 1 or not block.text[end:].strip()
            part = rest
            if not last:
                part, rest = rest.split(end - done)
                done = len(block.text) - len(rest.text)
            self.open(name, None, REPORTED, single=True)
            self.attribute(part)
            if last:
                break
        return True

    def _reported(self, block: Block) -> bool:
        """« Pour X, … », « X a rappelé … », « … », a témoigné X: X's words, reported."""
        text = block.text.strip()
        opening = _REPORTED_OPEN.match(text)
        if opening and _SECOND_PERSON.search(text[: opening.end()]):
            opening = None  # « X, vous avez … »: the moderator speaks to X
        if opening and opening.group("b") and not self.is_person(opening.group("b")):
            opening = None  # « Le Groupe Vert a présenté … »: no person
        inline = QUOTATION.search(text) or _INCISE.match(text)
        if opening is None and self._several_voices(block):
            return True
        if opening and opening.group("b"):  # « X a témoigné de … » opens an account of a talk
            role = cut_role(opening.group("role") or "") or None
            self.open(opening.group("b"), role, REPORTED, account=True)
        elif opening or inline:
            name = opening.group("a") if opening else inline.group("name")
            self.open(name, None, REPORTED, single=True)
        elif self.turn is not None and self.turn.single:
            # « « … » » over several paragraphs, each opening on a guillemet: still theirs.
            quoted_on = self.turn.open_quotes > 0 and text.startswith(("«", "“"))
            if not quoted_on and not _PRONOUN_REPORT.match(text):
                self.turn = None
                return False
        else:
            return False
        self.attribute(block)
        return True


def _gives_another_view(text: str, speaker: str) -> bool:
    """Whether a paragraph gives someone else's view in the report's words (« Selon
    Bertrand LECLERC, maire…, il faut… »): the report speaks of another person there, so
    the turn before it has ended (ingest.extract.quotes credits the sentence to them)."""
    for found in ACCOUNT.finditer(text):
        name = found.group("by") or found.group("name")
        if surname(normalise_name(name)) != surname(speaker):
            return True
    return False


def _leaves_the_account(block: Block, previous: Structured) -> bool:
    """Whether the report, having given someone's words in its own (« X, rôle, a rappelé
    que … »), goes on in its own voice with a list the paragraph before it did not
    announce (« … ses ressources. » then « - Il faut mutualiser … »): a list announced by
    « : » gives the person's points. Its paragraphs stay the account (« Ces travaux ont
    permis … » after « X a posé le contexte … » in proceedings)."""
    return (
        block.kind == "item"
        and previous.block.kind == "paragraph"
        and not previous.block.text.rstrip().endswith(":")
    )


def _report_speaks(text: str, turn: _Turn) -> bool:
    """Whether a paragraph within a turn is the report's own voice, which ends the turn: an
    editorial line after anyone's words, or, once the speaker's quoted words have closed,
    an account of someone in the third person or of the report's sources."""
    if turn.open_quotes > 0 or text.startswith(("«", "“")):
        return False  # inside the quotation, or quoting the speaker again
    return is_editorial(text) or (turn.quoted and is_report_voice(text))


def _voices(text: str) -> list[tuple[int, str]]:
    """(end of the sentence, name) for each change of person a paragraph quotes: an
    article reports several people in one paragraph, each after their own words."""
    voices: list[tuple[int, str]] = []
    for match in QUOTATION.finditer(text):
        name = match.group("name")
        if voices and surname(voices[-1][1]) == surname(name):
            continue
        end = _SENTENCE_END.search(text, match.end())
        voices.append((end.end() if end else len(text), name))
    return voices


def _speaker_heading(
    text: str, is_person: Callable[[str], bool] = lambda name: False
) -> tuple[str, str | None, str] | None:
    """(name, role, speech) when a heading says whose words follow it. `is_person`: whether
    a name as running text writes it is a person's (the document says so, _people_in)."""
    text = text.rstrip()
    numbered = _NUMBERED_LABEL.match(text)
    if numbered:  # « 2) X, rôle »: proceedings transcribe the talk that follows
        return numbered.group("name"), numbered.group("role"), VERBATIM
    turn = TURN.match(text)
    if turn and not turn.group("rest"):
        return turn.group("name"), turn.group("role"), VERBATIM
    if re.fullmatch(NAME, text):
        return text, None, VERBATIM
    label = _LABEL.match(text)
    if label and not _SECOND_PERSON.search(text):
        return (
            label.group("name"),
            label.group("role"),
            VERBATIM if text.endswith(":") else REPORTED,
        )
    by_name = _BY_NAME.search(text)
    if by_name and not _NOT_A_TALK.match(text):
        speech = VERBATIM if text.endswith(":") else REPORTED
        return by_name.group("name"), by_name.group("role"), speech
    # The same, the name written as running text: « 4) Jean-Baptiste Le Goff, chercheur »,
    # « Témoignage de Soizic Le Bihan, infirmière », « Claire Dumont ».
    for running in (_RUNNING_LABEL.match(text), _RUNNING_BY_NAME.search(text)):
        if (
            running
            and is_person(running.group("name"))
            and not _NOT_A_TALK.match(text)
            and not _LED_BY.search(text)
        ):
            spoken = text.endswith(":") or bool(_NUMBERED.match(text))
            return running.group("name"), running.group("role"), VERBATIM if spoken else REPORTED
    if re.fullmatch(_RUNNING_NAME, text) and is_person(text):
        return text, None, VERBATIM
    return None


_QUESTION_SENTENCE = re.compile(r"[^.!?…]*\?")
# The part a label's role gives a moderator: « animatrice », « modérateur de la table
# ronde », « journaliste, animatrice des débats », « facilitateur ».
_MODERATOR_ROLE = re.compile(r"\b(?:anim|modér|moder|facilit)\w*", re.I)
# A question put to someone by name: « Karim Benali, le PETR… ? », « Et vous, Luc Petit ? ».
_ADDRESSED = re.compile(rf"(?:^|[.!?…]\s+|vous,?\s+)(?:{NAME}|{TITLE_NAME})\s*[,?]")


def _moderates(role: str | None, rest: str) -> bool:
    """Whether a labelled turn is a moderator's: it only asks, or it ends on a question
    and either its role says it moderates or it asks someone by name. A host's welcome
    or a remark before the question does not make the question anyone's words."""
    if only_asks(rest):
        return True
    if not _is_question(rest):
        return False
    return bool(_MODERATOR_ROLE.search(role or "") or _ADDRESSED.search(rest))


def _questions_in(text: str) -> str | None:
    """The interrogative sentences of a moderator's intervention: what the answer answers."""
    found = [
        m.group().strip(' -–•\n«»“”"')  # the question, not the guillemets around it
        for m in _QUESTION_SENTENCE.finditer(" ".join(text.split()))
    ]
    return " ".join(q for q in found if len(q) > 10) or None


def _is_question(text: str) -> bool:
    return text.rstrip(' »"”').endswith("?")


def _is_label_like(text: str) -> bool:
    """« Hélène VALADE, Présidente de l’ORSE (…) »: a name and a role, not a sentence."""
    return len(text.split()) <= 25 and not text.endswith((".", "?", "!")) and "\n" not in text


def structure(blocks: list[Block]) -> list[Structured]:
    """Walk the blocks in order, tracking the outline and the current speaker's turn."""
    walker = _Walker([b.text for b in blocks if b.kind != "note"])
    for block in blocks:
        if block.kind == "note":
            walker.emit(block)
        elif block.kind == "heading":
            walker.heading(block)
        else:
            walker.paragraph(block)
    return _one_voice_per_turn(walker.out)


CIVILITIES = frozenset(
    {"Madame", "Monsieur", "Mademoiselle", "Mme", "Mlle", "Docteur", "Dr", "Professeur", "Pr"}
    | {"Maître"}
)
# A word the document writes in lower case this often is a common word, not a first name
# (« exemple », « atelier »), though first names are words too (« une vision claire »).
COMMON_FIRST = 3


def _only_one(people: list[str], key: Callable[[str], str]) -> dict[str, str]:
    """Each key that only one of the people has → that person."""
    holders: dict[str, set[str]] = {}
    for person in people:
        holders.setdefault(key(person), set()).add(person)
    return {k: next(iter(held)) for k, held in holders.items() if len(held) == 1}


def _people_in(texts: list[str]) -> set[str]:
    """The names as running text writes them (« Claire Dumont », « Bénédicte de Kervern »)
    that a document gives as people's: before a role (« , directrice de… »), « vous » or
    brackets, and never written in lower case (« Bonnes Pratiques : » is a
    heading: the document writes « pratiques »). Capitals make a name a person's without
    this (NAME); running text needs the document's word for it. `texts`: the blocks',
    read one by one (a name never runs from one block into the next)."""
    lower = Counter(word for text in texts for word in _LOWER_WORD.findall(text))
    people = set()
    for found in (found for text in texts for found in _AS_PERSON.finditer(text)):
        name = normalise_name(found.group("name"))
        if name.split()[0] in CIVILITIES:
            continue  # « Madame Rousseau »: the person is named in full elsewhere
        first, last = name.split()[0].lower(), name.split()[-1].lower()
        # « Exemple de RONALPIA : »: a first word the text writes as a common word.
        if not lower[last] and lower[first] < COMMON_FIRST:
            people.add(name)
    return people


def _one_voice_per_turn(items: list[Structured]) -> list[Structured]:
    """A talk mostly in the first person is the speaker's own words throughout: its
    impersonal paragraphs (« La Caisse d’épargne est la première banque… ») are not the
    report's account. A run of one speaker's blocks is one turn."""
    runs: list[list[Structured]] = []
    current: list[Structured] = []
    for item in items:
        if item.speaker and current and current[-1].speaker == item.speaker:
            current.append(item)
        elif item.speaker:
            current = [item]
            runs.append(current)
        elif item.block.kind != "heading":
            current = []  # a block of nobody's between two runs ends the first
    for run in runs:
        first_person = sum(bool(FIRST_PERSON.search(i.block.text)) for i in run)
        if first_person >= len(run) / 2:
            # but « Elle a ajouté que … » and « Selon X, … » stay the report's account
            for item in run:
                text = item.block.text
                if not carries_words_on(text) and not _REPORTED_OPEN.match(text.strip()):
                    item.speech = VERBATIM
    return items
