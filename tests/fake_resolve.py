"""A faithful fake of DaVinci Resolve's scripting API, for tests (Resolve does not run on CI).

Every behaviour here is one listed in ../shared/resolve/API-FACTS.md (each has a test in
tests/test_resolve_fake.py): it returns what Resolve returns, False and None included, and
rejects what Resolve rejects. Media it can import are registered up front with their rate and
length (`FakeResolve.add_media`), as Resolve would read them from the file.
"""
from __future__ import annotations

import itertools
import os
from urllib.parse import unquote, urlparse
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from resolve.frames import Rate, frame_to_timecode, timecode_to_frame

CLIP_COLORS = ("Orange", "Apricot", "Yellow", "Lime", "Olive", "Green", "Teal", "Navy", "Blue", "Purple",
               "Violet", "Pink", "Tan", "Beige", "Brown", "Chocolate")
MARKER_COLORS = ("Blue", "Cyan", "Green", "Yellow", "Red", "Pink", "Purple", "Fuchsia", "Rose", "Lavender",
                 "Sky", "Mint", "Lemon", "Sand", "Cocoa", "Cream")
STUDIO_ONLY = ("DetectSceneCuts", "CreateSubtitlesFromAudio", "TranscribeAudio", "AnalyzeDolbyVision")
_ids = itertools.count(1)


def _uid(prefix: str) -> str:
    return f"{prefix}-{next(_ids):06d}"


class _ResolveObject:
    """Resolve objects answer any attribute (hasattr is always True; unknown calls give None),
    so scripts must probe with dir() (API-FACTS "Silent failures")."""

    _app: "FakeResolve"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *a, **k: None

    def __dir__(self) -> list[str]:
        return [n for n in type(self).__dict__ if n[:1].isupper()] + [
            n for base in type(self).__mro__[1:] for n in base.__dict__ if n[:1].isupper()]


class _Markers(_ResolveObject):
    """The marker calls MediaPoolItem, Timeline and TimelineItem share."""

    def _marker_table(self) -> dict[float, dict[str, Any]]:
        if not hasattr(self, "_markers_store"):
            object.__setattr__(self, "_markers_store", {})
        return self._markers_store  # type: ignore[attr-defined]

    def AddMarker(self, frameId, color, name, note, duration, customData=""):  # noqa: N802,N803
        table = self._marker_table()
        if self._app._upsold():
            return False
        if color not in MARKER_COLORS or float(frameId) in table:   # unknown colour, occupied frame
            return False
        table[float(frameId)] = {"color": color, "duration": float(duration), "note": note, "name": name,
                                 "customData": customData or ""}
        return True

    def GetMarkers(self):  # noqa: N802
        return {k: dict(v) for k, v in sorted(self._marker_table().items())}

    def GetMarkerByCustomData(self, customData):  # noqa: N802,N803
        for _, info in sorted(self._marker_table().items()):
            if info["customData"] == customData:
                return dict(info)
        return {}

    def GetMarkerCustomData(self, frameId):  # noqa: N802,N803
        info = self._marker_table().get(float(frameId))
        return info["customData"] if info else ""

    def UpdateMarkerCustomData(self, frameId, customData):  # noqa: N802,N803
        info = self._marker_table().get(float(frameId))
        if info is None:
            return False
        info["customData"] = customData
        return True

    def DeleteMarkerByCustomData(self, customData):  # noqa: N802,N803
        table = self._marker_table()
        for key, info in sorted(table.items()):
            if info["customData"] == customData:
                del table[key]
                return True
        return False

    def DeleteMarkerAtFrame(self, frameNum):  # noqa: N802,N803
        return self._marker_table().pop(float(frameNum), None) is not None

    def DeleteMarkersByColor(self, color):  # noqa: N802
        table = self._marker_table()
        doomed = [k for k, v in table.items() if color == "All" or v["color"] == color]
        for key in doomed:
            del table[key]
        return bool(doomed)


@dataclass
class FakeMedia:
    """What Resolve reads from a file: its rate, length, start timecode, audio."""

    path: str
    fps: Rate
    frames: int
    start_tc: str = "00:00:00:00"
    audio: bool = True
    width: int = 1920
    height: int = 1080


class MediaPoolItem(_Markers):
    def __init__(self, app: "FakeResolve", media: FakeMedia | None, name: str, kind: str = "clip",
                 timeline: "Timeline | None" = None) -> None:
        self._app, self._media, self._kind, self._timeline = app, media, kind, timeline
        self._props: dict[str, Any] = {"Clip Name": name}
        self._metadata: dict[str, str] = {}
        self._color = ""
        self._id = _uid("mpi")
        self._proxy = ""

    def GetName(self):  # noqa: N802
        return self._props["Clip Name"]

    def GetUniqueId(self):  # noqa: N802
        return self._id

    def GetMediaId(self):  # noqa: N802
        return self._id.replace("mpi", "media")

    def GetClipProperty(self, key=None):  # noqa: N802
        # Strings throughout except "FPS", a float (b3n0y/ResolveDevDoc dumps; thomjiji/dri).
        props: dict[str, Any] = {"Clip Name": self._props["Clip Name"]}
        if self._media is not None:
            m, rate = self._media, self._media.fps
            start = timecode_to_frame(m.start_tc, rate)
            props.update({
                "File Path": m.path, "File Name": os.path.basename(m.path), "Frames": str(m.frames),
                "Start": "0", "End": str(m.frames - 1), "FPS": float(rate.value),
                "Start TC": frame_to_timecode(start, rate), "End TC": frame_to_timecode(start + m.frames, rate),
                "Type": "Video + Audio" if m.audio else "Video", "Resolution": f"{m.width}x{m.height}",
                "Keyword": self._metadata.get("Keywords", ""), "Proxy Media Path": self._proxy,
            })
        else:
            props.update({"Type": "Timeline" if self._kind == "timeline" else "Compound",
                          "File Path": "", "Keyword": self._metadata.get("Keywords", "")})
        if key is None:
            return props
        return props.get(key, "")

    def SetClipProperty(self, key, value):  # noqa: N802
        if key != "Clip Name":
            return False
        self._props[key] = str(value)
        if self._timeline is not None:
            self._timeline._name = str(value)
        return True

    def GetMetadata(self, key=None):  # noqa: N802
        if key is None:
            return dict(self._metadata)
        return self._metadata.get(key, "")

    def SetMetadata(self, key, value=None):  # noqa: N802
        pairs = key if isinstance(key, dict) else {key: value}
        if any(not isinstance(v, str) for v in pairs.values()):
            return False
        self._metadata.update(pairs)
        return True

    def SetClipColor(self, colorName):  # noqa: N802,N803
        if colorName not in CLIP_COLORS:   # exactly 16; anything else is refused (measured 19.1.3)
            return False
        self._color = colorName
        return True

    def GetClipColor(self):  # noqa: N802
        return self._color

    def ClearClipColor(self):  # noqa: N802
        self._color = ""
        return True

    def LinkProxyMedia(self, proxyMediaFilePath):  # noqa: N802,N803
        if not os.path.isfile(proxyMediaFilePath):
            return False
        self._proxy = proxyMediaFilePath
        return True

    def __repr__(self) -> str:
        return f"<MediaPoolItem {self.GetName()!r}>"


class Folder(_ResolveObject):
    def __init__(self, app: "FakeResolve", name: str, parent: "Folder | None") -> None:
        self._app, self._name, self._parent = app, name, parent
        self._clips: list[MediaPoolItem] = []
        self._subfolders: list[Folder] = []
        self._id = _uid("folder")

    def GetName(self):  # noqa: N802
        return self._name

    def GetUniqueId(self):  # noqa: N802
        return self._id

    def GetClipList(self):  # noqa: N802
        return list(self._clips)

    def GetSubFolderList(self):  # noqa: N802
        return list(self._subfolders)

    def __repr__(self) -> str:
        return f"<Folder {self._name!r}>"


class TimelineItem(_Markers):
    def __init__(self, app: "FakeResolve", clip: MediaPoolItem | None, start: int, end: int, source_start: int,
                 source_end: int, track: tuple[str, int], name: str) -> None:
        self._app, self._clip, self._start, self._end = app, clip, start, end
        self._source = (source_start, source_end)
        self._track, self._name, self._color, self._id = track, name, "", _uid("ti")
        self._compound: list[TimelineItem] = []

    def GetName(self):  # noqa: N802
        return self._name

    def GetStart(self):  # noqa: N802
        return self._start

    def GetEnd(self):  # noqa: N802
        return self._end

    def GetDuration(self):  # noqa: N802
        return self._end - self._start

    def GetLeftOffset(self):  # noqa: N802
        return self._source[0]

    def GetRightOffset(self):  # noqa: N802
        total = self._clip._media.frames if self._clip and self._clip._media else self._source[1]
        return total - self._source[1]

    def GetSourceStartFrame(self):  # noqa: N802
        return self._source[0]

    def GetSourceEndFrame(self):  # noqa: N802
        return self._source[1]

    def GetMediaPoolItem(self):  # noqa: N802
        return self._clip

    def GetUniqueId(self):  # noqa: N802
        return self._id

    def SetClipColor(self, colorName):  # noqa: N802,N803
        if colorName not in CLIP_COLORS:
            return False
        self._color = colorName
        return True

    def GetClipColor(self):  # noqa: N802
        return self._color


class Timeline(_Markers):
    def __init__(self, app: "FakeResolve", project: "Project", name: str) -> None:
        self._app, self._project, self._name = app, project, name
        self._rate = project._rate()
        self._start_tc = "01:00:00:00"
        self._tracks: dict[str, list[list[TimelineItem]]] = {"video": [[]], "audio": [[]], "subtitle": []}
        self._locked: set[tuple[str, int]] = set()
        self._id = _uid("timeline")

    def GetName(self):  # noqa: N802
        return self._name

    def SetName(self, name):  # noqa: N802
        if any(t._name == name for t in self._project._timelines if t is not self):
            return False
        self._name = name
        return True

    def GetUniqueId(self):  # noqa: N802
        return self._id

    def GetSetting(self, key=None):  # noqa: N802
        if key == "timelineFrameRate":
            return self._rate.setting()
        return ""

    def GetStartFrame(self):  # noqa: N802
        return timecode_to_frame(self._start_tc, self._rate)

    def GetEndFrame(self):  # noqa: N802
        ends = [i._end for track in self._tracks.values() for items in track for i in items]
        return max(ends, default=self.GetStartFrame())

    def GetStartTimecode(self):  # noqa: N802
        return frame_to_timecode(self.GetStartFrame(), self._rate)

    def SetStartTimecode(self, timecode):  # noqa: N802
        if tuple(self._app.version[:2]) < (18, 5):      # added in 18.5: before, an unknown call (None)
            return None
        try:
            new = timecode_to_frame(timecode, self._rate)
        except ValueError:
            return False
        shift = new - self.GetStartFrame()
        self._start_tc = frame_to_timecode(new, self._rate)
        for track in self._tracks.values():
            for items in track:
                for item in items:
                    item._start += shift
                    item._end += shift
        return True

    def GetTrackCount(self, trackType):  # noqa: N802,N803
        return len(self._tracks.get(trackType, []))

    def GetItemListInTrack(self, trackType, index):  # noqa: N802,N803
        track = self._tracks.get(trackType, [])
        if not 1 <= index <= len(track):
            return None
        return sorted(track[index - 1], key=lambda i: i._start)

    def SetTrackLock(self, trackType, trackIndex, lock):  # noqa: N802,N803
        if not 1 <= trackIndex <= len(self._tracks.get(trackType, [])):
            return False
        (self._locked.add if lock else self._locked.discard)((trackType, trackIndex))
        return True

    def GetIsTrackLocked(self, trackType, trackIndex):  # noqa: N802,N803
        return (trackType, trackIndex) in self._locked

    def _place(self, clip: MediaPoolItem, src_start: int, src_end: int, track_type: str, track_index: int,
               record: int | None) -> TimelineItem | None:
        track = self._tracks[track_type]
        while len(track) < track_index:
            track.append([])
        items = track[track_index - 1]
        media_rate = clip._media.fps if clip._media else self._rate
        # Mixed rates: the source range conforms to the timeline rate, floored (measured).
        length = int(Fraction(src_end - src_start) * self._rate.value / media_rate.value)
        if record is None:
            record = max((i._end for i in items), default=self.GetStartFrame())
        start, end = int(record), int(record) + length
        if any(i._start < end and start < i._end for i in items):
            return None        # overlapping append: the earlier item wins, the later is dropped
        item = TimelineItem(self._app, clip, start, end, src_start, src_end, (track_type, track_index), clip.GetName())
        items.append(item)
        return item

    def CreateCompoundClip(self, timelineItems, clipInfo=None):  # noqa: N802,N803
        items = list(timelineItems or [])
        if not items or any(not isinstance(i, TimelineItem) for i in items):
            return None
        mine = [i for track in self._tracks.values() for t in track for i in t]
        if any(i not in mine for i in items):
            return None
        info = clipInfo or {}
        name = info.get("name") or "Compound Clip"
        start, end = min(i._start for i in items), max(i._end for i in items)
        pool_item = MediaPoolItem(self._app, None, name, kind="compound")
        self._project._pool._current._clips.append(pool_item)
        track_type, track_index = items[0]._track
        for track in self._tracks.values():
            for t in track:
                t[:] = [i for i in t if i not in items]
        compound = TimelineItem(self._app, pool_item, start, end, 0, end - start, (track_type, track_index), name)
        compound._compound = items
        self._tracks[track_type][track_index - 1].append(compound)
        return compound

    def DeleteClips(self, timelineItems, ripple=False):  # noqa: N802,N803
        doomed = set(map(id, timelineItems or []))
        found = False
        for track in self._tracks.values():
            for t in track:
                before = len(t)
                t[:] = [i for i in t if id(i) not in doomed]
                found = found or len(t) != before
        return found

    def __repr__(self) -> str:
        return f"<Timeline {self._name!r}>"


class MediaPool(_ResolveObject):
    def __init__(self, app: "FakeResolve", project: "Project") -> None:
        self._app, self._project = app, project
        self._root = Folder(app, "Master", None)
        self._current = self._root

    def GetRootFolder(self):  # noqa: N802
        return self._root

    def GetCurrentFolder(self):  # noqa: N802
        return self._current

    def SetCurrentFolder(self, folder):  # noqa: N802
        if not isinstance(folder, Folder) or folder._app is not self._app:
            return False
        self._current = folder
        return True

    def AddSubFolder(self, folder, name):  # noqa: N802
        if not isinstance(folder, Folder) or not name:
            return None
        sub = Folder(self._app, str(name), folder)
        folder._subfolders.append(sub)
        return sub

    def _folder_of(self, item: MediaPoolItem) -> Folder | None:
        stack = [self._root]
        while stack:
            f = stack.pop()
            if item in f._clips:
                return f
            stack.extend(f._subfolders)
        return None

    def _all_clips(self) -> list[MediaPoolItem]:
        out, stack = [], [self._root]
        while stack:
            f = stack.pop()
            out.extend(f._clips)
            stack.extend(f._subfolders)
        return out

    def MoveClips(self, clips, targetFolder):  # noqa: N802,N803
        if not isinstance(targetFolder, Folder) or not clips:
            return False
        for clip in clips:
            if not isinstance(clip, MediaPoolItem) or self._folder_of(clip) is None:
                return False
        for clip in clips:
            src = self._folder_of(clip)
            src._clips.remove(clip)
            targetFolder._clips.append(clip)
        return True

    def ImportMedia(self, items):  # noqa: N802
        """Lands in the current folder, always (measured); unreadable files are left out."""
        out = []
        for entry in items or []:
            path = entry["FilePath"] if isinstance(entry, dict) else entry
            media = self._app._media.get(os.path.abspath(path))
            if media is None:
                continue
            item = MediaPoolItem(self._app, media, os.path.basename(path))
            self._current._clips.append(item)
            out.append(item)
        return out

    def _timeline_named(self, name: str) -> "Timeline | None":
        return next((t for t in self._project._timelines if t._name == name), None)

    def _new_timeline(self, name: str) -> Timeline:
        tl = Timeline(self._app, self._project, name)
        self._project._timelines.append(tl)
        self._current._clips.append(MediaPoolItem(self._app, None, name, kind="timeline", timeline=tl))
        self._project._current_timeline = tl
        return tl

    def CreateEmptyTimeline(self, name):  # noqa: N802
        if not name or self._timeline_named(name) is not None:   # duplicate names are refused
            return None
        return self._new_timeline(name)

    def _append(self, timeline: Timeline, clips: list) -> list[TimelineItem]:
        out: list[TimelineItem] = []
        for entry in clips:
            info = entry if isinstance(entry, dict) else {"mediaPoolItem": entry}
            clip = info.get("mediaPoolItem")
            if not isinstance(clip, MediaPoolItem) or clip._media is None:
                continue
            start = int(info.get("startFrame", 0))
            end = int(info.get("endFrame", clip._media.frames))   # exclusive (measured on 21.0)
            media_type = int(info.get("mediaType", 0))
            track_index = int(info.get("trackIndex", 1))
            record = info.get("recordFrame")
            kinds = ["video", "audio"] if media_type == 0 else ["video"] if media_type == 1 else ["audio"]
            if media_type == 0 and not clip._media.audio:
                kinds = ["video"]
            if any((k, track_index) in timeline._locked for k in kinds):
                continue           # a locked track takes nothing; the call returns what it placed
            if media_type == 0 and record is None:
                record = max((i._end for i in timeline._tracks["video"][track_index - 1]), default=timeline.GetStartFrame()) \
                    if len(timeline._tracks["video"]) >= track_index else timeline.GetStartFrame()
            for kind in kinds:
                item = timeline._place(clip, start, end, kind, track_index, record)
                if item is not None and kind == kinds[0]:
                    out.append(item)
        return out

    def AppendToTimeline(self, clips):  # noqa: N802
        timeline = self._project._current_timeline
        if timeline is None:
            return []
        placed = self._append(timeline, list(clips or []))
        if tuple(self._app.version[:2]) < (18, 1):      # a Bool before 18.1, [TimelineItem] since
            return bool(placed)
        return placed

    def CreateTimelineFromClips(self, name, clips):  # noqa: N802
        clips = list(clips or [])
        if not name or self._timeline_named(name) is not None or not clips:
            return None
        for entry in clips:
            info = entry if isinstance(entry, dict) else {"mediaPoolItem": entry}
            # Fails unless the current folder holds the clips and no track is given (measured).
            if "trackIndex" in info or info.get("mediaPoolItem") not in self._current._clips:
                return None
        timeline = self._new_timeline(name)
        self._append(timeline, clips)
        return timeline

    def ImportTimelineFromFile(self, filePath, importOptions=None):  # noqa: N802,N803
        """Reads the file with OpenTimelineIO (the formats Resolve takes); None when a timeline of
        that name exists (measured) or the file cannot be read."""
        options = importOptions or {}
        try:
            otio_tl = otio.adapters.read_from_file(filePath)
        except Exception:
            return None
        if not isinstance(otio_tl, otio.schema.Timeline):      # FCPXML reads as a collection
            otio_tl = next((t for t in otio_tl.find_children(descended_from_type=otio.schema.Timeline)), None) \
                if hasattr(otio_tl, "find_children") else None
            if otio_tl is None:
                return None
        name = options.get("timelineName") or otio_tl.name or os.path.splitext(os.path.basename(filePath))[0]
        if self._timeline_named(name) is not None:
            return None
        by_path = {c._media.path: c for c in self._all_clips() if c._media is not None}
        timeline = self._new_timeline(name)
        for clip in otio_tl.find_clips():
            ref = clip.media_reference
            url = getattr(ref, "target_url", "") or ""
            path = unquote(urlparse(url).path) if url.startswith("file:") else url
            item = by_path.get(os.path.abspath(path)) if path else None
            if item is None and options.get("importSourceClips", True) and path:
                imported = self.ImportMedia([path])
                item = imported[0] if imported else None
                if item is not None:
                    by_path[item._media.path] = item
            if item is None:
                continue
            rng = clip.source_range
            rate = item._media.fps
            start = round(rng.start_time.to_frames(float(rate.value)) - timecode_to_frame(item._media.start_tc, rate)) \
                if rng.start_time.to_frames(float(rate.value)) >= timecode_to_frame(item._media.start_tc, rate) \
                else round(rng.start_time.to_frames(float(rate.value)))
            self._append(timeline, [{"mediaPoolItem": item, "startFrame": start,
                                     "endFrame": start + round(rng.duration.to_frames(float(rate.value))), "mediaType": 1}])
        return timeline

    def __repr__(self) -> str:
        return "<MediaPool>"


class Project(_ResolveObject):
    def __init__(self, app: "FakeResolve", name: str) -> None:
        self._app, self._name = app, name
        self._settings = {"timelineFrameRate": "24", "timelineDropFrameTimecode": "0"}
        self._timelines: list[Timeline] = []
        self._current_timeline: Timeline | None = None
        self._pool = MediaPool(app, self)
        self._id = _uid("project")

    def _rate(self) -> Rate:
        rate = Rate.parse(self._settings["timelineFrameRate"])
        return Rate(rate.num, rate.den, rate.drop_frame or self._settings["timelineDropFrameTimecode"] == "1")

    def GetName(self):  # noqa: N802
        return self._name

    def GetUniqueId(self):  # noqa: N802
        return self._id

    def GetMediaPool(self):  # noqa: N802
        return self._pool

    def GetTimelineCount(self):  # noqa: N802
        return len(self._timelines)

    def GetTimelineByIndex(self, idx):  # noqa: N802
        return self._timelines[idx - 1] if 1 <= idx <= len(self._timelines) else None   # 1-based

    def GetCurrentTimeline(self):  # noqa: N802
        return self._current_timeline

    def SetCurrentTimeline(self, timeline):  # noqa: N802
        if timeline not in self._timelines:
            return False
        self._current_timeline = timeline
        return True

    def GetSetting(self, settingName=None):  # noqa: N802,N803
        if settingName is None:
            return dict(self._settings)
        return self._settings.get(settingName, "")

    def SetSetting(self, settingName, settingValue):  # noqa: N802,N803
        if settingName == "timelineFrameRate":
            try:
                rate = Rate.parse(str(settingValue))
                rate.setting()
            except (ValueError, ZeroDivisionError):
                return False
            self._settings["timelineFrameRate"] = str(settingValue).replace(" DF", "")
            self._settings["timelineDropFrameTimecode"] = "1" if rate.drop_frame else "0"
            return True
        if settingName not in self._settings:
            return False
        self._settings[settingName] = str(settingValue)
        return True


class ProjectManager(_ResolveObject):
    def __init__(self, app: "FakeResolve") -> None:
        self._app = app
        self._projects: dict[str, Project] = {}
        self._current: Project | None = None
        self.saves = 0

    def GetCurrentProject(self):  # noqa: N802
        return self._current

    def CreateProject(self, projectName):  # noqa: N802,N803
        if projectName in self._projects:
            return None
        project = Project(self._app, projectName)
        self._projects[projectName] = project
        self._current = project
        return project

    def LoadProject(self, projectName):  # noqa: N802,N803
        project = self._projects.get(projectName)
        if project is not None:
            self._current = project
        return project

    def SaveProject(self):  # noqa: N802
        self.saves += 1
        return self._current is not None


@dataclass
class FakeResolve(_ResolveObject):
    """The `resolve` object a script gets (`app:GetResolve()` / `bmd.scriptapp("Resolve")`)."""

    studio: bool = True
    version: tuple = (19, 1, 3, 7, "")
    _media: dict[str, FakeMedia] = field(default_factory=dict)
    upsell_shown: bool = False
    page: str = "media"

    def __post_init__(self) -> None:
        self._app = self
        self._pm = ProjectManager(self)
        self._pm.CreateProject("Untitled Project")

    # test set-up, not API -------------------------------------------------------------
    def add_media(self, path: str, fps: str | Rate, frames: int, **kw: Any) -> FakeMedia:
        drop = ";" in kw.get("start_tc", "")          # a drop-frame start timecode means a drop-frame clip
        media = FakeMedia(os.path.abspath(path), fps if isinstance(fps, Rate) else Rate.parse(fps, drop), frames, **kw)
        self._media[media.path] = media
        return media

    def _upsold(self) -> bool:
        return self.upsell_shown

    # API ----------------------------------------------------------------------------------
    def GetProjectManager(self):  # noqa: N802
        return self._pm

    def GetProductName(self):  # noqa: N802
        return "DaVinci Resolve Studio" if self.studio else "DaVinci Resolve"

    def GetVersion(self):  # noqa: N802
        return list(self.version)

    def GetVersionString(self):  # noqa: N802
        return ".".join(str(v) for v in self.version[:3])

    def OpenPage(self, pageName):  # noqa: N802,N803
        if pageName not in ("media", "cut", "edit", "fusion", "color", "fairlight", "deliver"):
            return False
        self.page = pageName
        return True

    def GetCurrentPage(self):  # noqa: N802
        return self.page

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in STUDIO_ONLY and not self.studio:
            def upsell(*a: Any, **k: Any) -> bool:
                # On Free a Studio-only call returns False and raises an upsell dialog that can
                # make later calls fail: the fake's marker calls fail until it is dismissed.
                self.upsell_shown = True
                return False
            return upsell
        return lambda *a, **k: None


def scriptapp(resolve: FakeResolve, *, external: bool) -> FakeResolve | None:
    """`bmd.scriptapp("Resolve")`: from outside Resolve (external scripting) only Studio answers."""
    if external and not resolve.studio:
        return None
    return resolve
