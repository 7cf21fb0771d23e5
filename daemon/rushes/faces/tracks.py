"""Link the faces sampled inside one shot into face tracks.

Samples are a stride apart (a second by default), so a face may move a fair way between two of
them; position alone would merge two people who cross, descriptor alone would split one person
who turns away for a moment. A face joins a track when
  - the descriptors agree (distance < LINK_DISTANCE; dlib's own same-person threshold is 0.6)
    and the boxes overlap or are near (centre shift < NEAR_FACTOR face heights), or
  - the descriptors agree strongly (< REJOIN_DISTANCE) wherever the face is: the same person
    seen again later in the shot after looking away or being occluded.
Assignment per sampled frame is greedy on a cost that prefers close descriptors and big overlap,
and one track takes at most one face per frame. The track's embedding is the quality-weighted
mean of its descriptors, L2-normalised, so sharp frontal views dominate blurred profiles.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rushes.faces.sampler import FaceSample

LINK_DISTANCE = 0.6
REJOIN_DISTANCE = 0.45
NEAR_FACTOR = 1.5
#: A track seen only once needs a detector margin and a quality at least this high: a single
#: weak or blurred-and-small detection is more often a texture (a wheel, cartoon eyes) than a face.
LONE_MIN_SCORE = 0.3
LONE_MIN_QUALITY = 0.05


@dataclass
class Track:
    shot_id: int
    faces: list[FaceSample] = field(default_factory=list)

    @property
    def first_frame(self) -> int:
        return self.faces[0].frame

    @property
    def last_frame(self) -> int:
        return self.faces[-1].frame

    @property
    def best(self) -> FaceSample:
        return max(self.faces, key=lambda s: (s.face.quality.score, s.face.score))

    @property
    def quality(self) -> float:
        return self.best.face.quality.score

    def embedding(self) -> np.ndarray:
        """Quality-weighted mean descriptor, unit length (cosine-ready)."""
        descs = np.stack([s.face.descriptor for s in self.faces]).astype(np.float32)
        weights = np.array([max(s.face.quality.score, 1e-3) for s in self.faces], dtype=np.float32)
        mean = (descs * weights[:, None]).sum(axis=0) / weights.sum()
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _near(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    ca = ((a[0] + a[2]) / 2, (a[1] + a[3]) / 2)
    cb = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    size = max(a[3] - a[1], b[3] - b[1], 1.0)
    return float(np.hypot(ca[0] - cb[0], ca[1] - cb[1])) < NEAR_FACTOR * size


def _cost(track: Track, sample: FaceSample) -> float | None:
    """Lower is better; None when the face cannot join the track."""
    last = track.faces[-1]
    if last.frame == sample.frame:
        return None
    dist = float(np.linalg.norm(last.face.descriptor - sample.face.descriptor))
    # Compare with the track's best view too: the last view may have been a profile.
    dist = min(dist, float(np.linalg.norm(track.best.face.descriptor - sample.face.descriptor)))
    overlap = iou(last.face.box, sample.face.box)
    if dist < LINK_DISTANCE and (overlap > 0.0 or _near(last.face.box, sample.face.box)):
        return dist - 0.3 * overlap
    if dist < REJOIN_DISTANCE:
        return dist + 0.2
    return None


def link_shot(shot_id: int, samples: list[FaceSample]) -> list[Track]:
    """Face tracks of one shot from its samples (any order); tracks ordered by first frame."""
    tracks: list[Track] = []
    by_frame: dict[int, list[FaceSample]] = {}
    for s in samples:
        by_frame.setdefault(s.frame, []).append(s)
    for frame in sorted(by_frame):
        faces = by_frame[frame]
        pairs = []
        for ti, track in enumerate(tracks):
            for fi, sample in enumerate(faces):
                cost = _cost(track, sample)
                if cost is not None:
                    pairs.append((cost, ti, fi))
        used_t: set[int] = set()
        used_f: set[int] = set()
        for _, ti, fi in sorted(pairs):
            if ti in used_t or fi in used_f:
                continue
            used_t.add(ti)
            used_f.add(fi)
            tracks[ti].faces.append(faces[fi])
        for fi, sample in enumerate(faces):
            if fi not in used_f:
                tracks.append(Track(shot_id, [sample]))
    kept = [t for t in tracks if len(t.faces) > 1
            or (t.faces[0].face.score >= LONE_MIN_SCORE and t.quality >= LONE_MIN_QUALITY)]
    return sorted(kept, key=lambda t: (t.first_frame, t.best.face.box[0]))


@dataclass(frozen=True)
class ShotSpan:
    id: int
    start_frame: int
    end_frame: int   # exclusive


def link(shots: list[ShotSpan], samples: list[FaceSample]) -> list[Track]:
    """Tracks of every shot: samples are split by shot (a track never crosses a cut)."""
    shots = sorted(shots, key=lambda s: s.start_frame)
    starts = np.array([s.start_frame for s in shots], dtype=np.int64)
    per_shot: dict[int, list[FaceSample]] = {}
    for sample in samples:
        i = int(np.searchsorted(starts, sample.frame, side="right")) - 1
        if i < 0 or sample.frame >= shots[i].end_frame:
            continue
        per_shot.setdefault(i, []).append(sample)
    tracks: list[Track] = []
    for i in sorted(per_shot):
        tracks.extend(link_shot(shots[i].id, per_shot[i]))
    return tracks
