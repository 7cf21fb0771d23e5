"""FCP7 XML (xmeml 4) through otio-fcp-adapter for timelines, plus our bins, and their reader.

The adapter writes sequences well but (1) drops everything in a collection that is not a
timeline, so clusters as `<bin>` elements are written here and read back by `read_string`;
(2) leaves the sequence's `<format>` empty, which Resolve wants filled (rate, size), so it is
filled here; (3) writes clip markers at their absolute source value, which FCP and Premiere read
from the media's first frame, so markers move to the sequence at their record frame; (4) labels
drop-frame only when told, so drop-frame media get `displayformat` DF. Limits: SMPTE rates only
(`<timecode>` needs one) and one rate per sequence.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from .. import timecode as tc
from ..builders.media import NAMESPACE, clip as make_clip
from ..errors import FormatLimit
from ..records import MediaTime, Span
from .files import write_texts
from .walk import clip_frames, clips_in, is_bins, media_of, timelines
from .xmltext import text as xml_text


def write(obj: otio.core.SerializableObject, path: Path, *, force: bool = False, **_: object) -> list[Path]:
    return write_texts({path: render(obj)}, force)


def render(obj: otio.core.SerializableObject) -> str:
    for clip in clips_in(obj):
        media = media_of(clip)
        if not tc.is_smpte_rate(media.rate):
            raise FormatLimit(f"{media.name} runs at {float(media.rate):g} fps, which FCP7 XML cannot time "
                              "(no SMPTE timecode): export FCPXML or OTIO")
        clip_frames(clip, media)
    if is_bins(obj):
        return _pretty(_bins_document(obj))
    found = timelines(obj)
    if not found:
        raise FormatLimit(f"FCP7 XML holds sequences and bins, not a {obj.schema_name()}")
    prepared = [_prepared(t) for t in found]
    doc = prepared[0] if isinstance(obj, otio.schema.Timeline) else otio.schema.SerializableCollection(
        name=obj.name, children=prepared)
    root = ET.fromstring(otio.adapters.write_to_string(doc, "fcp_xml"))
    first = next((media_of(c) for t in prepared for c in t.find_clips()), None)
    for seq in root.iter("sequence"):      # nested sequences (compound clips) too
        _fill_format(seq, first)
    return _pretty(root)


# ------------------------------------------------------------------ sequences through the adapter

def _prepared(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    out = copy.deepcopy(timeline)
    clips = list(out.find_clips())
    rates = {media_of(c).rate for c in clips}
    if len(rates) > 1:
        raise FormatLimit(f"{timeline.name!r} mixes frame rates; an FCP7 sequence has one: export FCPXML or OTIO")
    rate = rates.pop() if rates else Fraction(24)
    if out.global_start_time is None:
        out.global_start_time = otio.opentime.RationalTime(0, float(rate))
    drop = any(media_of(c).drop_frame for c in clips)
    if drop:
        out.metadata.setdefault("fcp_xml", {})["timecode"] = {"displayformat": "DF"}
    for c in clips:
        media = media_of(c)
        ref = c.media_reference
        fcp = {"media": _media_characteristics(media)}
        if media.drop_frame:
            fcp["timecode"] = {"displayformat": "DF"}
        ref.metadata["fcp_xml"] = fcp
        for m in list(c.markers):
            at = c.transformed_time(m.marked_range.start_time, out.tracks)
            moved = otio.schema.Marker(name=m.name, color=m.color, marked_range=otio.opentime.TimeRange(
                at, m.marked_range.duration))
            moved.comment = m.comment
            moved.metadata[NAMESPACE] = dict(m.metadata.get(NAMESPACE, {}))
            out.tracks.markers.append(moved)
        c.markers.clear()
    return out


def _media_characteristics(media: MediaTime) -> dict:
    out: dict = {"video": {"samplecharacteristics": _sample(media)}}
    if media.audio_channels:
        out["audio"] = {"samplecharacteristics": {"depth": "16", "samplerate": str(media.audio_rate or 48000)},
                        "channelcount": str(media.audio_channels)}
    return out


def _sample(media: MediaTime) -> dict:
    return {"rate": _rate_dict(media.rate), "width": str(media.width or 1920), "height": str(media.height or 1080),
            "anamorphic": "FALSE", "pixelaspectratio": "square", "fielddominance": "none"}


def _rate_dict(rate: Fraction) -> dict:
    return {"timebase": str(tc.nominal_fps(rate)), "ntsc": "TRUE" if tc.is_ntsc(rate) else "FALSE"}


def _fill_format(seq: ET.Element, media: MediaTime | None) -> None:
    fmt = seq.find("./media/video/format")
    if fmt is None or media is None:
        return
    fmt.clear()
    fmt.append(_tree("samplecharacteristics", _sample(media)))


def _tree(tag: str, value: object) -> ET.Element:
    e = ET.Element(tag)
    if isinstance(value, dict):
        for k, v in value.items():
            e.append(_tree(k, v))
    else:
        e.text = str(value)
    return e


def _sub(parent: ET.Element, tag: str, text: object | None = None, **attrib: str) -> ET.Element:
    e = ET.SubElement(parent, tag, attrib)
    if text is not None:
        e.text = str(text)
    return e


def _pretty(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ------------------------------------------------------------------ bins (ours)

def _bins_document(collection: otio.schema.SerializableCollection) -> ET.Element:
    root = ET.Element("xmeml", version="4")
    project = _sub(root, "project")
    _sub(project, "name", collection.name)
    children = _sub(project, "children")
    files: dict[str, str] = {}
    for n, bin_ in enumerate(collection, 1):
        b = _sub(children, "bin")
        _sub(b, "name", bin_.name)
        meta = bin_.metadata.get(NAMESPACE)
        if meta:
            _sub(_sub(b, "comments"), "mastercomment1", json.dumps(dict(meta), sort_keys=True))
        items = _sub(b, "children")
        for k, clip in enumerate(c for c in bin_ if isinstance(c, otio.schema.Clip)):
            items.append(_bin_clip(clip, f"clip-{n}-{k + 1}", files))
    return root


def _bin_clip(clip: otio.schema.Clip, clip_id: str, files: dict[str, str]) -> ET.Element:
    media = media_of(clip)
    start, end = clip_frames(clip, media)
    c = ET.Element("clip", id=clip_id)
    _sub(c, "name", clip.name)
    _sub(c, "duration", media.frame_count)
    c.append(_tree("rate", _rate_dict(media.rate)))
    _sub(c, "in", start)
    _sub(c, "out", end)
    _sub(c, "ismasterclip", "FALSE")
    track = _sub(_sub(_sub(c, "media"), "video"), "track")
    item = _sub(track, "clipitem", id=f"{clip_id}-item")
    _sub(item, "name", clip.name)
    _sub(item, "duration", media.frame_count)
    item.append(_tree("rate", _rate_dict(media.rate)))
    _sub(item, "start", 0)
    _sub(item, "end", end - start)
    _sub(item, "in", start)
    _sub(item, "out", end)
    if media.path in files:
        _sub(item, "file", id=files[media.path])
    else:
        files[media.path] = file_id = f"file-{len(files) + 1}"
        item.append(_file(media, file_id))
    meta = clip.metadata.get(NAMESPACE)
    if meta:
        _sub(_sub(c, "comments"), "mastercomment1", json.dumps(dict(meta), sort_keys=True))
    return c


def _file(media: MediaTime, file_id: str) -> ET.Element:
    f = ET.Element("file", id=file_id)
    _sub(f, "name", media.name)
    _sub(f, "pathurl", Path(media.path).as_uri() if Path(media.path).is_absolute() else media.path)
    f.append(_tree("rate", _rate_dict(media.rate)))
    _sub(f, "duration", media.frame_count)
    t = _sub(f, "timecode")
    t.append(_tree("rate", _rate_dict(media.rate)))
    _sub(t, "string", media.start_timecode)
    _sub(t, "frame", media.start_frame)
    _sub(t, "displayformat", "DF" if media.drop_frame else "NDF")
    if media.reel:
        _sub(_sub(t, "reel"), "name", media.reel)
    f.append(_tree("media", _media_characteristics(media)))
    return f


# ------------------------------------------------------------------ reading

def read_string(text: str) -> otio.core.SerializableObject:
    """Bins (ours) and sequences (OTIO's reader): one timeline, or a collection of bins and timelines."""
    root = ET.fromstring(text)
    bins = [_read_bin(b, root) for b in root.iter("bin")]
    sequences = root.findall(".//sequence")
    if not bins:
        return otio.adapters.read_from_string(text, "fcp_xml")
    name = root.findtext("./project/name") or ""
    out = otio.schema.SerializableCollection(name=name, children=bins)
    if sequences:
        read = otio.adapters.read_from_string(text, "fcp_xml")
        out.extend(copy.deepcopy(list(read)) if isinstance(read, otio.schema.SerializableCollection) else [read])
    return out


def _read_bin(b: ET.Element, root: ET.Element) -> otio.schema.SerializableCollection:
    out = otio.schema.SerializableCollection(name=b.findtext("./name") or "")
    label = b.findtext("./comments/mastercomment1")
    if label:
        try:
            out.metadata[NAMESPACE] = json.loads(label)
        except ValueError:
            pass
    files = {f.get("id"): f for f in root.iter("file") if f.find("./pathurl") is not None}
    for c in b.findall("./children/clip"):
        item = c.find("./media/video/track/clipitem")
        f = item.find("./file") if item is not None else None
        if f is None:
            continue
        f = files.get(f.get("id"), f)
        start, end = int(xml_text(c, "./in")), int(xml_text(c, "./out"))
        meta = {}
        comment = c.findtext("./comments/mastercomment1")
        if comment:
            try:
                meta = json.loads(comment)
            except ValueError:
                meta = {}
        media = dataclasses.replace(_read_media(f), id=str(meta.get("media_id", "")))
        span = Span(media_id=media.id or str(meta.get("media_id", "")), start=start, end=end,
                    id=str(meta.get("id", "")), kind=str(meta.get("kind", "shot")), name=c.findtext("./name") or "")
        clip = make_clip(media, span)
        clip.metadata[NAMESPACE] = {**dict(clip.metadata[NAMESPACE]), **meta}
        out.append(clip)
    return out


def _read_rate(e: ET.Element) -> Fraction:
    base = int(xml_text(e, "./rate/timebase"))
    return Fraction(base * 1000, 1001) if (e.findtext("./rate/ntsc") or "").upper() == "TRUE" else Fraction(base)


def _read_media(f: ET.Element) -> MediaTime:
    rate = _read_rate(f)
    url = f.findtext("./pathurl") or ""
    path = otio.url_utils.filepath_from_url(url) if url.startswith("file:") else url
    t = f.find("./timecode")
    start, drop = 0, False
    if t is not None:
        drop = (t.findtext("./displayformat") or "NDF").upper() == "DF"
        frame = t.findtext("./frame")
        start = int(frame) if frame else tc.to_frames(xml_text(t, "./string"), rate, drop)
    video = f.find("./media/video/samplecharacteristics")
    return MediaTime(id="", path=path, rate=rate, frame_count=int(f.findtext("./duration") or 0), start_frame=start,
                     drop_frame=drop, width=int(video.findtext("./width") or 0) if video is not None else 0,
                     height=int(video.findtext("./height") or 0) if video is not None else 0,
                     reel=f.findtext("./timecode/reel/name") or "",
                     audio_channels=int(f.findtext("./media/audio/channelcount") or 0),
                     audio_rate=int(f.findtext("./media/audio/samplecharacteristics/samplerate") or 0))
