"""Every frame convention between Rushes and Resolve, decided here and only here.

Rushes numbers a media's frames from 0 on the media's own rational rate, `end` exclusive
(DESIGN.md). Resolve's scripting API numbers things in four different ways; each rule below
names where it comes from (API-FACTS.md in ../shared/resolve, Blackmagic's scripting README).

- Clip (MediaPoolItem) markers are offsets from the clip's first frame, so a Rushes frame is a
  clip marker frame as is. `GetMarkers()` hands its keys back as floats (README example
  `{96.0: {...}}`) and unvalidated: `marker_key` turns them back into ints.
- Timeline markers are offsets from the timeline's start (0 = first frame); the absolute frame
  is `GetStartFrame() + key` (StoryToolkitAI render_markers; davinci-resolve-mcp PR #66).
- `recordFrame` in a clipInfo is absolute: a timeline starting at 01:00:00:00 has
  `GetStartFrame()` 86400 at 24 fps and 108000 at 29.97 non-drop, counted at the nominal
  rate (davinci-resolve-mcp issue #164). At 29.97 drop-frame the timecode 01:00:00;00 labels
  real frame 107892 (drop-frame skips labels, not frames), so that is its start frame.
- clipInfo `endFrame` is exclusive: duration = endFrame - startFrame (measured on 21.0; some
  community code subtracts 1, which loses the last frame of every select).
- With mixed rates, a clip's source range is in the clip's own frames and Resolve floors what
  it becomes on the timeline (measured): `timeline_frames` floors the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

TIMELINE_START_TIMECODE = "01:00:00:00"

# Timeline rates the project setting `timelineFrameRate` accepts (README; "29.97 DF" selects
# drop-frame).
_RATE_SETTINGS = {
    Fraction(24000, 1001): "23.976", Fraction(24): "24", Fraction(25): "25",
    Fraction(30000, 1001): "29.97", Fraction(30): "30", Fraction(48): "48", Fraction(50): "50",
    Fraction(60000, 1001): "59.94", Fraction(60): "60", Fraction(120): "120",
}


@dataclass(frozen=True)
class Rate:
    """A frame rate as Rushes carries it ("num/den"), plus drop-frame for timecode labels."""

    num: int
    den: int = 1
    drop_frame: bool = False

    @classmethod
    def parse(cls, text: str, drop_frame: bool = False) -> "Rate":
        """"30000/1001", "24", "29.97", "29.97 DF" (Resolve's setting) -> Rate."""
        text = text.strip()
        if text.upper().endswith("DF"):
            text, drop_frame = text[:-2].strip(), True
        if "/" in text:
            num, den = text.split("/", 1)
            value = Fraction(int(num), int(den))
        else:
            value = Fraction(text).limit_denominator(1001)
            for known in _RATE_SETTINGS:      # "29.97" is 30000/1001, not 2997/100
                if abs(float(known) - float(value)) < 0.01:
                    value = known
        return cls(value.numerator, value.denominator, drop_frame and value in (Fraction(30000, 1001), Fraction(60000, 1001)))

    @property
    def value(self) -> Fraction:
        return Fraction(self.num, self.den)

    @property
    def nominal(self) -> int:
        """The integer rate timecode counts at (24 for 23.976, 30 for 29.97)."""
        return round(self.value)

    def setting(self) -> str:
        """Resolve's `timelineFrameRate` value for this rate ("29.97 DF" for drop-frame)."""
        base = _RATE_SETTINGS.get(self.value)
        if base is None:
            raise ValueError(f"Resolve has no timeline rate {self.num}/{self.den}")
        return base + (" DF" if self.drop_frame else "")

    def text(self) -> str:
        return f"{self.num}/{self.den}"


def _drop_per_minute(rate: Rate) -> int:
    return 2 * (rate.nominal // 30) if rate.drop_frame else 0


def timecode_to_frame(tc: str, rate: Rate) -> int:
    """HH:MM:SS:FF (or ;FF for drop-frame) -> the frame it labels, counted from 00:00:00:00."""
    parts = tc.replace(";", ":").replace(".", ":").split(":")
    if len(parts) != 4:
        raise ValueError(f"not a timecode: {tc!r}")
    h, m, s, f = (int(p) for p in parts)
    total_minutes = 60 * h + m
    frames = (3600 * h + 60 * m + s) * rate.nominal + f
    drop = _drop_per_minute(rate)
    return frames - drop * (total_minutes - total_minutes // 10)


def frame_to_timecode(frame: int, rate: Rate) -> str:
    """The inverse of `timecode_to_frame`; ';' before frames for drop-frame (Conventions)."""
    nominal, drop = rate.nominal, _drop_per_minute(rate)
    if drop:
        per_10min = nominal * 600 - drop * 9
        per_min = nominal * 60 - drop
        tens, rest = divmod(frame, per_10min)
        extra = 0 if rest < drop else drop * ((rest - drop) // per_min)
        frame = frame + drop * 9 * tens + extra
    ff = frame % nominal
    seconds = frame // nominal
    sep = ";" if drop else ":"
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{sep}{ff:02d}"


def timeline_start_frame(rate: Rate, start_timecode: str = TIMELINE_START_TIMECODE) -> int:
    """`GetStartFrame()` of a timeline starting at that timecode (86400 at 24, 108000 at 29.97 NDF,
    107892 at 29.97 DF)."""
    return timecode_to_frame(start_timecode, rate)


def start_timecode(rate: Rate, start_timecode: str = TIMELINE_START_TIMECODE) -> str:
    """The timecode string Resolve shows for that start (';' before frames in drop-frame)."""
    return frame_to_timecode(timeline_start_frame(rate, start_timecode), rate)


def clip_marker_frame(media_frame: int) -> int:
    """A Rushes frame of a media -> the marker frame on its MediaPoolItem (both from the clip's
    first frame)."""
    return int(media_frame)


def timeline_marker_frame(record_frame: int, timeline_start: int) -> int:
    """An absolute timeline frame -> the key AddMarker/GetMarkers use on a Timeline."""
    return int(record_frame) - int(timeline_start)


def marker_key(key: float | int | str) -> int:
    """A `GetMarkers()` key (a float in Python, a number in Lua, text in JSON) -> int frame."""
    return int(round(float(key)))


def clip_info_range(start_frame: int, end_frame: int) -> tuple[int, int]:
    """Rushes [start, end) -> clipInfo (startFrame, endFrame): endFrame is exclusive in Resolve too
    (measured on 21.0), so nothing is subtracted."""
    if end_frame <= start_frame:
        raise ValueError(f"empty range {start_frame}..{end_frame}")
    return int(start_frame), int(end_frame)


def timeline_frames(source_frames: int, source: Rate, timeline: Rate) -> int:
    """How many timeline frames `source_frames` of a clip at `source` rate become: floored, as
    Resolve conforms mixed-rate clips."""
    return int(Fraction(source_frames) * timeline.value / source.value)
