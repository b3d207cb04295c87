"""Speaker attribution against hand labels: recall and precision over labelled spans.

A label line is `{"file", "span", "speaker" (or null for a negative), "mode", "negative"}`.
Each span is looked up in the passages of its file (whitespace ignored); the passage's
speaker is compared with the label by surname, case and accents ignored. A positive is
found when the passage names the labelled speaker; a negative is respected when the
passage names nobody. Precision counts every span whose passage names someone.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingest.normalise import fold
from ingest.store import PassageRow, Store
from search.evaluate import squash


@dataclass
class SpeakerLabel:
    file: str
    span: str
    speaker: str | None
    mode: str | None
    negative: str | None


def load_labels(path: Path) -> list[SpeakerLabel]:
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            labels.append(
                SpeakerLabel(
                    raw["file"],
                    raw["span"],
                    raw.get("speaker"),
                    raw.get("mode"),
                    raw.get("negative"),
                )
            )
    return labels


def _name_key(name: str) -> list[str]:
    return fold(re.sub(r"\s*-\s*", "-", name)).split()


def same_person(a: str | None, b: str | None) -> bool:
    """Same full name, accents, case and hyphen spacing aside; surname alone if one has no
    first name."""
    if not a or not b:
        return False
    first, second = _name_key(a), _name_key(b)
    if len(first) > 1 and len(second) > 1:
        return first == second
    return first[-1] == second[-1]


def _passage_of(passages: list[PassageRow], span: str) -> PassageRow | None:
    needle = squash(span)
    return next((p for p in passages if needle in squash(p.text)), None)


def score(store: Store, labels: list[SpeakerLabel]) -> dict:
    """Recall over positives, precision over attributed spans, and the misses to read."""
    by_file: dict[str, list[PassageRow]] = {}
    for document in store.documents():
        by_file[document.file] = store.passages(document.id)
    counts: Counter = Counter()
    misses: list[dict] = []
    for label in labels:
        passage = _passage_of(by_file.get(label.file, []), label.span)
        got = passage.speaker if passage else None
        if label.speaker:
            counts["positives"] += 1
            counts[f"positives_{label.mode}"] += 1
            if same_person(got, label.speaker):
                counts["found"] += 1
                counts[f"found_{label.mode}"] += 1
                if passage.speech == label.mode:
                    counts["mode_right"] += 1
            else:
                misses.append({"span": label.span, "want": label.speaker, "got": got})
        else:
            counts["negatives"] += 1
            if got:
                misses.append({"span": label.span, "want": None, "got": got})
        if got:
            counts["attributed"] += 1
            counts["attributed_right"] += bool(label.speaker and same_person(got, label.speaker))
        if passage is None:
            counts["not_found"] += 1
    recall = counts["found"] / counts["positives"] if counts["positives"] else 0.0
    precision = counts["attributed_right"] / counts["attributed"] if counts["attributed"] else 1.0
    return {
        "recall": round(recall, 3),
        "precision": round(precision, 3),
        "mode_accuracy": round(counts["mode_right"] / counts["found"], 3) if counts["found"] else 0,
        "counts": dict(counts),
        "misses": misses,
    }
