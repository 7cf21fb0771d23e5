"""One time base on real footage, through the real daemon (rushes.ingest.rates).

Clips made from the real footage at known frames: a rate switch (face_then_title.mov: 72 frames
at 30 fps then 94 at 24), a phone-like clip with jittered timestamps and dropped frames, an MKV
whose dropped frames give it an odd average rate, and 23.976, 29.97 drop-frame and 59.94 media.
For each: `media show` frame_count, the last shot's end_frame, face-track frames and keyframe
frames agree; a cut made at a known time lands on the frame an editor's timeline shows there;
and GetKeyframeImage for frame N is the picture FFmpeg shows at (N + 0.5) / rate.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from rushes_testkit import DaemonProcess, ffmpeg, real_media

pytestmark = [pytest.mark.realmedia, pytest.mark.slow]


@dataclass(frozen=True)
class Clip:
    name: str
    rate: Fraction            # the rate the time base must pick
    cut: int | None           # the frame an NLE shows the second picture on (None: no cut made)
    variable: bool
    frame_count: int
    timecode: str = "00:00:00:00"


def _concat(out: Path, parts: list[tuple[Path, float, float]], rate: str, size: str, *extra: str) -> None:
    args: list[str] = []
    for src, start, seconds in parts:
        args += ["-ss", str(start), "-t", str(seconds), "-i", str(src)]
    chains = "".join(f"[{i}:v]fps={rate},scale={size},setsar=1[v{i}];" for i in range(len(parts)))
    ffmpeg(*args, "-filter_complex", chains + "".join(f"[v{i}]" for i in range(len(parts)))
           + f"concat=n={len(parts)}:v=1:a=0[out]", "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           *extra, str(out))


def _make_clips(root: Path) -> dict[str, Clip]:
    head, bird, bikes = real_media("talking_head.mp4"), real_media("cockatoo.mp4"), real_media("bikes.mp4")
    clips: dict[str, Clip] = {}

    # 1. A rate switch, as shot: 72 frames at 30 fps (2.4 s) then 94 at 24 fps; conformed onto 30.
    shutil.copy2(real_media("face_then_title.mov"), root / "face_then_title.mov")
    # Its cut is a fade through one black frame (index 72, at 2.4 s) to the title (from 73).
    clips["face_then_title.mov"] = Clip("face_then_title.mov", Fraction(30), None, True, 192)

    # 2. Phone-like: 30 fps with +-4 ms of timestamp jitter and every 23rd frame dropped (not near
    #    the cut), a hard cut from the webcam to the cockatoo at 2.0 s = frame 60.
    even = root / "even.mp4"
    _concat(even, [(head, 0.0, 2.0), (bird, 0.0, 2.0)], "30", "640:360")
    ffmpeg("-i", str(even), "-vf", r"setpts=(N/30+0.004*sin(N*1.7))/TB,select=not(eq(mod(n\,23)\,5))",
           "-fps_mode", "passthrough", "-video_track_timescale", "90000", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(root / "phone.mp4"))
    clips["phone.mp4"] = Clip("phone.mp4", Fraction(30), 60, True, 120)

    # 3. Matroska with every other frame of bikes.mp4's first 20 dropped (a camera that stuttered
    #    at start): 25 fps with the cuts of bikes.mp4 (30, 76, 137, 187, 242). Before the one time
    #    base the probe counted 240 frames here and the decode pass 250.
    ffmpeg("-i", str(bikes), "-vf", r"select=not(lt(n\,20)*mod(n\,2))", "-fps_mode", "passthrough",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", str(root / "stutter.mkv"))
    clips["stutter.mkv"] = Clip("stutter.mkv", Fraction(25), 30, True, 250)

    # 4. 23.976, 29.97 drop-frame and 59.94, each a hard cut between two real sources.
    _concat(root / "ntsc_film.mov", [(real_media("face_emotions.mp4"), 2.0, 48 / (24000 / 1001)), (bikes, 1.5, 2.0)],
            "24000/1001", "640:360", "-timecode", "01:00:00:00")
    clips["ntsc_film.mov"] = Clip("ntsc_film.mov", Fraction(24000, 1001), 48, False, 48 + 48, "01:00:00:00")
    _concat(root / "ntsc_df.mov", [(real_media("carphone.mp4"), 0.0, 1.5), (bird, 3.0, 1.5)],
            "30000/1001", "352:288", "-timecode", "00:59:59;28")
    clips["ntsc_df.mov"] = Clip("ntsc_df.mov", Fraction(30000, 1001), 45, False, 90, "00:59:59;28")
    _concat(root / "ntsc_60.mp4", [(real_media("multicam_cam01.mp4"), 0.0, 1.0), (bird, 6.0, 1.0)],
            "60000/1001", "360:640")
    clips["ntsc_60.mp4"] = Clip("ntsc_60.mp4", Fraction(60000, 1001), 60, False, 120)
    even.unlink()
    return clips


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    pytest.importorskip("rushes.shots.step", reason="needs the shot step")
    root = tmp_path_factory.mktemp("timebase-footage")
    clips = _make_clips(root)
    home = tmp_path_factory.mktemp("timebase-home")
    out: dict[str, dict] = {}
    with DaemonProcess(home, env={"RUSHES_FACES_SAMPLE_S": "0.5"}) as d:
        # the referee model is not what is tested here (its own tests are): fast detectors only
        jobs = json.loads(d.cli("ingest", "--wait", "--json", "--shots-model", "off",
                                *[str(root / n) for n in clips]).stdout)["jobs"]
        assert all(j["state"] == "done" for j in jobs), jobs
        for name in clips:
            path = str(root / name)
            out[name] = {"media": json.loads(d.cli("media", "show", path, "--json").stdout),
                         "shots": json.loads(d.cli("shots", path, "--json").stdout),
                         "faces": json.loads(d.cli("faces", path, "--json").stdout)}
        client = d.client()
        try:
            for name, clip in clips.items():
                frames = [clip.cut - 1, clip.cut] if clip.cut else []
                if name == "face_then_title.mov":
                    frames += list(range(70, 86)) + [191]    # across the switch to 24 fps; the last frame
                if name == "stutter.mkv":
                    frames += [0, 1, 2, 3, 21, 249]           # 1 and 3 repeat 0 and 2
                out[name]["images"] = {n: _keyframe(client, out[name]["media"]["id"], n) for n in sorted(set(frames))}
        finally:
            client.close()
    return root, clips, out


def _keyframe(client, media_id: str, frame: int) -> np.ndarray:
    from PIL import Image
    from rushes_proto.v1 import rushes_pb2 as pb

    img = client.stub.GetKeyframeImage(pb.GetKeyframeImageRequest(media=media_id, frame=frame, full_resolution=True))
    with Image.open(io.BytesIO(img.jpeg)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def _frame_starts(path: Path) -> list[float]:
    """Every video frame's start time (s, from the stream's start), sorted, as ffprobe lists them."""
    proc = subprocess.run([shutil.which("ffprobe") or "ffprobe", "-v", "error", "-select_streams", "v:0",
                           "-show_entries", "stream=start_time:packet=pts_time", "-of", "json", str(path)],
                          capture_output=True, text=True, check=True)
    data = json.loads(proc.stdout)
    start = float(data["streams"][0].get("start_time") or 0.0)
    return sorted(float(p["pts_time"]) - start for p in data["packets"] if p.get("pts_time") not in (None, "N/A"))


def _ffmpeg_picture(path: Path, seconds: float, size: tuple[int, int]) -> np.ndarray:
    """The picture a player shows at `seconds`: the last frame starting at or before it, found in
    ffprobe's list and decoded by FFmpeg (whose `-ss T` gives the first frame starting at or
    after T, so it is asked for a hair before that frame's own start)."""
    starts = _frame_starts(path)
    shown = max((t for t in starts if t <= seconds + 1e-9), default=starts[0])
    proc = subprocess.run([shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-ss", f"{max(0.0, shown - 1e-4):.6f}",
                           "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                          capture_output=True, check=True)
    w, h = size
    return np.frombuffer(proc.stdout, np.uint8)[: w * h * 3].reshape(h, w, 3).astype(np.int16)


NAMES = ["face_then_title.mov", "phone.mp4", "stutter.mkv", "ntsc_film.mov", "ntsc_df.mov", "ntsc_60.mp4"]


@pytest.mark.parametrize("name", NAMES)
def test_frame_counts_shots_faces_and_keyframes_agree(ingested, name):
    _, clips, out = ingested
    clip, got = clips[name], out[name]
    media, shots = got["media"], got["shots"]
    assert Fraction(media["fps"]) == clip.rate == Fraction(shots["fps"])
    assert media["frame_count"] == clip.frame_count == shots["frame_count"]
    assert media["duration_s"] == pytest.approx(float(clip.frame_count / clip.rate), abs=1e-6)
    assert media["start_timecode"] == clip.timecode
    ss = shots["shots"]
    assert ss[0]["start_frame"] == 0 and ss[-1]["end_frame"] == media["frame_count"]
    assert all(a["end_frame"] == b["start_frame"] for a, b in zip(ss, ss[1:]))
    for s in ss:
        assert all(s["start_frame"] <= k < s["end_frame"] for k in s["keyframes"]), s
    bounds = {s["id"]: (s["start_frame"], s["end_frame"]) for s in ss}
    for t in got["faces"]["tracks"]:
        start, end = bounds[t["shot_id"]]
        assert start <= t["first_frame"] <= t["best_frame"] < t["end_frame"] <= end, t


@pytest.mark.parametrize("name", NAMES)
def test_a_cut_lands_on_the_frame_an_editor_sees(ingested, name):
    _, clips, out = ingested
    clip, shots = clips[name], out[name]["shots"]
    starts = [s["start_frame"] for s in shots["shots"]]
    if clip.cut is None:        # face_then_title.mov: the fade through its black frame 72
        fades = [t for t in shots["transitions"] if t["type"] == "fade_through_black"]
        assert len(fades) == 1 and fades[0]["start"] <= 72 < 73 < fades[0]["end"] <= 74, shots["transitions"]
        assert len(starts) == 2 and fades[0]["start"] == starts[1]
        return
    assert clip.cut in starts, (clip.cut, starts)
    if name == "stutter.mkv":
        assert starts == [0, 30, 76, 137, 187, 242]


@pytest.mark.parametrize("name", NAMES)
def test_keyframe_image_is_the_picture_ffmpeg_shows_mid_frame(ingested, name):
    """GetKeyframeImage(N) (JPEG q90 of the full picture) is the picture shown at (N + 0.5) / rate:
    mean |difference| under 4 levels from FFmpeg's decode of it (JPEG alone), and the two
    pictures either side of the cut differ by far more (> 12)."""
    root, clips, out = ingested
    clip = clips[name]
    for n, mine in out[name]["images"].items():
        size = (mine.shape[1], mine.shape[0])
        want = _ffmpeg_picture(root / name, (n + 0.5) / float(clip.rate), size)
        assert np.abs(mine - want).mean() < 4.0, (name, n, np.abs(mine - want).mean())
    if name == "stutter.mkv":
        images = out[name]["images"]
        assert np.array_equal(images[1], images[0]) and np.array_equal(images[3], images[2])
    if clip.cut:
        before, after = out[name]["images"][clip.cut - 1], out[name]["images"][clip.cut]
        assert np.abs(before - after).mean() > 12.0


def test_rate_switch_repeats_the_previous_picture_on_the_slower_stretch(ingested):
    """At 24 fps conformed onto 30, one index in five has no frame of its own and shows the
    frame before it (checked against the player's picture by the test above)."""
    _, _, out = ingested
    images = out["face_then_title.mov"]["images"]
    repeats = [n for n in range(73, 86) if np.array_equal(images[n], images[n - 1])]
    assert 2 <= len(repeats) <= 3, repeats          # 13 indices of a 24-in-30 stretch: 13 / 5
    assert not [n for n in range(60, 72) if n in images and n - 1 in images and np.array_equal(images[n], images[n - 1])]
