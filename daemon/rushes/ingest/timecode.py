"""SMPTE timecode <-> frame numbers on a media's own rational rate.

Rushes keeps time as integer frame numbers (DESIGN.md, "Time is exact"); timecode is only an
edge format: read from the media, written into every export. So the conversion has to be exact
for any rational rate, and follow SMPTE 12M drop-frame rules for 29.97 and 59.94 (frame *labels*
00 and 01 -- 00 to 03 at 59.94 -- are skipped at the start of every minute except each tenth),
because an off-by-two timecode in an EDL puts every cut in the wrong place.

Timecode counts frames at an integer "nominal" rate: 23.976 counts 24 labels a second,
29.97 counts 30. Strings are "HH:MM:SS:FF", with ';' before the frames for drop-frame.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

RateLike = Union[Fraction, int, float, str, tuple[int, int]]

_TC_RE = re.compile(r"^\s*(-?)(\d{1,2})[:;.](\d{1,2})[:;.](\d{1,2})([:;.,])(\d{1,3})\s*$")
FRAMES_PER_DAY_LABELS = 24 * 3600


class TimecodeError(ValueError):
    """A timecode string or rate Rushes cannot use; the message quotes it."""


def parse_rate(rate: RateLike) -> Fraction:
    """A frame rate as an exact Fraction: "30000/1001", "25", (24000, 1001), 29.97 (snapped)."""
    if isinstance(rate, Fraction):
        value = rate
    elif isinstance(rate, tuple):
        value = Fraction(int(rate[0]), int(rate[1]))
    elif isinstance(rate, int):
        value = Fraction(rate)
    elif isinstance(rate, float):
        value = snap_rate(Fraction(rate).limit_denominator(100000))
    elif isinstance(rate, str):
        text = rate.strip()
        try:
            if "/" in text:
                num, den = text.split("/", 1)
                value = Fraction(int(num), int(den))
            elif "." in text:
                value = snap_rate(Fraction(text))
            else:
                value = Fraction(int(text))
        except (ValueError, ZeroDivisionError) as exc:
            raise TimecodeError(f"frame rate {rate!r} is not a number or a fraction like 30000/1001") from exc
    else:
        raise TimecodeError(f"frame rate {rate!r} has an unsupported type {type(rate).__name__}")
    if value <= 0:
        raise TimecodeError(f"frame rate {rate!r} must be positive")
    return value


def snap_rate(rate: Fraction, tolerance: float = 2e-4) -> Fraction:
    """The standard rate nearest `rate` when within `tolerance` (relative), else `rate` itself.

    Containers often store 29.97 as 2997/100 or a timebase-rounded average such as
    359999/12012; editors mean 30000/1001. The tolerance is far below the 0.1 % gap between
    N and N*1000/1001, so 24 and 23.976 never collapse into each other.
    """
    if rate <= 0:
        return rate
    candidates = []
    nominal = round(rate)
    if nominal > 0:
        candidates.append(Fraction(nominal))
    ntsc_base = round(rate * Fraction(1001, 1000))
    if ntsc_base > 0:
        candidates.append(Fraction(ntsc_base * 1000, 1001))
    best = min(candidates, key=lambda c: abs(c - rate), default=None)
    if best is not None and abs(best - rate) / best <= tolerance:
        return best
    return rate


def nominal_fps(rate: RateLike) -> int:
    """Frame labels per timecode second: 24 for 23.976, 30 for 29.97, 25 for 25."""
    value = parse_rate(rate)
    return max(1, round(value))


def is_ntsc_rate(rate: RateLike) -> bool:
    """True for N*1000/1001 rates (23.976, 29.97, 59.94, ...)."""
    value = parse_rate(rate)
    return value * 1001 == round(value * Fraction(1001, 1000)) * 1000


def can_drop_frame(rate: RateLike) -> bool:
    """Drop-frame exists for 29.97 and its multiples (59.94, 119.88), as SMPTE defines it."""
    value = parse_rate(rate)
    return is_ntsc_rate(value) and nominal_fps(value) % 30 == 0


def _drop_count(nominal: int) -> int:
    return nominal // 15  # 2 labels at 29.97, 4 at 59.94


@dataclass(frozen=True)
class Timecode:
    """A parsed timecode: fields as written, plus whether it is drop-frame."""

    hours: int
    minutes: int
    seconds: int
    frames: int
    drop_frame: bool

    def __str__(self) -> str:
        sep = ";" if self.drop_frame else ":"
        return f"{self.hours:02d}:{self.minutes:02d}:{self.seconds:02d}{sep}{self.frames:02d}"


def parse_timecode(text: str) -> Timecode:
    """Parse "HH:MM:SS:FF" (';' or '.' before the frames means drop-frame, as FFmpeg writes it)."""
    match = _TC_RE.match(text or "")
    if not match or match.group(1):
        raise TimecodeError(f"timecode {text!r} is not HH:MM:SS:FF")
    hh, mm, ss, ff = (int(match.group(i)) for i in (2, 3, 4, 6))
    drop = match.group(5) in (";", ".") or ";" in text
    if mm > 59 or ss > 59:
        raise TimecodeError(f"timecode {text!r} has minutes or seconds above 59")
    return Timecode(hh, mm, ss, ff, drop)


def timecode_to_frames(timecode: str | Timecode, rate: RateLike, drop_frame: bool | None = None) -> int:
    """Frame number of a timecode label at `rate` (frames since 00:00:00:00).

    `drop_frame` overrides what the string says (None: trust the separator). Raises
    TimecodeError for labels that do not exist (frames >= nominal rate, or a dropped label).
    """
    tc = timecode if isinstance(timecode, Timecode) else parse_timecode(timecode)
    value = parse_rate(rate)
    nominal = nominal_fps(value)
    drop = tc.drop_frame if drop_frame is None else drop_frame
    if tc.frames >= nominal:
        raise TimecodeError(f"timecode {tc} has frame {tc.frames} but {value} fps counts 0..{nominal - 1}")
    if drop and not can_drop_frame(value):
        raise TimecodeError(f"timecode {tc} is drop-frame but {value} fps has no drop-frame (only 29.97, 59.94)")
    total = ((tc.hours * 60 + tc.minutes) * 60 + tc.seconds) * nominal + tc.frames
    if not drop:
        return total
    dropped = _drop_count(nominal)
    if tc.seconds == 0 and tc.minutes % 10 != 0 and tc.frames < dropped:
        raise TimecodeError(f"timecode {tc} does not exist in drop-frame (labels 00..{dropped - 1:02d} are skipped)")
    total_minutes = tc.hours * 60 + tc.minutes
    return total - dropped * (total_minutes - total_minutes // 10)


def frames_to_timecode(frames: int, rate: RateLike, drop_frame: bool = False, wrap: bool = True) -> str:
    """The timecode label of frame number `frames` at `rate`; wraps at 24 hours like a clock."""
    if frames < 0:
        raise TimecodeError(f"frame {frames} is negative; timecode starts at 00:00:00:00")
    value = parse_rate(rate)
    nominal = nominal_fps(value)
    if drop_frame and not can_drop_frame(value):
        raise TimecodeError(f"{value} fps has no drop-frame timecode (only 29.97, 59.94)")
    number = int(frames)
    if drop_frame:
        dropped = _drop_count(nominal)
        per_minute = nominal * 60 - dropped
        per_ten = per_minute * 10 + dropped
        tens, rest = divmod(number, per_ten)
        number += dropped * 9 * tens
        if rest > dropped:
            number += dropped * ((rest - dropped) // per_minute)
    ff = number % nominal
    total_seconds = number // nominal
    ss = total_seconds % 60
    mm = (total_seconds // 60) % 60
    hh = total_seconds // 3600
    if wrap:
        hh %= 24
    return str(Timecode(hh, mm, ss, ff, drop_frame))


def offset_timecode(start: str, frames: int, rate: RateLike, drop_frame: bool | None = None) -> str:
    """The label `frames` frames after `start` (e.g. a shot's first frame in a clip's timecode)."""
    tc = parse_timecode(start)
    drop = tc.drop_frame if drop_frame is None else drop_frame
    return frames_to_timecode(timecode_to_frames(tc, rate, drop) + frames, rate, drop)


def normalise_timecode(text: str, rate: RateLike, drop_frame: bool | None = None) -> str:
    """Validate a timecode read from media and rewrite it in Rushes' form ("HH:MM:SS;FF" if drop)."""
    tc = parse_timecode(text)
    drop = tc.drop_frame if drop_frame is None else drop_frame
    return frames_to_timecode(timecode_to_frames(tc, rate, drop), rate, drop)


def seconds_to_frames(seconds: float | Fraction, rate: RateLike) -> int:
    """Nearest frame number for a time in seconds (only at the edges: DESIGN.md)."""
    return round(Fraction(seconds) * parse_rate(rate))


def _bcd(value: int) -> int:
    return (value & 0xF) + 10 * (value >> 4)


def from_mpeg_gop(value: int) -> Timecode:
    """The timecode of an MPEG-2 GOP header (FFmpeg's GOP_TIMECODE frame side data, 25 bits)."""
    return Timecode(hours=(value >> 19) & 0x1F, minutes=(value >> 13) & 0x3F, seconds=(value >> 6) & 0x3F,
                    frames=value & 0x3F, drop_frame=bool(value & (1 << 24)))


def from_smpte_binary(value: int, rate: RateLike) -> Timecode:
    """A SMPTE 12M binary timecode word (H.264/HEVC picture timing SEI; FFmpeg's S12M side data).

    Above 30 fps the word counts frame pairs and a field bit says which of the two it is.
    """
    frames = _bcd((value >> 24) & 0x3F)
    value_rate = parse_rate(rate)
    if value_rate > 30:
        frames <<= 1
        field_bit = (value >> 7) & 1 if value_rate == 50 else (value >> 23) & 1
        frames += field_bit
    return Timecode(hours=_bcd(value & 0x3F), minutes=_bcd((value >> 8) & 0x7F), seconds=_bcd((value >> 16) & 0x7F),
                    frames=frames, drop_frame=bool(value & (1 << 30)))
