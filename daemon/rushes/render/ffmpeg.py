"""One ffmpeg run per output file: frame-accurate in and out, audio in sync at every join.

Each segment is its own input, fast-seeked to a second before its first frame; the filter graph
then trims by time with half a frame of margin for pictures (so the first frame is exactly the
start frame whatever the seek lands on) and sample-exact for sound, pads missing or short audio
with silence to the picture's length, conforms size, rate (VFR included) and layout, and
concatenates. H.264 (libx264) + AAC, `+faststart`. Written to a hidden partial file in the
output folder and renamed only when ffmpeg succeeded: a failed or cancelled render leaves
nothing behind.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Callable

from rushes.decode.seek import clean_seek_s
from rushes.errors import FailedPrecondition
from rushes.render.plan import RenderOutput

PRE_ROLL_S = 1.0
AUDIO_RATE = 48000


class RenderCancelled(RuntimeError):
    pass


class RenderFailed(RuntimeError):
    """ffmpeg failed; the message holds the output and ffmpeg's last lines."""


def _f(x: Fraction | float) -> str:
    return f"{float(x):.9f}"


def _seek_point(seg) -> Fraction:
    """Where ffmpeg seeks the segment's input: a second before its first frame, or earlier when
    the keyframe there does not decode on its own (the trim then drops the extra frames)."""
    want = max(Fraction(0), seg.start_s - Fraction(PRE_ROLL_S))
    return clean_seek_s(seg.path, want) if seg.has_video and want > 0 else want


def command(out: RenderOutput, dest: Path, threads: int = 2) -> list[str]:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise FailedPrecondition("ffmpeg is not installed: install it (e.g. `apt-get install ffmpeg`) to render")
    args = [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    chains = []
    silent = []
    seeks = [_seek_point(seg) for seg in out.segments]
    for seg, seek in zip(out.segments, seeks):
        args += ["-ss", _f(seek), "-t", _f(seg.start_s - seek + seg.duration_s + Fraction(1, 2)), "-i", seg.path]
    black = {}
    for i, seg in enumerate(out.segments):
        if not seg.has_video:
            black[i] = len(out.segments) + len(black)
            args += ["-f", "lavfi", "-t", _f(seg.duration_s + Fraction(1, 10)),
                     "-i", f"color=c=black:s={out.width}x{out.height}:r={out.fps.numerator}/{out.fps.denominator}"]
    first_silent = len(out.segments) + len(black)
    for i, seg in enumerate(out.segments):
        if not seg.has_audio:
            silent.append(i)
            args += ["-f", "lavfi", "-t", _f(seg.duration_s + Fraction(1, 10)),
                     "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
    silent_input = {seg_i: first_silent + k for k, seg_i in enumerate(silent)}
    for i, (seg, seek) in enumerate(zip(out.segments, seeks)):
        rel = seg.start_s - seek
        n_out = out.frames_of(seg)
        length = Fraction(n_out) / out.fps          # the segment's length in the output, picture and sound
        if seg.has_video:
            vsrc, v0, half = f"[{i}:v:0]", rel, Fraction(1, 2) / seg.fps
            conform = f"fps={seg.fps.numerator}/{seg.fps.denominator}," if seg.variable_frame_rate else ""
            rate = "" if seg.fps == out.fps else f"fps={out.fps.numerator}/{out.fps.denominator},"
        else:
            vsrc, v0, half, conform, rate = f"[{black[i]}:v:0]", Fraction(0), Fraction(1, 2) / out.fps, "", ""
        chains.append(
            f"{vsrc}{conform}trim=start={_f(max(Fraction(0), v0 - half))}:end={_f(v0 + seg.duration_s - half)},"
            f"setpts=PTS-STARTPTS,{rate}tpad=stop_mode=clone:stop_duration={_f(length)},trim=end_frame={n_out},"
            "setpts=PTS-STARTPTS,"
            f"scale={out.width}:{out.height}:force_original_aspect_ratio=decrease,"
            f"pad={out.width}:{out.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v{i}]")
        if seg.has_audio:
            src, a0 = f"[{i}:a:0]", rel
        else:
            src, a0 = f"[{silent_input[i]}:a:0]", Fraction(0)
        chains.append(
            f"{src}aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
            f"atrim=start={_f(a0)}:end={_f(a0 + length)},asetpts=PTS-STARTPTS,"
            f"apad=whole_dur={_f(length)},atrim=end={_f(length)}[a{i}]")
    joins = "".join(f"[v{i}][a{i}]" for i in range(len(out.segments)))
    chains.append(f"{joins}concat=n={len(out.segments)}:v=1:a=1[vout][aout]")
    args += ["-filter_complex", ";".join(chains), "-map", "[vout]", "-map", "[aout]",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", str(out.crf), "-pix_fmt", "yuv420p",
             "-r", f"{out.fps.numerator}/{out.fps.denominator}", "-fps_mode", "cfr",
             "-c:a", "aac", "-b:a", "192k", "-ar", str(AUDIO_RATE), "-movflags", "+faststart",
             "-threads", str(max(1, threads)), "-progress", "pipe:1", "-nostats", "-f", "mp4", str(dest)]
    return args


def render(out: RenderOutput, *, progress: Callable[[float], None] | None = None,
           cancelled: Callable[[], bool] | None = None, threads: int = 2) -> Path:
    """Render `out` and return its path; RenderCancelled / RenderFailed leave no file."""
    partial = out.path.with_name(f".{out.path.name}.partial")
    args = command(out, partial, threads)
    total_s = float(sum(s.duration_s for s in out.segments)) or 1.0
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if cancelled is not None and cancelled():
                proc.terminate()
                proc.wait(timeout=10)
                raise RenderCancelled(f"render of {out.path.name} cancelled")
            if line.startswith("out_time_us=") and progress is not None:
                try:
                    progress(min(1.0, int(line.split("=", 1)[1]) / 1e6 / total_s))
                except ValueError:
                    pass
        err = proc.stderr.read() if proc.stderr is not None else ""
        code = proc.wait()
        if code != 0:
            raise RenderFailed(f"{out.path}: ffmpeg failed ({code}): {err.strip()[-800:]}")
        os.replace(partial, out.path)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if partial.exists():
            partial.unlink()
    return out.path
