"""The one time base: a media's rate and how every frame is numbered.

Probe, the decode pass, seeking (keyframe images, thumbnails, face re-sampling) and every export
number frames through `media_time_base` and `TimeBase`, so a frame stored by one is the same
picture when read back by another. The rule, as editors conform media onto a timeline:

- Constant-rate media keep their own rate (`pick_rate`: the average rate snapped to a standard
  one, else the guessed rate), e.g. 24000/1001, 30000/1001 drop-frame, 60000/1001.
- Variable-rate media (phone footage, screen recordings, a rate switch inside one file) get a
  constant nominal rate: the standard rate nearest the highest rate the file sustains
  (`conform_rate`), so frames of its fastest stretch do not collide.
- A frame's index is round((pts - first_pts) * time_base * rate), a tie to the earlier index.
- When two frames land on one index the first is kept; when an index gets no frame (a gap, or
  a slower stretch) the picture for index N is the last frame whose index is <= N, so a gap
  repeats the previous picture. frame_count is the last index + 1.
- So the picture for index N is what a player shows at (N + 0.5) / rate: the last frame that
  starts at or before that instant (tests/test_timebase_real.py compares it with FFmpeg's
  picture of that frame on real footage).

Timestamps come from the container's index where it lists every sample (MOV/MP4), else from a
survey of the first packets; both are deterministic, so every caller reaches the same answer.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from rushes.ingest import timecode as tc

# Containers whose frames always tick at the stream's rate (no per-frame timestamps to survey).
CFR_CONTAINERS = {"mxf", "gxf", "dv", "avi", "lxf", "yuv4mpegpipe"}
# Packets surveyed for VFR detection when the container index does not list every frame.
VFR_SURVEY_PACKETS = 240
# Frame intervals averaged before "the highest sustained rate" is read: long enough to smooth a
# phone's timestamp jitter, short enough that a 1 s stretch at a higher rate counts.
SUSTAIN_WINDOW = 15
# The fastest stretches that may be ignored (a burst shorter than this share of the file).
SUSTAIN_QUANTILE = 0.10
# A measured rate this close (relative) to a standard one is that rate.
STANDARD_SNAP = 0.03

STANDARD_RATES: tuple[Fraction, ...] = tuple(sorted({
    Fraction(8), Fraction(10), Fraction(12), Fraction(25, 2), Fraction(15), Fraction(16), Fraction(20),
    Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
    Fraction(48000, 1001), Fraction(48), Fraction(50), Fraction(60000, 1001), Fraction(60),
    Fraction(72), Fraction(90), Fraction(96), Fraction(100), Fraction(120000, 1001), Fraction(120),
    Fraction(144), Fraction(240),
}))


# --------------------------------------------------------------------------------------------
# Rates


def _rate_candidates(stream: Any) -> list[Fraction]:
    out = []
    for name in ("average_rate", "guessed_rate", "base_rate"):
        value = getattr(stream, name, None)
        if value is not None and value > 0 and value < 10000:
            out.append(Fraction(value))
    return out


def pick_rate(stream: Any) -> Fraction:
    """The rate of constant-rate media as an exact fraction.

    Tries, in order, the average rate (what the file plays at), the guessed rate and the
    r_frame_rate, snapping each to a standard rate when it lies within 0.02 % (so 2997/100 or a
    timebase-rounded average become 30000/1001). If none is standard (a Matroska average of
    2500/83) a standard guessed/base rate wins over the raw average.
    """
    candidates = _rate_candidates(stream)
    if not candidates:
        raise ValueError("no frame rate")
    for cand in candidates:
        snapped = tc.snap_rate(cand)
        if snapped.denominator in (1, 1001):
            return snapped
    first = candidates[0]
    return first.limit_denominator(1001) if first.denominator > 1001 else first


def _deltas(values: list[int]) -> list[int]:
    ordered = sorted(set(values))
    return [b - a for a, b in zip(ordered, ordered[1:])]


def is_variable(timestamps: list[int]) -> bool:
    """True when frame intervals really vary (not just timebase rounding, e.g. 33/34 ms).

    An interval counts as off when it differs from the median by more than one tick and 1 %;
    the clip is VFR when at least two intervals, and 1 % of them, are off (one glitch at a
    splice does not make a clip VFR).
    """
    deltas = _deltas(timestamps)
    if len(deltas) < 3:
        return False
    median = sorted(deltas)[len(deltas) // 2]
    tolerance = max(1, median * 0.01)
    off = sum(1 for d in deltas if abs(d - median) > tolerance)
    return off >= 2 and off >= 0.01 * len(deltas)


def highest_sustained_rate(timestamps: list[int], time_base: Fraction) -> Fraction | None:
    """Frames per second of the file's fastest stretch that lasts.

    The typical interval of every run of SUSTAIN_WINDOW consecutive frames is its median (a
    dropped frame or a stall does not move it); the fastest runs' value, at SUSTAIN_QUANTILE, is
    near the capture interval. It is then refined to the mean of all intervals within 20 % of it
    (a few rounds), which averages a phone's jitter and a coarse timebase's rounding (33/34 ms
    ticks of 29.97) out and leaves a slower stretch (41.7 ms at 24 fps) and drops (66.7 ms) aside.
    """
    deltas = _deltas(timestamps)
    if not deltas or not time_base:
        return None
    w = max(1, min(SUSTAIN_WINDOW, len(deltas)))
    medians = sorted(sorted(deltas[i:i + w])[w // 2] for i in range(len(deltas) - w + 1))
    typical = medians[min(len(medians) - 1, int(SUSTAIN_QUANTILE * len(medians)))]
    if typical <= 0:
        return None
    mean = Fraction(typical)
    for _ in range(6):      # settle on the mean of the intervals around it (jitter biases a quantile low)
        near = [d for d in deltas if abs(d - mean) <= 0.2 * mean]
        if not near:
            break
        mean = Fraction(sum(near), len(near))
    rate = 1 / (mean * Fraction(time_base))
    if typical < 1000 and round(rate) > 0 and abs(round(rate) - rate) / rate <= 0.005:
        # A coarse timebase (Matroska's 1 ms) cannot tell 30 from 29.97: take the whole rate.
        return Fraction(round(rate))
    return rate


def conform_rate(sustained: Fraction) -> Fraction:
    """The nominal rate of variable-rate media: the standard rate nearest the highest sustained
    one (within STANDARD_SNAP), else the lowest standard rate above it (so its frames do not
    collide), else the measured rate itself (beyond 240 fps)."""
    nearest = min(STANDARD_RATES, key=lambda r: abs(math.log(float(r) / float(sustained))))
    if abs(float(nearest) / float(sustained) - 1) <= STANDARD_SNAP:
        return nearest
    above = [r for r in STANDARD_RATES if r >= sustained]
    return above[0] if above else sustained.limit_denominator(1001)


# --------------------------------------------------------------------------------------------
# Timestamps


def index_timestamps(stream: Any) -> list[int]:
    """Timestamps of every frame from the container index, or [] when the index is partial.

    MOV/MP4 index every sample (then len == frames); MPEG-PS or Matroska cues list only some
    keyframes, whose spacing says nothing about the frame rate. Samples an edit list hides
    (a trimmed export's pre-roll) are left out.
    """
    entries = stream.index_entries
    n = len(entries)
    if n < 2 or n != stream.frames:
        return []
    return [entry.timestamp for entry in entries if not entry.is_discard]


def survey_packets(path: Path, stream_index: int, limit: int | None) -> tuple[list[int], int]:
    """Timestamps of the first `limit` packets of a stream (all when None) and their count."""
    stamps: list[int] = []
    count = 0
    with av.open(str(path)) as container:
        stream = container.streams[stream_index]
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            count += 1
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is not None:
                stamps.append(stamp)
            if limit is not None and count >= limit:
                break
    return stamps, count


def all_timestamps(path: Path, stream_index: int) -> list[int]:
    """Every packet's presentation timestamp of one stream (demux only, no decode), remembered
    per file version: probe, the decode pass and each seek of one process ask for the same."""
    st = path.stat()
    return list(_all_timestamps(str(path), stream_index, st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=16)
def _all_timestamps(path: str, stream_index: int, size: int, mtime_ns: int) -> tuple[int, ...]:
    return tuple(survey_packets(Path(path), stream_index, None)[0])


# --------------------------------------------------------------------------------------------
# The time base


@dataclass(frozen=True)
class TimeBase:
    """How one media's frames are numbered: index = round((pts - first_pts) * time_base * rate).

    `rate` is the media's own (or, when `variable`, its conformed nominal) rate; `first_pts` the
    first presentation timestamp (None: from the first frame seen); `time_base` the stream's
    seconds per tick (None: frames are counted, not timed)."""

    rate: Fraction
    time_base: Fraction | None
    first_pts: int | None
    variable: bool = False

    def index_of(self, pts: int, first_pts: int | None = None) -> int:
        """The frame index of a timestamp: the nearest, a tie going to the earlier index, so
        that a frame starting exactly at (N + 0.5) / rate is what index N shows (a player
        shows the last frame started by that instant). Exact, in integers."""
        tb = self.time_base
        start = self.first_pts if self.first_pts is not None else first_pts
        if tb is None or start is None:
            raise ValueError("this time base has no timestamps to number frames by")
        p = (pts - start) * tb.numerator * self.rate.numerator        # index = p / q
        q = tb.denominator * self.rate.denominator
        return -((q - 2 * p) // (2 * q))                             # ceil(p / q - 1/2)

    def pts_of(self, index: int) -> int:
        """The timestamp where frame `index` starts on this stream (for seeking)."""
        tb = self.time_base
        if tb is None:
            return 0
        return int((self.first_pts or 0) + math.floor(Fraction(index) / self.rate / tb))

    def seconds(self, index: int) -> float:
        return float(Fraction(index) / self.rate)

    @property
    def rate_text(self) -> str:
        return f"{self.rate.numerator}/{self.rate.denominator}"


class Conformer:
    """Numbers a stream's frames in decode order by the rule above.

    `place(pts)` gives the frame's index, or None when the frame is not shown (it collides with
    the frame before it, or lies before first_pts: an edit list's hidden pre-roll). Indices
    returned only increase; `gap_before` is how many indices the previous picture must fill
    before this one."""

    def __init__(self, time_base: TimeBase) -> None:
        self.tb = time_base
        self.first_pts = time_base.first_pts
        self.last = -1
        self.gap_before = 0

    def place(self, pts: int | None) -> int | None:
        if pts is None or self.tb.time_base is None:
            idx = self.last + 1
        else:
            if self.first_pts is None:
                self.first_pts = pts
            idx = self.tb.index_of(pts, self.first_pts)
            if idx < 0 or idx <= self.last:
                return None
        self.gap_before = idx - self.last - 1 if self.last >= 0 else 0
        self.last = idx
        return idx

    @property
    def frame_count(self) -> int:
        return self.last + 1


@dataclass(frozen=True)
class RateFacts:
    """What the probe reports beside the time base: the timestamps it read and where from."""

    time_base: TimeBase
    stamps: list[int]
    full_index: bool        # the container lists every shown sample (MOV/MP4)


def stream_time_base(path: str | Path, container: Any, stream: Any) -> RateFacts:
    """The one decision: the time base of `stream` (a PyAV video stream of `container`, opened
    from `path`). Raises ValueError when the stream has no frame rate at all."""
    fmt = (container.format.name or "").split(",")[0]
    rate = pick_rate(stream)
    stamps = index_timestamps(stream)
    full_index = bool(stamps)
    if not stamps and fmt not in CFR_CONTAINERS:
        stamps, _ = survey_packets(Path(path), stream.index, VFR_SURVEY_PACKETS)
    variable = is_variable(stamps)
    if variable:
        # Every presentation timestamp (the index holds decode times, and a survey only the
        # start): a faster stretch later counts, and the last frame's index is exact.
        stamps = all_timestamps(Path(path), stream.index)
    if variable:
        sustained = highest_sustained_rate(stamps, Fraction(stream.time_base))
        if sustained:
            rate = conform_rate(sustained)
    tb = Fraction(stream.time_base.numerator, stream.time_base.denominator) if stream.time_base else None
    first = stream.start_time
    if first is None and stamps:
        first = min(stamps)
    return RateFacts(TimeBase(rate, tb, first, variable), stamps, full_index)


def media_time_base(path: str | Path) -> TimeBase:
    """The time base of a file's first video stream (opens it; for callers without a container)."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError(f"{path}: no video stream")
        return stream_time_base(path, container, container.streams.video[0]).time_base
