"""National bodies that documents name by an acronym they never spell out.

A report writes « la CDC » on one page and « la Caisse des Dépôts » on another, and
defines neither: readers of the field know them. `search.knowledge.actors` joins an
acronym a document defines to its long form (« … (PTCE) »); these are the acronyms of the
field's public institutions, networks and programmes, joined the same way, and only
where the documents name both: the acronym, and its long form or a name cut short of it
(« Caisse des Dépôts »). An acronym alone stays the actor it is. A document's own
definition comes first.
"""

from __future__ import annotations

from collections.abc import Callable

KNOWN_ACRONYMS = {
    "ADEME": "Agence de l'environnement et de la maîtrise de l'énergie",
    "AFD": "Agence française de développement",
    "AMF": "Association des maires de France",
    "ANCT": "Agence nationale de la cohésion des territoires",
    "ANRU": "Agence nationale pour la rénovation urbaine",
    "Avise": "Agence de valorisation des initiatives socio-économiques",
    "CDC": "Caisse des Dépôts et Consignations",
    "CESE": "Conseil économique, social et environnemental",
    "CGET": "Commissariat général à l'égalité des territoires",
    "CNFPT": "Centre national de la fonction publique territoriale",
    "CRESS": "Chambre régionale de l'économie sociale et solidaire",
    "DLA": "Dispositif local d'accompagnement",
    "FNCE": "Fédération nationale des Caisses d'Epargne",
    "MEDEF": "Mouvement des entreprises de France",
    "RTES": "Réseau des collectivités territoriales pour une économie solidaire",
    "UNCCAS": "Union nationale des centres communaux d'action sociale",
}


def known_aliases(keys: set[str], key_of: Callable[[str], str]) -> dict[str, str]:
    """For the known acronyms among the organisation `keys`, the key of their long form,
    when that long form, or its first two words or more, is among the keys too."""
    found = {}
    for short, long in KNOWN_ACRONYMS.items():
        short_key, long_key = key_of(short), key_of(long)
        named = any(k == long_key or (" " in k and long_key.startswith(k + " ")) for k in keys)
        if short_key in keys and named:
            found[short_key] = long_key
    return found
