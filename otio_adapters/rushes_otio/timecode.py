"""Rates and timecode labels for the exports, on the thin side.

The daemon decides a media's rate and start timecode (`rushes.ingest.timecode`); the thin side
may not import the daemon, so this module re-reads what the daemon sends ("num/den" rates,
"HH:MM:SS:FF" labels, ';' for drop-frame) with the same SMPTE counting. A test compares both
modules label by label. OTIO's own `opentime.to_timecode` refuses rates such as 20 or 15 fps,
which real cameras and screen recorders make, so the counting here does not go through it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_TC = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$")


class TimecodeError(ValueError):
    """A label or rate that SMPTE timecode cannot express."""


def parse_rate(text: str | Fraction | float | int) -> Fraction:
    """"24000/1001" (the daemon's form), "25", 23.976 -> an exact Fraction."""
    if isinstance(text, Fraction):
        rate = text
    elif isinstance(text, str):
        num, _, den = text.strip().partition("/")
        rate = Fraction(int(num), int(den or 1))
    else:
        rate = Fraction(text).limit_denominator(1001)
    if rate <= 0:
        raise TimecodeError(f"frame rate {text!r} is not positive")
    return rate


def nominal_fps(rate: Fraction) -> int:
    """Labels per timecode second: 24 for 23.976, 30 for 29.97."""
    return max(1, round(rate))


def is_ntsc(rate: Fraction) -> bool:
    return rate.denominator != 1 and rate * 1001 == nominal_fps(rate) * 1000


def can_drop_frame(rate: Fraction) -> bool:
    """SMPTE drop-frame exists for 29.97 and 59.94 only."""
    return is_ntsc(rate) and nominal_fps(rate) % 30 == 0


@dataclass(frozen=True)
class Label:
    hours: int
    minutes: int
    seconds: int
    frames: int
    drop_frame: bool


def parse_label(text: str) -> Label:
    m = _TC.match((text or "").strip())
    if not m:
        raise TimecodeError(f"timecode {text!r} is not HH:MM:SS:FF")
    hh, mm, ss, ff = int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(5))
    if mm > 59 or ss > 59:
        raise TimecodeError(f"timecode {text!r} has minutes or seconds above 59")
    return Label(hh, mm, ss, ff, m.group(4) in ";.,")


def to_frames(text: str, rate: Fraction, drop_frame: bool | None = None) -> int:
    """Frames since 00:00:00:00 of a label at `rate` (None: the separator says drop-frame or not)."""
    label = parse_label(text)
    nominal = nominal_fps(rate)
    drop = label.drop_frame if drop_frame is None else drop_frame
    if label.frames >= nominal:
        raise TimecodeError(f"timecode {text} has frame {label.frames} but {float(rate):g} fps counts 0..{nominal - 1}")
    if drop and not can_drop_frame(rate):
        raise TimecodeError(f"timecode {text} is drop-frame but {float(rate):g} fps has no drop-frame")
    total = ((label.hours * 60 + label.minutes) * 60 + label.seconds) * nominal + label.frames
    if not drop:
        return total
    dropped = nominal // 15
    minutes = label.hours * 60 + label.minutes
    if label.seconds == 0 and label.minutes % 10 and label.frames < dropped:
        raise TimecodeError(f"timecode {text} does not exist in drop-frame")
    return total - dropped * (minutes - minutes // 10)


def to_label(frames: int, rate: Fraction, drop_frame: bool = False) -> str:
    """The label of frame number `frames` (since 00:00:00:00), wrapping at 24 hours."""
    if frames < 0:
        raise TimecodeError(f"frame {frames} is before 00:00:00:00")
    nominal = nominal_fps(rate)
    if drop_frame and not can_drop_frame(rate):
        raise TimecodeError(f"{float(rate):g} fps has no drop-frame timecode")
    number = int(frames)
    if drop_frame:
        dropped = nominal // 15
        per_minute = nominal * 60 - dropped
        per_ten = per_minute * 10 + dropped
        tens, rest = divmod(number, per_ten)
        number += dropped * 9 * tens
        if rest > dropped:
            number += dropped * ((rest - dropped) // per_minute)
    ff = number % nominal
    seconds = number // nominal
    sep = ";" if drop_frame else ":"
    return f"{(seconds // 3600) % 24:02d}:{(seconds // 60) % 60:02d}:{seconds % 60:02d}{sep}{ff:02d}"


SMPTE_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
               Fraction(48), Fraction(50), Fraction(60000, 1001), Fraction(60))


def is_smpte_rate(rate: Fraction) -> bool:
    """Rates tape timecode (EDL, FCP7 XML) can carry; others have no editor-readable timecode."""
    return rate in SMPTE_RATES
