"""How French proceedings write names: « Jean-François CARON », « Marie LECLERC-BRUANT »."""

from __future__ import annotations

import re

# Capitals, accented ones too, as the patterns here and ingest.structure spell them.
UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOWER = "a-zàâäçéèêëîïôöùûüÿ"
# One first name, maybe hyphenated: a second capitalised word before it is another word
# of the sentence (« Merci Monsieur X », « France Active Marie X »), not part of the name.
_CIVILITY = r"(?!(?:Monsieur|Madame|Mademoiselle|Maître|Merci|Le|La|Les)\b)"
_FIRST = rf"{_CIVILITY}[{UPPER}][{_LOWER}]+(?:-[{UPPER}][{_LOWER}]+)?"
_PARTICLE = r"(?:DE|DU|LE|LA|VAN|VON|DES)\s"
# « CARON », « LECLERC- BRUANT », « DU BOUETIEZ », « DUPRE LA TOUR ».
_LAST = (
    rf"(?:{_PARTICLE})?[{UPPER}][{UPPER}'’]+(?:\s?-\s?[{UPPER}][{UPPER}'’]+)*"
    rf"(?:\s{_PARTICLE}[{UPPER}]{{2,}})?"
)
NAME = rf"{_FIRST}\s+{_LAST}"
# A line that only announces who speaks next: « Nicolas KLEIN : ».
SPEAKER_LABEL = re.compile(rf"^{NAME}\s?:$")
# Capitalised words that open a sentence or a place's name, never a first name: « Pour
# Jean-Pierre Vidal, … » names Jean-Pierre Vidal; « Saint Denis », « Pays Basque » are places.
_NOT_FIRST_NAMES = (
    "Pour|Selon|Avec|Chez|Par|Dans|Sur|Après|Avant|Depuis|Pendant|Et|Mais|Comme|Quand|"
    "Saint|Sainte|Pays|Ville|Région|Commune|Communauté|Département|Conseil|Maison|Centre|"
    "Grand|Grande|Haute|Hauts|Val|Île"
)
# The head word of an organisation's name: « Cabinet CMI », « Labo ESS », « Fondation
# RTE », « le groupe Suez ». A name that opens on one is an organisation, never a person.
ORGANISATION_HEAD = (
    r"(?:cabinet|labo(?:ratoire)?|agence|réseau|collectif|fondation|association|fédération|"
    r"union|institut|observatoire|groupe|société|banque|caisse|fonds|comité|commission|"
    r"mouvement|plateforme|pôle|cluster|coopérative|syndicat|chambre|université|école|"
    r"ministère|mairie|forum|alliance|club|compagnie|entreprise|régie|bailleur)s?"
)
# A name as running text writes it: « Jean-François Caron », « Gisèle Rossat-Mignod ».
# Articles are not first names: « Le Rameau », « La Fonda » are organisations.
TITLE_NAME = (
    rf"(?!(?:Le|La|Les|Un|Une|Des|Du|De|Ce|Cette|Son|Sa|Ses|{_NOT_FIRST_NAMES}|"
    rf"(?i:{ORGANISATION_HEAD}))\b)"
    rf"[{UPPER}][{_LOWER}]+(?:-[{UPPER}][{_LOWER}]+)?(?:\s+[{UPPER}][\w’'-]+){{1,2}}"
)
# The same with a particle before the surname: « Bénédicte de Kervern », « Jean-Luc de La
# Roche » (« Marie Le Floch » is a TITLE_NAME already).
PARTICLE_NAME = (
    rf"(?!(?:Le|La|Les|Un|Une|Des|Du|De|Ce|Cette|Son|Sa|Ses|{_NOT_FIRST_NAMES}|"
    rf"(?i:{ORGANISATION_HEAD}))\b)"
    rf"[{UPPER}][{_LOWER}]+(?:-[{UPPER}][{_LOWER}]+)?\s+(?:de|du|des|van|von|d[’'])\s*"
    rf"(?:(?:La|Le|la|le)\s+)?[{UPPER}][\w’'-]+"
)
# A first name alone, as a moderator calls a guest: « Nadia, comment… ? ».
FIRST_NAME = _FIRST
# « — Marie DUPONT, maire de Givry » on its own line under a quotation: who said the words
# just quoted, as the press writes it (and a web page's <blockquote><footer>).
CREDIT = re.compile(rf"^[—–]\s*(?P<name>{NAME}|{TITLE_NAME})(?:\s*,\s*(?P<role>[^\n]{{3,200}}))?$")
# The head word of a venue or a street: « Salle Rochefoucauld » is a place.
PLACE_HEAD = r"(?:salle|rue|place|avenue|boulevard|quai|quartier|parc|square)s?"

# A name or a role does not end on a function word: the layout cut it (« Cohésion
# sociale de la », « Directeur Général de la »).
_FUNCTION_END = re.compile(
    r"(?:\s+(?:de|des|du|d[’']|la|le|les|l[’']|et|à|au|aux|en|sur|pour|par|avec|dans))+$"
)


def cut_function_tail(text: str) -> str:
    """`text` without the function words it ends on."""
    return _FUNCTION_END.sub("", text)


# Words an acronym may skip: « Pôles Territoriaux de Coopération Economique (PTCE) ».
FUNCTION_WORDS = frozenset("de des du d la le les l et à a au aux en pour sur par".split())
_ELISION = re.compile(r"^[dl][’']", re.I)
_ACRONYM = r"[A-Z][A-Za-z&]{1,9}"
# « Long Form (ACR) », « les ACR (Long Form) », « Long Form, dit ACR ».
_AFTER_LONG = re.compile(
    rf"\((?P<short>{_ACRONYM})\)|,\s+(?:dite?s?|les?|la|l[’'])\s*(?P<apposed>{_ACRONYM})\b"
)
_BEFORE_LONG = re.compile(rf"\b(?P<short>{_ACRONYM})\s+\((?P<long>[^()]{{5,120}})\)")
# « l’Orse, l’Observatoire de la Responsabilité Sociale des Entreprises »: the long form
# in apposition after the acronym.
_APPOSED_LONG = re.compile(rf"\b(?P<short>{_ACRONYM}),\s+(?=(?P<rest>[^.,;:()]{{5,120}}))")
# Where a long form stops going back: the end of the previous clause.
_CLAUSE_END = re.compile(r"[.,;:!?()«»\[\]–—]")


def spells(words: list[str], short: str) -> bool:
    """Whether the initials of `words` spell the acronym `short`, function words counted
    (« Yves Le Bars », YLB) or skipped (« Pôles Territoriaux de Coopération Economique »,
    PTCE); the first word is never a function word."""
    stems = [_ELISION.sub("", w) for w in words]
    if not stems or not all(stems) or stems[0].lower() in FUNCTION_WORDS:
        return False
    letters = "".join(c for c in short.lower() if c.isalpha())
    every = "".join(w[0] for w in stems).lower()
    content = "".join(w[0] for w in stems if w.lower() not in FUNCTION_WORDS).lower()
    return letters in (every, content)


def acronym_definitions(text: str) -> dict[str, str]:
    """The acronyms a text defines, with their long forms: « Pôles Territoriaux de
    Coopération Economique (PTCE) », « les PTCE (Pôles Territoriaux de Coopération
    Economique) » and « Pôles Territoriaux de Coopération Economique, les PTCE » all give
    PTCE → « Pôles Territoriaux de Coopération Economique »; so does « l’Orse,
    l’Observatoire de la Responsabilité Sociale des Entreprises ». The long form is the words
    whose initials spell the acronym: the rest of a sentence before it defines nothing
    (« Carré fait partie d'un réseau… (RNCRPV) »)."""
    found: dict[str, str] = {}
    for match in _AFTER_LONG.finditer(text):
        short = match.group("short") or match.group("apposed")
        long = _long_form(text[max(0, match.start() - 200) : match.start()], short)
        if long:
            found.setdefault(short, long)
    for match in _BEFORE_LONG.finditer(text):
        long = " ".join(match.group("long").split())
        if spells(long.split(), match.group("short")):
            found.setdefault(match.group("short"), long)
    for match in _APPOSED_LONG.finditer(text):
        words = match.group("rest").split()
        spelt = (words[:k] for k in range(2, len(words) + 1) if spells(words[:k], match["short"]))
        long = re.sub(r"^[dl][’']", "", " ".join(next(spelt, [])), flags=re.I)
        if long and not re.fullmatch(TITLE_NAME, long):  # « AB, Anne Beauvillard »
            found.setdefault(match["short"], long)
    return found


def _long_form(before: str, short: str) -> str | None:
    """The shortest end of `before`'s last clause whose initials spell `short`, or None."""
    words = _CLAUSE_END.split(before)[-1].split()
    for start in range(len(words) - 1, max(-1, len(words) - 3 * len(short) - 1), -1):
        if spells(words[start:], short):
            return " ".join(words[start:])
    return None
