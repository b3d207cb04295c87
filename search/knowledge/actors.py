"""Actors merged across spellings and documents, typed, and linked to who they work with.

A document writes « Le RAMEAU », another « RAMEAU »; « Caisses d’Epargne » and « Caisse
d’Epargne »; « l’Observatoire de la Responsabilité Sociale des Entreprises (Orse) » and
« Orse »; a person « Jean-François CARON » and « Jean-François Caron ». Mentions are
grouped by a key that drops articles, accents, case and plural marks; an acronym joins
the long form whose initials it spells where a document defines it (« … (PTCE) », « les
PTCE (…) »), or where it is a national body's the documents use undefined (« CDC » and
« Caisse des Dépôts », search.knowledge.institutions), and so does a name cut short of
that long form, and every long form of one acronym; « A de la B », B an organisation, is
A, part of B (« Banque des Territoires de la Caisse des Dépôts »: the row's `part_of`);
two names of the office one person holds, one nested in the other, are one (« Forum
Modernité », « Forum Action Modernités »). Acronyms any document uses as
concepts or kinds of things (« des PTCE », « une SCIC ») are no actors anywhere. A
person's key is first name and surname, and one letter of a surname misspelt is the
same person; a role the layout cut is completed or loses its function words. Each actor
gets a type from its head noun, else from any word of its name (association, company,
local authority, state, research, funder, network, programme), and the passages where
it appears; who works with whom is read from the passages two actors share.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from ingest.extract.actor_cues import introduced_roles
from ingest.extract.actors import Writing, concepts_in, is_concept
from ingest.extract.quotes import all_roles_in, completed_role
from ingest.names import FUNCTION_WORDS, acronym_definitions, cut_function_tail
from ingest.normalise import fold
from ingest.store import PassageRow, Store
from search.knowledge.institutions import known_aliases
from search.knowledge.slugs import distinct_ids, slug_id

# Organisation types, by the words of their names (folded).
TYPES = {
    "local authority": r"\b(?:ville|commune|mairie|metropole|departement|region|conseil "
    r"(?:regional|departemental)|communaute (?:de communes|d.agglomeration|urbaine)|agglo\w*|"
    r"intercommunalite|collectivites?)\b",
    "state": r"\b(?:etat|ministere|ministre|cget|prefecture|prefet|gouvernement|anct|"
    r"commissariat)\b",
    "funder": r"\b(?:caisses? des depots|cdc|banque|caisses? d.epargne|fondation|fonds|afd|"
    r"france active|mecenat|credit)\b",
    "research": r"\b(?:universite|laboratoire|labo|recherche|institut|ecole|cnrs|chercheurs?)\b",
    "company": r"\b(?:entreprises?|medef|groupe|sa|sas|scic|suez|veolia|pme|cabinet|"
    r"conseil)\b",
    "network": r"\b(?:reseau|federation|mouvement|collectif|union|observatoire|rameau|"
    r"plateforme)\b",
    "association": r"\b(?:associations?|asso|associatif|celavar|fonda|maison de)\b",
    "programme": r"\b(?:programme|plan|dispositif|appel a projets)\b",
}
# What the page and the CLI call each type (and each kind that is not an organisation).
TYPE_LABELS = {
    "local authority": "collectivité",
    "state": "État",
    "funder": "financeur",
    "research": "recherche",
    "company": "entreprise",
    "network": "réseau",
    "association": "association",
    "programme": "programme",
    "organisation": "organisation",
    "person": "personne",
    "place": "lieu",
}
# Where a name says whose part it is: « Banque des Territoires de la Caisse des Dépôts ».
_PART_OF = re.compile(r"\s+(?:du|de\s+la|de\s+l[’']\s*)")
# A whole word: « Laure » and « Union » do not start with an article.
_ARTICLE = re.compile(r"^(?:(?:le|la|les|un|une|des|du|de la)\s+|(?:de )?l['’]\s*)", re.I)


def actor_key(name: str, kind: str) -> str:
    """Articles, accents, case and plural marks dropped: one key for every spelling."""
    folded = fold(_ARTICLE.sub("", name.strip()))
    words = re.findall(r"[a-z0-9]+", folded)
    if kind == "person" and len(words) >= 2:
        return f"{words[0]} {words[-1]}"
    return " ".join(w[:-1] if len(w) > 3 and w.endswith(("s", "x")) else w for w in words)


# What the documents call an organisation in apposition, before its name: « l'association
# La Fabrique Commune », « la fondation Carasso ». The text's word outranks the name's
# (« Commune » in an association's name made it a town council).
_STATED_AS = {
    "association": "association",
    "fondation": "funder",
    "banque": "funder",
    "entreprise": "company",
    "societe": "company",
    "cooperative": "company",
    "reseau": "network",
    "federation": "network",
    "collectif": "network",
    "universite": "research",
    "laboratoire": "research",
    "programme": "programme",
    "dispositif": "programme",
}
_APPOSITION = re.compile(
    rf"\b(?:l'|la |le |une |un |d'|de l'|du |de la )({'|'.join(_STATED_AS)})\s+"
    r"(?:(?:la|le|les|l')\s*)?[«\"“]?\s*"
)


class StatedTypes:
    """The type the documents' own words give each organisation (`_APPOSITION`), by the
    majority of the times they name it so."""

    def __init__(self, texts: Iterable[str]):
        # The first word after each apposition → (the words that follow, the type).
        self._after: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for text in texts:
            folded = fold(text).replace("’", "'")
            for found in _APPOSITION.finditer(folded):
                following = folded[found.end() : found.end() + 120]
                first = following.split(" ", 1)[0]
                self._after[first].append((following, _STATED_AS[found.group(1)]))

    def of(self, name: str) -> str | None:
        """The type most appositions before `name` give it, or None."""
        core = fold(_ARTICLE.sub("", name.strip())).replace("’", "'")
        if not core:
            return None
        votes = Counter(
            kind
            for following, kind in self._after.get(core.split(" ", 1)[0], [])
            if re.match(rf"{re.escape(core)}\b", following)
        )
        return votes.most_common(1)[0][0] if votes else None


def _type(kind: str, name: str, stated: str | None = None) -> str:
    """An organisation's type from its head noun, the first word of a French name
    (« Ministère de la Ville » is the State, « Programme action cœur de ville » a
    programme, « Réseau villes de France » a network), then as the documents state it
    (StatedTypes), then from any word of its name."""
    if kind != "organisation":
        return kind
    folded = fold(_ARTICLE.sub("", name.strip()))
    # The head with its adjective first: « Conseil départemental de la Nièvre » is a local
    # authority, where « conseil » alone is a consultancy's. A head noun outranks what the
    # text calls the organisation (« le réseau Banque des Territoires » is a bank's).
    words = folded.split()
    head = " ".join(words[:2])
    found = next((t for t, pattern in TYPES.items() if re.match(pattern, head)), None)
    if found or stated:
        return found or stated
    for text in (head, words[0] if words else "", folded):
        found = next((t for t, pattern in TYPES.items() if re.search(pattern, text)), None)
        if found:
            return found
    return "organisation"


def organisation_type(name: str) -> str:
    """An organisation's type by its name alone (« Ville de Nantes »: a local authority),
    as an editor's actor gets it when they give none."""
    return _type("organisation", name)


def _completed(key: str, long_keys: set[str]) -> str:
    """The long form a name cut short begins (« Commissariat général », of « Commissariat
    général à l'égalité des territoires (CGET) »): the one long form a document defines
    that starts with the name's two words or more; else the name itself."""
    longer = [long for long in long_keys if long.startswith(key + " ")]
    return longer[0] if len(longer) == 1 and " " in key else key


def _one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter replaced, added or dropped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _merge_function_word_variants(groups: dict[tuple[str, str], list[dict]]) -> None:
    """One organisation written with and without its function words (« Labo ESS », « Labo
    de l’ESS »): the spelling the documents use most takes the other in."""
    by_words: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for kind, key in sorted(groups, key=lambda group: -len(groups[group])):
        if kind != "person":
            content = " ".join(w for w in key.split() if w not in FUNCTION_WORDS)
            by_words[(kind, content)].append((kind, key))
    for common, *rare in by_words.values():
        for group in rare:
            groups[common].extend(groups.pop(group))


def _merge_misspelt_people(groups: dict[tuple[str, str], list[dict]]) -> None:
    """One person written two ways (« Odile SOLOMON », « Odile Salomon »): the same first
    name and surnames of five letters or more one edit apart join the spelling the
    documents use most. Shorter surnames differ by one letter too often (Roux, Rous)."""
    people = sorted(
        (key for kind, key in groups if kind == "person"),
        key=lambda key: -len(groups[("person", key)]),
    )
    for rare in reversed(people):
        first, _, surname = rare.partition(" ")
        common = next(
            (
                key
                for key in people
                if key != rare
                and key.partition(" ")[0] == first
                and len(surname) >= 5
                and _one_edit(surname, key.partition(" ")[2])
                and ("person", key) in groups
            ),
            None,
        )
        if common:
            groups[("person", common)].extend(groups.pop(("person", rare)))


def _whole_roles(roles: list[str]) -> list[str]:
    """Each role once and whole: a role the layout cut (« Directeur Général de la ») is
    the longest one stated that starts the same way, else loses the function words it
    ends on; two spellings that differ in case or accents only are one (« Caisses
    d’Epargne », « Caisses d’épargne »)."""
    whole: dict[str, str] = {}
    for role in roles:
        done = cut_function_tail(completed_role(role, roles) or role)
        whole.setdefault(fold(done), done)
    return list(whole.values())


def _nested(short: list[str], long: list[str]) -> bool:
    """Whether `long` is `short` with words more inside: the same first and last words,
    and every word of `short` in order (« forum modernite », « forum action modernite »)."""
    if not 2 <= len(short) < len(long) or (short[0], short[-1]) != (long[0], long[-1]):
        return False
    rest = iter(long)
    return all(word in rest for word in short)


def _one_office_two_names(roles: dict[str, list[str]]) -> dict[str, str]:
    """Short name key → full name key, where one person holds one office in two names
    that open and end on the same words, one with a word more: « Président du Forum
    Modernité » and « Président du Forum Action Modernités » are one forum. Two names
    that nest but in which no one holds the same office stay two (« Université de
    Lyon », « Université Catholique de Lyon »)."""
    found: dict[str, str] = {}
    for stated in roles.values():
        offices: dict[str, set[str]] = defaultdict(set)  # title → organisations' keys
        for office in (part for role in stated for part in role.split(",")):
            split = _PART_OF.search(office)
            if split:
                title = fold(office[: split.start()]).strip()
                offices[title].add(actor_key(office[split.end() :], "organisation"))
        for keys in offices.values():
            for short, long in ((a.split(), b.split()) for a in keys for b in keys):
                if _nested(short, long):
                    found[" ".join(short)] = " ".join(long)
    return found


def _part_named(
    name: str, organisations: set[str], resolve: Callable[[str], str]
) -> tuple[str, str | None]:
    """The organisation a name « A de la B » stands for when B is an organisation too,
    and the key of B: A, part of B, where A is one on its own or a « quoted » name
    (« Banque des Territoires de la Caisse des Dépôts », « Commission « Nouveaux
    Dialogues » du MEDEF »); else the name itself and None. « Fédération Nationale des
    Caisses d’Epargne » federates, it is no part."""
    for split in _PART_OF.finditer(name):
        part, whole = name[: split.start()], name[split.end() :]
        key = resolve(actor_key(part, "organisation"))
        whole_key = resolve(actor_key(whole, "organisation"))
        if whole_key in organisations and (key in organisations or "«" in part):
            return part, whole_key
    return name, None


def stated_roles(passages: Iterable[PassageRow], quotes: Iterable[dict]) -> list[tuple[str, str]]:
    """(person, role) as the line opening a speaker's turn and the press's quotations
    state them (« …, explique X, directrice de … »): the speaker index (search.engine)
    and the actors' pages both list them."""
    found = [(p.speaker, p.speaker_role) for p in passages if p.speaker and p.speaker_role]
    return found + [(q["speaker"], q["role"]) for q in quotes if q["role"]]


def add_role(roles: list[str], role: str) -> None:
    """`role` added to `roles` unless it is there already, whatever its case (« maire de
    Loos-en-Gohelle » beside « Maire de … »), or as the start of a longer one: a label
    cut by its line (« Directrice du réseau Banque ») is the role a fuller statement
    completes (« Directrice du réseau Banque des Territoires de la Caisse des Dépôts »),
    which takes its place."""
    lowered = role.lower()
    for index, known in enumerate(roles):
        if _extends(known.lower(), lowered):
            return
        if _extends(lowered, known.lower()):
            roles[index] = role
            return
    roles.append(role)


def _extends(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` itself or goes on after it at a word's end."""
    return longer.startswith(shorter) and not longer[len(shorter) : len(shorter) + 1].isalnum()


def build_actors(store: Store, cases: list[dict]) -> list[dict]:
    """Rows of the `actors` table: mentions merged by key and by the documents' acronyms;
    acronyms any document uses as concepts or kinds of things are no actors."""
    # Key → the key of the name it stands for: an acronym's or another long form's, from
    # « Long Name (ACR) »; a short name of one person's office.
    aliases: dict[str, str] = {}
    roles: dict[str, list[str]] = defaultdict(list)
    introduced: dict[str, list[str]] = defaultdict(list)
    concepts: set[str] = set()
    texts = []
    for document in store.documents():
        texts.append(document.text)
        defined = acronym_definitions(document.text)
        concepts |= concepts_in(document.text, defined)
        for short, long in defined.items():
            short_key, long_key = actor_key(short, "organisation"), actor_key(long, "organisation")
            # Two long forms of one acronym are one organisation (« … responsabilité
            # sociale / sociétale des entreprises (Orse) »).
            aliases.setdefault(long_key, aliases.setdefault(short_key, long_key))
        for name, found in all_roles_in(document.text).items():
            roles[actor_key(name, "person")].extend(found)
        # A host's introductions run on into the guest's record: they name offices to
        # compare, not roles to show.
        for name, found in introduced_roles(document.text).items():
            introduced[actor_key(name, "person")].extend(found)
    for name, role in stated_roles(store.passages(), store.records("quotes")):
        add_role(roles[actor_key(name, "person")], role)
    stated = {key: roles[key] + introduced[key] for key in roles.keys() | introduced.keys()}
    for short, long in _one_office_two_names(stated).items():
        aliases.setdefault(short, long)
    mentions = [m for m in store.records("actor_mentions") if not is_concept(m["name"], concepts)]
    named = {actor_key(m["name"], "organisation") for m in mentions if m["kind"] != "person"}
    for short, long in known_aliases(named, lambda n: actor_key(n, "organisation")).items():
        aliases.setdefault(long, aliases.setdefault(short, long))
    long_keys = set(aliases.values())

    def resolve(key: str) -> str:
        """The key of the long form an acronym or a name cut short stands for."""
        return aliases.get(key) or _completed(key, long_keys)

    # A name the model calls a place here and an organisation there is an organisation
    # (« Villes au Carré », « Convergences »), so is the long form of an organisation's
    # acronym; a named initiative (a case) is one too, unless the case is a town (its
    # place is itself: « Loos-en-Gohelle »).
    organisations = {
        resolve(actor_key(m["name"], "organisation"))
        for m in mentions
        if m["kind"] == "organisation"
    } | {actor_key(c["name"], "organisation") for c in cases if c["place"] != c["name"]}
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    part_of: dict[str, str] = {}  # a part's key → the key of the whole it belongs to
    for mention in mentions:
        kind = mention["kind"]
        whole = None
        if kind != "person":
            # Named as its part, still found under the whole it was written as.
            part, whole = _part_named(mention["name"], organisations, resolve)
            mention = {**mention, "name": part, "written": mention["name"]}
        key = actor_key(mention["name"], kind)
        if not key:
            continue
        if kind != "person":
            key = resolve(key)
            if whole is not None and whole != key:
                part_of.setdefault(key, whole)
            kind = "organisation" if key in organisations else kind
        elif key in organisations:
            continue  # « Tamkeen Li Tanmia » is a project, not a person
        groups[(kind, key)].append(mention)
    _merge_misspelt_people(groups)
    _merge_function_word_variants(groups)
    writing = Writing(texts)
    stated = StatedTypes(texts)
    rows, keys = [], []
    for (kind, key), group in groups.items():
        spellings = Counter(m["name"] for m in group)
        # The spelling the documents use most; for people, the one with the SURNAME.
        name = max(
            spellings,
            key=lambda n: (kind == "person" and n.split()[-1].isupper(), spellings[n], len(n)),
        )
        written = set(spellings) | {m.get("written", m["name"]) for m in group}
        if kind != "person" and writing.mostly_in_lower_case(sorted(spellings)):
            continue
        person_roles = _whole_roles(roles.get(key, [])) if kind == "person" else []
        passage_ids = list(dict.fromkeys(m["passage_id"] for m in group))
        rows.append(
            {
                "id": slug_id("actor", key),
                "name": name,
                "kind": kind,
                "type": _type(kind, name, stated.of(name) if kind == "organisation" else None),
                "aliases": json.dumps(sorted(written - {name}), ensure_ascii=False),
                "roles": json.dumps(person_roles[:5], ensure_ascii=False),
                "mention_ids": json.dumps([m["id"] for m in group]),
                "passage_ids": json.dumps(passage_ids),
                "documents": len({m["document_id"] for m in group}),
            }
        )
        keys.append((kind, key))
    order = sorted(
        range(len(rows)), key=lambda i: (-len(json.loads(rows[i]["passage_ids"])), rows[i]["name"])
    )
    # A person and an organisation may share a key: the second gets its kind appended.
    rows = distinct_ids([rows[i] for i in order], lambda row: row["kind"])
    id_of = {keys[i]: row["id"] for i, row in zip(order, rows, strict=True)}
    for i, row in zip(order, rows, strict=True):
        kind, key = keys[i]
        whole = part_of.get(key) if kind == "organisation" else None
        row["part_of"] = id_of.get(("organisation", whole)) if whole else None
    return rows
