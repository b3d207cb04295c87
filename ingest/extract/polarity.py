"""Polarity: whether a practice statement says what to do or what to avoid.

It follows the conventions of French writing, not the words of one document:
- a heading announces what to avoid when it says what not to do or redo, in any person
  and tense (« Ce qu'il ne faut pas faire », « Ce que nous ne referions pas », « À ne pas
  reproduire », « Ce qui n'a pas marché », « À éviter »), or names mistakes and obstacles
  (« Erreurs », « Écueils », « Les pièges », « Freins », « Difficultés », « Points de
  vigilance »); not when it names a remedy to them (« Lever les freins », « Comment éviter
  les pièges », « Réponses aux difficultés »);
- a statement warns by itself when it advises against something (« Ne pas confier… »,
  « Éviter de lancer… », « Ne jamais… », « Il ne faut pas… », « Attention aux… »,
  « Ne confiez pas… ») or says what is hard (« … reste complexe », « il est difficile
  de… », « peine à… ») or what went wrong (« nous avons perdu nos bénévoles le jour
  où… », « ça n'a pas marché », « une difficulté a été… »). A litotes (« Ne pas hésiter
  à… », « Ne pas oublier… ») and a means to avoid something (« Éviter l'épuisement
  grâce à un roulement », « … en alternant ») are things to do.

One convention for what to avoid, from the card to the answer: a statement of polarity
"avoid" names a pitfall, shown under « Écueils », and its label (`pitfall`) is the thing
not to do, without the words that advise against it. « Éviter de lancer les travaux avant
d'avoir trouvé les usagers » is the pitfall « Lancer les travaux avant d'avoir trouvé les
usagers », as « Ce que je ne referais pas : lancer la boutique trop tôt » is « Lancer la
boutique trop tôt » and « Les freins : le manque de bénévoles » is « Le manque de
bénévoles ». Advice in any other form (« Éviter l'épuisement grâce à… ») is a practice.
"""

from __future__ import annotations

import re

DO, AVOID = "do", "avoid"

# What stands in the way or went wrong, as a heading names it; « en difficulté »
# describes people (« les familles en difficulté »), not an obstacle.
_WARNING_NOUNS = (
    r"erreurs?|[ée]cueils?|pi[èe]ges?|freins?|obstacles?|(?<!en )difficult[ée]s?|blocages?|"
    r"[ée]checs?|dérives?|points? de vigilance|points? d['’]attention|vigilances?"
)
# What not to do or redo, in any person and tense (« ne referais pas », « ne ferions plus »).
_NOT_TO_DO = (
    r"\bne (?:re)?f(?:er(?:a|i|on|ez)\w*|ais|aisons|aites) (?:pas|plus|jamais)\b|"
    r"\bne (?:faut|faudrait|faudra|doit|doivent|devrait|devraient|devons|devrions) "
    r"(?:surtout )?(?:pas|jamais|plus)\b|"  # ce qu'il ne faut pas faire
    r"\bne (?:pas|jamais) (?:re)?(?:faire|reproduire|recommencer)\b|"  # à ne pas reproduire
    r"\bn['’]aur\w+ pas (?:dû|fallu)\b|"  # ce que nous n'aurions pas dû faire
    r"\bn['’](?:a|ont|avait|avaient) pas (?:marché|fonctionné|réussi)\b|"
    r"\bne (?:marche|marchent|fonctionne|fonctionnent) pas\b|"
    r"\b(?:à|faut|faudrait|convient d['’]) ?[ée]viter\b"  # à éviter, ce qu'il faut éviter
)
_WARNING = re.compile(rf"{_NOT_TO_DO}|\b(?:{_WARNING_NOUNS})\b", re.I)
_NOT_TO_DO_HEADING = re.compile(_NOT_TO_DO, re.I)
_WARNING_LINE = re.compile(
    r"(?:\d+[.)]\s*)?(?:(?:les|la|le|l['’]|des|nos|quelques|deux|trois|principa(?:ux|les))\s*)*"
    r"(?:ce\s+qu(?:e|['’])\s*(?:l['’])?\w*\s+|ce\s+qui\s+|à\s+)?"
    rf"(?:{_NOT_TO_DO}|(?:{_WARNING_NOUNS})\b)",
    re.I,
)
# A remedy to what a heading names: « Lever les freins », « Comment éviter les pièges ».
_REMEDY = re.compile(
    r"\b(?:lever|levée|surmonter|dépasser|contourner|résoudre|réduire|limiter|prévenir|"
    r"anticiper|déjouer|[ée]viter|remédier|répondre|réponses?|solutions?|face|sortir)\b"
    r"(?:\s+(?:les|des|aux?|à|ces|ses|leurs|nos|vos|la|le|de|du)\b|\s+[ld]['’])*\s*"
    rf"(?:{_WARNING_NOUNS})\b",
    re.I,
)
# The words that advise against something, at the start of a statement: « Ne pas »,
# « Il ne faut jamais », « Éviter de », « Il est important de ne pas », « Attention aux »,
# « Renoncer à », « Abandonner » (« Abandonner l'idée du label » : the idea is the pitfall).
_MUST_WORDS = (
    r"il\s+(?:(?:faut|faudrait)\s+|convient\s+d(?:e\s+|['’]\s*)|(?:est|serait)\s+(?:\w+\s+)?"
    r"(?:important|essentiel|nécessaire|préférable|indispensable|primordial|crucial|"
    r"conseillé|recommandé)\s+d(?:e\s+|['’]\s*))|mieux\s+vaut\s+|veiller\s+à\s+|"
    r"prendre\s+garde\s+à\s+|(?:faire\s+)?attention\s+à\s+"
)
_MUST = rf"(?:{_MUST_WORDS})?"
_AGAINST = re.compile(
    r"(?:(?:surtout|mais|et|enfin|donc|attention)\s*[,:!]?\s+)?(?:"
    rf"{_MUST}(?:ne\s+(?:surtout\s+)?(?:pas|jamais|plus)|surtout\s+pas)\s+"
    r"|il\s+ne\s+(?:faut|faudrait|doit|devrait)\s+(?:surtout\s+|absolument\s+)?"
    r"(?:pas|jamais|plus)\s+(?:du\s+tout\s+)?"
    rf"|{_MUST}(?P<avoid>[ée]vit(?:er|ez|ons))\s+(?:de\s+|d['’]\s*)?"
    r"|se\s+(?:garder|méfier)\s+(?:de\s+|d['’]\s*|(?=des\b|du\b))"
    r"|(?:arrêter|cesser)\s+(?:de\s+|d['’]\s*)|renoncer\s+(?:à\s+)?|(?:abandonner|bannir|proscrire)\s+"
    r"|(?:faire\s+)?(?:attention|gare)\s+(?:à\s+)?(?=aux?\b|l['’]|la\b|les?\b|ces?\b|une?\b)"
    r")",
    re.I,
)
# « Ne confiez pas… », « N'oubliez jamais… »: the imperative, whose verb stays as written.
_IMPERATIVE_AGAINST = re.compile(
    r"(?:ne\s+|n['’]\s*)(?:(?:les|le|la|leur|lui|vous|nous|y|en)\s+|\w+['’]\s*)*"
    r"(?P<verb>\w+(?:ez|ons))\s+(?:surtout\s+)?(?:pas|jamais|plus)\b",
    re.I,
)
# Inside a sentence (« Pour durer, il ne faut pas… »), only an unambiguous form counts.
_AGAINST_INSIDE = re.compile(
    r"\bil\s+ne\s+(?:faut|faudrait)\s+(?:surtout\s+|absolument\s+)?(?:pas|jamais)\s+"
    rf"|\b(?:{_MUST_WORDS})(?:ne\s+(?:pas|jamais)\s+|(?P<avoid>[ée]viter)\s+(?:de\s+|d['’]\s*)?)",
    re.I,
)
# Advice against a negative is advice to do: « Ne pas hésiter à », « Ne pas oublier ».
_LITOTES = re.compile(
    r"(?:(?:les|le|la|leur|lui|vous|nous|y|en|se)\s+|\w+['’]\s*)*(?:hésit|oubli|néglig|crai|sous-estim|omet|perd\w*\s+de\s+vue|"
    r"laiss\w*\s+(?:de\s+côté|passer|tomber)|avoir\s+peur|ayez\s+peur|priv|"
    r"manqu\w*\s+(?:pas\s+)?(?:de|d['’]))",
    re.I,
)
# How to avoid something is a thing to do: « Éviter l'épuisement grâce à un roulement ».
_MEANS = re.compile(
    r"\b(?:grâce\s+(?:à|aux?)|au\s+moyen\s+d|à\s+l['’]aide\s+d|"
    r"en\s+(?!(?:tant|avant|autant|maintenant|cependant|pendant|durant)\b)(?:\w+['’])?\w+ant)\b",
    re.I,
)
# « L'articulation avec les élus reste complexe », « il est difficile de… », « peine à… »;
# not « ce n'est pas difficile ».
_DIFFICULTY = re.compile(
    r"(?<!n['’])\b(?:est|sont|reste|restent|demeure|demeurent|s['’]avèrent?|semblent?|"
    r"paraît|était|étaient|a\s+été|ont\s+été|devient|deviennent)\s+"
    r"(?:(?!pas\b|jamais\b)\w+\s+)?(?:difficiles?|complexes?|compliqué(?:e|s|es)?|"
    r"délicat(?:e|s|es)?|ardue?s?|laborieu(?:x|se|ses)|problématiques?)\b|"
    r"\b(?:peine|peinent|peinons|peinait|peinaient)\s+à\b|"
    r"\b(?:a|ont|avons|avait|avaient)\s+du\s+mal\s+à\b|"
    # What went wrong, told: « Nous avons perdu nos bénévoles le jour où… », « le projet a
    # échoué », « ça n'a pas marché », « nous aurions dû… », « notre erreur a été de… »,
    # « Une difficulté a été le transport… », « les difficultés rencontrées ». Others'
    # losses (« les salariés qui ont perdu leur emploi ») are no failure of the project.
    r"\b(?:avons|avions)\s+(?:\w+\s+)?(?:perdu|échoué|raté)\b|"
    r"\b(?:a|ont|avait|avaient)\s+échoué\b|"
    r"\bn['’](?:a|ont|avait|avaient|avons|avions)\s+(?:pas|jamais)\s+"
    r"(?:marché|fonctionné|abouti|pris|réussi)\b|"
    r"\baur(?:ions|ais|ait|aient)\s+(?:\w+\s+)?dû\b|"
    r"\b(?:notre|mon|ma|leur|l['’]|une|la)\s*(?:(?:grande|principale|première|seule|vraie)\s+)?"
    r"(?:erreur|difficulté|échec)\s+(?:a\s+été|était|fut|est|reste)\b|"
    r"\bdifficultés?\s+rencontrées?\b",
    re.I,
)
# Where a text's sentences and list items part: a window of a passage holds several.
_PARTS = re.compile(r"(?<=[.!?…])\s+|(?:^|\s+)(?:[-–—•▪◦●o]|\d{1,2}[.)])\s+")
# « Attention aux délais »: the pitfall is « Les délais ».
_CONTRACTED = {"au": "le", "aux": "les"}


def warns(heading: str) -> bool:
    """Whether a heading (or a cue line) announces what to avoid or what stands in the way:
    « Ce que je ne referais pas », « Écueils », « Les freins à la valorisation », and not
    a remedy to them (« Lever les freins »)."""
    return bool(_WARNING.search(_REMEDY.sub(" ", heading)))


def _against(body: str) -> re.Match[str] | None:
    """The words at the start of a statement (list marker removed) that advise against
    what follows them, when they do: not a litotes, nor a means to avoid something."""
    found = _AGAINST.match(body) or _IMPERATIVE_AGAINST.match(body) or _AGAINST_INSIDE.search(body)
    if found is None:
        return None
    rest = body[found.end() :]
    verb = found.groupdict().get("verb")
    if _LITOTES.match(verb or rest):
        return None
    if found.groupdict().get("avoid") and _MEANS.search(rest):
        return None
    return found


def advises(body: str) -> bool:
    """Whether a statement (list marker removed) opens on advice in the negative, for or
    against something: « Ne pas confier… », « Ne pas hésiter à… », « Éviter de… »."""
    return bool(_AGAINST.match(body) or _IMPERATIVE_AGAINST.match(body))


def advises_against(body: str) -> bool:
    """Whether a statement (list marker removed) advises against something: « Ne pas
    confier… », « Éviter de… », « Il ne faut jamais… », and not « Ne pas hésiter à… »."""
    return _against(body) is not None


def states_difficulty(text: str) -> bool:
    """« … reste complexe », « il est difficile de … »: a difficulty, a point of vigilance."""
    return bool(_DIFFICULTY.search(text))


def cautions(body: str) -> bool:
    """Whether a statement (list marker removed) warns by itself: it advises against
    something, or says what is hard."""
    return advises_against(body) or states_difficulty(body)


def cautions_in(text: str) -> bool:
    """Whether any sentence or list item of a text (a passage's window) warns."""
    return any(cautions(part) for part in _PARTS.split(text) if part)


def polarity_of(body: str, heading: str = "") -> str:
    """ "avoid" under a heading that warns or for a statement that does, else "do"."""
    return AVOID if warns(heading) or cautions(body) else DO


def pitfall(body: str) -> str:
    """The thing not to do that a statement of polarity "avoid" (list marker removed)
    names: « Ne pas confier l'animation… » → « Confier l'animation… », « Attention aux
    délais » → « Les délais »; a statement in any other form is its own label."""
    found = _AGAINST.match(body)
    if found is None:
        return body
    rest = body[found.end() :].lstrip()
    first, _, after = rest.partition(" ")
    if first.lower() in _CONTRACTED and after:
        rest = f"{_CONTRACTED[first.lower()]} {after}"
    return rest[:1].upper() + rest[1:] if rest else body


def not_to_do(heading: str) -> bool:
    """« Ce qu'il ne faut pas faire », « Ce que nous ne referions pas », « Ce qui n'a pas
    marché »: a heading of lessons not to repeat, whose every item is one."""
    return bool(_NOT_TO_DO_HEADING.search(heading))


def opens_on_warning(line: str) -> bool:
    """« Points de vigilance : », « Les erreurs à éviter », « Deux freins principaux… »: a
    short line that opens on what a heading that warns says, and heads what follows."""
    return bool(_WARNING_LINE.match(line))
