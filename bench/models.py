"""Model bench: images/s and peak memory per model, faces per minute of footage, bbb ingest.

Three parts, all on real footage from ../shared/media, all on 2 cores (the process is pinned to
at most two CPUs and RUSHES_THREADS=2):

1. Per model, each in a fresh interpreter so its peak RSS is its own: the HOG face detector at
   the sizes our scale rule uses (720p as is; 640x272 street footage upsampled x2.4), the naive
   peer usage (face_recognition's default: HOG with one 2x upsampling of the whole frame), the
   CNN (MMOD) detector, 5-point landmarks + aligned chip + ResNet descriptor per face, the
   classical scene descriptor and whatever `load_scene_embedder` gives (CLIP when a model is
   installed). Peer and ours run in the same invocation, so their ratio survives shared load.
2. Faces per minute of footage: the face sampler riding on the decode pass (as in ingest) over
   talking_head.mp4, bikes.mp4 and the first minutes of bbb.mp4; worker CPU per footage minute.
3. Whole ingest of bbb.mp4: probe, the analyse step (the one decode pass: shots, keyframes, with
   the faces consumer riding on it), faces (linking + storing), embed (classical scene vectors),
   each timed (wall and CPU) through the real step functions with a StepContext, as the
   pipeline runs them. Where a step has not landed, the bench says so and times what exists.

    .venv/bin/python bench/models.py [--part models|faces|sweep|ingest|all] [--bbb-seconds N]

The sweep (part 2b) prices each knob: faces CPU per minute of bbb.mp4 against how many samples
of talking_head.mp4 (a 73 px webcam face, right at the default size limit) find the face.

Results go to bench/out/models/*.json and a summary is printed as Markdown.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "models"
sys.path.insert(0, str(ROOT / "daemon"))


def media_dir() -> Path:
    return Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()


def pin_two_cores() -> None:
    """At most two CPUs for this process and its threads (the target machine has two)."""
    try:
        cpus = sorted(os.sched_getaffinity(0))[:2]
        os.sched_setaffinity(0, cpus)
    except (AttributeError, OSError):
        pass
    os.environ["RUSHES_THREADS"] = "2"
    os.environ.setdefault("OMP_NUM_THREADS", "2")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def frames_of(name: str, times_s: list[float]) -> list[np.ndarray]:
    """Full-resolution RGB frames of a real clip at the given times."""
    import av

    out = []
    with av.open(str(media_dir() / name)) as c:
        s = c.streams.video[0]
        for t in times_s:
            c.seek(int(t / s.time_base), stream=s, backward=True, any_frame=False)
            for f in c.decode(s):
                if f.time is not None and f.time + 1e-6 >= t:
                    out.append(f.to_ndarray(format="rgb24"))
                    break
    return out


def resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR))


def timed(fn: Callable[[], Any], images: int, *, min_s: float = 3.0, max_runs: int = 200) -> dict[str, float]:
    """Run fn until min_s has passed (at least twice); images/s from wall and from CPU time."""
    fn()  # warm-up (first call allocates)
    runs = 0
    w0, c0 = time.perf_counter(), time.process_time()
    while runs < 2 or (time.perf_counter() - w0 < min_s and runs < max_runs):
        fn()
        runs += 1
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    return {"images_per_s": runs * images / wall, "cpu_ms_per_image": 1000 * cpu / (runs * images),
            "wall_ms_per_image": 1000 * wall / (runs * images), "runs": runs}


# ------------------------------------------------------------------ part 1: one model per process
def one_model(name: str) -> dict[str, Any]:
    pin_two_cores()
    import dlib  # noqa: F401  (baseline includes the dlib module, not the model)

    base = peak_rss_mb()
    bbb = frames_of("bbb.mp4", [30.0, 95.0, 200.0, 330.0])
    th = frames_of("talking_head.mp4", [1.0, 4.0])
    bikes = frames_of("bikes.mp4", [1.3, 4.5])
    base_frames = peak_rss_mb()
    res: dict[str, Any] = {"model": name}
    if name.startswith("hog"):
        det = dlib.get_frontal_face_detector()
        imgs = bbb + th
        if name == "hog-720p":           # ours on 720p: the frame as it is (scale rule gives 1.0)
            res.update(timed(lambda: [det.run(i, 0, 0.0) for i in imgs], len(imgs)), size="1280x720", upsample=0)
        elif name == "hog-540p":         # ours with faces_min_face=0.15 (a cheaper setting)
            small = [resize(i, 960, 540) for i in imgs]
            res.update(timed(lambda: [det.run(i, 0, 0.0) for i in small], len(small)), size="960x540", upsample=0)
        elif name == "hog-peer-720p-up1":  # face_recognition's default: one 2x upsampling
            res.update(timed(lambda: [det.run(i, 1, 0.0) for i in imgs], len(imgs), min_s=4.0),
                       size="1280x720 (x2 = 2560x1440)", upsample=1)
        elif name == "hog-bikes-x2.4":  # ours on 640x272: upsampled so a 30 px face is 80 px
            from rushes.faces.engine import EngineConfig, detection_scale

            s = detection_scale(640, 272, EngineConfig())
            big = [resize(i, round(640 * s), round(272 * s)) for i in bikes]
            res.update(timed(lambda: [det.run(i, 0, 0.0) for i in big], len(big)),
                       size=f"{big[0].shape[1]}x{big[0].shape[0]}", upsample=0)
    elif name == "cnn-360p":
        from rushes.faces.models import model_path

        cnn = dlib.cnn_face_detection_model_v1(str(model_path("dlib-cnn-face-detector")))
        imgs = [resize(i, 640, 360) for i in th]
        res.update(timed(lambda: [cnn(i, 0) for i in imgs], len(imgs), min_s=4.0, max_runs=4), size="640x360")
    elif name == "landmarks+descriptor":
        from PIL import Image

        from rushes.faces.models import load_models

        m = load_models()
        det = dlib.get_frontal_face_detector()
        imgs = [np.asarray(Image.open(media_dir() / n).convert("RGB")) for n in ("obama.jpg", "biden.jpg")]
        rects = [det(i, 0)[0] for i in imgs]

        def describe() -> None:
            for img, r in zip(imgs, rects):
                shape = m.shape5(img, r)
                chip = dlib.get_face_chip(img, shape, size=150, padding=0.25)
                m.resnet.compute_face_descriptor(chip)

        res.update(timed(describe, len(imgs)), unit="faces")
    elif name in ("scene-classical", "scene-embedder"):
        from rushes.settings import load_settings

        if name == "scene-classical":
            from rushes.embed.classical import ClassicalDescriptor

            emb = ClassicalDescriptor()
        else:
            from rushes.embed.loader import load_scene_embedder

            emb = load_scene_embedder(load_settings())
        thumbs = [resize(i, 320, 180) for i in bbb] * 8
        res.update(timed(lambda: emb.embed_images(thumbs), len(thumbs)), embedder=f"{emb.name}@{emb.version}",
                   dim=int(emb.dim), input="320x180 thumbnails, batch 32")
    else:
        raise SystemExit(f"unknown model {name}")
    res["peak_rss_mb"] = round(peak_rss_mb(), 1)
    res["model_rss_mb"] = round(peak_rss_mb() - base_frames, 1)
    res["baseline_rss_mb"] = round(base, 1)
    return res


MODELS = ["hog-720p", "hog-540p", "hog-bikes-x2.4", "hog-peer-720p-up1", "cnn-360p", "landmarks+descriptor",
          "scene-classical", "scene-embedder"]


def part_models() -> list[dict[str, Any]]:
    rows = []
    for name in MODELS:
        proc = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True)
        if proc.returncode != 0:
            rows.append({"model": name, "error": proc.stderr.strip().splitlines()[-1:] or ["failed"]})
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"  {name}: {rows[-1]}", file=sys.stderr)
    return rows


# ------------------------------------------------------------------ part 2: faces per footage minute
def faces_on(name: str, seconds: float | None = None, sample_s: float = 1.0, fine_every_s: float | None = None,
             min_face: float | None = None) -> dict[str, Any]:
    from rushes.faces.engine import EngineConfig, FaceEngine
    from rushes.faces.sampler import FaceSampler, stride_for
    from rushes.decode.decode import decode_pass
    from rushes.ingest.probe import probe

    path = media_dir() / name
    info = probe(path)
    fps = float(info.fps_num) / float(info.fps_den) if getattr(info, "fps_num", None) else 25.0
    limit = int(seconds * fps) if seconds else 0

    class Stop(Exception):
        pass

    class Limit:
        def consume(self, f: Any) -> None:
            if limit and f.index >= limit:
                raise Stop()

        def finish(self) -> None:
            pass

    from rushes.faces.step import DEFAULT_FINE_EVERY_S

    # As the faces step builds it (default settings): fine scans on cuts and every 4 s.
    fine_s = DEFAULT_FINE_EVERY_S if fine_every_s is None else fine_every_s
    config = EngineConfig() if min_face is None else EngineConfig(min_face=min_face)
    sampler = FaceSampler(FaceEngine(config), stride_for(fps, sample_s), fine_every=round(fine_s * fps))
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        decode_pass(path, [sampler, Limit()], threads=2)
    except Stop:
        sampler.finish()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    r = sampler.result()
    footage_s = min(float(info.duration_s), limit / fps) if limit else float(info.duration_s)
    return {
        "file": name, "footage_s": round(footage_s, 1), "sample_every_s": sample_s, "fine_every_s": fine_s,
        "min_face": config.min_face, "samples": len(r.frames),
        "samples_with_faces": len({x.frame for x in r.samples}),
        "fine_samples": len(r.fine_frames), "faces": len(r.samples),
        "faces_described": sum(1 for x in r.samples if x.face.described), "faces_cpu_s": round(r.cpu_s, 2), "decode_plus_faces_cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "faces_cpu_s_per_footage_min": round(60 * r.cpu_s / footage_s, 2) if footage_s else None,
        "faces_cpu_ms_per_sample": round(1000 * r.cpu_s / max(1, len(r.frames)), 1),
    }


def part_faces(bbb_seconds: float) -> list[dict[str, Any]]:
    rows = [faces_on("talking_head.mp4"), faces_on("bikes.mp4"), faces_on("bbb.mp4", bbb_seconds)]
    for r in rows:
        print(f"  {r}", file=sys.stderr)
    return rows


SWEEP = [  # (sample_s, fine_every_s, min_face): the default first, then what each knob buys
    (1.0, 4.0, 0.11), (1.0, 0.0, 0.11), (2.0, 8.0, 0.11), (1.0, 4.0, 0.15), (0.5, 4.0, 0.11),
]


def part_sweep(bbb_seconds: float) -> list[dict[str, Any]]:
    """Cost on bbb (cartoon, frequent cuts) against what is found on talking_head (a small face)."""
    rows = []
    for sample_s, fine_s, min_face in SWEEP:
        bbb = faces_on("bbb.mp4", bbb_seconds, sample_s, fine_s, min_face)
        th = faces_on("talking_head.mp4", None, sample_s, fine_s, min_face)
        rows.append({"sample_every_s": sample_s, "fine_every_s": fine_s, "min_face": min_face,
                     "bbb_faces_cpu_s_per_min": bbb["faces_cpu_s_per_footage_min"],
                     "bbb_cpu_ms_per_sample": bbb["faces_cpu_ms_per_sample"], "bbb_fine_samples": bbb["fine_samples"],
                     "bbb_samples": bbb["samples"], "talking_head_samples_with_face": th["samples_with_faces"],
                     "talking_head_samples": th["samples"], "talking_head_cpu_s_per_min": th["faces_cpu_s_per_footage_min"]})
        print(f"  {rows[-1]}", file=sys.stderr)
    return rows


# ------------------------------------------------------------------ part 3: bbb ingest by stage
def part_ingest(bbb_seconds: float | None) -> dict[str, Any]:
    import importlib

    from rushes.catalog import Catalog, media_rows, projects
    from rushes.faces import step as faces_step
    from rushes.ingest.fingerprint import fingerprint
    from rushes.ingest.probe import probe
    from rushes.steps.context import StepContext
    from rushes.settings import load_settings
    from rushes.vectors import open_store

    src = media_dir() / "bbb.mp4"
    notes: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="rushes-bench-"))
    path = src
    if bbb_seconds:
        path = tmp / f"bbb_{int(bbb_seconds)}s.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-t", str(bbb_seconds), "-c", "copy", str(path)],
                       check=True)
        notes.append(f"first {bbb_seconds:g} s of bbb.mp4 (stream copy)")
    os.environ["RUSHES_HOME"] = str(tmp / "home")
    settings = load_settings()
    cat = Catalog.open(settings.catalog_path)
    store = open_store(settings)
    stages: dict[str, dict[str, float]] = {}

    def clock(name: str, fn: Callable[[], Any]) -> Any:
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        stages[name] = {"wall_s": round(time.perf_counter() - w0, 2), "cpu_s": round(time.process_time() - c0, 2)}
        print(f"  {name}: {stages[name]}", file=sys.stderr)
        return out

    def do_probe() -> int:
        fp = fingerprint(path)
        result = probe(path)
        d = result.as_dict() if hasattr(result, "as_dict") else dict(vars(result))
        with cat.transaction() as conn:
            pid = projects.ensure_project(conn, "default")
            mid = media_rows.upsert_media(conn, fingerprint=fp, path=str(path), size=path.stat().st_size,
                                       mtime=path.stat().st_mtime, probe={k: d.get(k) for k in media_rows.MEDIA_FIELDS},
                                       status="analysing", probe_json=json.dumps(d, default=str))
            projects.link_media(conn, pid, mid)
        return mid

    media_id = clock("probe", do_probe)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (media_id,))
    duration = float(media["duration_s"] or 0)
    ctx = StepContext(catalog=cat, vectors=store, settings=settings, media=media, project_id=1, job_id=1)
    sampler = faces_step.make_consumer(ctx)
    ctx.scratch["frame_consumers"] = [sampler]
    try:
        shots_step = importlib.import_module("rushes.shots.step")
    except ModuleNotFoundError:
        shots_step = None
    if shots_step is not None:
        clock("analyse (decode, shots, keyframes, + faces consumer)", lambda: shots_step.run(ctx))
    else:
        from rushes.decode.decode import decode_pass

        notes.append("rushes.shots.step has not landed: the analyse stage is the bare decode pass with the faces "
                     "consumer (no shot detection, no keyframes), and the faces step links into one shot per file")
        clock("analyse (decode pass + faces consumer; no shot step)", lambda: decode_pass(path, [sampler], threads=2))
        with cat.transaction() as conn:
            conn.execute("INSERT INTO shots(media_id, idx, start_frame, end_frame) VALUES (?,?,?,?)",
                         (media_id, 0, 0, int(media["frame_count"] or 10**9)))
    faces_cpu = sampler.result().cpu_s
    ctx.media = cat.query_one("SELECT * FROM media WHERE id=?", (media_id,))
    clock("faces (link + store)", lambda: faces_step.run(ctx))
    try:
        embed_step = importlib.import_module("rushes.embed.step")
        clock("embed (scene vectors)", lambda: embed_step.run(ctx))
    except ModuleNotFoundError:
        notes.append("rushes.embed.step has not landed: scene vectors not timed")
    n_shots = cat.query_one("SELECT COUNT(*) FROM shots WHERE media_id=?", (media_id,))[0]
    n_kf = cat.query_one("SELECT COUNT(*) FROM keyframes k JOIN shots s ON s.id=k.shot_id WHERE s.media_id=?",
                         (media_id,))[0]
    n_tracks = cat.query_one("SELECT COUNT(*) FROM face_tracks WHERE media_id=?", (media_id,))[0]
    total_wall = sum(s["wall_s"] for s in stages.values())
    total_cpu = sum(s["cpu_s"] for s in stages.values())
    store.close()
    cat.close()
    return {
        "file": path.name, "footage_s": round(duration, 1), "stages": stages, "faces_worker_cpu_s": round(faces_cpu, 2),
        "total_wall_s": round(total_wall, 2), "total_cpu_s": round(total_cpu, 2),
        "x_real_time_wall": round(duration / total_wall, 2) if total_wall else None,
        # On two cores of our own the job can go no faster than half its CPU time, nor faster than
        # its longest single-threaded part (the faces worker runs on one core beside the decode).
        "x_real_time_cpu_bound_2cores": round(duration / max(total_cpu / 2, faces_cpu), 2) if total_cpu else None,
        "faces_share_of_cpu": round(faces_cpu / total_cpu, 3) if total_cpu else None,
        "shots": n_shots, "keyframes": n_kf, "face_tracks": n_tracks, "notes": notes,
        "shots_model": str(settings.get("shots_model", "auto")),
        "peak_rss_mb": round(peak_rss_mb(), 1), "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="all", choices=["models", "faces", "sweep", "ingest", "all"])
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--bbb-seconds", type=float, default=0.0, help="ingest only the first N s of bbb (0: whole)")
    ap.add_argument("--faces-bbb-seconds", type=float, default=120.0)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_model(args.one)))
        return 0
    pin_two_cores()
    OUT.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"machine": {"cpus": len(os.sched_getaffinity(0)), "load_avg_1m": os.getloadavg()[0]}}
    if args.part in ("models", "all"):
        result["models"] = part_models()
        (OUT / "models.json").write_text(json.dumps(result["models"], indent=2))
    if args.part in ("faces", "all"):
        result["faces"] = part_faces(args.faces_bbb_seconds)
        (OUT / "faces.json").write_text(json.dumps(result["faces"], indent=2))
    if args.part in ("sweep", "all"):
        result["sweep"] = part_sweep(args.faces_bbb_seconds)
        (OUT / "sweep.json").write_text(json.dumps(result["sweep"], indent=2))
    if args.part in ("ingest", "all"):
        result["ingest"] = part_ingest(args.bbb_seconds or None)
        (OUT / "ingest.json").write_text(json.dumps(result["ingest"], indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
