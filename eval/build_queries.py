"""Build eval/queries.jsonl: each gold span is resolved to the verbatim source line it names.

Run `python eval/build_queries.py` after editing Q; a substring that is not on one line
of its file is reported and left out, so spans stay verbatim excerpts of the source.
"""

import json
import sys
from pathlib import Path

C = Path(Path(__file__).resolve().parent.parent / "corpus")
FILES = {p.name[:3]: p for p in C.glob("*.txt")}
LINES = {k: p.read_text().splitlines() for k, p in FILES.items()}
Q = [
    # ---- practice: paraphrased how-to questions
    (
        "practice",
        "comment mobiliser les élus locaux dans une démarche de co-construction ?",
        [
            ("001", "communautés apprenantes d’élus, d’agents et de citoyens", 2),
            (
                "001",
                "Co-construire est un acte d’engagement : les gens entrent en consommateurs-habitants",
                2,
            ),
            ("004", "12. Accompagner les élus à faire un pas de côté.", 1),
        ],
    ),
    (
        "practice",
        "comment impliquer les entreprises dans un projet de territoire ?",
        [
            ("001", "L’implication des entreprises sur leurs territoires est grandissante.", 2),
            ("001", "Le second est celui de faire travailler ensemble entreprises et habitants", 2),
        ],
    ),
    (
        "practice",
        "comment tenir un partenariat dans la durée alors que tout pousse au résultat immédiat ?",
        [
            ("004", "Dépasser injonctions du temps, de résultat immédiat", 2),
            (
                "004",
                "Bien distinguer les partenariats qui s’inscrivent dans le temps (stratégiques) et les",
                2,
            ),
        ],
    ),
    (
        "practice",
        "quelles conditions pour que des acteurs très différents arrivent à travailler ensemble ?",
        [
            (
                "004",
                "La condition d’une dynamique de co-construction est que les différents acteurs fassent un « pas de",
                2,
            ),
            (
                "001",
                "Le premier est que la rencontre passe par le partage culturel (entre acteurs différents",
                1,
            ),
        ],
    ),
    (
        "practice",
        "comment faire connaître et reconnaître les initiatives d'un territoire ?",
        [
            ("001", "Faire reconnaître l’innovation sociale territoriale par les financeurs", 2),
            ("002", "Proposition 1 : Trouver des ambassadeurs pour inspirer", 2),
            ("001", "Donner envie, donner à voir, rassurer et inspirer,", 1),
        ],
    ),
    (
        "practice",
        "comment financer le travail d'animation et de mise en relation des acteurs locaux ?",
        [
            (
                "004",
                "De la problématique du modèle économique des catalyseurs des alliances en territoire",
                2,
            ),
            ("001", "essentiel de sortir les instruments de financement des silos", 2),
            ("002", "Proposition 1 : Financer les hommes et pas seulement les investissements", 2),
        ],
    ),
    (
        "practice",
        "quelles erreurs éviter quand on associe les parties prenantes à une évaluation ?",
        [
            ("001", "Forcer la pluridisciplinarité entre labo,", 2),
            ("001", "Les obliger à venir (++)", 2),
        ],
    ),
    (
        "practice",
        "que referaient les participants pour embarquer les parties prenantes ?",
        [
            ("001", "B2 : Mobiliser les parties prenantes avant", 2),
            ("001", "B11 : Trouver et s’appuyer sur un leader", 2),
        ],
    ),
    (
        "practice",
        "comment se former collectivement à la coopération entre acteurs ?",
        [
            ("002", "Proposition 2 : Se former à coopérer", 2),
            (
                "002",
                "Proposition 1 : Co-former les acteurs ensemble / Développer des compétences collectives",
                2,
            ),
        ],
    ),
    (
        "practice",
        "donner de la visibilité aux dynamiques locales grâce aux pairs et aux rencontres",
        [
            (
                "001",
                "La communication verbale, les rencontres entre pairs pour s’inspirer et partager des difficultés",
                2,
            ),
            (
                "002",
                "Proposition 1 : Développer des voyages d’étude pour s’inspirer et se rassurer",
                2,
            ),
        ],
    ),
    (
        "practice",
        "créer un espace neutre pour que les différents mondes commencent à dialoguer",
        [
            ("004", "alors mis en place un lieu neutre qui permet les premières", 2),
            ("003", "se connaitre et initier un dialogue entre les différents « mondes »", 2),
        ],
    ),
    (
        "practice",
        "comment évaluer l'impact d'une alliance sans alourdir le projet ?",
        [
            ("001", "Organiser un processus de suivi-", 2),
            ("001", "Rendre compte du chemin parcouru plus", 1),
        ],
    ),
    # ---- case: descriptions of a case, asking for similar ones
    (
        "case",
        "une ancienne commune minière devenue ville pilote de la transition où le maire contractualise avec les habitants",
        [
            ("001", "À Loos-en-Gohelle, le maire contractualise avec les habitants", 2),
            (
                "001",
                "Jean-François CARON, vous êtes maire de Loos-en-Gohelle, ancienne cité minière",
                2,
            ),
        ],
    ),
    (
        "case",
        "projet de développement au Maroc soutenu par l'AFD qui regroupe de petits projets en une approche territoriale",
        [
            (
                "001",
                "Le projet « Tamkeen Li Tanmia » a constitué à passer d’une multitude de petits projets",
                2,
            ),
            (
                "001",
                "Maroc.  Au « Sommet des Deux Rives » de Marseille, votre projet Tamkeen Li Tanmia",
                1,
            ),
        ],
    ),
    (
        "case",
        "une association de centre de ressources politique de la ville qui fait du coaching territorial",
        [
            ("001", "est une plateforme de dialogue inter-acteurs pour les territoires", 2),
            (
                "001",
                "Villes au Carré fait partie d’un réseau de 19 centres de ressources politiques de la ville",
                1,
            ),
        ],
    ),
    (
        "case",
        "une maison de la vie associative qui favorise les coopérations inter-associatives autour d'Aix",
        [
            ("001", "Fin 2016, ce projet a été créé par Pays d’Aix Association", 2),
            ("001", "Faciliter des coopérations inter-associatives", 2),
        ],
    ),
    (
        "case",
        "une banque coopérative qui transforme son ancien siège en lieu pour accompagner les PME",
        [("004", "« pôle d’accompagnement des PME » sur l’ancien siège de la Caisse d’Epargne", 2)],
    ),
    (
        "case",
        "pôle territorial de coopération économique qui utilise le cadre logique pour sa stratégie commune",
        [
            ("001", "Ces 2 approches sont utilisées dans le cadre du PTCE Les Mureaux", 2),
            (
                "001",
                "Le PTCE a d’abord utilisé le cadre logique pour définir une stratégie commune",
                2,
            ),
        ],
    ),
    (
        "case",
        "un dispositif universitaire qui rapproche chercheurs et acteurs du territoire à Toulouse",
        [("001", "Exemple inspirant : le Catalyseur de l’Université Paul SABATIER de Toulouse", 2)],
    ),
    (
        "case",
        "territoire rural de faible densité qui innove grâce à un écosystème d'acteurs",
        [
            ("004", "Le modèle traditionnel du cluster n’est pas opérant sur ces territoires", 2),
            (
                "004",
                "Le territoire laboratoire : territoire dans lequel les acteurs ont décidé de créer un espace",
                1,
            ),
        ],
    ),
    (
        "case",
        "réseau multi-acteurs du développement durable qui publie un guide sur les ODD pour les collectivités",
        [
            ("001", "Bettina LAVILLE, en 1995 vous avez co-fondé le Comité 21", 2),
            ("001", "En 2018, le Comité 21 a publié un rapport sur l’appropriation des ODD", 2),
        ],
    ),
    (
        "case",
        "initiatives associées aux pôles d'économie sociale et solidaire autour de filières comme la laine ou le bois",
        [
            (
                "004",
                "Les PTCE (Pôles Territoriaux de Coopération Economique) sont des initiatives territoriales",
                2,
            ),
            ("004", "un pôle autour de la laine, un pôle autour du bois", 2),
        ],
    ),
    # ---- quote: who said what
    (
        "quote",
        "que dit Jean-François Caron sur la page blanche et le changement de posture ?",
        [
            (
                "001",
                "« On est devant une page blanche » ; ce qui oblige à travailler les imaginaires",
                2,
            )
        ],
    ),
    (
        "quote",
        "Philippe Jahshan sur la liberté associative et le corps intermédiaire",
        [
            (
                "001",
                "La question du fait associatif est celle de la liberté associative des citoyens",
                2,
            )
        ],
    ),
    (
        "quote",
        "citation de Gisèle Rossat-Mignod sur la Banque des Territoires innovation de la Caisse des Dépôts",
        [("001", "La Banque des Territoires est une innovation pour la Caisse des Dépôts", 2)],
    ),
    (
        "quote",
        "Florence Raineix : seul on ne fait rien",
        [("004", "Ce qui compte est de construire ensemble, car seul on ne fait rien", 2)],
    ),
    (
        "quote",
        "Charles-Benoît Heidsieck construire un pont plutôt qu'un mur",
        [
            (
                "004",
                "Il est beaucoup plus facile de construire un mur vertical qu’un pont horizontal",
                2,
            )
        ],
    ),
    (
        "quote",
        "ce que Pascal Charrière dit de l'alchimie entre acteurs à Lyon",
        [
            (
                "004",
                "Cette question de l’alchimie entre acteurs fonctionne particulièrement bien dans la ville de Lyon",
                2,
            )
        ],
    ),
    (
        "quote",
        "Philippe Lemoine sur le rôle du numérique et l'importance des personnes",
        [
            (
                "004",
                "Le rôle du numérique : le numérique, malgré les apparences, renforce cette idée",
                2,
            )
        ],
    ),
    (
        "quote",
        "Claude Alphandery : l'alchimie se fabrique",
        [("004", "co-construction, car si elle est une alchimie, il ne faut pas oublier", 2)],
    ),
    (
        "quote",
        "Hélène Valade sur la manière de voir l'entreprise au sein des territoires",
        [
            (
                "001",
                "L’Orse capte un certain nombre de changements sur la manière de voir l’entreprise",
                2,
            )
        ],
    ),
    (
        "quote",
        "Yannick Blanc : qu'est-ce qu'on appelle territoire ?",
        [("004", "Aujourd’hui ce que nous appelons « territoire » est très flou", 2)],
    ),
    (
        "quote",
        "Bettina Laville sur la notion de bien commun et les ODD",
        [
            (
                "001",
                "La notion de bien commun n’est pas défini dans les textes et échappe aux dirigeants",
                2,
            )
        ],
    ),
    # ---- fact: dates, numbers, names
    (
        "fact",
        "quel pourcentage des maires estiment que leur territoire est entré dans une dynamique de co-construction ?",
        [
            (
                "001",
                "76% des maires considèrent que leur territoire est entré dans une dynamique de co-construction",
                2,
            )
        ],
    ),
    (
        "fact",
        "combien de catalyseurs compte le réseau des pionniers ?",
        [
            ("001", "aujourd’hui de plus de 350 « catalyseurs » sur", 2),
            ("001", "plus de 350 sur les territoires métropolitains et ultra-marins", 2),
        ],
    ),
    (
        "fact",
        "date et lieu de la 2ème rencontre des pionniers des alliances en territoire",
        [("003", "de 9h00 à 18h00, au siège de la Fédération Nationale des Caisses", 2)],
    ),
    (
        "fact",
        "combien de partenariats incarnent la dynamique de co-construction en France ?",
        [("004", "1 200 000 partenariats incarnent de nos jours cette dynamique", 2)],
    ),
    (
        "fact",
        "part des emplois en conception et recherche concentrés dans les intercommunalités les mieux dotées",
        [
            (
                "004",
                "très concentrée dans quelques territoires, puisque près de 85% des emplois en conception",
                2,
            )
        ],
    ),
    (
        "fact",
        "pourcentage d'associations et d'entreprises ayant engagé un partenariat",
        [("004", "Déjà 38% des", 2), ("003", "Déjà 38% des", 2)],
    ),
    (
        "fact",
        "qui a représenté la ministre Jacqueline Gourault à la 5e rencontre ?",
        [
            ("001", "9h00 – Mise en perspective par Hugo BEVORT", 2),
            (
                "001",
                "Hugo BEVORT, directeur des stratégies territoriales au Commissariat général",
                2,
            ),
        ],
    ),
    (
        "fact",
        "en quelle année a été créé l'Observatoire des partenariats ?",
        [("004", "Crée à l’initiative du RAMEAU en 2008 dans le cadre de ses recherches", 2)],
    ),
    (
        "fact",
        "combien de puits et de mètres d'effondrement à Loos-en-Gohelle ?",
        [("001", "commune minière qui a subi l’arrêt d’activité de 9 puits", 2)],
    ),
    (
        "fact",
        "quels sont les trois leviers d'activation de l'intérêt général ?",
        [
            (
                "000",
                "identifier 3 leviers d’activation : la vision partagée, l’action collective transformatrice",
                2,
            ),
            ("001", "partagée, la gestion régulatrice et l’action", 2),
        ],
    ),
    (
        "fact",
        "où se tient la rencontre des pionniers, à quelle adresse ?",
        [("001", "(5, rue Masseran 75007 Paris)", 2), ("003", "(5, rue Masseran 75007 Paris)", 2)],
    ),
    # ---- english: questions in English about the French text
    (
        "english",
        "how were companies involved in local partnerships?",
        [
            ("001", "L’implication des entreprises sur leurs territoires est grandissante.", 2),
            ("004", "La vision des entreprises sur la co-construction en territoire", 2),
        ],
    ),
    (
        "english",
        "what does the mayor of Loos-en-Gohelle say about citizen engagement?",
        [
            (
                "001",
                "Co-construire est un acte d’engagement : les gens entrent en consommateurs-habitants",
                2,
            ),
            ("001", '"La co-construction, c\'est la nouvelle éducation populaire"', 2),
        ],
    ),
    (
        "english",
        "how can territorial facilitators fund their work?",
        [
            (
                "004",
                "De la problématique du modèle économique des catalyseurs des alliances en territoire",
                2,
            ),
            ("002", "Proposition 1 : Financer les hommes et pas seulement les investissements", 2),
        ],
    ),
    (
        "english",
        "what are the obstacles to promoting local initiatives?",
        [("001", "Trois freins principaux ont été relevés dans l’exemple de Villes au Carré", 2)],
    ),
    (
        "english",
        "what role do the Sustainable Development Goals play for local authorities?",
        [
            ("001", "Selon vous, en quoi les ODD représentent une vision partagée", 2),
            ("001", "La notion de bien commun n’est pas défini dans les textes", 1),
        ],
    ),
    (
        "english",
        "how does digital technology change economic models of alliances?",
        [
            (
                "004",
                "Le rôle du numérique : le numérique, malgré les apparences, renforce cette idée",
                2,
            ),
            ("004", "3) L’impact du numérique sur les modèles économiques des alliances en", 2),
        ],
    ),
    (
        "english",
        "what is a low-density territory?",
        [("004", "Elle dépasse la définition classique qui est de nature démographique", 2)],
    ),
    (
        "english",
        "Moroccan cooperation project presented as international insight",
        [
            (
                "001",
                "Le projet « Tamkeen Li Tanmia » a constitué à passer d’une multitude de petits projets",
                2,
            ),
            ("001", "Eclairage international : l’exemple du MAROC – Tamkeen Li Tanmia", 2),
        ],
    ),
    (
        "english",
        "which tools help measure the value created by partnerships?",
        [
            ("001", "Evaluation de l’immatériel (JP)", 1),
            ("001", "Rendre compte du chemin parcouru plus", 1),
        ],
    ),
    (
        "english",
        "how to act for the long term when everything pushes for short-term results",
        [
            (
                "004",
                "Atelier 1 : Comment agir dans le temps long quand tout pousse au court-terme",
                2,
            ),
            ("004", "Dépasser injonctions du temps, de résultat immédiat", 2),
        ],
    ),
    # ---- typo: typos, no accents
    (
        "typo",
        "mobiliser les elus locaux",
        [
            ("001", "communautés apprenantes d’élus, d’agents et de citoyens", 2),
            ("004", "12. Accompagner les élus à faire un pas de côté.", 2),
        ],
    ),
    (
        "typo",
        "modele economique des catalyseur territoriaux",
        [
            (
                "004",
                "De la problématique du modèle économique des catalyseurs des alliances en territoire",
                2,
            )
        ],
    ),
    (
        "typo",
        "coconstruction teritoriale et inovation sociale",
        [
            ("001", "Faire reconnaître l’innovation sociale territoriale par les financeurs", 2),
            ("004", "La co-construction, un levier pour innover sur ces territoires", 2),
        ],
    ),
    (
        "typo",
        "evaluation partenariale referentiel",
        [
            # Footnotes are never results (issue #11): the gold is where the text says it.
            ("001", "le référentiel actualisé des « nouvelles pratiques", 2),
            ("001", "référentiel actualisé de l’évaluation partenariale. Ces travaux", 2),
        ],
    ),
    (
        "typo",
        "tamken li tanmia maroc",
        [
            (
                "001",
                "Le projet « Tamkeen Li Tanmia » a constitué à passer d’une multitude de petits projets",
                2,
            )
        ],
    ),
    (
        "typo",
        "banque des teritoires caise des depots",
        [("001", "La Banque des Territoires est une innovation pour la Caisse des Dépôts", 2)],
    ),
    (
        "typo",
        "loos en gohelle maire",
        [
            ("001", "À Loos-en-Gohelle, le maire contractualise avec les habitants", 2),
            (
                "001",
                "Jean-François CARON, vous êtes maire de Loos-en-Gohelle, ancienne cité minière",
                2,
            ),
        ],
    ),
    (
        "typo",
        "role des assocations sur les teritoires",
        [
            (
                "001",
                "La question du fait associatif est celle de la liberté associative des citoyens",
                2,
            ),
            (
                "001",
                "-Quelles sont les spécificités d’actions des associations engagées sur les territoires ?",
                2,
            ),
        ],
    ),
    (
        "typo",
        "tiers de confiense pour evaluer",
        [("001", "9. Trouver le tiers de confiance qui", 2)],
    ),
    (
        "typo",
        "faible densite territoires ruraux innovation",
        [
            ("004", "Elle dépasse la définition classique qui est de nature démographique", 2),
            ("004", "Un double mouvement à l’œuvre sur les territoires ruraux", 2),
        ],
    ),
    (
        "typo",
        "RSE teritoriale mythe ou realite",
        [
            (
                "001",
                "L’Orse capte un certain nombre de changements sur la manière de voir l’entreprise",
                2,
            ),
            ("002", "« La RSE territoriale est-elle un mythe ou une réalité ? »", 2),
        ],
    ),
]


def span_for(prefix, sub):
    sub = " ".join(sub.split())
    hits = [line for line in LINES[prefix] if sub in " ".join(line.split())]
    if not hits:
        print(f"NOT FOUND {prefix}: {sub}")
        return None
    line = " ".join(hits[0].split())
    if len(line) <= 150:
        out = line
    else:
        i = line.index(" ".join(sub.split()))
        out = line[i : i + 150].rsplit(" ", 1)[0] if i + 150 < len(line) else line[i:]
    if len(out) < 25:
        sys.exit(f"TOO SHORT {prefix}: {out}")
    return out


with open(Path(__file__).with_name("queries.jsonl"), "w") as f:
    for n, (kind, query, gold) in enumerate(Q, 1):
        g = [
            {"file": FILES[p].name, "span": sp, "grade": gr}
            for p, s, gr in gold
            if (sp := span_for(p, s))
        ]
        f.write(
            json.dumps(
                {"id": f"q{n:03d}", "kind": kind, "query": query, "gold": g}, ensure_ascii=False
            )
            + "\n"
        )
print(len(Q), "queries")
