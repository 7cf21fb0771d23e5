"""The typed operations of a plan: data only. `apply` (Python) and rushes_apply.lua run them.

Clips are named by their file path (Resolve's "File Path" clip property), bins by their path of
folder names under the media pool's root, timelines by name (Resolve refuses duplicates), so a
plan is plain JSON that both appliers read the same way.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Op:
    kind: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        d = {"op": self.kind}
        d.update(asdict(self))
        return d


@dataclass(frozen=True)
class SetProjectSetting(Op):
    kind: ClassVar[str] = "set_project_setting"
    key: str
    value: str


@dataclass(frozen=True)
class MakeBin(Op):
    kind: ClassVar[str] = "make_bin"
    bin: tuple[str, ...]


@dataclass(frozen=True)
class ImportMedia(Op):
    kind: ClassVar[str] = "import_media"
    file: str
    bin: tuple[str, ...]


@dataclass(frozen=True)
class MoveClip(Op):
    kind: ClassVar[str] = "move_clip"
    file: str
    bin: tuple[str, ...]


@dataclass(frozen=True)
class SetClipColor(Op):
    kind: ClassVar[str] = "set_clip_color"
    file: str
    color: str                      # "" clears


@dataclass(frozen=True)
class SetMetadata(Op):
    kind: ClassVar[str] = "set_metadata"
    file: str
    key: str
    value: str


@dataclass(frozen=True)
class AddMarker(Op):
    """On a clip (`file`) at a frame from its first frame, or on a timeline (`timeline`) at a frame
    from the timeline's start (frames.py)."""

    kind: ClassVar[str] = "add_marker"
    frame: int
    color: str
    name: str
    note: str
    duration: int
    custom_data: str
    file: str = ""
    timeline: str = ""


@dataclass(frozen=True)
class UpdateMarkerData(Op):
    kind: ClassVar[str] = "update_marker_data"
    frame: int
    custom_data: str
    file: str = ""
    timeline: str = ""


@dataclass(frozen=True)
class TimelineClip:
    """One clipInfo: source frames [start, end) of a clip, placed at an absolute record frame."""

    file: str
    start_frame: int
    end_frame: int                  # exclusive (frames.clip_info_range)
    record_frame: int
    track: int = 1


@dataclass(frozen=True)
class CreateTimeline(Op):
    kind: ClassVar[str] = "create_timeline"
    name: str
    bin: tuple[str, ...]
    start_timecode: str
    clips: tuple[TimelineClip, ...]


@dataclass(frozen=True)
class AppendToTimeline(Op):
    kind: ClassVar[str] = "append_to_timeline"
    name: str
    clips: tuple[TimelineClip, ...]


@dataclass(frozen=True)
class CreateCompoundClip(Op):
    """Gather the timeline's items on track 1 between record frames [start, end) into one compound."""

    kind: ClassVar[str] = "create_compound_clip"
    timeline: str
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class ImportTimeline(Op):
    kind: ClassVar[str] = "import_timeline"
    path: str
    name: str
    bin: tuple[str, ...]


OPS: dict[str, type[Op]] = {cls.kind: cls for cls in (SetProjectSetting, MakeBin, ImportMedia, MoveClip, SetClipColor,
                                                      SetMetadata, AddMarker, UpdateMarkerData, CreateTimeline,
                                                      AppendToTimeline, CreateCompoundClip, ImportTimeline)}


def op_from_dict(d: dict[str, Any]) -> Op:
    cls = OPS.get(d.get("op", ""))
    if cls is None:
        raise ValueError(f"unknown plan operation {d.get('op')!r}")
    kwargs = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        value = d[f.name]
        if f.name == "bin":
            value = tuple(value)
        elif f.name == "clips":
            value = tuple(TimelineClip(**c) for c in value)
        kwargs[f.name] = value
    return cls(**kwargs)
