"""A rotated clip shows the same way everywhere: the decode pass (keyframes, thumbnails, faces,
embeddings), seeking, probe and renders all turn it as FFmpeg's autorotate does.

A real clip (bikes.mp4), cut to 12 frames, with a white box burnt into its top-left corner,
then stored with a display matrix (the way phones write it) for a quarter turn counter-clockwise,
a quarter turn clockwise and a half turn. FFmpeg's own decode of each file is the reference: the
box's corner, and the picture pixel for pixel within the spread of two RGB conversions.
"""
from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from rushes.decode.decode import decode_pass
from rushes.decode.seek import read_frames
from rushes.ingest.probe import probe
from rushes.render.ffmpeg import render
from rushes.render.plan import RenderOutput, RenderSegment
from rushes_testkit import ffmpeg, real_media, rotated_copy

# display-matrix angle (counter-clockwise, as ffprobe prints it) -> corner the box is shown in
CASES = {90: "bottom-left", -90: "top-right", 180: "bottom-right"}


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> Path:
    """12 frames of a real clip, 320x180, a white box in the stored picture's top-left corner."""
    root = tmp_path_factory.mktemp("rot")
    out = root / "marked.mp4"
    ffmpeg("-i", str(real_media("bikes.mp4")), "-frames:v", "12", "-an",
           "-vf", "scale=320:180,drawbox=x=0:y=0:w=64:h=48:c=white:t=fill",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12", str(out))
    return out


def _ffmpeg_frame(path: Path, width: int, height: int) -> np.ndarray:
    """Frame 0 as FFmpeg shows it (autorotate on, its default), RGB."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def _corner(img: np.ndarray) -> str:
    """Which quarter-corner holds the white box (the brightest by far)."""
    g = img.astype(np.float32).mean(axis=2)
    h, w = g.shape[0] // 5, g.shape[1] // 5
    corners = {"top-left": g[:h, :w], "top-right": g[:h, -w:], "bottom-left": g[-h:, :w], "bottom-right": g[-h:, -w:]}
    means = {k: float(v.mean()) for k, v in corners.items()}
    best = max(means, key=means.get)
    assert means[best] > 200 and sorted(means.values())[-2] < 180, means
    return best


class First:
    full_stride = 1

    def __init__(self) -> None:
        self.full: np.ndarray | None = None
        self.low: np.ndarray | None = None

    def consume(self, frame) -> None:
        if frame.index == 0:
            self.full, self.low = frame.full, frame.low

    def finish(self) -> None:
        pass


@pytest.mark.parametrize("ccw", sorted(CASES))
def test_decode_pass_seek_probe_and_render_turn_the_picture_as_ffmpeg_does(marked, tmp_path, ccw):
    clip = rotated_copy(marked, tmp_path / f"phone{ccw}.mp4", ccw)
    p = probe(clip)
    assert p.rotation == (-ccw) % 360
    assert (p.width, p.height) == ((180, 320) if ccw % 180 else (320, 180))
    shown = _ffmpeg_frame(clip, p.width, p.height)
    assert _corner(shown) == CASES[ccw]

    first = First()
    info = decode_pass(clip, [first])
    assert info.rotation == p.rotation and (info.width, info.height) == (p.width, p.height)
    assert first.full is not None and first.full.shape == shown.shape
    assert _corner(first.full) == CASES[ccw]
    # the same picture, not just the same corner: two RGB conversions of one decode differ by a
    # grey level or two (measured 0.3-0.6 mean); a wrong turn differs by tens
    assert np.abs(first.full.astype(np.float32) - shown).mean() < 3.0
    assert _corner(first.low) == CASES[ccw]                      # the small frames shots and motion see

    (_, keyframe), = list(read_frames(clip, [0], width=160))     # keyframes and thumbnails: seeking
    assert _corner(keyframe) == CASES[ccw]

    seg = RenderSegment(1, str(clip), 0, 6, Fraction(p.fps_num, p.fps_den), False, False, p.width, p.height)
    out = RenderOutput(tmp_path / "out" / "r.mp4", (seg,), seg.fps, p.width, p.height)
    out.path.parent.mkdir()
    render(out)
    rendered = _ffmpeg_frame(out.path, p.width, p.height)
    assert _corner(rendered) == CASES[ccw]
    assert np.abs(rendered.astype(np.float32) - shown).mean() < 6.0    # plus one x264 encode
