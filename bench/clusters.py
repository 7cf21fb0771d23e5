"""Clustering bench: scenes and people on a test film with exact ground truth, editor feedback, scale.

1. A test film is cut together from the real footage (../shared/media): every scene is one
   source (a street, a night skyline, a cockatoo, a rocket launch, two stretches of Big Buck
   Bunny, a webcam talking head, the carphone clip...), cut into several shots that are
   interleaved so no two shots of a scene are adjacent. Real portraits (three photos of Obama,
   one of Biden, the astronaut) are composited into frames of shots of other scenes, jittered in
   size, place and brightness, so each person appears in several non-adjacent shots and scenes.
   Ground truth is exact: the scene of every shot, the person and the box of every face.
2. The film is analysed by the daemon. With the shot step present (`rushes.shots.step`), it is
   ingested through `rushes serve` like any file; without it the bench stores the true shot
   boundaries and runs the real faces, embed and cluster steps on them in process (mode
   "truth-shots", printed). Either way the clusters are then read over gRPC.
3. Scores: pairwise precision / recall / F1 and NMI for scenes (over shots) and people (over
   face tracks that match a true face); noise members count as singletons.
4. A simulated editor fixes the worst 5 mistakes per view (the corrections that raise pairwise
   F1 most), through SubmitFeedback; then Recluster, and the scores are printed again on the
   members nobody touched, with a check that every correction still holds.
5. Scale: 100,000 generated 512-d vectors clustered by the engine's density path (PCA to 16
   dimensions, then HDBSCAN's Boruvka KD-tree) on 2 cores, timed, with peak memory; the quality
   cost of the reduction is measured on a subsample against plain HDBSCAN in 512 dimensions.
6. Scene vectors (bench/scene_sets.py): every scene embedder x clustering on the film set and a
   rushes-like set of takes, members of three keyframes and of one; then the same simulated
   editor in process on each set (feedback_on_sets): untouched-shot F1 before and after 5
   corrections with pins and links only and with the guided linkage the daemon ships.

    .venv/bin/python bench/clusters.py [--skip-scale] [--scale-n 100000] [--keep]
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "clusters"
FPS = 25
W, H = 640, 360

sys.path.insert(0, str(ROOT / "daemon"))
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "protos"))


def media_dir() -> Path:
    return Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()


# scene name -> (file, first second, last second usable, shots, native person or None)
SCENES: dict[str, tuple[str, float, float, int, str | None]] = {
    "street": ("pedestrians.avi", 1.0, 78.0, 6, None),
    "bikes": ("bikes.mp4", 0.0, 9.8, 5, None),
    "night": ("city_night.mpg", 0.0, 7.5, 4, None),
    "cockatoo": ("cockatoo.mp4", 0.0, 13.8, 5, None),
    "rocket": ("rocket_launch.webm", 0.0, 8.0, 4, None),
    "meadow": ("bbb.mp4", 120.0, 180.0, 5, None),
    "forest": ("bbb.mp4", 430.0, 490.0, 5, None),
    "webcam": ("talking_head.mp4", 0.0, 8.2, 4, "webcam_host"),
    "carphone": ("carphone.mp4", 0.0, 3.9, 3, "carphone_driver"),
}
# person -> portrait files (Obama has three different photos)
PEOPLE = {"obama": ["obama.jpg", "obama2.jpg", "obama3.jpg"], "biden": ["biden.jpg"], "astronaut": ["astronaut.png"]}
FACELESS = [s for s, v in SCENES.items() if v[4] is None]


@dataclass
class Face:
    person: str
    box: list[int]            # x0, y0, x1, y1 in film pixels (where the portrait's face lands)


@dataclass
class TruthShot:
    index: int
    scene: str
    source: str
    source_start: float
    start: int                # film frame, inclusive
    end: int                  # exclusive
    faces: list[Face] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- film

def _detect_face(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The biggest dlib face in a portrait (to crop head and shoulders around it)."""
    import dlib

    det = dlib.get_frontal_face_detector()
    small = rgb
    scale = 1.0
    if max(rgb.shape[:2]) > 800:
        scale = 800 / max(rgb.shape[:2])
        from PIL import Image

        small = np.asarray(Image.fromarray(rgb).resize((int(rgb.shape[1] * scale), int(rgb.shape[0] * scale))))
    rects = sorted(det(small, 1), key=lambda r: -r.width() * r.height())
    if not rects:
        raise RuntimeError("no face in portrait")
    r = rects[0]
    return (int(r.left() / scale), int(r.top() / scale), int(r.right() / scale), int(r.bottom() / scale))


def _portraits() -> dict[str, list[tuple[np.ndarray, tuple[int, int, int, int]]]]:
    """Head-and-shoulders crops of each portrait with the face box inside the crop."""
    from PIL import Image

    out: dict[str, list] = {}
    for person, files in PEOPLE.items():
        for f in files:
            rgb = np.asarray(Image.open(media_dir() / f).convert("RGB"))
            x0, y0, x1, y1 = _detect_face(rgb)
            fw, fh = x1 - x0, y1 - y0
            # A tight head crop: a face the detector finds while covering little of the scene.
            cx0, cy0 = max(0, x0 - int(0.35 * fw)), max(0, y0 - int(0.5 * fh))
            cx1, cy1 = min(rgb.shape[1], x1 + int(0.35 * fw)), min(rgb.shape[0], y1 + int(0.4 * fh))
            crop = rgb[cy0:cy1, cx0:cx1]
            out.setdefault(person, []).append((crop, (x0 - cx0, y0 - cy0, x1 - cx0, y1 - cy0)))
    return out


def _segment(src: Path, start: float, frames: int) -> np.ndarray:
    """`frames` RGB frames at FPS, scaled and cropped to fill W x H, from `start` seconds. Short
    sources are decoded from their start (scene_sets.DECODE_FROM_START_S): a fast seek into
    cockatoo.mp4 lands on a non-IDR keyframe and decodes grey and green blocks."""
    import scene_sets

    seek = ["-i", str(src), "-ss", f"{start:.3f}"] if scene_sets._duration(src) < scene_sets.DECODE_FROM_START_S \
        else ["-ss", f"{start:.3f}", "-i", str(src)]
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", *seek,
           "-vf", f"fps={FPS},scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H},setsar=1",
           "-frames:v", str(frames), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    arr = np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3)
    if len(arr) < frames:          # pad a short read with its last frame
        arr = np.concatenate([arr, np.repeat(arr[-1:], frames - len(arr), axis=0)])
    return arr


def _paste(frame: np.ndarray, crop: np.ndarray, face: tuple[int, int, int, int], height: int, x: int, y: int,
           gain: float) -> list[int]:
    from PIL import Image

    scale = height / crop.shape[0]
    w = max(8, int(crop.shape[1] * scale))
    img = np.asarray(Image.fromarray(crop).resize((w, height), Image.BILINEAR)).astype(np.float32) * gain
    x = min(max(0, x), W - w)
    y = min(max(0, y), H - height)
    frame[y:y + height, x:x + w] = np.clip(img, 0, 255).astype(np.uint8)
    return [x + int(face[0] * scale), y + int(face[1] * scale), x + int(face[2] * scale), y + int(face[3] * scale)]


def build_film(out: Path, seed: int = 7) -> tuple[Path, list[TruthShot]]:
    """Write the test film and return its ground truth (also saved as truth.json)."""
    rng = random.Random(seed)
    portraits = _portraits()
    # Interleave scenes so that no two shots of one scene are adjacent.
    queue = {s: list(range(v[3])) for s, v in SCENES.items()}
    order: list[str] = []
    while any(queue.values()):
        choices = [s for s in queue if queue[s] and (not order or order[-1] != s)]
        if not choices:
            choices = [s for s in queue if queue[s]]
        weights = [len(queue[s]) for s in choices]
        s = rng.choices(choices, weights)[0]
        queue[s].pop()
        order.append(s)
    # Faces: each person appears in 4-6 shots of faceless scenes, never two adjacent shots.
    slots = [i for i, s in enumerate(order) if s in FACELESS]
    rng.shuffle(slots)
    assignment: dict[int, list[str]] = {}
    plan = {"obama": 6, "biden": 5, "astronaut": 4}
    for person, count in plan.items():
        taken = 0
        for i in list(slots):
            if taken == count:
                break
            near = [j for j in (i - 1, i + 1) if person in assignment.get(j, [])]
            if near or len(assignment.get(i, [])) >= 2:
                continue
            assignment.setdefault(i, []).append(person)
            taken += 1
            if len(assignment[i]) == 1 and rng.random() < 0.7:
                slots.remove(i)
    used: dict[str, int] = {s: 0 for s in SCENES}
    frames_out: list[np.ndarray] = []
    truth: list[TruthShot] = []
    cursor = 0
    for i, scene in enumerate(order):
        file, first, last, count, native = SCENES[scene]
        k = used[scene]
        used[scene] += 1
        length = rng.randint(int(1.2 * FPS), int(2.0 * FPS)) if scene != "carphone" else int(1.2 * FPS)
        window = (last - first) / count
        start = first + k * window + rng.uniform(0, max(0.0, window - length / FPS))
        seg = _segment(media_dir() / file, start, length).copy()
        shot = TruthShot(i, scene, file, round(start, 3), cursor, cursor + length)
        if native:
            shot.faces.append(Face(native, []))
        people = assignment.get(i, [])
        for j, person in enumerate(people):
            crop, face = rng.choice(portraits[person])
            height = rng.randint(130, 180) if len(people) == 1 else rng.randint(120, 150)
            x = rng.randint(20, 120) if j == 0 else rng.randint(360, 460)
            if len(people) == 1 and rng.random() < 0.5:
                x = rng.randint(300, 440)
            y = rng.randint(10, H - height - 10)
            gain = rng.uniform(0.8, 1.15)
            drift = rng.uniform(-0.6, 0.6)
            box = None
            for f in range(length):
                box = _paste(seg[f], crop, face, height, int(x + drift * f), y, gain)
            first_box = _paste(seg[0].copy(), crop, face, height, x, y, gain)
            shot.faces.append(Face(person, [min(first_box[0], box[0]), first_box[1], max(first_box[2], box[2]),
                                            first_box[3]]))
        frames_out.append(seg)
        truth.append(shot)
        cursor += length
    out.mkdir(parents=True, exist_ok=True)
    film = out / "film.mp4"
    enc = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt",
                            "rgb24", "-s", f"{W}x{H}", "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-preset",
                            "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-g", "50", str(film)],
                           stdin=subprocess.PIPE)
    for seg in frames_out:
        enc.stdin.write(seg.tobytes())
    enc.stdin.close()
    if enc.wait() != 0:
        raise RuntimeError("ffmpeg could not encode the test film")
    (out / "truth.json").write_text(json.dumps([asdict(t) for t in truth], indent=1))
    return film, truth


# ---------------------------------------------------------------------------------------- daemon

def link_pulled_models(home: Path) -> list[str]:
    """Link the default models this machine pulled (`rushes models pull --defaults`) into a bench
    data folder, as a user's data folder has them: the scene vectors are then the default ones."""
    from rushes.models import registry, wheels
    from rushes.settings import load_settings

    real, done = load_settings(), []
    for name in registry.default_models():
        folder = wheels.cached(registry.spec(name), real)
        if folder is not None:
            wheels.link_into(registry.spec(name), folder, home / "models")
            done.append(name)
    return done


class Daemon:
    """`rushes serve` on a free loopback port with its own RUSHES_HOME."""

    def __init__(self, home: Path) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.home = home
        self.address = f"127.0.0.1:{port}"
        self.env = {**os.environ, "RUSHES_HOME": str(home), "RUSHES_ADDRESS": self.address,
                    "RUSHES_THREADS": "2", "PYTHONPATH": os.pathsep.join(
                        [str(ROOT / "daemon"), str(ROOT / "plugins"), str(ROOT / "protos")])}
        self.proc = None

    def __enter__(self) -> "Daemon":
        from rushes_client import DaemonUnavailable, connect

        self.home.mkdir(parents=True, exist_ok=True)
        link_pulled_models(self.home)
        log = (self.home / "daemon.log").open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "rushes.cli.main", "serve"], env=self.env,
                                     stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            from rushes_client.config import read_token_file

            token = read_token_file(self.home)      # loopback TCP: the token the daemon made at start
            if token is None:
                time.sleep(0.2)
                continue
            try:
                self.client = connect(self.address, token, timeout=0.5)
                return self
            except DaemonUnavailable:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.home / "daemon.log").read_text())
        raise RuntimeError("daemon did not start")

    def cli(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "rushes.cli.main", *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=3600).stdout

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def analyse_truth_shots(home: Path, film: Path, truth: list[TruthShot]) -> None:
    """Without the shot step: store the true shots (3 keyframes each), run faces, embed, cluster."""
    from rushes.catalog import Catalog, media_rows, projects
    from rushes.clustering import step as cluster_step
    from rushes.embed import step as embed_step
    from rushes.faces import step as faces_step
    from rushes.ingest.fingerprint import fingerprint
    from rushes.ingest.probe import probe
    from rushes.steps.context import StepContext
    from rushes.settings import load_settings
    from rushes.vectors import open_store

    settings = load_settings({"RUSHES_HOME": str(home), "RUSHES_THREADS": "2"})
    cat = Catalog.open(settings.catalog_path)
    store = open_store(settings)
    result = probe(film).to_dict()
    with cat.transaction() as conn:
        pid = projects.ensure_project(conn, "default")
        mid = media_rows.upsert_media(conn, fingerprint=fingerprint(film), path=str(film), size=film.stat().st_size,
                                   mtime=film.stat().st_mtime, probe={k: result.get(k) for k in media_rows.MEDIA_FIELDS},
                                   status="analysing", reason=None, probe_json=json.dumps(result, default=str))
        projects.link_media(conn, pid, mid)
        for t in truth:
            sid = conn.execute("INSERT INTO shots(media_id, idx, start_frame, end_frame) VALUES (?,?,?,?)",
                               (mid, t.index, t.start, t.end)).lastrowid
            n = t.end - t.start
            for role, f in (("first", t.start + 2), ("middle", t.start + n // 2), ("last", t.end - 3)):
                conn.execute("INSERT INTO keyframes(shot_id, frame, role) VALUES (?,?,?)", (sid, f, role))
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    ctx = StepContext(catalog=cat, vectors=store, settings=settings, media=media, project_id=pid, job_id=0)
    for step in (faces_step, embed_step, cluster_step):
        t0 = time.perf_counter()
        step.run(ctx)
        print(f"  step {step.__name__.split('.')[-2]}: {time.perf_counter() - t0:.1f} s", flush=True)
    with cat.transaction() as conn:
        media_rows.set_media_status(conn, mid, "ready")
    store.close()
    cat.close()


# ---------------------------------------------------------------------------------------- scoring

def pairwise(pred: list, truth: list) -> dict[str, float]:
    """Pairwise precision / recall / F1 and NMI; pred None = noise (a singleton each)."""
    from sklearn.metrics import normalized_mutual_info_score

    labels = [p if p is not None else f"__noise{i}" for i, p in enumerate(pred)]
    n = len(labels)
    tp = fp = fn = 0
    for i in range(n):
        for j in range(i + 1, n):
            same_p, same_t = labels[i] == labels[j], truth[i] == truth[j]
            tp += same_p and same_t
            fp += same_p and not same_t
            fn += same_t and not same_p
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    nmi = float(normalized_mutual_info_score(truth, labels)) if n else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "nmi": round(nmi, 4), "n": n,
            "noise": sum(1 for x in pred if x is None)}


@dataclass
class Truths:
    shot_scene: dict[str, str]                 # catalog shot id -> scene
    track_person: dict[str, str]               # catalog track id -> person (matched faces only)
    unmatched_tracks: list[str]


def map_truth(home: Path, truth: list[TruthShot]) -> Truths:
    """Catalog shots -> true scene (largest frame overlap); tracks -> true person (box overlap)."""
    import sqlite3

    conn = sqlite3.connect(home / "catalog.sqlite3")
    shots = conn.execute("SELECT id, start_frame, end_frame FROM shots").fetchall()
    shot_truth: dict[int, TruthShot] = {}
    for sid, s, e in shots:
        best = max(truth, key=lambda t: min(e, t.end) - max(s, t.start))
        if min(e, best.end) - max(s, best.start) > 0:
            shot_truth[sid] = best
    tracks = conn.execute("SELECT id, shot_id, box_json, first_frame, end_frame FROM face_tracks").fetchall()
    conn.close()
    track_person, unmatched = {}, []
    for tid, sid, box_json, f0, f1 in tracks:
        t = shot_truth.get(sid)
        box = json.loads(box_json) if box_json else None
        person = None
        if t is not None:
            native = [f.person for f in t.faces if not f.box]
            best, best_iou = None, 0.0
            for f in t.faces:
                if f.box and box:
                    iou = _overlap(box, f.box)
                    if iou > best_iou:
                        best, best_iou = f.person, iou
            person = best if best_iou > 0.2 else (native[0] if native else None)
        if person is None:
            unmatched.append(str(tid))
        else:
            track_person[str(tid)] = person
    return Truths({str(k): v.scene for k, v in shot_truth.items()}, track_person, unmatched)


def _overlap(a: list, b: list) -> float:
    """Intersection over the smaller box (a face box sits inside the pasted portrait's face area)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / small if small > 0 else 0.0


def _clusters(client, view: str) -> list[dict]:
    from rushes_proto.v1 import rushes_pb2 as pb

    resp = client.call("ListClusters", pb.ListClustersRequest(project="default", view=view))
    return [{"id": c.id, "shots": list(c.shots), "tracks": list(c.tracks)} for c in resp.clusters]


def assignment(clusters: list[dict], field: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for c in clusters:
        for m in c[field]:
            out[m] = None if c["id"] == "noise" else c["id"]
    return out


def score(assign: dict[str, str | None], truth: dict[str, str], members: set[str] | None = None) -> dict:
    keys = sorted(k for k in truth if (members is None or k in members))
    return pairwise([assign.get(k) for k in keys], [truth[k] for k in keys])


# ---------------------------------------------------------------------------------------- editor

def corrections(assign: dict[str, str | None], truth: dict[str, str], protected: set[str]) -> list[dict]:
    """Every single correction an editor could make, with the F1 it would reach if made alone."""
    keys = sorted(truth)
    base = dict(assign)
    clusters: dict[str, list[str]] = {}
    for k in keys:
        if base.get(k) is not None:
            clusters.setdefault(base[k], []).append(k)
    major = {c: max(sorted(set(truth[m] for m in ms)), key=lambda t: sum(truth[m] == t for m in ms))
             for c, ms in clusters.items()}
    home_of: dict[str, str] = {}
    for c, t in sorted(major.items(), key=lambda kv: -len(clusters[kv[0]])):
        home_of.setdefault(t, c)
    out = []

    def f1_after(change: dict[str, str | None]) -> float:
        trial = {**base, **change}
        return score(trial, truth)["f1"]

    for k in keys:
        if k in protected:
            continue
        right = home_of.get(truth[k])
        cur = base.get(k)
        if cur is not None and major.get(cur) == truth[k] and right == cur:
            continue
        target = right if right is not None else "noise"
        if (cur is None and target == "noise") or target == cur:
            continue
        out.append({"action": "move", "members": [k], "cluster": target,
                    "f1": f1_after({k: None if target == "noise" else target})})
    by_truth: dict[str, list[str]] = {}
    for c, t in major.items():
        by_truth.setdefault(t, []).append(c)
    for t, cs in by_truth.items():
        if len(cs) > 1:
            cs = sorted(cs, key=lambda c: -len(clusters[c]))
            change = {m: cs[0] for c in cs[1:] for m in clusters[c]}
            out.append({"action": "merge", "clusters": cs[:2], "f1": f1_after(change)})
    return sorted(out, key=lambda c: -c["f1"])


def simulate_editor(client, view: str, field: str, truth: dict[str, str], fixes: int = 5) -> tuple[list, set]:
    """Apply the worst `fixes` mistakes' corrections over gRPC; returns (corrections, touched members)."""
    from rushes_proto.v1 import rushes_pb2 as pb

    done, touched = [], set()
    for _ in range(fixes):
        assign = assignment(_clusters(client, view), field)
        cands = corrections(assign, truth, touched)
        if not cands:
            break
        c = cands[0]
        req = pb.FeedbackRequest(project="default", action=c["action"], view=view, members=c.get("members", []),
                                 cluster=c.get("cluster", ""), clusters=c.get("clusters", []), source="bench-editor")
        client.call("SubmitFeedback", req)
        if c["action"] == "merge":
            touched |= {m for m, cid in assign.items() if cid in c["clusters"]}
        else:
            touched |= set(c["members"])
        done.append(c)
    return done, touched


def held(client, view: str, field: str, done: list[dict], truth_before: dict[str, str | None]) -> list[str]:
    """Corrections that a later clustering undid (must be empty)."""
    after = assignment(_clusters(client, view), field)
    broken = []
    for c in done:
        if c["action"] == "move":
            want = None if c["cluster"] == "noise" else c["cluster"]
            for m in c["members"]:
                if after.get(m) != want:
                    broken.append(f"move {m} -> {c['cluster']} undone ({after.get(m)})")
        else:
            members = [m for m, cid in truth_before.items() if cid in c["clusters"]]
            if len({after.get(m) for m in members}) != 1:
                broken.append(f"merge {c['clusters']} undone")
    return broken


# ---------------------------------------------------------------------------------------- scale

def scale_bench(n: int, dim: int = 512, k: int = 200, threads: int = 2, sub: int = 6000, sampled: int = 40000,
                seed: int = 0) -> dict:
    """Time the engine's density path on n generated vectors; quality cost on a subsample."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from rushes.clustering import density

    rng = np.random.default_rng(seed)
    # Embedding-like data: k clusters whose centres live in a 64-d subspace of the 512-d space,
    # anisotropic spread, plus 5% scattered noise.
    basis = np.linalg.qr(rng.normal(size=(dim, 64)))[0]
    centres = rng.normal(size=(k, 64)) @ basis.T
    sizes = rng.multinomial(int(n * 0.95), rng.dirichlet(np.full(k, 2.0)))
    xs, ys = [], []
    for c, s in enumerate(sizes):
        xs.append(centres[c] + 0.35 * rng.normal(size=(s, dim)) * rng.uniform(0.5, 1.5, size=dim))
        ys += [c] * s
    extra = n - sum(sizes)
    xs.append(rng.normal(size=(extra, dim)) * 1.2)
    ys += [-1] * extra
    x = density.normalise(np.concatenate(xs).astype(np.float32))
    y = np.array(ys)
    del xs
    t0 = time.perf_counter()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = density.cluster(x, min_cluster_size=25, min_samples=10, threads=threads)
    secs = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"n": n, "dim": dim, "true_clusters": k, "seconds": round(secs, 1), "reduced_dim": res.reduced_dim,
           "found_clusters": int(res.labels.max() + 1), "noise": round(float((res.labels < 0).mean()), 3),
           "peak_rss_mb": round(max(rss0, rss1) / 1024), "input_mb": round(x.nbytes / 2 ** 20),
           "ari": round(float(adjusted_rand_score(y, res.labels)), 4),
           "nmi": round(float(normalized_mutual_info_score(y, res.labels)), 4)}
    # Quality cost of reducing: one subsample, plain HDBSCAN in 512-d vs PCA-16 + HDBSCAN.
    idx = rng.choice(n, size=min(sub, n), replace=False)
    xs_, ys_ = x[idx], y[idx]
    t0 = time.perf_counter()
    full = _plain(xs_, threads)
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    red = density.cluster(xs_, min_cluster_size=5, min_samples=5, reduce_to=16, threads=threads)
    t_red = time.perf_counter() - t0
    out["reduction_cost"] = {
        "n": len(idx),
        "plain_512d": {"seconds": round(t_full, 1), "ari": round(float(adjusted_rand_score(ys_, full)), 4),
                       "nmi": round(float(normalized_mutual_info_score(ys_, full)), 4)},
        "pca16": {"seconds": round(t_red, 1), "ari": round(float(adjusted_rand_score(ys_, red.labels)), 4),
                  "nmi": round(float(normalized_mutual_info_score(ys_, red.labels)), 4)},
    }
    # Quality cost of sampling: one larger subset, every point through HDBSCAN vs sample + assign.
    idx = rng.choice(n, size=min(sampled, n), replace=False)
    xs_, ys_ = x[idx], y[idx]
    z = density.reduce(xs_, 16)
    runs = {}
    for name, flag in (("all_points", False), ("sample_and_assign", True)):
        t0 = time.perf_counter()
        r = density.cluster(z, min_cluster_size=int(25 * len(idx) / n) + 2, min_samples=10, reduce_to=16,
                            threads=threads, sample=flag)
        runs[name] = {"seconds": round(time.perf_counter() - t0, 1),
                      "ari": round(float(adjusted_rand_score(ys_, r.labels)), 4),
                      "nmi": round(float(normalized_mutual_info_score(ys_, r.labels)), 4)}
    out["sampling_cost"] = {"n": len(idx), **runs}
    return out


def _plain(x: np.ndarray, threads: int) -> np.ndarray:
    import hdbscan

    return hdbscan.HDBSCAN(min_cluster_size=5, min_samples=5, core_dist_n_jobs=threads).fit_predict(
        x.astype(np.float64))


# ------------------------------------------------------------------- scene vectors and clustering

def _scene_embedders(threads: int) -> dict:
    """Every scene embedder the daemon can use, as the loader makes them: classical, MobileNetV2
    (needs `rushes models pull mobilenetv2`), their combination, and the CLIP path through the
    tiny test CLIP (random weights: it shows the path runs, not CLIP's quality)."""
    from rushes.embed import loader
    from rushes.embed.classical import ClassicalDescriptor
    from rushes.embed.clip import ClipEmbedder
    from rushes.embed.mobilenet import CombinedEmbedder, MobileNetEmbedder
    from rushes.models import prepare, registry
    from rushes.settings import load_settings

    out: dict = {"classical": ClassicalDescriptor()}
    settings = load_settings()
    try:
        folder = registry.locate("mobilenetv2", settings)
    except registry.ModelMissing as exc:
        print(f"MobileNetV2 rows skipped: {exc}")
    else:
        mn = MobileNetEmbedder(folder / prepare.MOBILENETV2_FEATURES, threads=threads)
        out["mobilenetv2"] = mn
        out["combined"] = CombinedEmbedder(mn, ClassicalDescriptor(), loader.COMBINED_WEIGHT)
    sys.path.insert(0, str(ROOT / "tests"))
    from test_models_tinyclip import build_tiny_clip

    tiny = build_tiny_clip(Path(tempfile.mkdtemp(prefix="rushes-bench-tinyclip-")) / "clip")
    out["tiny-clip"] = ClipEmbedder(tiny, threads=threads, version="tiny", name="clip-vit-b32")
    return out


def _pair_scores(truth: list[str], labels: list[str]) -> dict:
    """Pairwise P/R/F1 and NMI over members; noise members count as singletons."""
    from sklearn.metrics import normalized_mutual_info_score

    lab = [f"noise-{i}" if x == "noise" else x for i, x in enumerate(labels)]
    t, p = np.array(truth), np.array(lab)
    iu = np.triu_indices(len(t), 1)
    st, sp = (t[:, None] == t[None, :])[iu], (p[:, None] == p[None, :])[iu]
    tp = int((st & sp).sum())
    prec, rec = tp / max(1, int(sp.sum())), tp / max(1, int(st.sum()))
    f1 = 2 * prec * rec / max(1e-9, prec + rec)
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
            "nmi": round(float(normalized_mutual_info_score(t, p)), 4),
            "bins": len({x for x in labels if x != "noise"}), "noise": labels.count("noise")}


def _cluster_with(method: str, x: np.ndarray, model: str, keys: list, structure: bool) -> list[str]:
    """The engine's own cluster_view on one set (no catalog), old (HDBSCAN) or new (linkage,
    the shipped scene parameters)."""
    from rushes.clustering.constraints import Constraints
    from rushes.clustering.engine import Params, cluster_view
    from rushes.clustering.inputs import MemberSet
    from rushes.clustering.structure import Place

    mids = {m: i for i, m in enumerate(dict.fromkeys(k.media for k in keys))}
    places = [Place(mids[k.media], k.shot, k.media, k.tc_start_s, k.tc_end_s) for k in keys]
    ms = MemberSet([("shot", i) for i in range(len(keys))], x, model, places=places)
    params = dataclasses.replace(Params.from_settings(None, "scene"), structure=structure) \
        if method == "linkage" else Params()
    counter = iter(range(10 ** 6))
    res = cluster_view(ms, {}, Constraints(), params, lambda: f"c{next(counter)}")
    return [res.assign[("shot", i)] for i in range(len(keys))]


def embed_members(emb, pictures: list[list[np.ndarray]]) -> np.ndarray:
    """One vector per member: the normalised mean of its keyframes' unit vectors, as the daemon
    summarises a shot (rushes.clustering.inputs.shot_vectors)."""
    flat = [p for pics in pictures for p in pics]
    v = emb.embed_images(flat)
    out, at = [], 0
    for pics in pictures:
        m = v[at:at + len(pics)].mean(0)
        out.append(m / max(float(np.linalg.norm(m)), 1e-12))
        at += len(pics)
    return np.stack(out).astype(np.float32)


def scene_vector_bench(threads: int = 2) -> dict:
    """Scene P/R/F1/NMI for every embedder x {old HDBSCAN, new linkage, new linkage + footage
    structure} on the film set and the rushes-like set (bench/scene_sets.py), each member the
    normalised mean of its three keyframes as the daemon clusters shots, and again from its middle
    keyframe alone (sets "film-1", "rushes-1": a held-out view of the same cut); the cost of each
    embedder per keyframe; then the simulated editor on every set (feedback_on_sets)."""
    import scene_sets

    sets = {"film": scene_sets.film_keys(SCENES), "rushes": scene_sets.rushes_keys()}
    frames = {name: scene_sets.load_frames(keys, media_dir(), OUT / "scene_sets.npz") for name, keys in sets.items()}
    out: dict = {"sets": {n: {"members": len(k), "keyframes": sum(len(f) for f in frames[n]),
                              "setups": len({x.label for x in k}), "media": len({x.media for x in k})}
                          for n, k in sets.items()},
                 "scores": {}, "embed_ms_per_keyframe": {}, "feedback": {}}
    for ename, emb in _scene_embedders(threads).items():
        emb.embed_images(frames["film"][0][:2])          # warm-up (graph optimisation, first allocations)
        xs = {}
        for sname, keys in sets.items():
            t0 = time.perf_counter()
            xs[sname] = embed_members(emb, frames[sname])
            ms = (time.perf_counter() - t0) / sum(len(f) for f in frames[sname]) * 1000
            out["embed_ms_per_keyframe"].setdefault(ename, []).append(round(ms, 1))
            xs[sname + "-1"] = embed_members(emb, [pics[len(pics) // 2:len(pics) // 2 + 1] for pics in frames[sname]])
        every = {**sets, **{n + "-1": k for n, k in sets.items()}}
        for sname, keys in every.items():
            truth = [k.label for k in keys]
            for method, label, structure in (("hdbscan", "old", False), ("linkage", "new", False),
                                             ("linkage", "new+structure", True)):
                s = _pair_scores(truth, _cluster_with(method, xs[sname], emb.name, keys, structure))
                out["scores"].setdefault(ename, {}).setdefault(sname, {})[label] = s
                print(f"{ename:12s} {sname:8s} {label:14s} P {s['precision']:.3f} R {s['recall']:.3f} "
                      f"F1 {s['f1']:.3f} NMI {s['nmi']:.3f} bins {s['bins']} noise {s['noise']}", flush=True)
        if ename != "tiny-clip":
            out["feedback"][ename] = feedback_on_sets(every, xs, emb.name)
    return out


def _member_set(x: np.ndarray, model: str, keys: list):
    from rushes.clustering.inputs import MemberSet
    from rushes.clustering.structure import Place

    mids = {m: i for i, m in enumerate(dict.fromkeys(k.media for k in keys))}
    places = [Place(mids[k.media], k.shot, k.media, k.tc_start_s, k.tc_end_s) for k in keys]
    return MemberSet([("shot", i) for i in range(len(keys))], x, model, places=places)


def _editor_constraints(cons, c: dict, assign: dict, x: np.ndarray) -> None:
    """One simulated correction as rushes.feedback.actions stores it: a move pins the member
    and cannot-links it with the nearest member of the bin it left and must-links it with the
    target's nearest member; a merge pins every member of both bins to the survivor."""
    from rushes.clustering import NOISE

    def nearest(k: str, pool: list[str]) -> str | None:
        pool = [m for m in pool if m != k]
        return min(pool, key=lambda m: float(np.linalg.norm(x[int(m)] - x[int(k)]))) if pool else None

    if c["action"] == "move":
        k = c["members"][0]
        old = assign.get(k)
        cons.pins[("shot", int(k))] = c["cluster"]
        if old is not None and old != c["cluster"]:
            n = nearest(k, [m for m, cid in assign.items() if cid == old])
            if n is not None:
                cons.cannot.append((("shot", int(k)), ("shot", int(n))))
        if c["cluster"] != NOISE:
            n = nearest(k, [m for m, cid in assign.items() if cid == c["cluster"]])
            if n is not None:
                cons.must.append((("shot", int(k)), ("shot", int(n))))
    else:
        for m, cid in assign.items():
            if cid in c["clusters"]:
                cons.pins[("shot", int(m))] = c["clusters"][0]


def feedback_on_sets(sets: dict, xs: dict, model: str, fixes: int = 5) -> dict:
    """The simulated editor on the scene sets, in process through the engine's own cluster_view:
    `fixes` corrections (each the one that raises pairwise F1 most, as on the film), then a
    re-clustering with the corrections as the daemon stores them; untouched-shot F1 before and
    after, with and without the guided linkage (learned cut + constrained distances), and every
    correction checked to still hold."""
    from rushes.clustering import NOISE
    from rushes.clustering.constraints import Constraints
    from rushes.clustering.engine import Params, cluster_view

    out: dict = {}
    for sname, keys in sets.items():
        ms = _member_set(xs[sname], model, keys)
        truth = {str(i): k.label for i, k in enumerate(keys)}
        counter = iter(range(10 ** 6))
        new_id = lambda: f"c{next(counter)}"  # noqa: E731
        shipped = Params.from_settings(None, "scene")      # linkage, structure, guided, no learned reach
        res = cluster_view(ms, {}, Constraints(), shipped, new_id)
        assign0 = {str(k[1]): (None if c == NOISE else c) for k, c in res.assign.items()}
        rows: dict = {"before": score(assign0, truth)}
        for guided in (False, True):
            params = dataclasses.replace(shipped, guided=guided)
            cons, touched, done = Constraints(), set(), []
            assign = dict(assign0)
            previous: dict = {}
            for k, c in res.assign.items():
                previous.setdefault(c, set()).add(k)
            for _ in range(fixes):
                cands = corrections(assign, truth, touched)
                if not cands:
                    break
                c = cands[0]
                _editor_constraints(cons, c, {k: (v or NOISE) for k, v in assign.items()}, xs[sname])
                touched |= set(c["members"]) if c["action"] == "move" else \
                    {m for m, cid in assign.items() if cid in c["clusters"]}
                done.append({k: v for k, v in c.items() if k != "f1"})
                after = cluster_view(ms, previous, cons, params, new_id)
                previous = {}
                for k, cid in after.assign.items():
                    previous.setdefault(cid, set()).add(k)
                assign = {str(k[1]): (None if cid == NOISE else cid) for k, cid in after.assign.items()}
            untouched = set(truth) - touched
            rows["guided" if guided else "pins_only"] = {
                "corrections": done, "violations": cons.violations(after.assign),
                "untouched_before": score(assign0, truth, untouched), "untouched_after": score(assign, truth, untouched),
                "all_after": score(assign, truth)}
        out[sname] = rows
        for name in ("pins_only", "guided"):
            r = rows[name]
            print(f"feedback {model:28s} {sname:8s} {name:9s} untouched F1 {r['untouched_before']['f1']:.3f} -> "
                  f"{r['untouched_after']['f1']:.3f}, all {rows['before']['f1']:.3f} -> {r['all_after']['f1']:.3f}, "
                  f"violations {len(r['violations'])}, "
                  f"corrections {[c['action'] for c in r['corrections']]}", flush=True)
    return out


def ingest_cost(name: str = "bbb.mp4") -> dict:
    """One run on one file: plain decode (the one pass at ingest's resolution, no consumer), the
    whole ingest through the daemon, then the scene embedders on the ingested keyframes' own
    thumbnails: time per keyframe and share of the ingest."""
    from rushes.catalog import Catalog
    from rushes.decode.decode import decode_pass
    from rushes.embed.images import load_thumbnail, thumb_file
    from rushes.embed.step import keyframe_rows
    from rushes.settings import load_settings

    src = media_dir() / name
    t0 = time.perf_counter()
    info = decode_pass(src, [], threads=2)
    decode_s = time.perf_counter() - t0
    home = Path(tempfile.mkdtemp(prefix="rushes-bench-ingest-"))
    try:
        with Daemon(home) as d:
            t0 = time.perf_counter()
            job = json.loads(d.cli("ingest", "--wait", "--json", str(src)))["jobs"][0]
            ingest_s = time.perf_counter() - t0
        settings = load_settings({"RUSHES_HOME": str(home)})
        cat = Catalog.open(settings.catalog_path)
        mid = int(job["media_id"])
        rows = keyframe_rows(cat, mid)
        pics = [load_thumbnail(thumb_file(settings, r["thumb_path"])) for r in rows]
        out = {"file": name, "frames": info.frames_decoded, "keyframes": len(rows),
               "plain_decode_s": round(decode_s, 1), "ingest_s": round(ingest_s, 1), "job": job["state"],
               "embedders": {}}
        for ename, emb in _scene_embedders(2).items():
            if ename == "tiny-clip":
                continue
            emb.embed_images(pics[:2])
            t0 = time.perf_counter()
            emb.embed_images(pics)
            secs = time.perf_counter() - t0
            out["embedders"][ename] = {"seconds": round(secs, 2), "ms_per_keyframe": round(secs / len(pics) * 1000, 1),
                                       "share_of_ingest": round(secs / ingest_s, 3),
                                       "vs_plain_decode": round(secs / decode_s, 3)}
        return out
    finally:
        shutil.rmtree(home, ignore_errors=True)


def embedder_memory(frames: int = 64) -> dict:
    """Peak RSS of a fresh process that loads the MobileNetV2 embedder and embeds `frames`
    keyframes, against the same process before the model loads (the embedder's own share)."""
    code = (
        "import sys, numpy as np\n"
        "def hwm():\n"
        "    # VmHWM, not ru_maxrss: ru_maxrss keeps the parent's peak across fork and exec\n"
        "    return int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
        "sys.path.insert(0, 'daemon')\n"
        "from rushes.embed.mobilenet import MobileNetEmbedder\n"
        "from rushes.models import prepare, registry\n"
        "from rushes.settings import load_settings\n"
        "import onnxruntime\n"
        "folder = registry.locate('mobilenetv2', load_settings())\n"
        "base = hwm()\n"
        "emb = MobileNetEmbedder(folder / prepare.MOBILENETV2_FEATURES, threads=2)\n"
        f"emb.embed_images([np.random.default_rng(0).integers(0, 255, (180, 320, 3), dtype=np.uint8)] * {frames})\n"
        "peak = hwm()\n"
        "print(base, peak)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    base, peak = (int(v) for v in proc.stdout.split())
    return {"frames": frames, "process_before_model_mb": round(base / 1024), "peak_mb": round(peak / 1024),
            "embedder_mb": round((peak - base) / 1024)}


def linkage_scale(n: int = 100_000, dim: int = 1542, k: int = 300, seed: int = 0) -> dict:
    """Time the scene linkage path (sample + assign + leftovers) on n generated unit vectors of
    the combined embedder's size, with quality against the generating clusters."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from rushes.clustering import linkage

    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(dim, 64)))[0]
    centres = rng.normal(size=(k, 64)) @ basis.T
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    sizes = rng.multinomial(n, rng.dirichlet(np.full(k, 1.0)))
    y = np.repeat(np.arange(k), sizes)
    # spread like real scene vectors: same set-up ~0.6 apart, different ones ~1.4 (unit vectors)
    x = (centres[y] + 0.0115 * rng.normal(size=(n, dim))).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    res = linkage.cluster(x, 0.925)
    secs = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": n, "dim": dim, "true_clusters": k, "seconds": round(secs, 1),
            "found_bins": int(res.labels.max() + 1), "noise": round(float((res.labels < 0).mean()), 4),
            "ari": round(float(adjusted_rand_score(y, res.labels)), 4),
            "nmi": round(float(normalized_mutual_info_score(y, res.labels)), 4),
            "input_mb": round(x.nbytes / 2 ** 20), "peak_rss_mb": round(max(rss0, rss1) / 1024)}


# ---------------------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-film", action="store_true")
    ap.add_argument("--scale-n", type=int, default=100_000)
    ap.add_argument("--fixes", type=int, default=5)
    ap.add_argument("--mode", choices=("auto", "daemon", "truth-shots"), default="auto")
    ap.add_argument("--keep", action="store_true", help="keep the temporary RUSHES_HOME")
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9], help="one test film per seed")
    ap.add_argument("--skip-vectors", action="store_true", help="skip the scene embedder x clustering table")
    ap.add_argument("--skip-linkage-scale", action="store_true")
    ap.add_argument("--skip-ingest-cost", action="store_true", help="skip the bbb ingest cost run")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict = {}
    if not args.skip_vectors:
        report["scene_vectors"] = scene_vector_bench()
        report["scene_vectors"]["embedder_memory"] = embedder_memory()
        print(json.dumps(report["scene_vectors"]["embedder_memory"]), flush=True)
    if not args.skip_ingest_cost:
        print("cost: bbb.mp4 plain decode, ingest, scene embedders on its keyframes ...", flush=True)
        report["ingest_cost"] = ingest_cost()
        print(json.dumps(report["ingest_cost"]), flush=True)
    if not args.skip_linkage_scale:
        print(f"scale: scene linkage on {args.scale_n} x 1542 generated vectors ...", flush=True)
        report["linkage_scale"] = linkage_scale(args.scale_n)
        print(json.dumps(report["linkage_scale"]), flush=True)
    if not args.skip_film:
        films = [film_bench(args, seed) for seed in args.seeds]
        report["films"] = films
        report["film_summary"] = summarise(films)
        print(json.dumps(report["film_summary"], indent=1))
    if not args.skip_scale:
        print(f"scale: clustering {args.scale_n} x 512 generated vectors on 2 cores ...", flush=True)
        report["scale"] = scale_bench(args.scale_n)
        print(json.dumps(report["scale"], indent=1))
    (OUT / "results.json").write_text(json.dumps(report, indent=1))
    print(f"results written to {OUT / 'results.json'}")
    return 0


def summarise(films: list[dict]) -> dict:
    """Means over the test films (each is small: a couple of shots move F1 by a few points)."""
    out: dict = {"films": len(films)}
    for view in ("scene", "people"):
        rows = [f[view] for f in films if view in f]
        if not rows:
            continue
        mean = lambda key, field="f1": round(float(np.mean([r[key][field] for r in rows])), 4)  # noqa: E731
        out[view] = {"f1_before": mean("before"), "nmi_before": mean("before", "nmi"),
                     "precision_before": mean("before", "precision"), "recall_before": mean("before", "recall"),
                     "untouched_f1_before": mean("untouched_before"), "untouched_f1_after": mean("untouched_after"),
                     "f1_after": mean("all_after"), "corrections": sum(len(r["corrections"]) for r in rows),
                     "undone": sum(len(r["undone"]) for r in rows),
                     "untouched_improved_in": sum(r["untouched_after"]["f1"] > r["untouched_before"]["f1"]
                                                  for r in rows),
                     "untouched_worse_in": sum(r["untouched_after"]["f1"] < r["untouched_before"]["f1"]
                                               for r in rows)}
        abl = [f["ablation_untouched_f1"][view] for f in films if "ablation_untouched_f1" in f]
        if abl:
            out[view]["ablation_untouched_f1"] = {k: round(float(np.mean([a[k] for a in abl])), 4)
                                                  for k in abl[0] if not k.endswith("_violations")
                                                  and k != "metric_adopted"}
            out[view]["metric_adopted_in"] = sum(a["metric_adopted"] for a in abl)
            out[view]["ablation_violations"] = sum(a[k] for a in abl for k in a if k.endswith("_violations"))
    return out


def film_bench(args, seed: int = 7) -> dict:
    t0 = time.perf_counter()
    film, truth = build_film(OUT / f"seed{seed}", seed)
    print(f"test film: {film} ({len(truth)} shots, {truth[-1].end} frames, {len(SCENES)} scenes, "
          f"{sum(len(t.faces) for t in truth)} faces) built in {time.perf_counter() - t0:.0f} s", flush=True)
    mode = args.mode
    if mode == "auto":
        mode = "daemon" if importlib.util.find_spec("rushes.shots.step") else "truth-shots"
    home = Path(tempfile.mkdtemp(prefix="rushes-bench-clusters-"))
    print(f"mode: {mode} (home {home})", flush=True)
    result: dict = {"seed": seed, "mode": mode, "shots": len(truth), "scenes": len(SCENES),
                    "faces": sum(len(t.faces) for t in truth)}
    try:
        t0 = time.perf_counter()
        if mode == "truth-shots":
            analyse_truth_shots(home, film, truth)
        with Daemon(home) as d:
            if mode == "daemon":
                d.cli("ingest", "--wait", "--json", str(film))
            result["analysis_s"] = round(time.perf_counter() - t0, 1)
            truths = map_truth(home, truth)
            result["tracks_matched"] = len(truths.track_person)
            result["tracks_unmatched"] = len(truths.unmatched_tracks)
            for view, field, tr in (("scene", "shots", truths.shot_scene), ("people", "tracks", truths.track_person)):
                before = assignment(_clusters(d.client, view), field)
                s0 = score(before, tr)
                done, touched = simulate_editor(d.client, view, field, tr, args.fixes)
                from rushes_proto.v1 import rushes_pb2 as pb

                t1 = time.perf_counter()
                d.client.call("Recluster", pb.ReclusterRequest(project="default", view=view), timeout=600)
                recluster_s = time.perf_counter() - t1
                after = assignment(_clusters(d.client, view), field)
                untouched = set(tr) - touched
                entry = {
                    "before": s0,
                    "corrections": [{k: v for k, v in c.items() if k != "f1"} for c in done],
                    "untouched_before": score(before, tr, untouched),
                    "untouched_after": score(after, tr, untouched),
                    "all_after": score(after, tr),
                    "undone": held(d.client, view, field, done, before),
                    "recluster_s": round(recluster_s, 2),
                }
                result[view] = entry
                print(f"{view}: before {s0}\n  corrections {entry['corrections']}\n  untouched before "
                      f"{entry['untouched_before']}\n  untouched after  {entry['untouched_after']}\n  "
                      f"all after {entry['all_after']}\n  undone: {entry['undone'] or 'none'}", flush=True)
            metric = _metrics(home)
            result["metrics"] = metric
            print(f"learned metrics: {metric}")
        result["ablation_untouched_f1"] = ablation(home, truths)
        print(f"ablation (untouched F1): {result['ablation_untouched_f1']}")
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return result


def ablation(home: Path, truths: Truths) -> dict:
    """What each kind of learning adds on the untouched members (run after the daemon stopped):
    pins and links only, + learned metric, + learned reach, + space-level constraints, and the
    shipped defaults; plus the 1-NN accuracy of the vectors, the ceiling of any such learning."""
    from rushes.catalog import Catalog
    from rushes.clustering import store
    from rushes.clustering.engine import Params, cluster_view
    from rushes.clustering.inputs import shot_vectors, track_vectors
    from rushes.settings import load_settings
    from rushes.vectors import open_store

    settings = load_settings({"RUSHES_HOME": str(home)})
    cat = Catalog.open(settings.catalog_path)
    vs = open_store(settings)
    out = {}
    for view, load, kind, truth in (("scene", shot_vectors, "shot", truths.shot_scene),
                                    ("people", track_vectors, "track", truths.track_person)):
        ms = load(cat, vs, 1)
        known = [i for i, k in enumerate(ms.keys) if str(k[1]) in truth]
        if len(known) > 1:      # leave-one-out 1-NN: how often a member's nearest is from its own group
            xk = ms.vectors[known]
            d = np.linalg.norm(xk[:, None] - xk[None], axis=2)
            np.fill_diagonal(d, np.inf)
            lab = [truth[str(ms.keys[i][1])] for i in known]
            nn_acc = float(np.mean([lab[j] == lab[i] for i, j in enumerate(d.argmin(1))]))
        else:
            nn_acc = float("nan")
        cons = store.load_constraints(cat, 1, view)
        metric = store.load_metric(cat, 1, view)
        previous = store.membership(cat, 1, view, kind)
        untouched = set(truth) - {str(k[1]) for k in cons.pins}
        counter = iter(range(10 ** 6, 10 ** 7))
        rows = {}
        from rushes.clustering.engine import metric_helps

        adopted = metric is not None and metric_helps(cat, 1, view, ms)
        base = Params.from_settings(settings, view)
        for name, m, shape, learn_reach in (("constraints_only", None, False, False), ("metric", metric, False, False),
                                            ("reach", None, False, True), ("space_level", None, True, False),
                                            ("shipped", metric if adopted else None, base.space_level,
                                             base.learn_reach)):
            params = dataclasses.replace(base, learn_reach=learn_reach)
            res = cluster_view(ms, previous, cons, params, lambda: f"x-{next(counter)}", m, shape=shape)
            assign = {str(k[1]): (None if c == "noise" else c) for k, c in res.assign.items()}
            rows[name] = score(assign, truth, untouched)["f1"]
            rows[name + "_violations"] = len(cons.violations(res.assign))
        rows["nn_accuracy"] = round(nn_acc, 4)
        rows["metric_adopted"] = int(adopted)
        out[view] = rows
    vs.close()
    cat.close()
    return out


def _metrics(home: Path) -> list[dict]:
    import sqlite3

    conn = sqlite3.connect(home / "catalog.sqlite3")
    rows = conn.execute("SELECT view, triplets, loss_before, loss_after FROM cluster_metrics").fetchall()
    conn.close()
    return [{"view": r[0], "triplets": r[1], "loss_before": round(r[2], 4), "loss_after": round(r[3], 4)} for r in rows]


if __name__ == "__main__":
    sys.exit(main())
