"""Labelled keyframe sets from the real footage, for the scene-vector part of bench/clusters.py.

Two sets, both with exact truth (the set-up each keyframe was taken from):

* "film": the shots of the clustering bench's test film (bench/clusters.py SCENES), one media
  whose shots of a scene are interleaved with other scenes (no two neighbours share a scene).
* "rushes": footage as it arrives from a shoot. Each set-up was filmed as several takes, each
  take its own file (1-3 shots inside), clip names in camera-roll style (A001C007) in shooting
  order, record-run timecode that runs on between takes (short gaps inside a set-up, minutes
  between set-ups), and the four multicam files as four cameras (rolls A-D) of one moment with
  the same timecode. The set-ups are shot in a shuffled order, so the take next door is not
  always the same set-up.

Keyframes are 320 px wide RGB frames as the daemon's thumbnails are, cut with ffmpeg at exact
times and cached in bench/out/clusters/scene_sets.npz. Each member has three keyframes (its
middle and KEY_SPREAD_S either side, inside the shot), as the daemon stores first / middle / last
keyframes per shot and clusters their normalised mean (rushes.clustering.inputs).

Short sources are decoded from their start, not fast-seeked: cockatoo.mp4 (High 4:4:4 H.264)
flags non-IDR frames at 3.8 s and 7.25 s as keyframes, and a seek there decodes grey and green
blocks instead of the bird (every cockatoo keyframe after 3.8 s of the first version of this
set was such a picture; the daemon's own seek, rushes.decode.seek, shows the same pictures).
"""
from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WIDTH = 320
#: Seconds either side of a member's middle keyframe for its other two keyframes.
KEY_SPREAD_S = 0.5
#: Sources shorter than this are decoded from their start (exact, never a broken seek).
DECODE_FROM_START_S = 120.0


@dataclass
class Key:
    """One keyframe: its set-up (truth), the media it belongs to and where."""

    label: str
    media: str          # file name of the take (rushes) or of the film
    shot: int           # shot index inside that media
    source: str
    time_s: float
    tc_start_s: float = -1.0      # record-run timecode of the media's first frame, -1 = none
    tc_end_s: float = -1.0


# set-up -> (source, first s, last s, takes, shots per take)
SETUPS: dict[str, tuple[str, float, float, int, int]] = {
    "street": ("pedestrians.avi", 1.0, 78.0, 3, 2),
    "bikes": ("bikes.mp4", 0.0, 9.8, 2, 2),
    "night": ("city_night.mpg", 0.0, 7.5, 2, 2),
    "cockatoo": ("cockatoo.mp4", 0.0, 13.8, 3, 2),
    "rocket": ("rocket_launch.webm", 0.0, 8.0, 2, 2),
    "webcam": ("talking_head.mp4", 0.0, 8.2, 2, 2),
    "carphone": ("carphone.mp4", 0.0, 3.9, 2, 1),
    "park": ("park_cartwheel.mp4", 0.0, 7.6, 2, 2),
    "closeup": ("face_emotions.mp4", 0.0, 19.5, 3, 2),
    "meadow": ("bbb.mp4", 120.0, 180.0, 3, 2),
    "forest": ("bbb.mp4", 430.0, 490.0, 3, 2),
}


def _duration(src: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(src)],
                         capture_output=True, text=True, check=True).stdout.strip()
    return float(out or 0.0)


def _frame(src: Path, t: float) -> np.ndarray:
    seek = ["-i", str(src), "-ss", f"{t:.3f}"] if _duration(src) < DECODE_FROM_START_S else \
        ["-ss", f"{t:.3f}", "-i", str(src)]
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", *seek,
           "-vf", f"scale={WIDTH}:-2", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height:stream_side_data=rotation", "-of", "csv=p=0", str(src)],
                           capture_output=True, text=True, check=True).stdout.split("\n")[0].split(",")
    w, h = int(probe[0]), int(probe[1])
    height = len(raw) // (WIDTH * 3)
    if height * WIDTH * 3 != len(raw):
        raise RuntimeError(f"{src} at {t}: odd frame size ({w}x{h})")
    return np.frombuffer(raw, np.uint8).reshape(height, WIDTH, 3)


def film_keys(scenes: dict[str, tuple[str, float, float, int, str | None]], seed: int = 7) -> list[Key]:
    """The bench film's shots, one keyframe each at the middle of its source stretch, interleaved."""
    rng = random.Random(seed)
    pool = []
    for name, (src, a, b, shots, _) in scenes.items():
        for i in range(shots):
            t = a + (b - a) * (i + 0.5) / shots
            pool.append((name, src, round(t, 3)))
    order = []
    while pool:       # no two neighbours from one scene, as the film is cut
        choices = [p for p in pool if not order or p[0] != order[-1][0]] or pool
        pick = rng.choice(choices)
        pool.remove(pick)
        order.append(pick)
    return [Key(label, "film.mp4", i, src, t) for i, (label, src, t) in enumerate(order)]


def rushes_keys(seed: int = 11) -> list[Key]:
    """Takes as files, shot in a shuffled set-up order, record-run timecode, multicam as 4 rolls."""
    rng = random.Random(seed)
    order = list(SETUPS) + ["multicam"]
    rng.shuffle(order)
    keys: list[Key] = []
    clip, tc = 1, 9 * 3600.0
    for setup in order:
        if setup == "multicam":
            for cam, roll in enumerate("ABCD", start=1):
                name = f"{roll}001C{clip:03d}_multicam_cam{cam:02d}.mp4"
                keys.append(Key("multicam", name, 0, f"multicam_cam{cam:02d}.mp4", 0.8, tc, tc + 1.7))
            clip += 1
            tc += 1.7 + rng.uniform(180, 600)
            continue
        src, a, b, takes, shots = SETUPS[setup]
        span = (b - a) / takes
        for take in range(takes):
            name = f"A001C{clip:03d}_{setup}.mp4"
            t0 = a + take * span
            for s in range(shots):
                keys.append(Key(setup, name, s, src, round(t0 + span * (s + 0.5) / shots, 3), tc, tc + span))
            clip += 1
            tc += span + rng.uniform(20, 60)
        tc += rng.uniform(180, 600)
    return keys


def key_times(k: Key) -> list[float]:
    """A member's three keyframe times: its middle and KEY_SPREAD_S either side."""
    return [round(max(0.0, k.time_s + d), 3) for d in (-KEY_SPREAD_S, 0.0, KEY_SPREAD_S)]


def load_frames(keys: list[Key], media: Path, cache: Path) -> list[list[np.ndarray]]:
    """Each member's keyframe pictures (key_times), cut once and cached by (source, time)."""
    store: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache) as z:
            store = {k: z[k] for k in z.files}
    changed = False
    out = []
    for k in keys:
        pics = []
        for t in key_times(k):
            tag = f"v2:{k.source}@{t:.3f}"
            if tag not in store:
                store[tag] = _frame(media / k.source, t)
                changed = True
            pics.append(store[tag])
        out.append(pics)
    if changed:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, **store)
    return out
