"""A test film with exact ground truth for highlights, cut from real footage with ffmpeg.

40 s at 25 fps: quiet, slow stretches of a fixed street camera (pedestrians.avi, with faint
noise) around two loud, fast stretches: the rocket launch (rocket_launch.webm with its own
sound, raised) at [10, 15) s and a cartwheel (park_cartwheel.mp4) under the Big Buck Bunny
trailer's music at [25, 30) s. Cuts at frames 250, 375, 625 and 750.
Used by tests/test_highlights_film.py and bench/highlights.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

FPS = 25
SIZE = (480, 270)
LOUD = ((10.0, 15.0), (25.0, 30.0))       # seconds
CUTS = (250, 375, 625, 750)               # frames
FRAMES = 1000

# (video file, start s, seconds, audio: None = faint noise | (file, start s, gain))
PIECES = (
    ("pedestrians.avi", 0.0, 10.0, None),
    ("rocket_launch.webm", 3.1, 5.0, ("rocket_launch.webm", 3.1, 4.0)),
    ("pedestrians.avi", 30.0, 10.0, None),
    ("park_cartwheel.mp4", 1.5, 5.0, ("trailer_bbb.mp4", 24.0, 3.0)),
    ("pedestrians.avi", 50.0, 10.0, None),
)


def build(media: Path, out: Path) -> Path:
    """Write the film to `out` (H.264 + AAC stereo 48 kHz) and return it."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RuntimeError("ffmpeg is not installed")
    w, h = SIZE
    args = [exe, "-hide_banner", "-loglevel", "error", "-y"]
    chains = []
    n = 0
    labels = []
    for i, (video, start, seconds, audio) in enumerate(PIECES):
        args += ["-ss", f"{start}", "-t", f"{seconds + 1}", "-i", str(media / video)]
        vi = n
        n += 1
        chains.append(f"[{vi}:v:0]fps={FPS},trim=end_frame={int(seconds * FPS)},setpts=PTS-STARTPTS,"
                      f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
                      f"setsar=1,format=yuv420p[v{i}]")
        if audio is None:
            args += ["-f", "lavfi", "-t", f"{seconds + 1}", "-i", "anoisesrc=color=pink:amplitude=0.004:r=48000:seed=7"]
            src, gain = f"[{n}:a:0]", 1.0
        else:
            afile, astart, gain = audio
            args += ["-ss", f"{astart}", "-t", f"{seconds + 1}", "-i", str(media / afile)]
            src = f"[{n}:a:0]"
        n += 1
        chains.append(f"{src}aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,volume={gain},"
                      f"atrim=end={seconds},asetpts=PTS-STARTPTS,apad=whole_dur={seconds}[a{i}]")
        labels.append(f"[v{i}][a{i}]")
    chains.append("".join(labels) + f"concat=n={len(PIECES)}:v=1:a=1[v][a]")
    args += ["-filter_complex", ";".join(chains), "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset",
             "veryfast", "-crf", "20", "-g", "50", "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart", str(out)]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"building the highlights film failed: {proc.stderr}")
    return out
