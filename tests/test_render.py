"""Rendered exports: frame-accurate in and out, one encode, sound in sync at every join, and
nothing left behind by a failed or cancelled render."""
from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from rushes.decode.audio import AudioFormat
from rushes.decode.decode import decode_pass
from rushes.render.ffmpeg import RenderCancelled, RenderFailed, render
from rushes.render.plan import RenderOutput, RenderSegment
from rushes_testkit import ffmpeg


def _marked(path: Path, rate: str, seconds: float, marks: list[int], audio: str | None) -> Path:
    """A dark clip with a white flash on each frame in `marks` and (audio) a 1 kHz click there."""
    fps = float(Fraction(rate))
    flash = "+".join(f"eq(n,{m})" for m in marks)
    args = ["-f", "lavfi", "-i", f"color=c=0x202020:size=160x120:rate={rate}:duration={seconds}"]
    if audio:
        rate_hz, layout = audio.split(":")
        click = "+".join(f"between(t,{m / fps:.6f},{m / fps + 0.02:.6f})" for m in marks)
        args += ["-f", "lavfi", "-i", f"aevalsrc='({click})*sin(2*PI*1000*t)':s={rate_hz}:d={seconds}:c={layout}"]
    args += ["-vf", f"drawbox=c=white:t=fill:enable='{flash}'", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12"]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    ffmpeg(*args, str(path))
    return path


class Probe:
    """Brightness per frame and the first samples of the rendered file."""

    audio_format = AudioFormat(rate=48000, mono=True)

    def __init__(self) -> None:
        self.bright: dict[int, float] = {}
        self.audio: list[np.ndarray] = []

    def consume(self, frame) -> None:
        self.bright[frame.index] = float(frame.low.mean())

    def consume_audio(self, chunk) -> None:
        self.audio.append(chunk.samples[0])

    def finish(self) -> None:
        pass


def _nb_frames(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=nb_frames",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    return int(json.loads(out)["streams"][0]["nb_frames"])


def test_compound_render_frame_count_and_sync_at_every_join(tmp_path):
    a = _marked(tmp_path / "a.mp4", "25", 8, [50, 100, 150], "48000:stereo")
    b = _marked(tmp_path / "b.mp4", "30000/1001", 6, [60, 120], "44100:mono")
    c = _marked(tmp_path / "c.mp4", "25", 4, [50], None)                   # no audio
    segs = (
        RenderSegment(1, str(a), 50, 100, Fraction(25), True, width=160, height=120),
        RenderSegment(2, str(b), 60, 120, Fraction(30000, 1001), True, width=160, height=120),
        RenderSegment(3, str(c), 50, 75, Fraction(25), False, width=160, height=120),
        RenderSegment(1, str(a), 100, 150, Fraction(25), True, width=160, height=120),
    )
    out = RenderOutput(tmp_path / "out" / "compound.mp4", segs, Fraction(25), 160, 120)
    out.path.parent.mkdir()
    seen = []
    render(out, progress=seen.append)
    assert out.frames == 50 + 50 + 25 + 50
    assert _nb_frames(out.path) == out.frames
    assert seen and seen[-1] > 0.9
    probe = Probe()
    decode_pass(out.path, [probe])
    joins = [0, 50, 100, 125]
    flashes = sorted(i for i, v in probe.bright.items() if v > 128)
    assert flashes == joins                               # first frame of every segment exactly
    sound = np.abs(np.concatenate(probe.audio))
    offsets = []
    for j, start in enumerate(joins):
        t0 = start / 25
        lo = max(0, int((t0 - 0.02) * 48000))
        window = sound[lo:int((t0 + 0.2) * 48000)]
        hit = np.flatnonzero(window > 0.2)
        if j == 2:
            assert hit.size == 0                          # the segment without audio is silent
            continue
        offsets.append((lo + hit[0]) / 48000 - t0)
    # measured: 0.0 to 0.4 ms (the click's first loud sample); one AAC frame would be 21 ms
    print("click minus flash at each join (s):", offsets)
    assert max(abs(o) for o in offsets) < 0.005, offsets


def test_failed_or_cancelled_render_leaves_no_file(tmp_path):
    good = _marked(tmp_path / "a.mp4", "25", 3, [10], "48000:stereo")
    folder = tmp_path / "out"
    folder.mkdir()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    bad = RenderOutput(folder / "bad.mp4", (RenderSegment(1, str(broken), 0, 10, Fraction(25), True, width=160,
                                                          height=120),), Fraction(25), 160, 120)
    with pytest.raises(RenderFailed):
        render(bad)
    ok = RenderOutput(folder / "cancelled.mp4", (RenderSegment(1, str(good), 0, 70, Fraction(25), True, width=160,
                                                               height=120),), Fraction(25), 160, 120)
    with pytest.raises(RenderCancelled):
        render(ok, cancelled=lambda: True)
    assert list(folder.iterdir()) == []
