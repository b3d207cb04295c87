"""How French proceedings write names: « Jean-François CARON », « Marie LECLERC-BRUANT »."""

from __future__ import annotations

import re

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOWER = "a-zàâäçéèêëîïôöùûüÿ"
# One first name, maybe hyphenated: a second capitalised word before it is another word
# of the sentence (« Merci Monsieur X », « France Active Marie X »), not part of the name.
_CIVILITY = r"(?!(?:Monsieur|Madame|Mademoiselle|Maître|Merci|Le|La|Les)\b)"
_FIRST = rf"{_CIVILITY}[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_PARTICLE = r"(?:DE|DU|LE|LA|VAN|VON|DES)\s"
# « CARON », « LECLERC- BRUANT », « DU BOUETIEZ », « DUPRE LA TOUR ».
_LAST = (
    rf"(?:{_PARTICLE})?[{_UPPER}][{_UPPER}'’]+(?:\s?-\s?[{_UPPER}][{_UPPER}'’]+)*"
    rf"(?:\s{_PARTICLE}[{_UPPER}]{{2,}})?"
)
NAME = rf"{_FIRST}\s+{_LAST}"
# A line that only announces who speaks next: « Nicolas KLEIN : ».
SPEAKER_LABEL = re.compile(rf"^{NAME}\s?:$")
# A name as running text writes it: « Jean-François Caron », « Gisèle Rossat-Mignod ».
# Articles are not first names: « Le Rameau », « La Fonda » are organisations.
TITLE_NAME = (
    rf"(?!(?:Le|La|Les|Un|Une|Des|Du|De|Ce|Cette|Son|Sa|Ses)\b)"
    rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?(?:\s+[{_UPPER}][\w’'-]+){{1,2}}"
)
