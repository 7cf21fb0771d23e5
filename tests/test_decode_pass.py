"""The one decode pass: exact indices from timestamps, small frames, full frames at a stride,
rotation, VFR gaps, bad input, cancellation, and seeking that agrees with the pass."""
from __future__ import annotations

import numpy as np
import pytest
from rushes_testkit import ffmpeg, real_media, synth_clip

from rushes.decode.decode import DecodeCancelled, MediaError, decode_pass
from rushes.decode.seek import read_frame, read_frames


class Keep:
    def __init__(self, full_stride: int = 0) -> None:
        if full_stride:
            self.full_stride = full_stride
        self.frames = []
        self.finished = False

    def consume(self, frame) -> None:
        self.frames.append(frame)

    def finish(self) -> None:
        self.finished = True


def test_every_frame_once_with_low_and_strided_full(tmp_path):
    clip = synth_clip(tmp_path / "a.mp4", seconds=2.0, size="320x240", rate="25")
    a, b = Keep(full_stride=10), Keep()
    info = decode_pass(clip, [a, b], threads=2)
    assert a.finished and b.finished
    assert info.frame_count == 50 and info.frames_decoded == 50 and info.fps_text == "25/1"
    assert [f.index for f in a.frames] == list(range(50))
    assert a.frames[7].time_s == pytest.approx(7 / 25)
    assert a.frames[0].low.shape == (96, 128, 3) and a.frames[0].low.dtype == np.uint8
    fulls = [f.index for f in a.frames if f.full is not None]
    assert fulls == [0, 10, 20, 30, 40]
    assert a.frames[10].full.shape == (240, 320, 3)


def test_small_frames_match_a_real_scaler(tmp_path):
    """The numpy sampler must show the same picture swscale would (colours, layout)."""
    clip = synth_clip(tmp_path / "bars.mp4", seconds=0.4, size="640x360", source="smptehdbars")
    k = Keep(full_stride=1)
    decode_pass(clip, [k])
    from PIL import Image

    f = k.frames[3]
    ref = np.asarray(Image.fromarray(f.full).resize(f.low.shape[1::-1], Image.BOX)).astype(float)
    assert np.abs(f.low.astype(float) - ref).mean() < 8.0


def test_rotation_is_applied(tmp_path):
    src = tmp_path / "src.mp4"
    # a red box in the top-left corner of a landscape picture
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:size=320x180:rate=25", "-t", "0.4",
           "-vf", "drawbox=x=0:y=0:w=80:h=45:color=red:t=fill", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(src))
    rot = tmp_path / "rot.mp4"
    ffmpeg("-i", str(src), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rot))
    k = Keep(full_stride=1)
    info = decode_pass(rot, [k])
    # FFmpeg 5.1 writes this tag as a display matrix of +90 (counter-clockwise), and that is how
    # FFmpeg shows it: the stored picture needs 270 clockwise (tests/test_rotation_agrees.py
    # checks every quarter turn against FFmpeg's own decode)
    assert info.rotation == 270 and (info.width, info.height) == (180, 320)
    low, full = k.frames[0].low, k.frames[0].full
    assert low.shape[1] == 128 and low.shape[0] > low.shape[1]          # portrait, fixed width
    assert full.shape == (320, 180, 3)
    # turned counter-clockwise: the red box is now in the bottom-left corner
    bl = full[-40:-5, 5:40].astype(int)
    tr = full[5:40, -40:-5].astype(int)
    assert bl[..., 0].mean() > 150 and bl[..., 2].mean() < 100
    assert tr[..., 2].mean() > 150


def test_indices_follow_timestamps_across_gaps(tmp_path):
    """Dropped frames keep their time on the timeline, and the gap repeats the picture before it
    (rushes.ingest.rates: the picture for N is the last frame whose index is <= N)."""
    clip = tmp_path / "gap.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "2",
           "-vf", "select='not(between(n,10,14))'", "-fps_mode", "passthrough",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip))
    k = Keep()
    info = decode_pass(clip, [k])
    idx = [f.index for f in k.frames]
    assert info.frames_decoded == 45 and info.frames_repeated == 5 and info.frames_dropped == 0
    assert idx == list(range(50)) and info.frame_count == 50          # every index, once
    held = k.frames[9].low
    assert all(k.frames[i].low is held for i in range(10, 15))        # frame 9's picture held
    assert not np.array_equal(k.frames[15].low, held)                 # then source frame 15


def test_real_variable_frame_rate_file_numbers_strictly_increasing():
    k = Keep()
    info = decode_pass(real_media("talking_head.mp4"), [k])
    idx = np.array([f.index for f in k.frames])
    assert (idx == np.arange(len(idx))).all()
    assert info.fps_text == "30/1"
    assert abs(info.frame_count - round(info.duration_s * 30)) <= 2


def test_broken_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 20)
    with pytest.raises(MediaError, match="broken.mp4"):
        decode_pass(bad, [Keep()])


def test_cancel_stops_the_pass(tmp_path):
    clip = synth_clip(tmp_path / "long.mp4", seconds=6.0, size="160x120")
    with pytest.raises(DecodeCancelled):
        decode_pass(clip, [Keep()], cancelled=lambda: True)


def test_seeking_returns_the_frames_the_pass_saw(tmp_path):
    clip = synth_clip(tmp_path / "s.mp4", seconds=4.0, size="320x240", extra=("-g", "30"))
    k = Keep(full_stride=1)
    decode_pass(clip, [k])
    wanted = [3, 37, 38, 90, 99]
    got = dict(read_frames(clip, wanted + [500]))
    assert sorted(got) == wanted                                  # past the end is skipped
    for i in wanted:
        assert np.array_equal(got[i], k.frames[i].full), i
    small = read_frame(clip, 60, width=160)
    assert small.shape == (120, 160, 3)
    with pytest.raises(MediaError):
        read_frame(clip, 1000)
