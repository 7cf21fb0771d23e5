"""Plan: the daemon's results + a snapshot of the Resolve project -> typed operations. Pure.

What a sync does, and why:
- Each media file is one clip (the API cannot make subclips). It goes into the bin of the scene
  holding most of its frames (`Rushes/Scenes/<scene>`), or `Rushes/Unsorted` (the noise bucket),
  coloured per scene, with a keyword per scene and person it shows (`Keywords` metadata, for
  smart bins), and a marker at every shot start carrying the shot id in customData.
- Every scene, person and character (a person inside a scene, in a sub-bin of its scene) gets a
  selects timeline: its shots as in/out ranges, at 01:00:00:00 on the project's rate.
- Our state for a clip (the bin and colour we gave it, its name then, our keywords) rides in the
  customData of its first shot marker, so the next plan knows what the editor changed since:
  a clip renamed or recoloured is left alone; a clip moved to another of our bins is not moved
  back (learn() sends it to the daemon as feedback instead); editor keywords are kept.
- Re-planning against the applied project yields no operation; new footage adds only its own.
"""
from __future__ import annotations

import json
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Sequence

from . import frames
from .frames import Rate
from .ops import (AddMarker, AppendToTimeline, CreateCompoundClip, CreateTimeline, ImportMedia, ImportTimeline, MakeBin,
                  MoveClip, Op, SetClipColor, SetMetadata, SetProjectSetting, TimelineClip, UpdateMarkerData)
from .results import Cluster, Highlight, Media, Results, SavedHits, Segment
from .snapshot import Clip, Snapshot

ROOT_BIN = "Rushes"
PARTS = ("sync", "highlights", "compound", "search")     # one per menu entry
DEFAULT_PARTS = ("sync", "highlights", "compound")        # a plan without --only (search: on demand)
CLIP_COLORS = ("Orange", "Apricot", "Yellow", "Lime", "Olive", "Green", "Teal", "Navy", "Blue", "Purple",
               "Violet", "Pink", "Tan", "Beige", "Brown", "Chocolate")   # API-FACTS: exactly these 16
SHOT_MARKER_COLOR = "Sky"
HIGHLIGHT_MARKER_COLOR = "Yellow"
HIGHLIGHTS_TIMELINE = "Rushes highlights"
SEARCH_MARKER_COLOR = "Cyan"
SEARCH_TIMELINE = "Search: {name}"
CUSTOM_PREFIX = "rushes:"


@dataclass(frozen=True)
class ClipState:
    """What Rushes last did to a clip, stored in its first shot marker's customData."""

    media: str
    cluster: str
    bin: tuple[str, ...]
    color: str
    name: str
    keywords: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"media": self.media, "cluster": self.cluster, "bin": list(self.bin), "color": self.color,
                "name": self.name, "keywords": list(self.keywords)}


def search_data(search: str, hit: tuple[str, int, int]) -> str:
    return CUSTOM_PREFIX + json.dumps({"search": search, "hit": list(hit)}, separators=(",", ":"))


def highlight_data(highlight_id: str) -> str:
    return CUSTOM_PREFIX + json.dumps({"highlight": highlight_id}, separators=(",", ":"))


def marker_data(shot_id: str, state: ClipState | None = None) -> str:
    payload: dict = {"shot": shot_id}
    if state is not None:
        payload["clip"] = state.to_json()
    return CUSTOM_PREFIX + json.dumps(payload, sort_keys=True, separators=(",", ":"))


def parse_marker_data(text: str) -> dict | None:
    """Our customData -> dict; None for anything else (the editor's markers, other tools')."""
    if not text.startswith(CUSTOM_PREFIX):
        return None
    try:
        data = json.loads(text[len(CUSTOM_PREFIX):])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def clip_state(clip: Clip) -> tuple[ClipState | None, int | None]:
    for m in clip.markers:
        data = parse_marker_data(m.custom_data)
        if data and isinstance(data.get("clip"), dict):
            c = data["clip"]
            return ClipState(str(c.get("media", "")), str(c.get("cluster", "")), tuple(c.get("bin", ())),
                             str(c.get("color", "")), str(c.get("name", "")), tuple(c.get("keywords", ()))), m.frame
    return None, None


def cluster_color(cluster: Cluster) -> str:
    """A scene's colour, stable for its id; the noise bucket gets none."""
    if cluster.is_noise:
        return ""
    return CLIP_COLORS[zlib.crc32(cluster.id.encode()) % len(CLIP_COLORS)]


def scene_bin(cluster: Cluster, root: str = ROOT_BIN) -> tuple[str, ...]:
    return (root, "Unsorted") if cluster.is_noise else (root, "Scenes", cluster.label())


NOISE = Cluster("noise", "scene")


def dominant_scene(media: Media, scene_of: dict[str, Cluster]) -> Cluster:
    """The scene holding most of the media's frames (ties: the smaller id); unclustered -> noise."""
    weight: Counter = Counter()
    by_id: dict[str, Cluster] = {}
    for shot in media.shots:
        c = scene_of.get(shot.id, NOISE)
        weight[c.id] += shot.end_frame - shot.start_frame
        by_id[c.id] = c
    if not weight:
        return NOISE
    best = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return by_id[best]


@dataclass
class Plan:
    rate: Rate
    ops: list[Op] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # what the menu tells the editor besides the counts

    def to_dict(self) -> dict:
        out = {"plan_version": 1, "timeline_rate": self.rate.setting(), "ops": [op.to_dict() for op in self.ops]}
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def counts(self) -> dict[str, int]:
        return dict(Counter(op.kind for op in self.ops))


class _Planner:
    def __init__(self, results: Results, snap: Snapshot, root: str) -> None:
        self.results, self.snap, self.root = results, snap, root
        self.ops: list[Op] = []
        self.notes: list[str] = []
        self.bins = set(snap.bins)
        self.clips = snap.clip_by_path()
        self.scene_of = {s: c for c in results.view("scene") for s in c.shots}
        self.media_of_shot = {s.id: m for m in results.media for s in m.shots}
        self.shot_by_id = results.shot_index()
        self.media_by_id = {m.id: m for m in results.media}
        self.media_by_path = {m.path: m for m in results.media}
        self.synced: set[str] = set()
        self.rate = self._rate()

    def _rate(self) -> Rate:
        """The project's timeline rate (the editor's choice); planned without a snapshot, the
        footage's most common rate, which the plan then sets."""
        rates = Counter(m.fps for m in self.results.media)
        if self.snap.timeline_rate:
            return Rate.parse(self.snap.timeline_rate)
        return sorted(rates.items(), key=lambda kv: (-kv[1], kv[0].text()))[0][0] if rates else Rate(24)

    def ensure_bin(self, path: tuple[str, ...]) -> None:
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in self.bins:
                self.bins.add(prefix)
                self.ops.append(MakeBin(prefix))

    # clips ---------------------------------------------------------------------------------
    def keywords(self, media: Media) -> tuple[str, ...]:
        shot_ids = {s.id for s in media.shots}
        words = {c.label() for view in ("scene", "people") for c in self.results.view(view)
                 if not c.is_noise and shot_ids & set(c.shots)}
        return tuple(sorted(words))

    def sync_clip(self, media: Media) -> None:
        if media.path in self.synced:
            return
        self.synced.add(media.path)
        scene = dominant_scene(media, self.scene_of)
        target, color, ours = scene_bin(scene, self.root), cluster_color(scene), self.keywords(media)
        clip = self.clips.get(media.path)
        if clip is None:
            name = media.path.replace("\\", "/").rsplit("/", 1)[-1]
            self.ensure_bin(target)
            self.ops.append(ImportMedia(media.path, target))
            if color:
                self.ops.append(SetClipColor(media.path, color))
            if ours:
                self.ops.append(SetMetadata(media.path, "Keywords", ", ".join(ours)))
            state = ClipState(media.id, scene.id, target, color, name, ours)
            self.shot_markers(media, (), state, None)
            return
        recorded, state_frame = clip_state(clip)
        # None: imported by the editor, not by us: their bin and colour stay; we add what is ours.
        state = recorded or ClipState(media.id, "", clip.bin, clip.color, clip.name, ())
        touched = clip.name != state.name or clip.color != state.color      # renamed or recoloured
        new_state = state
        if not touched:
            moved_by_editor = clip.bin != state.bin
            if clip.bin == target:
                new_state = replace(new_state, bin=target, cluster=scene.id)
            elif not moved_by_editor and state.cluster:
                self.ensure_bin(target)
                self.ops.append(MoveClip(media.path, target))
                new_state = replace(new_state, bin=target, cluster=scene.id)
            if state.cluster and clip.color != color:
                self.ops.append(SetClipColor(media.path, color))
                new_state = replace(new_state, color=color)
            editors = [k for k in clip.keywords if k not in state.keywords]
            merged = tuple(editors + [k for k in ours if k not in editors])
            if merged != clip.keywords:
                self.ops.append(SetMetadata(media.path, "Keywords", ", ".join(merged)))
            new_state = replace(new_state, keywords=ours)
        self.shot_markers(media, clip.markers, new_state, state_frame if new_state != state or state_frame is None else -1)

    def shot_markers(self, media: Media, existing, state: ClipState, state_frame: int | None) -> None:
        """A marker per shot start (free frame inside the shot if the editor has one there); the
        first carries the clip state. state_frame: where the state marker is (None: none yet,
        -1: unchanged)."""
        taken = {m.frame for m in existing}
        have = {}
        for m in existing:
            data = parse_marker_data(m.custom_data)
            if data and "shot" in data:
                have[str(data["shot"])] = m.frame
        for i, shot in enumerate(media.shots):
            carries = state_frame is None
            if shot.id in have:
                continue
            frame = next((f for f in range(shot.start_frame, shot.end_frame) if f not in taken), None)
            if frame is None:
                continue
            taken.add(frame)
            scene = self.scene_of.get(shot.id, NOISE)
            self.ops.append(AddMarker(frames.clip_marker_frame(frame), SHOT_MARKER_COLOR, f"{scene.label()}",
                                      f"shot {shot.id}: frames {shot.start_frame}-{shot.end_frame}", 1,
                                      marker_data(shot.id, state if carries else None), file=media.path))
            if carries:
                state_frame = -1
        if state_frame is not None and state_frame >= 0:
            first = media.shots[0].id if media.shots else ""
            self.ops.append(UpdateMarkerData(state_frame, marker_data(first, state), file=media.path))

    # timelines -------------------------------------------------------------------------------
    def selects(self, name: str, bin: tuple[str, ...], shot_ids) -> None:
        shots = sorted((self.shot_by_id[s] for s in shot_ids if s in self.media_of_shot),
                       key=lambda s: (self.media_of_shot[s.id].path, s.start_frame))
        self.timeline(name, bin, [(self.media_of_shot[s.id], s.start_frame, s.end_frame, None) for s in shots])

    def timeline(self, name: str, bin: tuple[str, ...], ranges: Sequence[tuple[Media, int, int, AddMarker | None]],
                 ) -> tuple[bool, list[TimelineClip]]:
        """A timeline of source ranges back to back from 01:00:00:00 (created, or appended to with
        the ranges it lacks); each range may bring a timeline marker on its first frame (the
        marker's frame is filled in here). Returns (created, the clips placed)."""
        if not ranges:
            return False, []
        existing = self.snap.timeline(name)
        have = {(i.file_path, i.source_start, i.source_end) for i in existing.items} if existing else set()
        start = frames.timeline_start_frame(self.rate)
        cursor = max((i.end for i in existing.items), default=existing.start_frame) if existing else start
        tl_start = existing.start_frame if existing else start
        taken = {m.frame for m in existing.markers} if existing else set()
        marked = {m.custom_data for m in existing.markers} if existing else set()
        clips, markers = [], []
        for media, lo, hi, marker in ranges:
            lo, hi = frames.clip_info_range(lo, hi)
            if (media.path, lo, hi) in have:
                continue
            length = frames.timeline_frames(hi - lo, media.fps, self.rate)
            if length <= 0:
                continue
            have.add((media.path, lo, hi))
            clips.append(TimelineClip(media.path, lo, hi, cursor))
            if marker is not None and marker.custom_data not in marked:
                frame = frames.timeline_marker_frame(cursor, tl_start)
                while frame in taken:
                    frame += 1
                taken.add(frame)
                markers.append(replace(marker, frame=frame, timeline=name, duration=min(marker.duration, length)))
            cursor += length
        if not clips:
            return False, []
        for media in {c.file: self.media_by_path[c.file] for c in clips}.values():
            if media.path not in self.clips:
                self.sync_clip(media)
        if existing is None:
            self.ensure_bin(bin)
            self.ops.append(CreateTimeline(name, bin, frames.start_timecode(self.rate), tuple(clips)))
        else:
            self.ops.append(AppendToTimeline(name, tuple(clips)))
        self.ops.extend(markers)
        return existing is None, clips

    # highlights and compound clips ------------------------------------------------------------
    def highlight_marker(self, h: Highlight) -> AddMarker:
        return AddMarker(0, HIGHLIGHT_MARKER_COLOR, f"Highlight: {h.reason or 'highlight'}",
                         f"score {h.score:.2f}, frames {h.start_frame}-{h.end_frame}", h.end_frame - h.start_frame,
                         highlight_data(h.id))

    def highlights(self) -> None:
        """A marker over every highlight on its clip, and a highlights timeline of the project's
        best (best first), each item with a marker naming why."""
        for media in sorted(self.results.media, key=lambda m: m.path):
            found = self.results.highlights.get(media.id, ())
            if not found:
                continue
            clip = self.clips.get(media.path)
            if clip is None:
                self.sync_clip(media)
            existing = clip.markers if clip else ()
            taken = {m.frame for m in existing} | {op.frame for op in self.ops
                                                   if isinstance(op, AddMarker) and op.file == media.path}
            marked = {m.custom_data for m in existing}
            for h in sorted(found, key=lambda h: h.start_frame):
                marker = self.highlight_marker(h)
                if marker.custom_data in marked:
                    continue
                frame = next((f for f in range(h.start_frame, h.end_frame) if f not in taken), None)
                if frame is None:
                    continue
                taken.add(frame)
                self.ops.append(replace(marker, frame=frames.clip_marker_frame(frame), file=media.path,
                                        duration=h.end_frame - frame))
        ranges = [(self.media_by_id[h.media_id], h.start_frame, h.end_frame,
                   replace(self.highlight_marker(h), name=f"#{h.rank} {h.reason or 'highlight'}"))
                  for h in self.results.best if h.media_id in self.media_by_id]
        self.timeline(HIGHLIGHTS_TIMELINE, (self.root, "Highlights"), ranges)

    def compounds(self) -> None:
        """Each compound clip the daemon holds (or, without any, the project's best highlights in
        playback order) as a timeline whose items are gathered into one Resolve compound clip."""
        wanted = [(c.name, c.segments) for c in self.results.compounds]
        if not wanted and self.results.best:
            best = sorted(self.results.best, key=lambda h: (self.media_by_id[h.media_id].path, h.start_frame)
                          if h.media_id in self.media_by_id else ("", 0))
            wanted = [("Highlights", tuple(Segment(h.media_id, h.start_frame, h.end_frame, h.reason) for h in best))]
        for name, segments in wanted:
            title = f"{name} (compound)"
            if self.snap.timeline(title) is not None:
                continue          # made before: its items are one compound clip now
            ranges = [(self.media_by_id[s.media_id], s.start_frame, s.end_frame, None)
                      for s in segments if s.media_id in self.media_by_id]
            created, clips = self.timeline(title, (self.root, "Compound clips"), ranges)
            if created and clips:
                end = clips[-1].record_frame + frames.timeline_frames(
                    clips[-1].end_frame - clips[-1].start_frame, self.media_by_path[clips[-1].file].fps, self.rate)
                self.ops.append(CreateCompoundClip(title, name, clips[0].record_frame, end))

    # saved searches ----------------------------------------------------------------------------
    def source_timecode(self, media: Media, frame: int) -> str:
        """The timecode the editor sees for a media's frame: its own start timecode, its own rate."""
        try:
            return frames.frame_to_timecode(frames.timecode_to_frame(media.start_timecode, media.fps) + frame, media.fps)
        except ValueError:
            return ""

    def search_marker(self, saved: SavedHits, rank: int, media: Media, lo: int, hi: int, hit) -> AddMarker:
        tc_in, tc_out = self.source_timecode(media, lo), self.source_timecode(media, hi)
        name = media.path.replace("\\", "/").rsplit("/", 1)[-1]
        return AddMarker(0, SEARCH_MARKER_COLOR, f"#{rank} {', '.join(hit.channels) or 'search'}",
                         f"{hit.detail} | {name} {tc_in}-{tc_out} (frames {lo}-{hi})".strip(" |"), hi - lo,
                         search_data(saved.name, (media.id, lo, hi)))

    def searches(self) -> None:
        """Each saved search run now as a selects timeline, best hit first, a marker on each item
        naming what matched and where it is in the source (timecode from the media's own start)."""
        if not self.results.searches:
            self.notes.append("no saved search: make one with `rushes search QUERY --save NAME`, then run this "
                              "menu again" if not self.results.saved_names else
                              f"no saved search of that name (saved: {', '.join(self.results.saved_names)})")
            return
        for saved in self.results.searches:
            ranges, left_out = [], 0
            for rank, hit in enumerate(saved.hits, 1):
                media = self.media_by_id.get(hit.media_id)
                if media is None or hit.end_frame <= hit.start_frame:
                    left_out += 1          # sound rolls and media not ready have no clip to cut
                    continue
                lo, hi = hit.start_frame, min(hit.end_frame, media.frame_count or hit.end_frame)
                ranges.append((media, lo, hi, self.search_marker(saved, rank, media, lo, hi, hit)))
            name = SEARCH_TIMELINE.format(name=saved.name)
            created, clips = self.timeline(name, (self.root, "Searches"), ranges)
            verb = "made" if created else ("added to" if clips else "already holds every hit of")
            said = f"saved search {saved.name!r} ({saved.query!r}): {len(saved.hits)} hit(s); timeline {name!r} {verb}"
            if clips and not created:
                said += f" ({len(clips)} new)"
            elif clips:
                said += f" with {len(clips)} clip(s)"
            if left_out:
                said += f"; {left_out} hit(s) on sound-only or unready media left out"
            self.notes.append(said)

    def import_files(self, paths: tuple[str, ...]) -> None:
        """Timeline files (OTIO, FCPXML, FCP7 XML, EDL: `rushes export`) imported by Resolve itself
        into Rushes/Imported, named after the file; once there (by name) never again, since
        ImportTimelineFromFile answers None for a name that exists."""
        for path in paths:
            name = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if self.snap.timeline(name) is None and not any(isinstance(op, ImportTimeline) and op.name == name
                                                            for op in self.ops):
                self.ensure_bin((self.root, "Imported"))
                self.ops.append(ImportTimeline(path, name, (self.root, "Imported")))

    def run(self, parts: tuple[str, ...] = ("sync", "highlights", "compound"), imports: tuple[str, ...] = ()) -> Plan:
        if not self.snap.timeline_rate and self.results.media:
            self.ops.append(SetProjectSetting("timelineFrameRate", self.rate.setting()))
        self.import_files(imports)
        if "sync" in parts:
            self.sync()
        if "highlights" in parts:
            self.highlights()
        if "compound" in parts:
            self.compounds()
        if "search" in parts:
            self.searches()
        return Plan(self.rate, self.ops, self.notes)

    def sync(self) -> None:
        for media in sorted(self.results.media, key=lambda m: m.path):
            self.sync_clip(media)
        scenes = {c.id: c for c in self.results.view("scene")}
        for cluster in self.results.view("scene"):
            if not cluster.is_noise:
                self.selects(f"{cluster.label()} selects", scene_bin(cluster, self.root), cluster.shots)
        for cluster in self.results.view("people"):
            if not cluster.is_noise:
                self.selects(f"{cluster.label()} selects", (self.root, "People", cluster.label()), cluster.shots)
        people = {c.id: c for c in self.results.view("people")}
        for char in self.results.view("character"):
            scene = scenes.get(char.parent_id)
            person = people.get(char.id.split("@", 1)[0])
            if char.is_noise or scene is None or scene.is_noise:
                continue
            who = person.label() if person else char.label()
            self.selects(f"{who} in {scene.label()}", scene_bin(scene, self.root) + (who,), char.shots)


def make_plan(results: Results, snap: Snapshot | None = None, *, root: str = ROOT_BIN,
              parts: tuple[str, ...] = DEFAULT_PARTS, imports: tuple[str, ...] = ()) -> Plan:
    """The operations that bring the Resolve project in `snap` up to date with `results`.
    `parts`: which menu's share (sync: bins, clips, keywords, colours, shot markers, selects;
    highlights; compound; search: the saved search's hits as a selects timeline). `imports`: timeline files for Resolve to import."""
    return _Planner(results, snap or Snapshot(), root).run(parts, imports)


@dataclass(frozen=True)
class Move:
    """A clip the editor moved from one of our scene bins to another: feedback for the daemon."""

    file: str
    members: tuple[str, ...]        # shot ids
    from_cluster: str
    to_cluster: str                 # a scene id, or "noise"
    view: str = "scene"


def learn(results: Results, snap: Snapshot, *, root: str = ROOT_BIN) -> list[Move]:
    """Clips moved between our scene bins (Unsorted included) since we placed them."""
    bins = {scene_bin(c, root): c for c in results.view("scene")}
    bins.setdefault(scene_bin(NOISE, root), NOISE)
    scene_of = {s: c.id for c in results.view("scene") for s in c.shots}
    media = {m.path: m for m in results.media}
    moves = []
    for clip in snap.clips:
        state, _ = clip_state(clip)
        m = media.get(clip.file_path)
        if state is None or m is None or not state.cluster or clip.bin == state.bin:
            continue
        target = bins.get(clip.bin)
        if target is None or target.id == state.cluster:
            continue
        members = [s.id for s in m.shots if scene_of.get(s.id, "noise") == state.cluster]
        if not members:
            members = [s.id for s in m.shots if scene_of.get(s.id, "noise") != target.id]
        if members:
            moves.append(Move(clip.file_path, tuple(members), state.cluster, target.id))
    return moves
