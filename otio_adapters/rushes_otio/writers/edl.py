"""CMX 3600 EDL through otio-cmx3600-adapter, with what it leaves out.

What the adapter does not do, and this module adds:
- **FCM lines.** The adapter writes none (a TODO in its writer) and labels every 29.97 and
  59.94 time drop-frame (it lets `to_timecode` infer it from the rate). Non-drop media at those
  rates are handed to it on the integer timecode base (30, 60) with the same frame numbers, which
  are exactly the non-drop labels; the header gets `FCM: DROP FRAME` or `FCM: NON-DROP FRAME`.
- **Record timecode.** The adapter counts record time from 00:00:00:00; a leading gap puts the
  first event at the timeline's start (the media's start timecode for a shots timeline,
  01:00:00:00 for a bin), as editors expect.
- **Reels.** The media's own reel (or its file name) reduced to letters, digits and '_', 8
  characters by default (`reel_len`, 32 for "long reels"); two media that would share a reel in
  one file are an error, since an editor relinks by reel and timecode. The `premiere` style uses
  AX reels and file names in FROM CLIP NAME (Premiere shows other names as UNKNOWN).
- **Limits.** One video track per file (a bin of clusters gives one file per cluster,
  `STEM.<cluster>.edl`), one rate and one timecode mode per file, SMPTE rates only, 999 events.
"""
from __future__ import annotations

import re
from pathlib import Path

import opentimelineio as otio

from .. import timecode as tc
from ..errors import FormatLimit
from ..records import MediaTime
from .files import write_texts
from .walk import clip_frames, is_bins, media_of, safe_name

STYLES = ("avid", "premiere")
MAX_EVENTS = 999
LONG_REEL = 32


def write(obj: otio.core.SerializableObject, path: Path, *, force: bool = False, style: str = "avid",
          reel_len: int = 8, **_: object) -> list[Path]:
    return write_texts(render(obj, path, style=style, reel_len=reel_len), force)


def render(obj: otio.core.SerializableObject, path: Path, *, style: str = "avid", reel_len: int = 8) -> dict[Path, str]:
    """Every file's text, keyed by its path; raises FormatLimit before anything is written."""
    if style not in STYLES:
        raise FormatLimit(f"unknown EDL style {style!r}: use one of {', '.join(STYLES)}")
    if is_bins(obj):
        texts: dict[Path, str] = {}
        for bin_ in obj:
            clips = [c for c in bin_ if isinstance(c, otio.schema.Clip)]
            if not clips:
                continue
            target = path.with_name(f"{path.stem}.{safe_name(bin_.name)}{path.suffix or '.edl'}")
            if target in texts:
                raise FormatLimit(f"two clusters would both be written to {target.name}: rename one")
            texts[target] = _edl(bin_.name, clips, None, style, reel_len)
        if not texts:
            raise FormatLimit("no cluster has any clip: nothing to put in an EDL")
        return texts
    if isinstance(obj, otio.schema.SerializableCollection):
        timelines = [t for t in obj if isinstance(t, otio.schema.Timeline)]
        if len(timelines) != 1:
            raise FormatLimit(f"an EDL holds one timeline; this document has {len(timelines)}: export OTIO or FCPXML")
        obj = timelines[0]
    if not isinstance(obj, otio.schema.Timeline):
        raise FormatLimit(f"an EDL holds a timeline, not a {obj.schema_name()}")
    video = [t for t in obj.video_tracks() if t.enabled]
    if len(video) != 1:
        raise FormatLimit(f"an EDL holds one video track; {obj.name!r} has {len(video)}: export FCP7 XML or FCPXML")
    for item in video[0]:
        if not isinstance(item, (otio.schema.Clip, otio.schema.Gap)):
            raise FormatLimit(f"an EDL holds clips and cuts only; {obj.name!r} has a {item.schema_name()} "
                              "(a nested sequence?): export FCP7 XML, FCPXML or OTIO")
    return {path: _edl(obj.name, list(video[0]), obj.global_start_time, style, reel_len)}


def _edl(title: str, items: list, record_start: otio.opentime.RationalTime | None, style: str, reel_len: int) -> str:
    clips = [c for c in items if isinstance(c, otio.schema.Clip)]
    if not clips:
        raise FormatLimit(f"{title!r} has no clip to put in an EDL")
    if len(clips) > MAX_EVENTS:
        raise FormatLimit(f"{title!r} has {len(clips)} clips; CMX 3600 numbers events 001-999: export FCPXML or OTIO")
    medias = [media_of(c) for c in clips]
    rates = {m.rate for m in medias}
    if len(rates) > 1:
        shown = ", ".join(sorted(f"{float(r):.3f}" for r in rates))
        raise FormatLimit(f"{title!r} mixes frame rates ({shown}); an EDL has one: export FCPXML or OTIO")
    rate = rates.pop()
    if not tc.is_smpte_rate(rate):
        raise FormatLimit(f"{medias[0].name} runs at {float(rate):g} fps, which has no SMPTE timecode for an EDL: "
                          "export FCPXML or OTIO")
    modes = {m.drop_frame for m in medias}
    if len(modes) > 1:
        raise FormatLimit(f"{title!r} mixes drop-frame and non-drop-frame media; an EDL has one FCM: export FCPXML")
    drop = modes.pop()
    reels = _reels(medias, style, reel_len)
    # The adapter's rate: the true one for drop-frame, the integer base for non-drop (same labels).
    edl_rate = float(rate) if drop or not tc.is_ntsc(rate) else float(tc.nominal_fps(rate))
    if record_start is None:
        start_frame = tc.to_frames("01:00:00;00" if drop else "01:00:00:00", rate, drop)
    else:
        start_frame = round(record_start.rescaled_to(float(rate)).value)

    track = otio.schema.Track(name="V", kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Gap(source_range=_range(0, start_frame, edl_rate)))
    for item in items:
        if isinstance(item, otio.schema.Gap):
            frames = round(item.duration().rescaled_to(float(rate)).value)
            track.append(otio.schema.Gap(source_range=_range(0, frames, edl_rate)))
            continue
        media = media_of(item)
        start, end = clip_frames(item, media)
        out = otio.schema.Clip(name=_comment(item.name), source_range=_range(media.start_frame + start, end - start, edl_rate))
        out.media_reference = otio.schema.ExternalReference(target_url=media.path)
        out.metadata["cmx_3600"] = {"reel": reels[media.path]}
        for m in item.markers:
            at = round(m.marked_range.start_time.rescaled_to(float(rate)).value)
            mk = otio.schema.Marker(name=_comment(m.name), color=m.color or "RED",
                                    marked_range=_range(at, 0, edl_rate))
            out.markers.append(mk)
        track.append(out)
    timeline = otio.schema.Timeline(name=_comment(title))
    timeline.tracks.append(track)
    text = otio.adapters.write_to_string(timeline, "cmx_3600", rate=edl_rate, style=style,
                                         reelname_len=None)
    fcm = "FCM: DROP FRAME" if drop else "FCM: NON-DROP FRAME"
    lines = text.splitlines()
    if lines and lines[0].startswith("TITLE:"):
        lines.insert(1, fcm)
    else:
        lines.insert(0, fcm)
    return "\n".join(lines) + "\n"


def _range(start: int, frames: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(frames, rate))


def _comment(text: str) -> str:
    """One line of printable ASCII (EDL comments are line-based, 7-bit in CMX's day)."""
    return re.sub(r"[^\x20-\x7e]", "_", " ".join((text or "").split()))[:70]


def _reels(medias: list[MediaTime], style: str, reel_len: int) -> dict[str, str]:
    if style == "premiere":
        return {m.path: "AX" for m in medias}
    if reel_len < 1:
        raise FormatLimit(f"reel names need at least 1 character, not {reel_len}")
    reels: dict[str, str] = {}
    owner: dict[str, str] = {}
    for m in medias:
        if m.path in reels:
            continue
        base = m.reel or m.name.rsplit(".", 1)[0]
        reel = re.sub(r"[^A-Za-z0-9_]", "", base.replace(" ", "_").replace("-", "_"))[:reel_len] or "AX"
        if reel in owner and owner[reel] != m.path:
            raise FormatLimit(f"{Path(owner[reel]).name} and {m.name} both get reel {reel!r} at {reel_len} characters: "
                              f"use long reels (--reel-len {LONG_REEL}) or rename one")
        reels[m.path], owner[reel] = reel, m.path
    return reels
