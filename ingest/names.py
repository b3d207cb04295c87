"""How French proceedings write names: « Jean-François CARON », « Marie LECLERC-BRUANT »."""

from __future__ import annotations

import re

_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOWER = "a-zàâäçéèêëîïôöùûüÿ"
_FIRST = rf"[{_UPPER}][{_LOWER}]+(?:[-\s][{_UPPER}][{_LOWER}]+)?"
_LAST = rf"(?:(?:DE|DU|LE|LA|VAN|VON)\s)?[{_UPPER}][{_UPPER}'’]+(?:\s?-\s?[{_UPPER}][{_UPPER}'’]+)*"
NAME = rf"{_FIRST}\s+{_LAST}"
# A line that only announces who speaks next: « Nicolas KLEIN : ».
SPEAKER_LABEL = re.compile(rf"^{NAME}\s?:$")
