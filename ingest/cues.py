"""Words by which a report announces advice: « Bonnes pratiques », « Ce que je referais »,
« Points de vigilance ». Cleaning reads them to know a short line heads the list under it;
practice extraction, to know what that list holds. One vocabulary for both."""

from __future__ import annotations

import re

from ingest.extract.polarity import opens_on_warning

DO_CUES = (
    r"bonnes? pratiques?|leviers?|recommandations?|propositions?|actions? proposées?|"
    r"idées concrètes|conditions? (?:de|du) (?:réussite|succès)|facteurs? clés?|"
    r"clés? de (?:réussite|succès)|enseignements|conseils|pistes d.action|"
    r"à (?:re)?(?:faire|reproduire)\b|ce qu['’](?:il|on) (?:faut|faudrait|doit|devrait) faire|"
    r"ce qui (?:a )?(?:bien |le mieux )?(?:marché|fonctionné|réussi)"
)
DO_CUE = re.compile(DO_CUES, re.I)
# « Ce que je referais », « Ce que l'équipe referait »: what one would do again.
REDO = re.compile(r"\bce qu(?:e|['’])\s*[^,:;.]{0,40}?\b(?:re)?fer(?:a|i|on|ez)\w*", re.I)
# A short line that opens on a cue heads what follows (« Bonnes pratiques : »).
CUE_LINE = re.compile(
    r"^(?:\d+[.)]\s*)?(?:(?:les|la|le|l['’]|des|nos|quelques)\s*)*"
    rf"(?:{DO_CUES}|{REDO.pattern})",
    re.I,
)


# A short line naming a list that is not advice: stakes, needs, aims, topics (« Besoins »,
# « Les enjeux », « Trois objectifs »; the judges' reading of the workshops' « Enjeux » and
# « Besoins » grids). What it heads is what someone aims at or lacks, not practices.
RUBRIC_LINE = re.compile(
    r"^(?:\d+[.)]\s*)?(?:(?:les|nos|vos|leurs|ses|des|\d+|deux|trois|quatre|cinq|plusieurs|"
    r"quelques|principaux|grands)\s+)*"
    r"(?:enjeux|besoins?|objectifs|sujets|thèmes?|les mots qui|ordre du jour)\b",
    re.I,
)
# A list's title is short.
LIST_TITLE_CHARS = 60


def announces_advice(line: str) -> bool:
    """A line that opens on what advice, or a warning, is announced by (« Ce que je ne
    referais pas », « Les erreurs à éviter »): it heads the list that follows."""
    return bool(CUE_LINE.match(line)) or opens_on_warning(line)


def heads_a_list(line: str) -> bool:
    """A short line naming the list under it, advice or not (« Ce que je referais »,
    « Points de vigilance », « Besoins »), not a statement of its own."""
    return len(line) <= LIST_TITLE_CHARS and (
        announces_advice(line) or bool(RUBRIC_LINE.match(line))
    )
