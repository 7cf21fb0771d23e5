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


def _segment(path: Path, start: int, end: int | None = None) -> tuple[RenderSegment, int]:
    """A segment as the Render RPC builds it, from the probe the catalog stores."""
    from rushes.ingest.probe import probe

    p = probe(path)
    seg = RenderSegment(1, str(path), start, p.frame_count if end is None else end, Fraction(p.fps_num, p.fps_den),
                        p.audio_channels > 0, bool(p.variable_frame_rate), p.width, p.height)
    return seg, p.frame_count


class Pictures:
    def __init__(self) -> None:
        self.frames: dict[int, np.ndarray] = {}

    def consume(self, frame) -> None:
        self.frames[frame.index] = frame.low.astype(np.float32)

    def finish(self) -> None:
        pass


def test_rotated_phone_clip_renders_upright(tmp_path):
    """A landscape picture with a white box in its top-left corner, stored with a display matrix
    (as phones do): the render is the displayed picture, portrait, exactly as FFmpeg's players
    show it (this file's matrix turns it 90 degrees counter-clockwise: the box lands bottom-left)."""
    coded = tmp_path / "coded.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=0x303030:size=320x180:rate=30:duration=2",
           "-vf", "drawbox=x=0:y=0:w=80:h=60:c=white:t=fill", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(coded))
    phone = tmp_path / "phone.mp4"
    ffmpeg("-i", str(coded), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(phone))
    seg, _ = _segment(phone, 15, 45)
    assert (seg.width, seg.height) == (180, 320)
    out = RenderOutput(tmp_path / "out" / "phone.mp4", (seg,), seg.fps, seg.width, seg.height)
    out.path.parent.mkdir()
    render(out)
    assert _nb_frames(out.path) == 30
    shown = tmp_path / "shown.png"
    ffmpeg("-i", str(phone), "-vf", "select=eq(n\\,15)", "-frames:v", "1", str(shown))     # FFmpeg autorotates
    mine = tmp_path / "mine.png"
    ffmpeg("-i", str(out.path), "-frames:v", "1", str(mine))
    from PIL import Image

    want = np.asarray(Image.open(shown).convert("L"), np.float32)
    got = np.asarray(Image.open(mine).convert("L"), np.float32)
    assert got.shape == want.shape == (320, 180)
    assert np.abs(got - want).mean() < 3.0
    assert got[-50:, :30].mean() > 200 and got[:50, -30:].mean() < 100


def test_variable_frame_rate_clip_renders_on_its_nominal_rate(tmp_path):
    """face_then_title.mov is 72 frames at 30 fps then 94 at 24 fps; on its nominal rate (the
    one time base) the render has exactly the frames of the range, and each shows the picture the
    decode pass numbers with that index (mean difference below 6 grey levels on >= 95% of them:
    x264 at crf 20 and the fps filter's rounding at the rate switch are the spread)."""
    from rushes_testkit import real_media

    path = real_media("face_then_title.mov")
    seg, count = _segment(path, 30, None)
    assert seg.variable_frame_rate
    out = RenderOutput(tmp_path / "out" / "vfr.mp4", (seg,), seg.fps, seg.width - seg.width % 2,
                       seg.height - seg.height % 2)
    out.path.parent.mkdir()
    render(out)
    assert _nb_frames(out.path) == count - 30
    src, got = Pictures(), Pictures()
    decode_pass(path, [src])
    decode_pass(out.path, [got])
    close = [np.abs(got.frames[i] - src.frames[30 + i]).mean() < 6.0 for i in range(count - 30)
             if 30 + i in src.frames and i in got.frames and got.frames[i].shape == src.frames[30 + i].shape]
    assert len(close) >= 0.9 * (count - 30) and sum(close) >= 0.95 * len(close), (len(close), sum(close))


def test_render_from_a_keyframe_that_does_not_decode_alone_is_clean(tmp_path):
    """cockatoo.mp4's keyframes at 76, 145 and 210 decode as grey and green blocks when FFmpeg
    starts there (`ffmpeg -ss` does); a render starting at frame 100 (its pre-roll seek lands on
    76) seeks further back and its first frame is the linear decode's frame 100 (within x264's re-encode: 3 grey levels on
    average, a garbage frame is ~100 away)."""
    from PIL import Image
    from rushes_testkit import real_media

    src = real_media("cockatoo.mp4")
    seg, _ = _segment(src, 100, 110)       # seeked a second earlier, 4.0 s: onto the keyframe at 76
    out = RenderOutput(tmp_path / "out" / "bird.mp4", (seg,), seg.fps, seg.width, seg.height)
    out.path.parent.mkdir()
    render(out)
    assert _nb_frames(out.path) == 10
    shown, mine = tmp_path / "shown.png", tmp_path / "mine.png"
    ffmpeg("-i", str(src), "-vf", "select=eq(n\\,100)", "-frames:v", "1", str(shown))
    ffmpeg("-i", str(out.path), "-frames:v", "1", str(mine))
    want = np.asarray(Image.open(shown).convert("L"), np.float32)
    got = np.asarray(Image.open(mine).convert("L"), np.float32)
    assert got.shape == want.shape
    assert np.abs(got - want).mean() < 3.0
