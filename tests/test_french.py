"""French analysis: elisions, accents, stop words and stemming meet in the middle."""

from search.french import analyse, fold


def test_accents_are_folded_before_stemming():
    assert analyse("élus locaux") == analyse("elus locaux") == analyse("ÉLUS LOCAUX")


def test_elisions_are_split():
    assert analyse("l’engagement d'entreprises qu’il") == analyse("engagement entreprises il")
    assert "engag" in analyse("l’engagement")[0]


def test_stop_words_and_stems():
    terms = analyse("Comment mobiliser les élus dans les territoires ?")
    assert "comment" not in terms and "les" not in terms
    assert analyse("territoire") == analyse("territoires")
    assert analyse("entreprise") == analyse("entreprises")
    assert analyse("mobiliser") == analyse("mobilisation") == analyse("mobilisés")


def test_compounds_count_as_parts_and_whole():
    terms = analyse("co-construction")
    assert analyse("construction")[0] in terms and analyse("coconstruction")[0] in terms


def test_fold():
    assert fold("Œuvre à côté") == "oeuvre a cote"
