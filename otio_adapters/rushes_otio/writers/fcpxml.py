"""FCPXML, written here (not through otio-fcpx-xml-adapter), and a reader for what it writes.

Why our own: the adapter hard-codes version 1.8 (Resolve 19.1+ and Final Cut 10.6+ read the
1.9+ `media-rep` grammar), keeps only red and green markers, and left OTIO's plugin bundle for
lack of a maintainer. Version 1.10 by default (Resolve 18.5-21, Final Cut 10.6+), any of
1.8-1.13 on request; each output validates against Apple's DTD of its version (tested).

Shape: `resources` (one `format` per rate and size, one `asset` per media with its start
timecode, `media` for compound clips), then `library > event` holding
- for clusters: one `asset-clip` per media with a `keyword` range per member, and a
  `keyword-collection` per cluster, so Final Cut shows each cluster as a keyword collection;
- for timelines: a `project > sequence > spine` of `asset-clip`s and `gap`s, markers with
  their names and notes inside the clip they mark.
Every time is an exact rational number of seconds on a frame boundary of the media's own rate
(`frames * den / num s`); start timecodes are asset `start`s, `tcFormat` says DF or NDF.
"""
from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from ..builders.media import NAMESPACE, clip as make_clip, file_url
from ..builders.shots import marker as make_marker
from ..errors import FormatLimit
from ..records import Mark, MediaTime, Span
from .files import write_texts
from .walk import clip_frames, clips_in, is_bins, media_of, timelines
from .xmltext import attr, child

VERSIONS = ("1.8", "1.9", "1.10", "1.11", "1.12", "1.13")
DEFAULT_VERSION = "1.10"


def write(obj: otio.core.SerializableObject, path: Path, *, force: bool = False, version: str = DEFAULT_VERSION,
          **_: object) -> list[Path]:
    return write_texts({path: render(obj, version)}, force)


def seconds(frames: int, rate: Fraction) -> str:
    """FCPXML time of `frames` at `rate`: "N/Ds", or "Ns" when whole."""
    value = Fraction(frames) / rate
    return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"


def parse_seconds(text: str | None) -> Fraction:
    if not text:
        return Fraction(0)
    body = text.strip().rstrip("s")
    num, _, den = body.partition("/")
    return Fraction(int(num), int(den or 1))


def frames_of(text: str | None, rate: Fraction) -> int:
    value = parse_seconds(text) * rate
    if value.denominator != 1:
        raise ValueError(f"time {text} is not on a frame boundary at {float(rate):g} fps")
    return int(value)


# ------------------------------------------------------------------ writing

@dataclass
class _Resources:
    root: ET.Element
    version: str
    formats: dict[tuple, str]
    assets: dict[str, str]
    count: int = 0

    def next_id(self) -> str:
        self.count += 1
        return f"r{self.count}"

    def format_for(self, media: MediaTime) -> str:
        key = (media.rate, media.width, media.height)
        if key not in self.formats:
            self.formats[key] = fid = self.next_id()
            attrs = {"id": fid, "frameDuration": seconds(1, media.rate)}
            if media.width and media.height:
                attrs.update(width=str(media.width), height=str(media.height))
            ET.SubElement(self.root, "format", attrs)
        return self.formats[key]

    def asset_for(self, media: MediaTime) -> str:
        if media.path not in self.assets:
            fmt = self.format_for(media)
            self.assets[media.path] = aid = self.next_id()
            attrs = {"id": aid, "name": media.name, "start": seconds(media.start_frame, media.rate),
                     "duration": seconds(media.frame_count, media.rate), "hasVideo": "1", "format": fmt,
                     }
            if self.version != "1.8":
                attrs["videoSources"] = "1"
            if media.audio_channels:
                attrs.update(hasAudio="1", audioSources="1", audioChannels=str(media.audio_channels),
                             audioRate=str(media.audio_rate or 48000))
            if self.version == "1.8":
                attrs["src"] = file_url(media.path)
            asset = ET.SubElement(self.root, "asset", attrs)
            if self.version != "1.8":
                ET.SubElement(asset, "media-rep", {"kind": "original-media", "src": file_url(media.path)})
        return self.assets[media.path]


def render(obj: otio.core.SerializableObject, version: str = DEFAULT_VERSION) -> str:
    if version not in VERSIONS:
        raise FormatLimit(f"FCPXML version {version} is not supported: use one of {', '.join(VERSIONS)}")
    for clip in clips_in(obj):
        clip_frames(clip, media_of(clip))
    root = ET.Element("fcpxml", version=version)
    res = _Resources(ET.SubElement(root, "resources"), version, {}, {})
    library = ET.SubElement(root, "library")
    event = ET.SubElement(library, "event", name=obj.name or "Rushes")
    if is_bins(obj):
        _bins(event, res, obj)
    else:
        found = timelines(obj)
        if not found:
            raise FormatLimit(f"FCPXML holds timelines and clusters, not a {obj.schema_name()}")
        for timeline in found:
            _project(event, res, timeline)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n' + body + "\n"


def _keyword_value(label: str) -> str:
    """Keyword values are comma-separated lists: a cluster's label must not split."""
    return " ".join(label.replace(",", " ").split()) or "untitled"


def _bins(event: ET.Element, res: _Resources, collection: otio.schema.SerializableCollection) -> None:
    by_media: dict[str, list[tuple[int, int, str, otio.schema.Clip]]] = {}
    medias: dict[str, MediaTime] = {}
    labels: list[str] = []
    for bin_ in collection:
        label = _keyword_value(bin_.name)
        if label in labels:
            raise FormatLimit(f"two clusters are both called {label!r}; FCPXML keywords would merge them: rename one")
        labels.append(label)
        for clip in bin_:
            if not isinstance(clip, otio.schema.Clip):
                continue
            media = media_of(clip)
            start, end = clip_frames(clip, media)
            medias[media.path] = media
            by_media.setdefault(media.path, []).append((start, end, label, clip))
    for path in sorted(by_media):
        media = medias[path]
        ref = res.asset_for(media)
        ac = ET.SubElement(event, "asset-clip", {
            "ref": ref, "name": media.name, "start": seconds(media.start_frame, media.rate),
            "duration": seconds(media.frame_count, media.rate), "format": res.format_for(media),
            "tcFormat": "DF" if media.drop_frame else "NDF"})
        for start, end, label, clip in sorted(by_media[path], key=lambda x: (x[0], x[1], x[2])):
            meta = dict(clip.metadata.get(NAMESPACE, {}))
            note = json.dumps({"name": clip.name, **{k: meta[k] for k in ("kind", "id", "media_id") if k in meta}},
                              sort_keys=True)
            ET.SubElement(ac, "keyword", {"start": seconds(media.start_frame + start, media.rate),
                                          "duration": seconds(end - start, media.rate), "value": label,
                                          "note": note})
    for label in labels:
        ET.SubElement(event, "keyword-collection", name=label)


def _project(event: ET.Element, res: _Resources, timeline: otio.schema.Timeline) -> None:
    video = [t for t in timeline.video_tracks() if t.enabled]
    if len(video) != 1:
        raise FormatLimit(f"{timeline.name!r} has {len(video)} video tracks; this writer puts one in a spine")
    clips = list(video[0].find_clips())
    if not clips:
        raise FormatLimit(f"{timeline.name!r} has no clip")
    first = media_of(clips[0])
    rate = first.rate
    for c in clips:
        if media_of(c).rate != rate:
            raise FormatLimit(f"{timeline.name!r} mixes frame rates ({media_of(c).name} differs from {first.name}): "
                              "export OTIO, or one timeline per rate")
    start = timeline.global_start_time
    start_frame = round(start.rescaled_to(float(rate)).value) if start is not None else 0
    project = ET.SubElement(event, "project", name=timeline.name or "Rushes")
    seq = _sequence(project, res, video[0], first, start_frame)
    seq.set("tcFormat", "DF" if first.drop_frame else "NDF")


def _sequence(parent: ET.Element, res: _Resources, track: otio.schema.Track, first: MediaTime,
              start_frame: int) -> ET.Element:
    rate = first.rate
    seq_media = MediaTime(id="", path="", rate=rate, frame_count=0, width=first.width, height=first.height)
    total = _frames(track.duration(), rate)
    seq = ET.SubElement(parent, "sequence", {"format": res.format_for(seq_media), "duration": seconds(total, rate),
                                             "tcStart": seconds(start_frame, rate)})
    spine = ET.SubElement(seq, "spine")
    offset = start_frame
    for item in track:
        frames = _frames(item.duration(), rate)
        if isinstance(item, otio.schema.Gap):
            ET.SubElement(spine, "gap", {"name": "Gap", "offset": seconds(offset, rate), "start": "0s",
                                         "duration": seconds(frames, rate)})
        elif isinstance(item, otio.schema.Clip):
            _asset_clip(spine, res, item, offset, rate)
        elif isinstance(item, otio.schema.Stack):
            _ref_clip(spine, res, item, offset, rate, first)
        else:
            raise FormatLimit(f"a {item.schema_name()} cannot be placed in an FCPXML spine by this writer")
        offset += frames
    return seq


def _frames(time: otio.opentime.RationalTime, rate: Fraction) -> int:
    value = time.rescaled_to(float(rate)).value
    if abs(value - round(value)) > 1e-6:
        raise FormatLimit(f"a duration of {time.to_seconds():.4f} s is not a whole number of frames at "
                          f"{float(rate):g} fps")
    return round(value)


def _asset_clip(spine: ET.Element, res: _Resources, item: otio.schema.Clip, offset: int, rate: Fraction) -> None:
    media = media_of(item)
    s, e = clip_frames(item, media)
    ac = ET.SubElement(spine, "asset-clip", {
        "ref": res.asset_for(media), "offset": seconds(offset, rate), "name": item.name,
        "start": seconds(media.start_frame + s, rate), "duration": seconds(e - s, rate),
        "format": res.format_for(media), "tcFormat": "DF" if media.drop_frame else "NDF"})
    for m in item.markers:
        at = round(m.marked_range.start_time.rescaled_to(float(rate)).value)
        length = max(1, round(m.marked_range.duration.rescaled_to(float(rate)).value))
        attrs = {"start": seconds(at, rate), "duration": seconds(length, rate), "value": m.name or "marker"}
        note = m.comment or str(m.metadata.get(NAMESPACE, {}).get("note", ""))
        if note:
            attrs["note"] = note
        ET.SubElement(ac, "marker", attrs)


def _ref_clip(spine: ET.Element, res: _Resources, stack: otio.schema.Stack, offset: int, rate: Fraction,
              first: MediaTime) -> None:
    """A nested stack (compound clip): a `media` resource holding its sequence, and a ref-clip."""
    tracks = [t for t in stack if isinstance(t, otio.schema.Track) and t.kind == otio.schema.TrackKind.Video]
    if len(tracks) != 1:
        raise FormatLimit(f"compound clip {stack.name!r} has {len(tracks)} video tracks; this writer nests one")
    mid = res.next_id()
    media_e = ET.Element("media", {"id": mid, "name": stack.name or "Compound Clip"})
    _sequence(media_e, res, tracks[0], first, 0)
    res.root.append(media_e)     # after the formats and assets its sequence uses, as Final Cut writes them
    ET.SubElement(spine, "ref-clip", {"ref": mid, "offset": seconds(offset, rate),
                                      "name": stack.name or "Compound Clip", "start": "0s",
                                      "duration": seconds(_frames(stack.duration(), rate), rate)})


# ------------------------------------------------------------------ reading (1.9+ and our 1.8)

def read_string(text: str) -> otio.core.SerializableObject:
    """What `render` wrote: a timeline, or a collection of bins (one per keyword collection)."""
    root = ET.fromstring(text)
    rates = {attr(f, "id"): Fraction(1) / parse_seconds(attr(f, "frameDuration")) for f in root.iter("format")}
    sizes = {attr(f, "id"): (int(f.get("width") or 0), int(f.get("height") or 0)) for f in root.iter("format")}
    assets: dict[str, MediaTime] = {}
    for a in root.iter("asset"):
        rate = rates[attr(a, "format")]
        rep = a.find("./media-rep")
        url = attr(rep, "src") if rep is not None else attr(a, "src")
        path = otio.url_utils.filepath_from_url(url) if url.startswith("file:") else url
        width, height = sizes[attr(a, "format")]
        assets[attr(a, "id")] = MediaTime(
            id="", path=path, rate=rate, frame_count=frames_of(a.get("duration"), rate),
            start_frame=frames_of(a.get("start"), rate), width=width, height=height,
            audio_channels=int(a.get("audioChannels") or 0), audio_rate=int(a.get("audioRate") or 0))
    sequences = {attr(m, "id"): child(m, "./sequence") for m in root.iter("media") if m.find("./sequence") is not None}
    found = _Found(assets, rates, sequences)
    out: list[otio.core.SerializableObject] = []
    event = child(root, "./library/event")
    bins: dict[str, otio.schema.SerializableCollection] = {
        attr(k, "name"): otio.schema.SerializableCollection(name=attr(k, "name"))
        for k in event.findall("./keyword-collection")}
    for ac in event.findall("./asset-clip"):
        asset_media = _with_tc(assets[attr(ac, "ref")], ac)
        for kw in ac.findall("./keyword"):
            start = frames_of(kw.get("start"), asset_media.rate) - asset_media.start_frame
            end = start + frames_of(kw.get("duration"), asset_media.rate)
            note = json.loads(kw.get("note") or "{}")
            media = dataclasses.replace(asset_media, id=str(note.get("media_id", "")))
            span = Span(media_id=str(note.get("media_id", "")), start=start, end=end, id=str(note.get("id", "")),
                        kind=str(note.get("kind", "shot")), name=str(note.get("name", "")))
            for value in attr(kw, "value").split(","):
                value = value.strip()
                bins.setdefault(value, otio.schema.SerializableCollection(name=value)).append(make_clip(
                    media, span))
    for project in event.findall("./project"):
        out.append(_read_project(project, found))
    if bins:
        return otio.schema.SerializableCollection(name=event.get("name", ""), children=list(bins.values()) + out)
    if len(out) == 1:
        return out[0]
    return otio.schema.SerializableCollection(name=event.get("name", ""), children=out)


@dataclass(frozen=True)
class _Found:
    """A document's resources by id: assets as media records, format rates, compound sequences."""

    assets: dict[str, MediaTime]
    rates: dict[str, Fraction]
    sequences: dict[str, ET.Element]


def _with_tc(media: MediaTime, element: ET.Element) -> MediaTime:
    return dataclasses.replace(media, drop_frame=element.get("tcFormat") == "DF")


def _read_project(project: ET.Element, found: _Found) -> otio.schema.Timeline:
    seq = child(project, "./sequence")
    rate = found.rates[attr(seq, "format")]
    timeline = otio.schema.Timeline(name=project.get("name", ""))
    timeline.global_start_time = otio.opentime.RationalTime(frames_of(seq.get("tcStart"), rate), float(rate))
    timeline.tracks.append(_read_spine(child(seq, "./spine"), found, rate))
    return timeline


def _read_spine(spine: ET.Element, found: _Found, rate: Fraction) -> otio.schema.Track:
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for item in spine:
        if item.tag == "asset-clip":
            media = _with_tc(found.assets[attr(item, "ref")], item)
            start = frames_of(item.get("start"), media.rate) - media.start_frame
            span = Span(media_id="", start=start, end=start + frames_of(item.get("duration"), media.rate),
                        name=item.get("name", ""))
            clip = make_clip(media, span)
            for mk in item.findall("./marker"):
                at = frames_of(mk.get("start"), media.rate) - media.start_frame
                clip.markers.append(make_marker(media, Mark(
                    media_id="", start=at, end=at + frames_of(mk.get("duration"), media.rate),
                    name=mk.get("value", ""), note=mk.get("note", ""))))
            track.append(clip)
        elif item.tag == "ref-clip":
            nested = found.sequences[attr(item, "ref")]
            stack = otio.schema.Stack(name=item.get("name", ""))
            stack.append(_read_spine(child(nested, "./spine"), found, found.rates[attr(nested, "format")]))
            track.append(stack)
        elif item.tag == "gap":
            g = frames_of(item.get("duration"), rate)
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, float(rate)), otio.opentime.RationalTime(g, float(rate)))))
        else:
            raise ValueError(f"this reader does not read <{item.tag}> in a spine")
    return track
