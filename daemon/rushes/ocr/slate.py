"""Clapperboard slates: OCR lines -> scene / take / roll / camera / date.

A slate is a board of labelled fields. Boards write a field either on one line ("SCENE 12",
"TAKE: 3", "ROLL A004") or as a label with its value below it (the classic layout with ruled
boxes); both are read. A picture counts as a slate when it shows at least two of scene, take
and roll: one "TAKE" on a title card or a sign is not a slate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from rushes.ocr.engine import TextLine

# Label words as boards write them, per field (upper-cased, punctuation stripped).
LABELS: dict[str, tuple[str, ...]] = {
    "scene": ("SCENE", "SCN", "SC", "SZENE", "SCÈNE", "SCENA", "ESCENA"),
    "take": ("TAKE", "TK", "TAKES"),
    "roll": ("ROLL", "REEL", "RL", "ROL"),
    "camera": ("CAMERA", "CAM", "CAMERAS"),
    "date": ("DATE", "DAY", "DATUM"),
}
_LABEL_TO_FIELD = {lab: f for f, labs in LABELS.items() for lab in labs}
_LABEL_RE = re.compile(r"^(?P<label>[A-ZÈ]+)\s*[:.#-]?\s*(?P<value>.*)$")
# A label glued to its value ("SCENE12", "TK3"): only for labels of 2+ letters followed by a digit.
_GLUED_RE = re.compile(r"^(?P<label>[A-ZÈ]{2,})(?P<value>\d[\w/.-]*)$")
_DATE_RE = re.compile(r"\b(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b")


@dataclass(frozen=True)
class SlateReading:
    """What a slate said; `found` names the fields read (at least two of scene, take, roll)."""

    fields: dict[str, str] = field(default_factory=dict)
    raw_text: str = ""
    confidence: float = 0.0

    @property
    def found(self) -> tuple[str, ...]:
        return tuple(k for k in LABELS if self.fields.get(k))


def _clean_value(field_name: str, value: str) -> str:
    value = value.strip().strip(":.#-").strip()
    if field_name == "date":
        m = _DATE_RE.search(value)
        return m.group(1) if m else value
    # A value is one token (boards put the next field further along the same line).
    return value.split()[0] if value.split() else ""


def _split_fields(text: str) -> list[tuple[str, str]]:
    """(field, value) pairs written on one line, e.g. "SCENE 12 TAKE 3" -> scene 12, take 3.
    A label with nothing after it gives value ''."""
    tokens = text.upper().replace(":", " : ").split()
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i].strip(":.#-")
        glued = _GLUED_RE.match(tok)
        if tok in _LABEL_TO_FIELD:
            j = i + 1
            while j < len(tokens) and tokens[j] in (":", "#", "-", "."):
                j += 1
            value_tokens = []
            while j < len(tokens) and tokens[j].strip(":.#-") not in _LABEL_TO_FIELD:
                value_tokens.append(tokens[j])
                j += 1
                if _LABEL_TO_FIELD[tok] != "date":
                    break
            pairs.append((_LABEL_TO_FIELD[tok], " ".join(value_tokens)))
            i = j
        elif glued and glued.group("label") in _LABEL_TO_FIELD:
            pairs.append((_LABEL_TO_FIELD[glued.group("label")], glued.group("value")))
            i += 1
        else:
            i += 1
    return pairs


def _below(line: TextLine, lines: Sequence[TextLine]) -> TextLine | None:
    """The nearest line under `line` that shares its columns (a label's value in a ruled box)."""
    x0, y0, x1, y1 = line.box
    h = max(1.0, y1 - y0)
    best = None
    for other in lines:
        if other is line:
            continue
        ox0, oy0, ox1, oy1 = other.box
        overlap = min(x1, ox1) - max(x0, ox0)
        if overlap <= 0.3 * min(x1 - x0, ox1 - ox0) or oy0 < y0 + 0.5 * h or oy0 > y1 + 4 * h:
            continue
        if best is None or oy0 < best.box[1]:
            best = other
    return best


def read_slate(lines: Sequence[TextLine]) -> SlateReading | None:
    """The slate on one picture's OCR lines, or None when the picture is not a slate."""
    fields: dict[str, str] = {}
    used: list[TextLine] = []
    for line in lines:
        for name, value in _split_fields(line.text):
            if name in fields:
                continue
            if not value:
                below = _below(line, lines)
                if below is None or any(k in _LABEL_TO_FIELD for k in below.text.upper().split()):
                    continue
                value = below.text
                used.append(below)
            value = _clean_value(name, value)
            if value:
                fields[name] = value
                used.append(line)
    if "date" not in fields:
        for line in lines:
            m = _DATE_RE.search(line.text)
            if m:
                fields["date"] = m.group(1)
                break
    if sum(1 for k in ("scene", "take", "roll") if fields.get(k)) < 2:
        return None
    conf = min(l.confidence for l in used) if used else 0.0
    return SlateReading(fields=fields, raw_text=" | ".join(l.text for l in lines), confidence=conf)
