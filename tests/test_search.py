"""Search on the real corpus: relevance, citations, duplicates, filters, modes."""

from __future__ import annotations

import json

import pytest

from api.models import search_response
from search.engine import Filters
from search.evaluate import squash
from tests.conftest import ROOT


def texts(hits):
    return [squash(h.passage.text) for h in hits]


def test_french_practice_question_finds_cited_passages(engine):
    hits = engine.search("comment mobiliser les élus locaux ?", 10)
    assert any("élus" in h.passage.text for h in hits[:3])
    first = search_response("comment mobiliser les élus locaux ?", "hybrid", hits).results[0]
    assert first.citation.startswith("« ") and "p. " in first.citation
    assert first.document.file.endswith(".txt") and first.start < first.end
    assert "<mark>" in first.snippet


def test_english_question_reaches_french_text(engine):
    hits = engine.search("how were companies involved in local partnerships?", 10)
    joined = " ".join(h.passage.text for h in hits)
    assert "entreprises" in joined


def test_no_accents_and_typos(engine):
    accented = engine.search("élus locaux", 5, mode="lexical")
    plain = engine.search("elus locaux", 5, mode="lexical")
    assert [h.passage.id for h in accented] == [h.passage.id for h in plain]
    typo = engine.search("banque des teritoires caise des depots", 5)
    assert any("Banque des Territoires" in h.passage.text for h in typo)


def test_round_table_repeated_in_three_documents_is_one_result(engine):
    # The moderator's introduction of the mayor stands in the script and the proceedings.
    hits = engine.search("ancienne cité minière transformée en ville pionnière", 10)
    files = [{h.document.file} | {d.file for _, d in h.also_in} for h in hits]
    grouped = next(f for f in files if len(f) >= 2)
    assert "000_77cdf74dd2895607.txt" in grouped and "001_82aaa8b671886fce.txt" in grouped
    shown = [h.passage.id for h in hits]
    hidden = [p.id for h in hits for p, _ in h.also_in]
    assert not set(shown) & set(hidden)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(year=2016), lambda h: h.document.year == 2016),
        (Filters(kind="article"), lambda h: h.document.kind == "article"),
        (Filters(document="003_c2577a908f8cbfbf"), lambda h: h.document.id.startswith("003")),
        (Filters(event="5e rencontre"), lambda h: h.document.event.startswith("5e")),
        (Filters(speaker="caron"), lambda h: h.passage.speaker == "Jean-François CARON"),
    ],
)
def test_filters(engine, filters, check):
    hits = engine.search("co-construction territoriale", 10, filters=filters)
    assert hits and all(check(h) for h in hits)


def test_modes_differ_and_bad_input_is_refused(engine):
    query = "financer l'ingénierie de coopération"
    modes = {
        m: [h.passage.id for h in engine.search(query, 10, m)]
        for m in ("hybrid", "lexical", "dense")
    }
    assert modes["lexical"] != modes["dense"]
    with pytest.raises(ValueError, match="empty"):
        engine.search("   ")
    with pytest.raises(ValueError, match="unknown mode"):
        engine.search("élus", mode="magic")


def test_similar_excludes_the_source_document(engine):
    passage = next(p for p in engine.passages.values() if "page blanche" in p.text)
    hits = engine.similar_to_vector(
        engine.vectors.vector(passage.id), 5, exclude_document=passage.document_id
    )
    assert hits and all(h.document.id != passage.document_id for h in hits)


# -- what the question asks for ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "speaker"),
    [
        ("que dit la présidente du CELAVAR sur les territoires ruraux ?", "Brigitte GIRAUD"),
        ("what did the deputy mayor of Lille recommend to public authorities?", "Akim OURAL"),
        ("d'après le préfet du Val d'Oise, qu'est-ce qu'un territoire ?", "Yannick BLANC"),
        ("Philippe Lemoine sur le numérique", "Philippe LEMOINE"),
        # Nothing asked but the person: their words pass the relevance gate anyway.
        ("que dit l'adjoint au maire de Lille ?", "Akim OURAL"),
    ],
)
def test_a_person_designated_by_role_finds_their_own_words(engine, query, speaker):
    hits = engine.search(query, 5)
    assert hits[0].passage.speaker == speaker
    # The programme and the moderator's introduction of the guest come after their words.
    assert all(h.passage.kind == "text" for h in hits[:3])


def test_people_are_recognised_by_the_roles_the_documents_give_them():
    from search.people import People

    people = People(
        {
            "Marie DUPONT": ["Présidente du réseau Terres Partagées"],
            "Paul MARTIN": ["Maire de Saint-Aubin", "auteur du rapport « Villages vivants »"],
        },
        share=lambda term: 0.5 if term == "reseau" else 0.01,
    )
    assert [p.name for p in people.find("que dit le maire de Saint-Aubin ?").people] == [
        "Paul MARTIN"
    ]
    assert people.find("what did the president of Terres Partagées say?").people[0].name == (
        "Marie DUPONT"
    )
    assert people.find("Martin sur les villages").people[0].name == "Paul MARTIN"
    # A subject, not a person: no role noun, no who-said cue.
    assert people.find("comment animer un réseau de villages ?") is None
    # A role after a plural determiner is a subject too: « les maires », not one maire.
    assert people.find("comment les maires de Saint-Aubin coopèrent ?") is None
    mention = people.find("selon la présidente de Terres Partagées, comment coopérer ?")
    assert "coopérer" in mention.rest_of(
        "selon la présidente de Terres Partagées, comment coopérer ?"
    )
    assert "Partagées" not in mention.rest_of("selon la présidente de Terres Partagées")


def test_an_organisation_named_whole_designates_its_person_though_its_words_are_common():
    """« le Mouvement associatif »: « mouvement » and « associatif » are each common in a
    collection of association reports, the name they make together is not."""
    from search.people import People

    people = People(
        {
            "Philippe JAHSHAN": ["Président du Mouvement associatif"],
            "Anne PETIT": ["Directrice de l'Institut du mouvement"],
        },
        share=lambda term: 0.5 if term in {"mouv", "associ"} else 0.01,
    )
    found = people.find("que dit le président du Mouvement associatif ?")
    assert [p.name for p in found.people] == ["Philippe JAHSHAN"]
    # One common word alone still designates nobody.
    assert people.find("que dit le président sur les associations ?") is None


def test_a_first_name_designates_nobody_alone_and_a_misspelt_surname_its_person():
    """« que dit Paul Dupontel ? » is no question about Jean-Paul MOREAU (a tester got his
    quotes for a person the documents never name); « Caronn », a word the documents never
    use one letter off a speaker's surname, is that speaker."""
    from search.french import stem
    from search.people import People

    unknown = {stem("dupontel"), stem("caronn"), stem("moreaux")}
    people = People(
        {
            "Jean-Paul MOREAU": ["dirigeant de la menuiserie Moreau à Tonnerre"],
            "Jean-François CARON": ["Maire de Loos-en-Gohelle"],
        },
        share=lambda term: 0.0 if term in unknown else 0.01,
    )
    assert people.find("que dit Paul Dupontel sur le financement ?") is None
    assert [p.name for p in people.find("que dit Jean-Francois Caronn ?").people] == [
        "Jean-François CARON"
    ]
    assert [p.name for p in people.find("selon Moreaux, que faire ?").people] == [
        "Jean-Paul MOREAU"
    ]
    assert people.find("que dit Jean-Paul MOREAU ?").people[0].name == "Jean-Paul MOREAU"
    # A speaker filter that names nobody: whom it probably meant, if anyone.
    assert people.closest("Caronn") == "Jean-François CARON"
    assert people.closest("caron") is None and people.closest("Dupontel") is None

    # Asked what a person says whose name no passage holds: nobody else answers for them.
    def stranger(query: str) -> str | None:
        return people.stranger(query, people.find(query))

    assert stranger("que dit Paul Dupontel sur le financement ?") == "Paul Dupontel"
    assert stranger("selon Mme Anne Moreaux ?") is None  # a letter off MOREAU
    assert stranger("que dit Jean-Paul MOREAU ?") is None
    assert stranger("Paul Dupontel et le financement") is None  # asks no one's words


def test_scores_read_in_the_order_results_are_shown(engine):
    """Furniture comes after content even when it scores higher: its scores are lowered
    to just below, so that the list reads in descending order."""
    for query in ("page blanche", "comment mobiliser les élus locaux ?"):
        hits = engine.search(query, 10)
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True), query


def test_furniture_never_outranks_content_unless_asked_for(engine):
    kinds = [h.passage.kind for h in engine.search("comment mobiliser les élus locaux ?", 10)]
    furniture = {"programme", "participants", "questions", "toc", "references"}
    first_furniture = next((i for i, k in enumerate(kinds) if k in furniture), len(kinds))
    assert all(k not in furniture for k in kinds[first_furniture:]) or all(
        k in furniture for k in kinds[first_furniture:]
    )
    assert engine.search("programme de la rencontre 2019", 3)[0].passage.kind == "programme"
    # A how-to asks for practices: a session's introduction comes after them.
    assert "intro" not in kinds[:5]
    # A typo away from the same question, « les elu » is still a subject, not a person.
    typo = engine.search("coment mobilisé les elu locaux", 5)
    assert all(h.passage.kind == "text" for h in typo)


@pytest.mark.parametrize(("query", "year"), [("programme 2019", 2019), ("programme 2016", 2016)])
def test_a_year_in_the_question_favours_that_year_s_documents(engine, query, year):
    """Two events have a programme: the year the question names picks its own first."""
    first = engine.search(query, 3)[0]
    assert first.document.year == year
    assert "programme" in (first.passage.kind, first.document.kind)


def test_footnotes_links_and_comment_boxes_are_never_results(engine):
    for query in (
        "Synthèse de la Journée Ensemble, innovons septembre 2018",  # a footnote of 000
        "vimeo.com 149119506",  # a line that is only a link
        "Laisser un commentaire Votre adresse e-mail ne sera pas publiée",
    ):
        for hit in engine.search(query, 10):
            assert hit.passage.kind not in ("note", "link", "chrome"), query
            assert "Laisser un commentaire" not in hit.passage.text


def test_nonsense_is_answered_with_nothing_and_a_reason(engine):
    # « asdfgh qwerty zzz » stood 4 deviations above the collection in meaning from two
    # passages of a few words (« - Tempo »): a short passage's meaning is no evidence.
    for query in ("xyzzyqq blorf", "how to fix my laptop battery", "asdfgh qwerty zzz"):
        hits = engine.search(query, 10)
        assert not hits and hits.reason
    assert engine.search("mobiliser les élus", 10).reason is None
    # Only words too common to look up: nothing, and the reason says why (« de la » used to
    # get ten passages by meaning, « le » the reason that no word occurs in the documents).
    for query in ("le", "de la", "who is the"):
        hits = engine.search(query, 10)
        assert not hits and "mots trop courants" in hits.reason, query


def test_a_pasted_quote_finds_its_passage_first(engine):
    quote = "Co-construire est un acte d’engagement : les gens entrent en consommateurs-habitants"
    assert quote in engine.search(quote, 5)[0].passage.text


def test_unknown_filter_value_is_an_error_naming_the_valid_ones(engine):
    from search.engine import FilterError

    with pytest.raises(FilterError, match="proceedings, programme"):
        engine.search("élus", filters=Filters(kind="proceeding"))


@pytest.mark.parametrize(
    ("query", "kind", "asks"),
    [
        ("coment mobiliser les élus ?", "howto", set()),
        ("quelles bonnes pratiqes pour coopérer", "howto", set()),
        ("programe de la rencontre", "other", {"programme"}),
        # A real word one letter from a cue is left alone (« salon », not « selon »).
        ("le grand salon des territoires", "other", set()),
        ("la commune de Lille", "other", set()),
        ("des projets réussis", "other", set()),
        # Asking for precedents, in the words editors use.
        ("des retours d'expérience sur les cantines bio en régie ?", "case", set()),
        ("d'autres villes ont-elles fait pareil avec leurs conseils de quartier ?", "case", set()),
        ("quelles expériences de ce type ont été menées en zone rurale ?", "case", set()),
        ("des départements ont-ils déjà mutualisé leurs achats ?", "case", set()),
        ("has anyone done a community land trust in a small town?", "case", set()),
        ("le maire a déjà présenté son budget", "other", set()),
        ("une ressourcerie en milieu rural : ça s'est fait ailleurs ?", "case", set()),
        ("je cherche des initiatives proches pour notre épicerie solidaire", "case", set()),
        ("d'ailleurs, quel budget pour la fête du quartier ?", "other", set()),
        # What worked and what one would do again ask for practices.
        ("qu'est-ce qui a marché pour financer un tiers-lieu ?", "howto", set()),
        ("que referaient les participants pour embarquer les partenaires ?", "howto", set()),
        ("what worked to fund a coordinator?", "howto", set()),
        ("la marche blanche a réuni le quartier", "other", set()),
    ],
)
def test_what_a_question_asks_survives_a_typo(query, kind, asks):
    from search.intent import understand

    intent = understand(query)
    assert (intent.kind, intent.asks) == (kind, asks)


@pytest.mark.parametrize(
    ("query", "warns"),
    [
        ("quelles erreurs éviter quand on lance une alliance ?", True),
        ("qu'est-ce que les catalyseurs ne referaient pas ?", True),
        ("quels sont les freins à la valorisation ?", True),
        ("qu'est-ce qui empêche les projets d'être reconnus ?", True),
        ("what mistakes should a new partnership avoid?", True),
        ("comment mobiliser les élus ?", False),
        ("que referaient les participants ?", False),
        ("il ne faut pas oublier les habitants", False),
    ],
)
def test_a_question_about_what_to_avoid_is_recognised(query, warns):
    from search.intent import understand

    assert understand(query).warns is warns


def test_asked_for_obstacles_the_answer_gives_them_as_pitfalls_first(engine):
    """« Les freins à la valorisation » lists obstacles: asked for them, the answer opens on
    « Écueils », and no passage under a heading that warns is given as something that works."""
    from search.answer import answer
    from search.ranking import warns_against

    found = answer(engine, "quels sont les freins à la valorisation ?")
    assert next(iter(found.sections)) == "pitfalls"
    warning = engine.knowledge.warning_passages
    for item in found.sections.get("practices", []):
        assert not any(warns_against(e.passage, warning) for e in item.evidence[:1]), item.label


def test_a_question_asking_for_precedents_favours_documented_cases(engine):
    """Asked for precedents, search lifts the passages that describe a documented case
    (and only those) above where their match alone would put them."""
    from search.ranking import CASE_BOOST

    asked = engine.search(
        "des retours d'expérience sur la coopération entre une mairie, des associations et "
        "des entreprises ?",
        20,
    )
    cases = engine.knowledge.describing_cases
    assert cases
    content = [h for h in asked if h.passage.kind == "text"]  # an introduction is lowered
    for hit in content:
        assert (hit.components.get("boost", 0) >= CASE_BOOST) == (hit.passage.id in cases)
    unboosted = sorted(content, key=lambda h: -(h.score - h.components.get("boost", 0)))

    def first_case(hits) -> int:
        return next(i for i, h in enumerate(hits) if h.passage.id in cases)

    assert first_case(content) < first_case(unboosted)


def test_a_label_never_opens_on_the_second_half_of_a_sentence():
    """« … » inside a sentence is not its end: the label is the whole sentence."""
    from search.snippet import best_sentences

    text = (
        "Nous voulons rendre hommage aux territoires… et à ceux qui les animent, les "
        "« catalyseurs territoriaux ». Une autre phrase suit ici. - Une liste suit."
    )
    label = best_sentences(text, "catalyseurs territoriaux")
    assert label.startswith("Nous voulons rendre hommage") and "catalyseurs" in label
    assert best_sentences(text, "liste").startswith("- Une liste")


def test_a_numbered_item_flattened_into_a_window_is_its_own_sentence():
    """A window joins a list's lines: « 9. » starts the next item, it does not end the
    item before it (a label read « Mobilisation d'entreprise… (YLB) 9. »)."""
    from search.snippet import best_sentences, split_sentences

    window = (
        "8. Mobilisation d'entreprise d'un territoire pour dimension internationale (YLB) "
        "9. Créer un dialogue transparent avec les acteurs du territoire ? (TAR) 10. "
        "Difficulté à concilier différents intérêts (TAR)"
    )
    assert split_sentences(window)[:2] == [
        "8. Mobilisation d'entreprise d'un territoire pour dimension internationale (YLB)",
        "9. Créer un dialogue transparent avec les acteurs du territoire ?",
    ]
    label = best_sentences(window, "mobiliser les entreprises du territoire", statements=True)
    assert label.endswith("(YLB)")
    assert split_sentences("Le 26 juin 2019. Les participants sont venus.") == [
        "Le 26 juin 2019.",
        "Les participants sont venus.",
    ]


def test_an_answer_label_says_rather_than_asks():
    """A question shares the most words with a question: as an answer's label it would
    repeat the question (« Comment financer cette animation ? »), so with `statements` a
    label is the sentences that say something, unless the text only asks."""
    from search.snippet import asks, best_sentences, says_something

    text = (
        "Comment financer cette animation et dans quel cadre ? Les fondations territoriales "
        "financent l'animation sur trois ans. Un comité de suivi réunit les financeurs."
    )
    assert best_sentences(text, "financer l'animation").startswith("Comment financer")
    label = best_sentences(text, "financer l'animation", statements=True)
    assert label.startswith("Les fondations") and "?" not in label
    assert best_sentences("Qui finance ? Et comment ?", "financer", statements=True)
    assert asks("Qu'est-ce que l'innovation ? »") and not asks("Il faut du temps.")
    assert not says_something("Atelier 1 : Comment agir ? Rapporteur : Xavier", 40)
    assert says_something("Atelier 1 : Comment agir ? " + label, 40)


def test_a_bullet_o_needs_a_space_to_be_a_bullet():
    """Reports use « o » as a list bullet; « outils » and « on a » are words whose first
    letter a label lost (« utils numériques », « n a repensé »)."""
    from ingest.extract.practices import strip_list_marker

    assert strip_list_marker("o Comment évaluer les impacts") == "Comment évaluer les impacts"
    assert strip_list_marker("- o Mobiliser les élus") == "Mobiliser les élus"
    assert strip_list_marker("- outils numériques partagés") == "outils numériques partagés"
    assert strip_list_marker("on a repensé l'écosystème") == "on a repensé l'écosystème"
    assert strip_list_marker("• organiser des rencontres") == "organiser des rencontres"


def test_a_label_cut_inside_a_sentence_reads_from_its_start():
    """Vector windows are cut after « ! » and « : » as well; a label taken from a window
    that starts inside a sentence begins where that sentence does."""
    from search.snippet import best_sentences, last_sentence, opens_mid_sentence

    assert opens_mid_sentence("», créée en partenariat avec la Caisse des Dépôts.")
    assert opens_mid_sentence("outils numériques existants de partage")
    assert not opens_mid_sentence("- La capitalisation par les pairs")
    before = "Une phrase entière. Elle a présenté la plateforme « En actions !"
    assert last_sentence(before) == "Elle a présenté la plateforme « En actions !"
    whole = f"{last_sentence(before)} », créée en 2016 avec la Poste. Une autre suit."
    assert best_sentences(whole, "plateforme créée", 80).startswith("Elle a présenté")


def test_a_passage_s_opening_title_lines_are_titles_though_the_section_path_drops_them():
    """« Synthèse de la session… » then « Exemple de Helen Keller » open the passage; the
    section path keeps only the second. Neither is part of a label or a description."""
    from search.snippet import titles_of, untitled

    text = (
        "Synthèse de la session animée par Bleu Blanc Zèbre\nExemple de Helen Keller\n"
        "Le projet consiste à favoriser l’accès aux soins des enfants. Il a réuni trois écoles."
    )
    titles = titles_of("SESSION › Exemple de Helen Keller", text)
    assert "Synthèse de la session animée par Bleu Blanc Zèbre" in titles
    flat = " ".join(text.split("\n"))
    assert untitled(flat, titles, 40).startswith("Le projet consiste")
    # A list's items and a sentence are no titles; nor is a quotation's closing line.
    listed = "Ce que je referais\n- Mobiliser les parties prenantes avant\n- Constituer un comité"
    assert titles_of("", listed) == {"Ce que je referais"}
    assert titles_of("", "« Il faut oser. »\nElle a conclu ainsi.") == set()


@pytest.mark.parametrize(
    ("text", "narrates"),
    [
        ("Le RAMEAU réunissait ce 26 juin le réseau des pionniers.", True),
        ("Les participants ont été répartis en 4 sous-groupes co-animés.", True),
        ("La session s’est déroulée en 3 temps : une présentation, un débat.", True),
        ("Chaque groupe a été animé par le représentant d’un réseau.", True),
        ("Cette 2ème rencontre est l’occasion d’échanger sur les enjeux.", True),
        ("Merci également à la Fédération de nous avoir accueillis.", True),
        ("Bravo et merci à tous ! Et pour tous ces engagements.", True),
        ("Cette journée est rendue possible grâce au soutien des partenaires.", True),
        ("Les participants ont souligné qu’il faut associer les élus dès le départ.", False),
        ("Réunir les élus chaque trimestre autour des chantiers du territoire.", False),
        ("La rencontre entre entreprises et associations crée la confiance.", False),
    ],
)
def test_a_label_that_tells_of_the_event_itself_is_known(text, narrates):
    """What a report tells of its own meeting (held, led, split up, thanked) answers no
    how-to question; what was said or learnt there does."""
    from search.snippet import narrates_event

    assert narrates_event(text) is narrates


def test_a_speaker_s_label_drops_the_line_naming_them_however_their_name_is_cut():
    """A compound surname broken at a line end (« LECLERC- BRUANT ») is still the speaker
    the label is said beside: their name is not given twice."""
    from search.snippet import spoken

    assert spoken(
        "Marie LECLERC- BRUANT : - S’engager une seconde année", "Marie LECLERC-BRUANT"
    ) == ("- S’engager une seconde année")
    assert spoken("Jean-François CARON : Il faut oser.", "CARON") == "Il faut oser."
    # Another person's line stays: it says who speaks.
    assert spoken("Paul BRUANT : Il faut oser.", "Marie LECLERC-DURAND").startswith("Paul BRUANT")


def test_an_english_question_with_no_french_word_is_looked_up_in_french(engine):
    """« funding » or « elected officials » share no word with French documents: their
    words in French (search.english) find the passages and count as evidence; a question
    off the subject whose few translated words are generic (« best » → « bonnes ») is
    still refused."""
    from search.english import in_french

    assert in_french("elected officials") == "élus élus responsables"
    assert in_french("xyzzy blorf") is None
    funding = engine.search("funding", 5)
    assert funding and all("financ" in h.passage.text.lower() for h in funding[:3])
    assert engine.search("elected officials", 5)
    assert not engine.search("best pizza dough recipe", 5)
    # English function words weigh nothing: the question's subject is in French words.
    assert in_french("how to get young people into jobs?") == "jeunes personnes habitants emplois"
    assert engine.search("how to get young people from the neighbourhood into jobs?", 5)


def test_no_question_on_the_subject_of_the_calibration_set_is_refused(engine):
    """eval/calibration_queries.jsonl, written blind from a description of the field: the
    relevance gate never refuses a question on the subject (English included), and it
    refuses the off-subject questions that share no word with the documents."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "calibration_queries.jsonl").open()]
    refused = {r["id"] for r in rows if not engine.search(r["query"], 10)}
    assert not {r["id"] for r in rows if r["topic"] == "on"} & refused
    # The ten English ones that share no word with the documents, even in French.
    assert len({r["id"] for r in rows if r["topic"] == "off"} & refused) >= 10


def test_what_a_question_about_mistakes_is_about():
    """« quelles erreurs éviter avec les entreprises ? » warns about the entreprises: the
    answer's items must be about them, as « comment mobiliser les élus ? » acts on the élus."""
    from search.intent import acted_on

    assert acted_on("quelles erreurs éviter avec les élus ?") == "les élus"
    assert acted_on("que faut-il éviter quand on travaille avec des communes ?") == "des communes"
    assert acted_on("quels pièges dans un partenariat avec une banque ?") == (
        "un partenariat avec une banque"
    )
    assert acted_on("comment mobiliser les élus ?") == "les élus"
    assert acted_on("quelles erreurs éviter ?") is None


def test_what_a_question_told_as_a_difficulty_acts_on(engine):
    """« on n'arrive pas à garder les bénévoles, des idées ? » acts on the bénévoles, as
    « comment garder les bénévoles ? » does: the corpus says nothing on them, and the
    answer says so, where it listed seven items on whatever it found."""
    from search.answer import answer
    from search.intent import acted_on

    assert acted_on("on n'arrive pas à garder les bénévoles, des idées ?") == "les bénévoles"
    assert acted_on("Nous n'arrivons pas à mobiliser les entreprises") == "les entreprises"
    assert acted_on("des idées pour impliquer les habitants ?") == "les habitants"
    assert acted_on("comment financer l'animation, des pistes ?") == "l'animation"
    found = answer(engine, "on n'arrive pas à garder les bénévoles, des idées ?")
    assert not found.sections and found.reason.startswith("les passages trouvés ne donnent")


def test_an_answer_reads_advice_before_the_strong_passages_that_only_narrate():
    """Search's strongest passages stand behind an answer's items whatever their words; among
    the first items of each source, those that advise or state a condition (or stand under
    a heading that does) come before those that only narrate, still by rank within each."""
    from types import SimpleNamespace

    from search.answer import Item, _by_source
    from search.ranking import advises

    assert advises("Il faudrait associer les élus dès le diagnostic.")
    assert advises("Ce que je referais\nSegmenter le sujet évalué.")
    assert advises("La confiance est une condition indispensable pour mobiliser.")
    assert not advises("Ces ateliers se sont structurés autour de trois sujets.")

    def item(rank: int, source: str, advice: bool) -> Item:
        evidence = SimpleNamespace(passage=SimpleNamespace(id=source))
        return Item(f"{source}-{rank}", "practices", [evidence], rank, advice=advice)

    ordered = _by_source(
        [
            item(0, "narration", False),
            item(1, "list", True),
            item(2, "list", True),  # the list's second statement: after every first one
            item(3, "statement", True),
            item(4, "other narration", False),
        ]
    )
    assert [i.label for i in ordered] == [
        "list-1",
        "statement-3",
        "narration-0",
        "other narration-4",
        "list-2",
    ]
