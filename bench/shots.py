"""Shot detection bench: ours vs PySceneDetect, ffmpeg's scene filter, TransNetV2, plain decode.

Test films are cut together from real single-shot footage (../shared/media) with exact ground
truth: hard cuts, cross-dissolves of 8-30 frames, fades through black, a fade in at the start
and a fade out at the end, and decoys that are not transitions (flash frames, whip pans, a
lighting change). Every detector runs on the same files in one run, so the load of the shared
machine hurts every side alike; speed is reported as frames/s and as a ratio to a plain
`ffmpeg -f null` decode of the same file.

    .venv/bin/python bench/shots.py [--films 2] [--wipe-films 1] [--seconds 150] [--no-bbb] [--threads 2]

`--wipe-films N` builds N more films (film21, ...; their own seeds, so film11/film12 stay as they
are) where wipes (a hard moving edge: left, right, up, down, diagonal, a box from a corner, a
clock hand; 8-30 frames) are one more kind of transition; they get a table of their own and a
per-type line: wipes found (as any gradual transition, and typed "wipe") and the precision of
the "wipe" type.

Matching: a ground-truth cut matches a detection within 2 frames; a ground-truth gradual
transition matches a detection whose range overlaps it (a cut at f counts as [f-1, f+1)).
Each detection matches at most one truth. Precision per class counts unmatched detections
by their own type (peers without types report cuts only).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "shots"
FPS = 25
W, H = 1280, 720


def media_dir() -> Path:
    return Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()


# Single-shot stretches of the real footage (seconds), checked by eye on contact sheets.
SOURCES: list[tuple[str, float, float]] = [
    ("cockatoo.mp4", 0.0, 13.8),
    ("bigbuckbunny_5s.mp4", 0.0, 5.2),
    ("carphone.mp4", 0.0, 3.9),
    ("pedestrians.avi", 0.0, 79.0),
    ("talking_head.mp4", 0.0, 8.2),
    ("rocket_launch.webm", 0.0, 2.9),
    ("rocket_launch.webm", 3.3, 7.9),
    ("city_night.mpg", 0.0, 4.4),
    ("city_night.mpg", 4.9, 7.5),
    ("bikes.mp4", 0.1, 1.05),
    ("bikes.mp4", 1.4, 2.85),
    ("bikes.mp4", 3.25, 5.3),
    ("bikes.mp4", 5.7, 7.3),
    ("bikes.mp4", 7.7, 9.5),
]


@dataclass
class Truth:
    type: str            # cut | dissolve | fade_in | fade_out | fade_through_black | wipe
    start: int           # cut: the first frame of the new shot
    end: int             # exclusive; cut: start + 1


@dataclass
class Decoy:
    kind: str
    start: int
    end: int


@dataclass
class Film:
    path: str
    frames: int
    truths: list[Truth] = field(default_factory=list)
    decoys: list[Decoy] = field(default_factory=list)


def read_segment(name: str, start: float, dur: float, size: tuple[int, int] = (W, H), fps: int = FPS) -> np.ndarray:
    """Frames of one stretch of a source, scaled to the film size and rate (RGB uint8)."""
    w, h = size
    # Some containers (MPEG-PS, WebM) hand out a frame from before the seek point first: read a
    # little earlier and drop the first frames so a segment never starts with a stray picture.
    lead = 3
    start = max(0.0, start - lead / fps)
    cmd = ["ffmpeg", "-v", "error", "-ss", f"{start:.3f}", "-i", str(media_dir() / name), "-t", f"{dur + lead / fps:.3f}",
           "-vf", f"fps={fps},scale={w}:{h},setsar=1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)[lead:].copy()


class Writer:
    """Streams frames into an H.264 encoder and counts them (the count is the ground truth)."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int) -> None:
        w, h = size
        self.proc = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(fps),
             "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", str(path)],
            stdin=subprocess.PIPE)
        self.n = 0

    def write(self, frame: np.ndarray) -> None:
        self.proc.stdin.write(np.ascontiguousarray(frame, np.uint8).tobytes())
        self.n += 1

    def close(self) -> None:
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise RuntimeError("ffmpeg encoder failed")


def _blend(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    return (a.astype(np.float32) * (1 - alpha) + b.astype(np.float32) * alpha).round().astype(np.uint8)


def _decoy(frames: np.ndarray, rng: random.Random, first: int) -> tuple[np.ndarray, Decoy | None]:
    """Put one decoy into the middle of a segment; returns the frames and where it is."""
    n = len(frames)
    if n < 64:
        return frames, None
    kind = rng.choice(["flash", "flash2", "whip", "light"])
    at = rng.randint(30, n - 30)
    frames = frames.copy()
    white = np.full_like(frames[0], 255)
    if kind in ("flash", "flash2"):
        k = 1 if kind == "flash" else 2
        for j in range(k):
            frames[at + j] = _blend(frames[at + j], white, 0.75)
        return frames, Decoy(kind, first + at, first + at + k)
    if kind == "whip":
        k = rng.randint(6, 10)
        w = frames.shape[2]
        for j in range(k):
            shift = int(w * (j + 1) / (k + 1))
            step = max(1, w // (k + 1) // 6)
            acc = np.zeros(frames[0].shape, np.float32)
            for s in range(6):   # motion blur along the pan
                acc += np.roll(frames[at + j], shift + s * step, axis=1)
            frames[at + j] = (acc / 6).astype(np.uint8)
        return frames, Decoy("whip", first + at, first + at + k)
    # lighting change: the picture brightens over 3 frames and stays bright
    for j in range(at, n):
        gain = 1.0 + 0.45 * min(1.0, (j - at + 1) / 3)
        frames[j] = np.clip(frames[j].astype(np.float32) * gain, 0, 255).astype(np.uint8)
    return frames, Decoy("light", first + at, first + at + 3)


WIPE_SHAPES = ("left", "right", "up", "down", "diagonal", "diagonal_back", "box", "clock")


def wipe_order(shape: str, h: int, w: int) -> np.ndarray:
    """When each pixel switches to the new picture, 0..1 (xfade's wipeleft, wiperight, ...,
    a diagonal edge, a box growing from the top-left corner, a clock hand from 12 o'clock)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    x /= w - 1
    y /= h - 1
    if shape == "left":          # the edge moves right to left
        return 1.0 - x
    if shape == "right":
        return x
    if shape == "up":
        return 1.0 - y
    if shape == "down":
        return y
    if shape == "diagonal":
        return (x + y) / 2
    if shape == "diagonal_back":
        return (2.0 - x - y) / 2
    if shape == "box":
        return np.maximum(x, y)
    return (np.arctan2(x - 0.5, 0.5 - y) % (2 * np.pi)) / (2 * np.pi)   # clock


def _wipe(a: np.ndarray, b: np.ndarray, order: np.ndarray, alpha: float) -> np.ndarray:
    """One wipe frame: b where the edge has passed (hard edge, as xfade's wipes), else a."""
    return np.where((order < alpha)[..., None], b, a)


def build_film(path: Path, seed: int, seconds: float, size: tuple[int, int] = (W, H), fps: int = FPS,
               decoy_rate: float = 0.45, wipes: float = 0.0) -> Film:
    """Join random stretches of different sources with known transitions; write `path` + .json.

    `wipes` is the weight of wipes among the transitions; 0 (the default) draws exactly the
    random numbers it always did, so the films of a seed never change."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = Writer(path, size, fps)
    film = Film(str(path), 0)
    tail: np.ndarray | None = None   # last frames of the previous segment, not yet written
    last_src = None
    total = int(seconds * fps)
    first = True
    while writer.n < total:
        src = rng.choice([s for s in SOURCES if s[0] != last_src])
        last_src = src[0]
        name, lo, hi = src
        dur = min(hi - lo, rng.uniform(1.6, 4.0))
        start = rng.uniform(lo, hi - dur)
        seg = read_segment(name, start, dur, size, fps)
        if len(seg) < 30:
            continue
        if first:
            kind = "fade_in"
        elif wipes:
            kind = rng.choices(["cut", "dissolve", "fade_through_black", "wipe"], [0.55, 0.28, 0.17, wipes])[0]
        else:
            kind = rng.choices(["cut", "dissolve", "fade_through_black"], [0.55, 0.28, 0.17])[0]
        if kind == "fade_in":
            n = rng.randint(10, 25)
            for j in range(n):
                seg[j] = (seg[j].astype(np.float32) * (j + 1) / (n + 1)).astype(np.uint8)
            film.truths.append(Truth("fade_in", 0, n))
        elif kind == "cut":
            for f in tail:
                writer.write(f)
            film.truths.append(Truth("cut", writer.n, writer.n + 1))
        elif kind in ("dissolve", "wipe"):
            n = min(rng.randint(8, 30), len(tail), len(seg) // 2)
            if kind == "wipe":
                order = wipe_order(rng.choice(WIPE_SHAPES), seg.shape[1], seg.shape[2])
                mix = lambda a, b, t, order=order: _wipe(a, b, order, t)   # noqa: E731
            else:
                mix = _blend
            keep = len(tail) - n
            for f in tail[:keep]:
                writer.write(f)
            s0 = writer.n
            for j in range(n):
                writer.write(mix(tail[keep + j], seg[j], (j + 1) / (n + 1)))
            seg = seg[n:]
            film.truths.append(Truth(kind, s0, s0 + n))
        else:  # fade through black
            n1, hold, n2 = min(rng.randint(6, 20), len(tail)), rng.choice([0, 0, 2, 5, 10]), rng.randint(6, 20)
            keep = len(tail) - n1
            for f in tail[:keep]:
                writer.write(f)
            s0 = writer.n
            for j in range(n1):
                writer.write((tail[keep + j].astype(np.float32) * (1 - (j + 1) / n1)).astype(np.uint8))
            black = np.zeros_like(seg[0])
            for _ in range(hold):
                writer.write(black)
            for j in range(n2):
                seg[j] = (seg[j].astype(np.float32) * (j + 1) / (n2 + 1)).astype(np.uint8)
            film.truths.append(Truth("fade_through_black", s0, writer.n + n2))
        first = False
        # decoys stay clear of both ends of the segment (and so of every transition)
        if rng.random() < decoy_rate:
            seg, decoy = _decoy(seg, rng, writer.n)
            if decoy:
                film.decoys.append(decoy)
        tail_len = min(30, len(seg) // 2)
        for f in seg[: len(seg) - tail_len]:
            writer.write(f)
        tail = seg[len(seg) - tail_len:]
    n = min(len(tail), rng.randint(12, 25))
    keep = len(tail) - n
    for f in tail[:keep]:
        writer.write(f)
    s0 = writer.n
    for j in range(n):
        writer.write((tail[keep + j].astype(np.float32) * (1 - (j + 1) / n)).astype(np.uint8))
    film.truths.append(Truth("fade_out", s0, writer.n))
    writer.close()
    film.frames = writer.n
    Path(str(path) + ".json").write_text(json.dumps(asdict(film), indent=1))
    return film


def load_film(path: Path) -> Film:
    data = json.loads(Path(str(path) + ".json").read_text())
    return Film(data["path"], data["frames"], [Truth(**t) for t in data["truths"]], [Decoy(**d) for d in data["decoys"]])


# ----------------------------------------------------------------------------- detectors
# Each runner returns (transitions, seconds, frames); a transition is (type, start, end).
Found = list[tuple[str, int, int]]


def run_ours(path: str, model: str = "auto", threads: int = 2, warm: bool = False,
             runtime: str = "auto") -> tuple[Found, float, int, dict]:
    """Ours in-process. warm=True loads the referee before the clock starts: the daemon keeps
    it loaded, so only its first file pays the runtime's start-up. runtime: the referee's
    runtime (shots_referee_runtime: auto = ONNX, exported beforehand; torch = the package's
    module)."""
    sys.path.insert(0, str(ROOT / "daemon"))
    os.environ["RUSHES_SHOTS_REFEREE_RUNTIME"] = runtime
    from rushes.decode.decode import decode_pass
    from rushes.settings import load_settings
    from rushes.shots.analyse import ShotAnalyser

    settings = load_settings()
    if warm:
        from rushes.shots import referee

        for n in (48, 96):
            referee.predict_window(np.zeros((n, 27, 48, 3), np.uint8), threads, settings)
    t0 = time.perf_counter()
    an = ShotAnalyser(settings, model, threads)
    info = decode_pass(path, [an], threads=threads)
    res = an.result(info)
    dt = time.perf_counter() - t0
    found = [(t.type, t.start, t.end) for t in res.transitions]
    extra = {"referee_frames": an.referee_frames, "referee_s": round(an.referee_seconds, 2), "shots": len(res.shots)}
    return found, dt, info.frame_count, extra


def _fps_of(path: str) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate",
                          "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout.strip()
    num, den = out.split("/")
    return int(num) / int(den)


def run_pyscenedetect(path: str, kind: str) -> tuple[Found, float, int, dict]:
    from scenedetect import AdaptiveDetector, ContentDetector, SceneManager, open_video

    t0 = time.perf_counter()
    video = open_video(path)
    sm = SceneManager()
    sm.add_detector(ContentDetector() if kind == "content" else AdaptiveDetector())
    sm.detect_scenes(video)
    scenes = sm.get_scene_list()
    dt = time.perf_counter() - t0
    found = [("cut", s.get_frames(), s.get_frames() + 1) for s, _ in scenes[1:]]
    return found, dt, video.frame_number, {}


def run_ffmpeg_scene(path: str, threshold: float = 0.3, threads: int = 2) -> tuple[Found, float, int, dict]:
    fps = _fps_of(path)
    t0 = time.perf_counter()
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-threads", str(threads), "-i", path, "-filter:v",
                           f"select='gt(scene,{threshold})',showinfo", "-f", "null", "-"],
                          capture_output=True, text=True)
    dt = time.perf_counter() - t0
    frames = sorted({int(round(float(m) * fps)) for m in re.findall(r"pts_time:([0-9.]+)", proc.stderr)})
    return [("cut", f, f + 1) for f in frames], dt, 0, {}


def run_plain_decode(path: str, threads: int = 2) -> tuple[Found, float, int, dict]:
    t0 = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-threads", str(threads), "-i", path, "-f", "null", "-"], check=True)
    return [], time.perf_counter() - t0, 0, {}


def run_transnet(path: str, threads: int = 2) -> tuple[Found, float, int, dict]:
    """TransNetV2 on every frame the way its own package does it (ffmpeg scales to 48x27)."""
    sys.path.insert(0, str(ROOT / "daemon"))
    # the package's own module at its own precision (ours runs the exported graph)
    os.environ["RUSHES_SHOTS_REFEREE_RUNTIME"] = "torch"
    os.environ["RUSHES_SHOTS_REFEREE_PRECISION"] = "fp32"
    from rushes.settings import load_settings
    from rushes.shots.referee import predict

    settings = load_settings()
    t0 = time.perf_counter()
    raw = subprocess.run(["ffmpeg", "-v", "error", "-threads", str(threads), "-i", path, "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-s", "48x27", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 27, 48, 3)
    single, _many = predict(frames, threads, settings)
    dt = time.perf_counter() - t0
    found: Found = []
    above = single > 0.5
    p = 0
    # TransNetV2's predictions_to_scenes: a scene ends where the score rises above 0.5 and the
    # next starts after the run; a one-frame run is a cut at the next frame.
    while p < len(above):
        if above[p]:
            q = p
            while q + 1 < len(above) and above[q + 1]:
                q += 1
            if q == p:
                found.append(("cut", q + 1, q + 2))
            else:
                found.append(("dissolve", p + 1, q + 1))
            p = q + 1
        else:
            p += 1
    return found, dt, len(frames), {}


RUNNERS = {
    "plain_decode": run_plain_decode,
    "ours": lambda p: run_ours(p, "auto"),
    "ours_off": lambda p: run_ours(p, "off"),
    "ours_warm": lambda p: run_ours(p, "auto", warm=True),
    "ours_torch": lambda p: run_ours(p, "auto", runtime="torch"),
    "ours_full": lambda p: run_ours(p, "full"),
    "pyscenedetect_content": lambda p: run_pyscenedetect(p, "content"),
    "pyscenedetect_adaptive": lambda p: run_pyscenedetect(p, "adaptive"),
    "ffmpeg_scene": run_ffmpeg_scene,
    "transnetv2_full": run_transnet,
}


def run_child(method: str, path: str, threads: int) -> dict:
    """Run one detector in a fresh process (clean timing, its own peak memory)."""
    env = dict(os.environ, RUSHES_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    proc = subprocess.run([sys.executable, __file__, "--child", method, path, "--threads", str(threads)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{method} on {path} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- scoring

def score(truths: list[Truth], found: Found, tol: int = 2) -> dict:
    """Precision/recall/F1 for cuts and for gradual transitions (see module docstring)."""
    gt = [(t.type, t.start, t.end) for t in truths]
    used = [False] * len(found)
    matched_gt = [False] * len(gt)
    match_of: dict[int, int] = {}       # ground truth -> the detection it matched

    def fits(g, d) -> bool:
        gtype, gs, ge = g
        dtype, ds, de = d
        if gtype == "cut":
            pos = ds if dtype == "cut" else None
            if pos is not None:
                return abs(pos - gs) <= tol
            return ds - tol <= gs <= de + tol and (de - ds) <= 6
        span = (ds - 1, ds + 1) if dtype == "cut" else (ds, de)
        return span[0] < ge + tol and gs - tol < span[1]

    # cuts first (tight), then gradual; nearest detection wins
    for kind in ("cut", "gradual"):
        for gi, g in enumerate(gt):
            if matched_gt[gi] or (g[0] == "cut") != (kind == "cut"):
                continue
            best, best_d = None, None
            for di, d in enumerate(found):
                if used[di] or not fits(g, d):
                    continue
                dist = abs((d[1] + d[2]) / 2 - (g[1] + g[2]) / 2)
                if best is None or dist < best_d:
                    best, best_d = di, dist
            if best is not None:
                used[best] = True
                matched_gt[gi] = True
                match_of[gi] = best
    out = {}
    for kind in ("cut", "gradual"):
        is_kind = (lambda t: t == "cut") if kind == "cut" else (lambda t: t != "cut")
        n_gt = sum(1 for g in gt if is_kind(g[0]))
        tp = sum(1 for g, m in zip(gt, matched_gt) if m and is_kind(g[0]))
        fp = sum(1 for d, u in zip(found, used) if not u and is_kind(d[0]))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / n_gt if n_gt else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[kind] = {"gt": n_gt, "tp": tp, "fp": fp, "fn": n_gt - tp, "precision": p, "recall": r, "f1": f1}
    out["types"] = by_type(gt, found, match_of)
    return out


def by_type(gt: list[tuple[str, int, int]], found: Found, match_of: dict[int, int]) -> dict[str, list[int]]:
    """Per ground-truth type: [truths, found (as any type of its class), found with its own
    type, detections of that type, of which on a truth of that type]."""
    out: dict[str, list[int]] = {}
    for gi, (gtype, _, _) in enumerate(gt):
        row = out.setdefault(gtype, [0, 0, 0, 0, 0])
        row[0] += 1
        if gi in match_of:
            row[1] += 1
            row[2] += found[match_of[gi]][0] == gtype
    on_truth = {di: gt[gi][0] for gi, di in match_of.items()}
    for di, d in enumerate(found):
        row = out.setdefault(d[0], [0, 0, 0, 0, 0])
        row[3] += 1
        row[4] += on_truth.get(di) == d[0]
    return out


def memory_bench(minutes: list[float], threads: int, model: str = "auto") -> None:
    """Peak RSS of shot detection on long 1080p files: a one-minute 1080p encode looped with
    -stream_loop and stream copy (so making a two-hour file costs seconds, not hours)."""
    one = OUT / "bbb_1080p_1min.mp4"
    if not one.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "60", "-t", "60", "-i", str(media_dir() / "bbb.mp4"),
                        "-vf", "scale=1920:1080", "-an", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23",
                        str(one)], check=True)
    print("| file | frames | seconds | frames/s | peak RSS MB |")
    print("|---|---|---|---|---|")
    for m in minutes:
        path = OUT / f"bbb_1080p_{m:g}min.mp4"
        if not path.exists():
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(max(0, int(round(m)) - 1)), "-i", str(one),
                            "-c", "copy", str(path)], check=True)
        r = run_child("ours" if model == "auto" else f"ours_{model}", str(path), threads)
        print(f"| {m:g} min 1080p | {r['frames']} | {r['seconds']:.1f} | {r['frames'] / r['seconds']:.0f} | "
              f"{r['peak_mb']:.0f} |", flush=True)


def bench_films(films: list[Film], methods: list[str], args: argparse.Namespace) -> None:
    """Run every method on every film (rounds interleaved) and print the accuracy/speed table."""
    totals: dict[str, dict] = {}
    print(f"films: {len(films)}, frames: {sum(f.frames for f in films)}, transitions: "
          f"{sum(len(f.truths) for f in films)} ({sum(t.type == 'cut' for f in films for t in f.truths)} cuts), "
          f"decoys: {sum(len(f.decoys) for f in films)}")
    once = set(args.once.split(","))
    for film in films:
        runs: dict[str, list[dict]] = {}
        for rnd in range(max(1, args.rounds)):
            for m in methods:
                if rnd and m in once:
                    continue
                runs.setdefault(m, []).append(run_child(m, film.path, args.threads))
        for m in methods:
            rs = runs[m]
            r = dict(rs[0])
            r["seconds"] = float(np.median([x["seconds"] for x in rs]))
            r["peak_mb"] = max(x["peak_mb"] for x in rs)
            acc = totals.setdefault(m, {"seconds": 0.0, "peak_mb": 0.0, "cut": [0, 0, 0], "gradual": [0, 0, 0], "extra": {}})
            acc["seconds"] += r["seconds"]
            acc["peak_mb"] = max(acc["peak_mb"], r["peak_mb"])
            if m != "plain_decode":
                sc = score(film.truths, [tuple(x) for x in r["found"]])
                for k in ("cut", "gradual"):
                    acc[k][0] += sc[k]["tp"]
                    acc[k][1] += sc[k]["fp"]
                    acc[k][2] += sc[k]["fn"]
                for t, row in sc["types"].items():
                    tot = acc.setdefault("types", {}).setdefault(t, [0] * len(row))
                    tot[:] = [x + y for x, y in zip(tot, row)]
            for k in ("referee_frames", "referee_s"):
                if k in r:
                    acc["extra"][k] = acc["extra"].get(k, 0) + r[k]
            print(f"  {Path(film.path).name} {m}: median {r['seconds']:.1f}s of {[round(x['seconds'], 1) for x in rs]}",
                  flush=True)
    frames = sum(f.frames for f in films)
    base = totals.get("plain_decode", {}).get("seconds")
    print("\n| method | cut P | cut R | cut F1 | grad P | grad R | grad F1 | frames/s | x plain decode | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for m, acc in totals.items():
        def prf(k):
            tp, fp, fn = acc[k]
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            return f"{p:.3f} | {r:.3f} | {f:.3f}"
        ratio = f"{acc['seconds'] / base:.2f}" if base else "-"
        cells = "- | - | - | - | - | -" if m == "plain_decode" else f"{prf('cut')} | {prf('gradual')}"
        print(f"| {m} | {cells} | {frames / acc['seconds']:.0f} | {ratio} | {acc['peak_mb']:.0f} |"
              + (f" referee {acc['extra']}" if acc["extra"] else ""))
    if any(t.type == "wipe" for f in films for t in f.truths):
        print_type_lines(totals, "wipe")


def print_type_lines(totals: dict[str, dict], gtype: str) -> None:
    """One line per method for one transition type: recall (any gradual type, and typed right)
    and the precision of that type (its detections that lie on a truth of the type)."""
    print(f"\n{gtype}s per method: found (as any gradual) / found typed {gtype!r} / {gtype!r} precision")
    for m, acc in totals.items():
        row = acc.get("types", {}).get(gtype)
        if row is None:
            continue
        n, found, typed, dets, right = row
        prec = f"{right / dets:.3f} ({right}/{dets})" if dets else "- (0 typed)"
        print(f"  {m}: recall {found / max(1, n):.3f} ({found}/{n}), typed {typed / max(1, n):.3f} ({typed}/{n}), "
              f"precision {prec}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", nargs=2, metavar=("METHOD", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--films", type=int, default=2)
    ap.add_argument("--wipe-films", type=int, default=1, help="films with wipes among the transitions (film21, ...)")
    ap.add_argument("--seconds", type=float, default=150)
    ap.add_argument("--methods", default=",".join(RUNNERS))
    ap.add_argument("--bbb", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--bbb-methods", default=",".join(RUNNERS))
    ap.add_argument("--rounds", type=int, default=3,
                    help="timing rounds, methods interleaved; the median counts (the machine is shared)")
    ap.add_argument("--once", default="transnetv2_full,ours_full",
                    help="methods run in one round only (slow ones)")
    ap.add_argument("--memory", default="", help="comma-separated minutes of looped 1080p: peak memory only")
    args = ap.parse_args(argv)
    if not args.child:
        # the referee's runtime is prepared once per machine (`rushes models verify` does it);
        # the timed runs below are the steady state, not that one-time export
        sys.path.insert(0, str(ROOT / "daemon"))
        from rushes.settings import load_settings
        from rushes.shots import referee

        referee.get_runtime(load_settings(), args.threads)
    if args.memory:
        memory_bench([float(x) for x in args.memory.split(",")], args.threads)
        return 0
    if args.child:
        method, path = args.child
        found, dt, frames, extra = RUNNERS[method](path)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps({"found": found, "seconds": dt, "frames": frames, "peak_mb": max(peak, peak_children), **extra}))
        return 0
    if not shutil.which("ffmpeg"):
        print("ffmpeg is required", file=sys.stderr)
        return 2
    methods = args.methods.split(",")
    films = []
    for i in range(args.films):
        path = OUT / f"film{11 + i}.mp4"
        if not Path(str(path) + ".json").exists():
            print(f"building {path} ...", flush=True)
            build_film(path, 11 + i, args.seconds)
        films.append(load_film(path))
    if films:
        bench_films(films, methods, args)
    if args.wipe_films:
        wipe_films = []
        for i in range(args.wipe_films):
            path = OUT / f"film{21 + i}.mp4"
            if not Path(str(path) + ".json").exists():
                print(f"building {path} (with wipes) ...", flush=True)
                build_film(path, 21 + i, args.seconds, wipes=0.3)
            wipe_films.append(load_film(path))
        print("\nfilms with wipes:")
        bench_films(wipe_films, methods, args)
    once = set(args.once.split(","))
    if args.bbb:
        bbb = media_dir() / "bbb.mp4"
        if bbb.is_file():
            print("\nbbb.mp4 (14315 frames, no ground truth): time and number of transitions found")
            print("| method | seconds | frames/s | x plain decode | transitions (cuts) |")
            print("|---|---|---|---|---|")
            base_b = None
            bbb_runs: dict[str, list[dict]] = {}
            bbb_methods = args.bbb_methods.split(",")
            for rnd in range(max(1, min(args.rounds, 2))):
                for m in bbb_methods:
                    if rnd and m in once:
                        continue
                    bbb_runs.setdefault(m, []).append(run_child(m, str(bbb), args.threads))
            for m in bbb_methods:
                r = dict(bbb_runs[m][0])
                r["seconds"] = float(np.median([x["seconds"] for x in bbb_runs[m]]))
                if m == "plain_decode":
                    base_b = r["seconds"]
                cuts = sum(1 for t in r["found"] if t[0] == "cut")
                ratio = f"{r['seconds'] / base_b:.2f}" if base_b else "-"
                print(f"| {m} | {r['seconds']:.1f} | {14315 / r['seconds']:.0f} | {ratio} | {len(r['found'])} ({cuts}) |", flush=True)
                if m == "ours":
                    OUT.mkdir(parents=True, exist_ok=True)
                    (OUT / "bbb_ours.json").write_text(json.dumps(r["found"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
