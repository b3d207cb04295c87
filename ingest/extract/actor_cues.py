"""Organisations and places the writing itself names, where the NER model tags nothing.

French reports name a structure in a few set ways, whatever the model knows of it:
- a role names where its holder works: « Présidente du CELAVAR », « Président de la
  Commission « Nouveaux Dialogues » du MEDEF »; a mayor's is a place (« Maire Adjoint de
  Lille »);
- a common noun of organisation in lower case, then the name: « le groupe Suez », « au
  sein du C3D »;
- a capitalised head word of organisation, then a name: « la Plateforme RSE »;
- an acronym in parentheses after a long form written in capitals: « … Agricole et
  Rurale (CELAVAR) ».
Each cue gives the name's offset in the block, its words and the kind it reads as; the
actors' extractor checks them as it checks the model's.

A round table's host also introduces each guest by their office (« Philippe LEMOINE,
vous êtes Président du Forum Action Modernités »): `introduced_roles` reads those, which
« NAME, role » lines do not give.
"""

from __future__ import annotations

import re

from ingest.names import NAME, ORGANISATION_HEAD, UPPER
from ingest.structure import cut_role, normalise_name

# A proper name: capitalised words or a whole « quoted » name, joined by function words
# (« Fédération Nationale des Caisses d’Epargne », « Commission « Nouveaux Dialogues »
# du MEDEF »).
_WORD = rf"[{UPPER}][\w’'&-]*"
_MORE = (
    rf"(?:[ \t]+(?:(?:de|des|du|d[’']|la|le|l[’']|et|&)[ \t]*)*"
    rf"(?:[{UPPER}0-9][\w’'&-]*|«[^«»\n]{{1,60}}»))*"
)
_PROPER = _WORD + _MORE
_ACRONYM = rf"[{UPPER}][{UPPER}0-9&]{{1,7}}(?![\w&])"
# After « du », « de la », « de l’ », « des » or « au sein de… ».
_OF_THE = r"(?:du|des|de[ \t]+la|de[ \t]+l[’'])"
_OF = rf"[ \t]+(?:{_OF_THE}|au[ \t]+sein[ \t]+{_OF_THE})[ \t]*"
_TITLE = (
    r"(?:présidente?|directeur|directrice|fondat(?:eur|rice)|délégué|déléguée|secrétaire|"
    r"responsable|coordinat(?:eur|rice)|chargée?\s+de\s+mission|membre|trésori(?:er|ère))"
)
# A word saying what kind of body (« insertion », « populaire »), no function word: « les
# maires de France » names no organisation « France ».
_KIND_WORD = (
    r"(?!(?:en|de|des|du|la|le|les|à|au|aux|et|ou|pour|sur|dans|par|avec|chez)\b)"
    r"[a-zà-ÿ][\w’'-]+"
)
# Institutions running text names in lower case (« le conseil départemental de … »).
_INSTITUTION = (
    r"(?:conseil[ \t]+(?:départemental|régional|général)|"
    r"communauté[ \t]+(?:de[ \t]+communes|d[’']agglomération|urbaine))"
)
_IN_LOWER_CASE = re.compile(_INSTITUTION)
_CUES = (
    # « Présidente du CELAVAR », « Présidente d’honneur du Labo ESS »: a role's structure
    # opens on an acronym or a head word of organisation.
    (
        re.compile(
            rf"(?i:\b{_TITLE}(?:[ \t-]+(?:d[’']honneur|général|générale|fondat\w+|adjointe?))*)"
            rf"(?i:{_OF})(?P<name>(?:{_ACRONYM}|(?i:{ORGANISATION_HEAD})\b){_MORE})"
        ),
        "organisation",
    ),
    # « Maire de Loos-en-Gohelle », « Maire Adjoint de Lille »: a mayor's town.
    (
        re.compile(rf"(?i:\bmaire(?:[ \t]+adjointe?)?[ \t]+de[ \t]+)(?P<name>{_WORD})"),
        "place",
    ),
    # « le groupe Suez », « au sein du C3D », « l’association Pays d’Aix Associations ».
    (
        re.compile(
            rf"\b(?:{ORGANISATION_HEAD}[ \t]+(?P<name>{_PROPER})"
            rf"|au[ \t]+sein[ \t]+d(?:u|e[ \t]+la|e[ \t]+l[’'])[ \t]*(?P<acronym>{_ACRONYM}))"
        ),
        "organisation",
    ),
    # « de la Plateforme RSE »: a capitalised head word, then a name.
    (
        re.compile(
            rf"(?<![\w’'])(?P<name>(?=[{UPPER}][^{UPPER}])(?i:{ORGANISATION_HEAD})[ \t]+"
            rf"(?:(?:de|des|du|d[’']|la|l[’'])[ \t]*)*(?:[{UPPER}][\w’'&-]*){_MORE})"
        ),
        "organisation",
    ),
    # « le conseil départemental de la Nièvre », « la communauté de communes du Saint-
    # Affricain »: an institution as running text writes it, in lower case, then its place.
    (
        re.compile(
            rf"(?<![\w’'])(?P<name>{_INSTITUTION}"
            rf"(?:[ \t]+(?:de|du|des|d[’']|la|l[’'])[ \t]*|[ \t]+)+[{UPPER}][\w’'-]*"
            rf"(?:[ \t-]+[{UPPER}][\w’'-]*)*)"
        ),
        "organisation",
    ),
    # « l'entreprise d'insertion Rance Bois », « l'association d'éducation populaire Les
    # Francas »: a head word, what kind of body it is in lower case, then its name.
    (
        re.compile(
            rf"\b(?:{ORGANISATION_HEAD})[ \t]+(?:d[’']|de[ \t]+)?{_KIND_WORD}"
            rf"(?:[ \t]+{_KIND_WORD}){{0,2}}[ \t]+(?P<name>{_PROPER})"
        ),
        "organisation",
    ),
    # « … Agricole et Rurale (CELAVAR) »: an acronym a capitalised long form introduces.
    (
        re.compile(rf"[{UPPER}][\w’'-]*[ \t]+\((?P<name>{_ACRONYM})\)"),
        "organisation",
    ),
)


_INTRODUCED = re.compile(rf"(?P<name>{NAME}),\s+vous\s+êtes\s+(?P<role>[^.;:!?]{{3,200}})")
# The host goes on with what the guest did: « … et avez remis un rapport ».
_NEXT_VERB = re.compile(r"\s+et\s+(?:vous\s+)?(?:êtes|\w+ez)\b.*", re.S)


def introduced_roles(text: str) -> dict[str, list[str]]:
    """The offices a host gives each guest: « NAME, vous êtes ROLE »."""
    roles: dict[str, list[str]] = {}
    for match in _INTRODUCED.finditer(text):
        role = cut_role(_NEXT_VERB.sub("", match.group("role")))
        if role:
            roles.setdefault(normalise_name(match.group("name")), []).append(role)
    return roles


def cued_names(text: str) -> list[tuple[int, str, str]]:
    """(offset, name, kind) of every name a cue of French writing gives in `text`."""
    found = []
    for pattern, kind in _CUES:
        for match in pattern.finditer(text):
            group = "acronym" if match.groupdict().get("acronym") else "name"
            name = match.group(group)
            if _IN_LOWER_CASE.match(name):  # named as the institution it is
                name = name[0].upper() + name[1:]
            found.append((match.start(group), name, kind))
    return found
