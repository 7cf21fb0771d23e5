"""Highlights bench: what the audio analysis costs the ingest, how fast a re-score is, and how
fast a render is against ffmpeg doing the same encode. One run, one machine, same file.

    .venv/bin/python bench/highlights.py [--media bbb.mp4] [--threads 2]

1. Decode cost, in CPU seconds of the whole process (decoder and onnxruntime threads included):
   a plain decode pass of the file (no consumers) and the same pass with the audio analysis on
   it (the highlight collector's audio consumers: BS.1770 loudness of every channel, RMS, 16 kHz
   Silero VAD), alternated `--rounds` times; the audio's cost is the difference, relative to the
   plain decode, and (steadier on a shared box) the CPU clocks of the threads doing the audio
   work (the pass's thread inside the audio feeder, the speech worker). Then the pass with every highlight feature (motion and thumbnails too), the
   shots analysis alone (the ingest's "analyse" step) and the same with the features on it.
2. Re-score: features and shots stored in a catalog; time GetHighlights' scoring path with new
   settings (v2 and v1), which never decodes.
3. Render: three 10 s ranges of the file as one compound clip, our renderer against one plain
   ffmpeg command doing the same trims, concat and encode (libx264 veryfast crf 20, AAC).
The ground-truth film (bench/highlights_film.py) is measured by tests/test_highlights_film.py.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "daemon"), str(ROOT / "protos"), str(ROOT / "plugins")]

from rushes.audio.vad import SileroVad, locate_model  # noqa: E402
from rushes.catalog import Catalog, media_rows, projects  # noqa: E402
from rushes.decode.audio import AudioFeeder  # noqa: E402
from rushes.decode.decode import decode_pass  # noqa: E402
from rushes.highlights.config import HighlightConfig  # noqa: E402
from rushes.highlights.features import FeatureCollector  # noqa: E402
from rushes.highlights.scoring import media_highlights  # noqa: E402
from rushes.highlights.store import save_features  # noqa: E402
from rushes.ingest.probe import probe  # noqa: E402
from rushes.render.ffmpeg import render  # noqa: E402
from rushes.render.plan import RenderOutput, RenderSegment  # noqa: E402
from rushes.settings import load_settings  # noqa: E402
from rushes.shots import analyse_file, step as shots_step  # noqa: E402


def cpu_s() -> float:
    """CPU seconds of this process, every thread (decoder, onnxruntime) included: on a shared
    machine wall time swings 2x with other work, CPU time far less."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn):
    t, c = time.perf_counter(), cpu_s()
    out = fn()
    timed.cpu = cpu_s() - c
    return time.perf_counter() - t, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--media", default="bbb.mp4")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2, help="plain / audio pairs, alternated")
    args = ap.parse_args()
    media_dir = Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()
    path = media_dir / args.media
    settings = load_settings()
    model, why = locate_model(settings)
    print(f"file {path.name}; speech model: {model or why}")
    p = probe(path)
    fps = Fraction(p.fps_num, p.fps_den)

    t_load, _ = timed(lambda: SileroVad(model) if model is not None else None)
    print(f"speech model load (once per daemon process: onnx import, graph rebuilt): wall {t_load:.2f} s, "
          f"cpu {timed.cpu:.2f} s")

    clocks = {"pass": 0.0, "vad": 0.0}

    def on_clock(key, fn):
        """`fn`, adding the CPU time of the thread that runs it to clocks[key]."""
        def run(*a):
            t = time.thread_time()
            try:
                return fn(*a)
            finally:
                clocks[key] += time.thread_time() - t
        return run

    # the audio's own CPU, read on the clocks of the threads that do it: the pass's thread while
    # it decodes audio packets and hands them to the consumers (resampling, loudness included),
    # and the speech worker's thread; the decoder's picture threads never run audio
    AudioFeeder.feed = on_clock("pass", AudioFeeder.feed)
    AudioFeeder.flush = on_clock("pass", AudioFeeder.flush)

    def audio_only():
        """The highlight collector's audio consumers alone (loudness, RMS, VAD), no motion."""
        collector = FeatureCollector(1, float(fps), vad_model=model, vad_why=why)
        speech = collector.consumers()[1:]
        for listener in speech:
            listener._worker._fn = on_clock("vad", listener._worker._fn)

        class Audio:
            audio_format = collector.audio_format

            def consume_audio(self, chunk):
                collector.consume_audio(chunk)

            def finish(self):
                pass
        return collector, [Audio()] + speech

    rows = []
    for _ in range(args.rounds):        # plain and audio alternated: the box is shared, so pairs
        t_plain, info = timed(lambda: decode_pass(path, [], threads=args.threads))
        c_plain = timed.cpu
        collector, listeners = audio_only()
        clocks.update(dict.fromkeys(clocks, 0.0))
        t_audio, _ = timed(lambda: (decode_pass(path, listeners, threads=args.threads),
                                    on_clock("pass", collector.result)()))
        c_audio = timed.cpu
        own = clocks["pass"] + clocks["vad"]
        rows.append((c_plain, c_audio, own))
        print(f"plain decode pass: wall {t_plain:.1f} s, cpu {c_plain:.1f} s ({info.frame_count} frames); "
              f"+ audio analysis (BS.1770 loudness, RMS, Silero VAD): wall {t_audio:.1f} s, cpu {c_audio:.1f} s: "
              f"audio adds cpu {c_audio - c_plain:.2f} s = {100 * (c_audio - c_plain) / c_plain:.1f}% of the plain decode; "
              f"its own threads' cpu {own:.2f} s (decode, resample, loudness {clocks['pass']:.2f}; VAD worker "
              f"{clocks['vad']:.2f}) = {100 * own / c_plain:.1f}%")
    c_plain = sum(r[0] for r in rows) / len(rows)
    c_audio = sum(r[1] for r in rows) / len(rows)
    own = sum(r[2] for r in rows) / len(rows)
    print(f"  mean over {len(rows)} pairs: the audio analysis adds cpu {c_audio - c_plain:.2f} s = "
          f"{100 * (c_audio - c_plain) / c_plain:.1f}% of the plain decode ({c_plain:.1f} s); on its own threads' "
          f"clocks {own:.2f} s = {100 * own / c_plain:.1f}%")
    t_feat, _ = timed(lambda: decode_pass(path, FeatureCollector(1, float(fps), vad_model=model,
                                                                 vad_why=why).consumers(), threads=args.threads))
    c_feat = timed.cpu
    print(f"decode pass + all highlight features (motion and thumbnails too): wall {t_feat:.1f} s, cpu {c_feat:.1f} s "
          f"= {100 * (c_feat - c_plain) / c_plain:.1f}% over the mean plain decode")
    t_shots, _ = timed(lambda: analyse_file(str(path), settings, threads=args.threads))
    c_shots = timed.cpu
    print(f"analyse step (shots, no highlights): wall {t_shots:.1f} s, cpu {c_shots:.1f} s")
    collector = FeatureCollector(1, float(fps), vad_model=model, vad_why=why)
    t_both, shots = timed(lambda: analyse_file(str(path), settings, consumers=collector.consumers(),
                                               threads=args.threads))
    c_both = timed.cpu
    print(f"analyse step + highlight features on its pass: wall {t_both:.1f} s, cpu {c_both:.1f} s")
    print(f"  the features add cpu {c_both - c_shots:.1f} s = {100 * (c_both - c_shots) / c_plain:.1f}% of the plain "
          f"decode, {100 * (c_both - c_shots) / c_shots:.1f}% of the analyse step")

    home = Path(tempfile.mkdtemp(prefix="bench-hl-"))
    try:
        cat = Catalog.open(home / "catalog.sqlite3")
        with cat.transaction() as conn:
            pid = projects.ensure_project(conn, "default")
            d = p.to_dict()
            mid = media_rows.upsert_media(conn, fingerprint="bench", path=str(path), size=1, mtime=0.0,
                                          probe={k: d.get(k) for k in media_rows.MEDIA_FIELDS}, status="ready")
            projects.link_media(conn, pid, mid)
            shots_step.store(conn, mid, shots, {})
            save_features(conn, mid, collector.result())
        media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
        base = HighlightConfig.from_settings(settings)
        for mode in ("v2", "v1"):
            cfg = base.with_mode(mode)
            times = []
            for k in range(3):
                dt, mh = timed(lambda: media_highlights(cat, media, cfg, {"target_count": str(8 + k)}))
                times.append(dt)
            print(f"re-score {mode} with new settings: best {min(times):.3f} s, worst {max(times):.3f} s, "
                  f"{len(mh.clips)} clips")
        mh = media_highlights(cat, media, base)
        print("top v2 clips:")
        for c in mh.clips:
            print(f"  {float(c.start_frame / fps):7.2f}-{float(c.end_frame / fps):7.2f} s  score {c.score:.3f}  {c.reason}")
    finally:
        shutil.rmtree(home, ignore_errors=True)

    out_dir = Path(tempfile.mkdtemp(prefix="bench-render-"))
    try:
        starts = [60, 300, 420]
        segs = tuple(RenderSegment(1, str(path), int(s * fps), int((s + 10) * fps), fps, True,
                                   width=p.width, height=p.height) for s in starts)
        out = RenderOutput(out_dir / "ours.mp4", segs, fps, p.width - p.width % 2, p.height - p.height % 2)
        t_ours, _ = timed(lambda: render(out, threads=args.threads))
        cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
        for s in starts:
            cmd += ["-ss", str(s), "-t", "10", "-i", str(path)]
        cmd += ["-filter_complex", "".join(f"[{i}:v:0][{i}:a:0]" for i in range(3)) + "concat=n=3:v=1:a=1[v][a]",
                "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart",
                "-threads", str(args.threads), str(out_dir / "ffmpeg.mp4")]
        t_ff, _ = timed(lambda: subprocess.run(cmd, check=True))
        print(f"render 3 x 10 s of {path.name}: ours {t_ours:.1f} s, plain ffmpeg {t_ff:.1f} s "
              f"(ours / ffmpeg = {t_ours / t_ff:.2f})")
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)

    return 0


if __name__ == "__main__":
    raise SystemExit(main())
