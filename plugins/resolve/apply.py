"""The applier: the only code that calls Resolve's scripting API to change a project.

It runs a plan's operations in order against a `resolve` object (inside Resolve, or a Studio
user's external script) and reports what each did. Resolve fails silently (False, None, an
empty list), so every result is checked and a failure is reported, never raised: one clip that
will not import must not stop the rest. The Lua applier (rushes_apply.lua) does the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .ops import (AddMarker, AppendToTimeline, CreateCompoundClip, CreateTimeline, ImportMedia, ImportTimeline,
                  MakeBin, MoveClip, Op, SetClipColor, SetMetadata, SetProjectSetting, TimelineClip,
                  UpdateMarkerData, op_from_dict)


@dataclass
class Report:
    done: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


MIN_VERSION = (18, 5)     # recordFrame, trackIndex, SetStartTimecode; AppendToTimeline returns items (18.1)


class UnsupportedResolve(RuntimeError):
    """The running Resolve lacks calls the plan needs; the message says which version to use."""


def check_version(resolve: Any) -> None:
    version = list(resolve.GetVersion() or [])
    numbers = tuple(int(v) for v in version[:2] if isinstance(v, (int, float)) or str(v).isdigit())
    if len(numbers) == 2 and numbers < MIN_VERSION:
        raise UnsupportedResolve(f"Rushes needs DaVinci Resolve {MIN_VERSION[0]}.{MIN_VERSION[1]} or later "
                                 f"(timelines placed by recordFrame, SetStartTimecode); this is "
                                 f"{'.'.join(str(v) for v in version[:3])}")


class Applier:
    def __init__(self, resolve: Any) -> None:
        check_version(resolve)
        self.resolve = resolve
        self.project = resolve.GetProjectManager().GetCurrentProject()
        if self.project is None:
            raise RuntimeError("no project is open in Resolve: open one, then run the script again")
        self.pool = self.project.GetMediaPool()
        self.root = self.pool.GetRootFolder()
        self._clips: dict[str, Any] | None = None

    # look-ups ---------------------------------------------------------------------------
    def folder(self, path: Iterable[str], create: bool = False) -> Any:
        folder = self.root
        for name in path:
            sub = next((f for f in folder.GetSubFolderList() or [] if f.GetName() == name), None)
            if sub is None:
                if not create:
                    return None
                sub = self.pool.AddSubFolder(folder, name)
                if sub is None:
                    return None
            folder = sub
        return folder

    def clips(self) -> dict[str, Any]:
        if self._clips is None:
            self._clips = {}
            stack = [self.root]
            while stack:
                f = stack.pop()
                for item in f.GetClipList() or []:
                    path = item.GetClipProperty("File Path")
                    if path:
                        self._clips.setdefault(str(path), item)
                stack.extend(f.GetSubFolderList() or [])
        return self._clips

    def timeline(self, name: str) -> Any:
        for i in range(1, int(self.project.GetTimelineCount() or 0) + 1):
            tl = self.project.GetTimelineByIndex(i)
            if tl is not None and tl.GetName() == name:
                return tl
        return None

    def target(self, op: AddMarker | UpdateMarkerData) -> Any:
        return self.timeline(op.timeline) if op.timeline else self.clips().get(op.file)

    def clip_infos(self, clips: tuple[TimelineClip, ...]) -> list[dict] | None:
        infos = []
        for c in clips:
            item = self.clips().get(c.file)
            if item is None:
                return None
            infos.append({"mediaPoolItem": item, "startFrame": c.start_frame, "endFrame": c.end_frame,
                          "recordFrame": c.record_frame, "trackIndex": c.track})
        return infos

    # operations -------------------------------------------------------------------------
    def run(self, op: Op) -> bool:
        if isinstance(op, SetProjectSetting):
            return bool(self.project.SetSetting(op.key, op.value))
        if isinstance(op, MakeBin):
            return self.folder(op.bin, create=True) is not None
        if isinstance(op, ImportMedia):
            folder = self.folder(op.bin, create=True)
            # ImportMedia always lands in the current folder (API-FACTS): select it first.
            if folder is None or not self.pool.SetCurrentFolder(folder):
                return False
            items = self.pool.ImportMedia([op.file]) or []
            for item in items:
                self.clips()[op.file] = item
            return bool(items)
        if isinstance(op, MoveClip):
            item, folder = self.clips().get(op.file), self.folder(op.bin, create=True)
            return item is not None and folder is not None and bool(self.pool.MoveClips([item], folder))
        if isinstance(op, SetClipColor):
            item = self.clips().get(op.file)
            if item is None:
                return False
            return bool(item.SetClipColor(op.color) if op.color else item.ClearClipColor())
        if isinstance(op, SetMetadata):
            item = self.clips().get(op.file)
            return item is not None and bool(item.SetMetadata(op.key, op.value))
        if isinstance(op, AddMarker):
            obj = self.target(op)
            return obj is not None and bool(obj.AddMarker(op.frame, op.color, op.name, op.note, op.duration,
                                                          op.custom_data))
        if isinstance(op, UpdateMarkerData):
            obj = self.target(op)
            return obj is not None and bool(obj.UpdateMarkerCustomData(op.frame, op.custom_data))
        if isinstance(op, CreateTimeline):
            folder = self.folder(op.bin, create=True)
            infos = self.clip_infos(op.clips)
            if folder is None or infos is None or not self.pool.SetCurrentFolder(folder):
                return False
            # CreateTimelineFromClips refuses clips outside the current folder and any track
            # argument (API-FACTS), so: an empty timeline, its start, then one append.
            tl = self.pool.CreateEmptyTimeline(op.name)
            if tl is None or not self.project.SetCurrentTimeline(tl) or not tl.SetStartTimecode(op.start_timecode):
                return False
            placed = self.pool.AppendToTimeline(infos) or []
            return len(placed) == len(infos)
        if isinstance(op, AppendToTimeline):
            tl, infos = self.timeline(op.name), self.clip_infos(op.clips)
            if tl is None or infos is None or not self.project.SetCurrentTimeline(tl):
                return False
            placed = self.pool.AppendToTimeline(infos) or []
            return len(placed) == len(infos)
        if isinstance(op, CreateCompoundClip):
            tl = self.timeline(op.timeline)
            if tl is None:
                return False
            items = [i for i in tl.GetItemListInTrack("video", 1) or [] if op.start <= i.GetStart() and i.GetEnd() <= op.end]
            return bool(items) and tl.CreateCompoundClip(items, {"name": op.name}) is not None
        if isinstance(op, ImportTimeline):
            folder = self.folder(op.bin, create=True)
            if folder is None or not self.pool.SetCurrentFolder(folder):
                return False
            return self.pool.ImportTimelineFromFile(op.path, {"timelineName": op.name,
                                                              "importSourceClips": True}) is not None
        raise ValueError(f"no applier for {op.kind}")


def apply(resolve: Any, ops: Iterable[Op | dict]) -> Report:
    """Run every operation; failures are collected with what failed, the rest still runs."""
    applier, report = Applier(resolve), Report()
    for op in ops:
        op = op if isinstance(op, Op) else op_from_dict(op)
        if applier.run(op):
            report.done += 1
        else:
            report.failed.append(f"{op.kind}: {op.to_dict()}")
    if report.done:
        resolve.GetProjectManager().SaveProject()     # what we changed survives a crash of Resolve
    return report
