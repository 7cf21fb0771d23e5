"""A snapshot of a Resolve project: what the plan needs to know, as plain typed data and JSON.

The menu scripts (Python and Lua) write the same JSON from inside Resolve; a Studio user's
external script writes it with `take`. Folder paths are lists of names below the media pool's
root ("Master"). Marker frames are ints (`GetMarkers()` keys are floats: frames.marker_key).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from .frames import marker_key

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Marker:
    frame: int
    color: str
    name: str = ""
    note: str = ""
    duration: int = 1
    custom_data: str = ""


@dataclass(frozen=True)
class Clip:
    """A MediaPoolItem: a media file, a timeline or a compound clip (kind)."""

    id: str
    name: str
    bin: tuple[str, ...]
    file_path: str = ""
    kind: str = "clip"              # clip, timeline, compound
    color: str = ""
    keywords: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()
    frames: int = 0
    fps: float = 0.0


@dataclass(frozen=True)
class TimelineItem:
    track: int
    start: int                      # absolute record frames, end exclusive
    end: int
    file_path: str
    source_start: int
    source_end: int


@dataclass(frozen=True)
class Timeline:
    name: str
    id: str = ""
    start_frame: int = 86400
    start_timecode: str = "01:00:00:00"
    markers: tuple[Marker, ...] = ()
    items: tuple[TimelineItem, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    product: str = ""
    version: tuple = ()
    project: str = ""
    project_id: str = ""
    timeline_rate: str = ""         # the project's `timelineFrameRate`, "29.97 DF" for drop-frame
    bins: tuple[tuple[str, ...], ...] = ()
    clips: tuple[Clip, ...] = ()
    timelines: tuple[Timeline, ...] = ()

    @property
    def studio(self) -> bool:
        return "Studio" in self.product

    def clip_by_path(self) -> dict[str, Clip]:
        return {c.file_path: c for c in self.clips if c.kind == "clip" and c.file_path}

    def timeline(self, name: str) -> Timeline | None:
        return next((t for t in self.timelines if t.name == name), None)

    def is_empty(self) -> bool:
        return not self.clips and not self.timelines

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["snapshot_version"] = SNAPSHOT_VERSION
        return d


def _markers(raw: Any) -> tuple[Marker, ...]:
    if isinstance(raw, dict):     # GetMarkers() shape: {frame: {color, duration, note, name, customData}}
        raw = [{"frame": k, **v} for k, v in raw.items()]
    out = []
    for m in raw or []:
        out.append(Marker(frame=marker_key(m["frame"]), color=str(m.get("color", "")), name=str(m.get("name", "")),
                          note=str(m.get("note", "")), duration=int(float(m.get("duration", 1) or 1)),
                          custom_data=str(m.get("custom_data", m.get("customData", "")) or "")))
    return tuple(sorted(out, key=lambda m: m.frame))


def _keywords(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.split(",")
    return tuple(k.strip() for k in raw or [] if k and k.strip())


def _list(raw: Any) -> list:
    """Lua's JSON writer cannot tell an empty array from an empty object."""
    if isinstance(raw, dict):
        return [raw[k] for k in sorted(raw, key=lambda k: int(k))] if raw else []
    return list(raw or [])


def from_dict(d: dict[str, Any]) -> Snapshot:
    if int(d.get("snapshot_version", SNAPSHOT_VERSION)) != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {d.get('snapshot_version')} is not {SNAPSHOT_VERSION}: update the scripts "
                         "with `rushes resolve install`")
    clips = tuple(Clip(id=str(c.get("id", "")), name=str(c.get("name", "")), bin=tuple(_list(c.get("bin"))),
                       file_path=str(c.get("file_path", "")), kind=str(c.get("kind", "clip")),
                       color=str(c.get("color", "")), keywords=_keywords(c.get("keywords")),
                       markers=_markers(c.get("markers")),
                       frames=int(float(c.get("frames", 0) or 0)), fps=float(c.get("fps", 0) or 0))
                  for c in _list(d.get("clips")))
    timelines = tuple(Timeline(name=str(t["name"]), id=str(t.get("id", "")), start_frame=int(t.get("start_frame", 86400)),
                               start_timecode=str(t.get("start_timecode", "01:00:00:00")),
                               markers=_markers(t.get("markers")),
                               items=tuple(TimelineItem(int(i["track"]), int(i["start"]), int(i["end"]),
                                                        str(i.get("file_path", "")), int(i["source_start"]),
                                                        int(i["source_end"])) for i in _list(t.get("items"))))
                      for t in _list(d.get("timelines")))
    return Snapshot(product=str(d.get("product", "")), version=tuple(_list(d.get("version"))),
                    project=str(d.get("project", "")), project_id=str(d.get("project_id", "")),
                    timeline_rate=str(d.get("timeline_rate", "")),
                    bins=tuple(tuple(_list(b)) for b in _list(d.get("bins"))), clips=clips, timelines=timelines)


def loads(text: str) -> Snapshot:
    return from_dict(json.loads(text)) if text.strip() else Snapshot()


def dumps(snapshot: Snapshot) -> str:
    return json.dumps(snapshot.to_dict(), indent=1, ensure_ascii=False)


def take(resolve: Any) -> Snapshot:
    """Read the current project through the scripting API (read-only calls)."""
    project = resolve.GetProjectManager().GetCurrentProject()
    pool = project.GetMediaPool()
    bins: list[tuple[str, ...]] = []
    clips: list[Clip] = []

    def walk(folder: Any, path: tuple[str, ...]) -> None:
        for item in folder.GetClipList() or []:
            props = item.GetClipProperty() or {}
            kind = {"Timeline": "timeline", "Compound": "compound"}.get(str(props.get("Type", "")), "clip")
            clips.append(Clip(id=str(item.GetUniqueId()), name=str(item.GetName()), bin=path,
                              file_path=str(props.get("File Path", "") or ""), kind=kind,
                              color=str(item.GetClipColor() or ""),
                              keywords=_keywords(item.GetMetadata("Keywords") or ""),
                              markers=_markers(item.GetMarkers() or {}), frames=int(props.get("Frames") or 0),
                              fps=float(props.get("FPS") or 0)))
        for sub in folder.GetSubFolderList() or []:
            sub_path = path + (str(sub.GetName()),)
            bins.append(sub_path)
            walk(sub, sub_path)

    walk(pool.GetRootFolder(), ())
    timelines = []
    for i in range(1, int(project.GetTimelineCount() or 0) + 1):
        tl = project.GetTimelineByIndex(i)
        items = []
        for track in range(1, int(tl.GetTrackCount("video") or 0) + 1):
            for it in tl.GetItemListInTrack("video", track) or []:
                mpi = it.GetMediaPoolItem()
                path = str(mpi.GetClipProperty("File Path") or "") if mpi else ""
                items.append(TimelineItem(track, int(it.GetStart()), int(it.GetEnd()), path,
                                          int(it.GetSourceStartFrame()), int(it.GetSourceEndFrame())))
        timelines.append(Timeline(name=str(tl.GetName()), id=str(tl.GetUniqueId()), start_frame=int(tl.GetStartFrame()),
                                  start_timecode=str(tl.GetStartTimecode()), markers=_markers(tl.GetMarkers() or {}),
                                  items=tuple(items)))
    rate = str(project.GetSetting("timelineFrameRate") or "")
    if project.GetSetting("timelineDropFrameTimecode") in ("1", 1, True) and "DF" not in rate:
        rate += " DF"
    return Snapshot(product=str(resolve.GetProductName()), version=tuple(resolve.GetVersion() or ()),
                    project=str(project.GetName()), project_id=str(project.GetUniqueId()), timeline_rate=rate,
                    bins=tuple(bins), clips=tuple(clips), timelines=tuple(timelines))
