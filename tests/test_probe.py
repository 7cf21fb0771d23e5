"""Probe: professional formats synthesized with ffmpeg each come out with the exact rate, frame
count and start timecode; rotation, VFR, audio-only WAV/BWF and awkward paths work."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest
from rushes_testkit import ffmpeg, rotated_copy

from rushes.ingest.decodable import check_decodable
from rushes.decode.decode import decode_pass
from rushes.ingest.probe import ProbeResult, probe

SRC = "testsrc2=size={size}:rate={rate}"


def _make(path: Path, *, rate: str, codec: tuple[str, ...], size: str = "64x64", seconds: float = 1.0,
          extra: tuple[str, ...] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg("-f", "lavfi", "-i", SRC.format(size=size, rate=rate), "-t", str(seconds), *codec, *extra, str(path))
    return path


PRORES_KS = ("-c:v", "prores_ks", "-profile:v", "0")
# FFmpeg 5.1's MXF muxer cannot read the profile from prores_ks frames ("could not get prores
# profile"); the other ProRes encoder writes the same codec and muxes fine.
PRORES_MXF = ("-c:v", "prores", "-profile:v", "2")
DNXHR = ("-c:v", "dnxhd", "-profile:v", "dnxhr_hq", "-pix_fmt", "yuv422p")  # needs >= 256x120

# name, file, rate, codec args, size, timecode arg, expected: (fps, frames, timecode, drop, codec)
CASES = [
    ("prores_2398_mov", "A001C001.mov", "24000/1001", PRORES_KS, "64x64", ("-timecode", "01:00:00:00"),
     (Fraction(24000, 1001), 24, "01:00:00:00", False, "prores")),
    ("prores_2997df_mov", "A001C002.mov", "30000/1001", PRORES_KS, "64x64", ("-timecode", "01:00:00;00"),
     (Fraction(30000, 1001), 30, "01:00:00;00", True, "prores")),
    ("prores_2997df_mxf", "A001C003.mxf", "30000/1001", PRORES_MXF, "64x64", ("-timecode", "13:59:59;28"),
     (Fraction(30000, 1001), 30, "13:59:59;28", True, "prores")),
    ("prores_2398_mxf", "A001C004.mxf", "24000/1001", PRORES_MXF, "64x64", ("-timecode", "23:00:10:05"),
     (Fraction(24000, 1001), 24, "23:00:10:05", False, "prores")),
    ("prores_50p_mxf", "B001C001.mxf", "50", PRORES_MXF, "64x64", ("-timecode", "10:00:00:49"),
     (Fraction(50), 50, "10:00:00:49", False, "prores")),
    ("dnxhr_25_mov", "C001.mov", "25", DNXHR, "256x144", ("-timecode", "10:00:00:00"),
     (Fraction(25), 25, "10:00:00:00", False, "dnxhd")),
    ("dnxhr_2997df_mxf", "C002.mxf", "30000/1001", DNXHR, "256x144", ("-timecode", "00:09:59;29"),
     (Fraction(30000, 1001), 30, "00:09:59;29", True, "dnxhd")),
    ("dnxhr_50p_mxf", "C003.mxf", "50", DNXHR, "256x144", ("-timecode", "01:02:03:04"),
     (Fraction(50), 50, "01:02:03:04", False, "dnxhd")),
    ("h264_5994df_mov", "D001.mov", "60000/1001", ("-c:v", "libx264", "-pix_fmt", "yuv420p"), "64x64",
     ("-timecode", "00:59:59;56"), (Fraction(60000, 1001), 60, "00:59:59;56", True, "h264")),
]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pro")
    out = {}
    for name, filename, rate, codec, size, tc_args, _ in CASES:
        out[name] = _make(root / filename, rate=rate, codec=codec, size=size, extra=tc_args)
    return out


def _decoded_frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_professional_formats_probe_exactly(clips, case):
    name, _, _, _, size, _, (fps, frames, start_tc, drop, codec) = case
    path = clips[name]
    result = probe(path)
    assert isinstance(result, ProbeResult)
    assert result.kind == "video"
    assert (result.fps_num, result.fps_den) == (fps.numerator, fps.denominator)
    assert result.fps == fps and result.fps_text == f"{fps.numerator}/{fps.denominator}"
    assert result.frame_count == frames == _decoded_frames(path)
    assert result.start_timecode == start_tc
    assert result.drop_frame is drop
    assert result.video_codec == codec
    w, h = (int(v) for v in size.split("x"))
    assert (result.width, result.height) == (w, h)
    assert result.rotation == 0
    assert result.variable_frame_rate is False
    assert result.duration_s == pytest.approx(float(frames / fps), abs=1e-9)
    assert result.container.split(",")[0] in ("mov", "mxf")
    assert check_decodable(path, result) == []


def test_start_frame_round_trips_the_timecode(clips):
    result = probe(clips["prores_2997df_mov"])
    # 01:00:00;00 at 29.97 DF is frame 107892 (SMPTE: 108000 labels minus 108 dropped).
    assert result.start_frame == 107892


def test_reel_name_from_tmcd_track(tmp_path):
    path = _make(tmp_path / "reel.mov", rate="25", codec=PRORES_KS,
                 extra=("-timecode", "02:00:00:00", "-metadata:s:v", "reel_name=A007"))
    result = probe(path)
    assert result.reel == "A007"
    assert result.start_timecode == "02:00:00:00"


def test_reel_name_in_mxf(tmp_path):
    path = _make(tmp_path / "reel.mxf", rate="25", codec=PRORES_MXF,
                 extra=("-timecode", "02:00:00:00", "-metadata", "reel_name=B012"))
    assert probe(path).reel == "B012"


def test_clip_without_timecode_starts_at_zero(tmp_path):
    path = _make(tmp_path / "plain.mp4", rate="25", codec=("-c:v", "libx264", "-pix_fmt", "yuv420p"))
    result = probe(path)
    assert result.start_timecode == "00:00:00:00" and result.drop_frame is False
    assert result.reel is None and result.audio_channels == 0


def test_rotated_phone_clip(tmp_path):
    plain = _make(tmp_path / "landscape.mp4", rate="30", size="64x48", codec=("-c:v", "libx264", "-pix_fmt", "yuv420p"))
    # An iPhone held upright stores landscape pixels and a matrix rotating -90 (clockwise 90).
    portrait = rotated_copy(plain, tmp_path / "IMG_0001.MOV", -90)
    result = probe(portrait)
    assert result.rotation == 90
    assert (result.width, result.height) == (48, 64)  # displayed size
    assert result.frame_count == 30 and result.fps == 30
    upside = probe(rotated_copy(plain, tmp_path / "upside.mp4", 180))
    assert upside.rotation == 180 and (upside.width, upside.height) == (64, 48)
    assert probe(plain).rotation == 0


@pytest.fixture(scope="module")
def vfr_clips(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("vfr")
    mp4 = root / "screen recording.mp4"
    # Drop frames 10..20 and every 7th: timestamps keep their gaps (-vsync vfr).
    ffmpeg("-f", "lavfi", "-i", SRC.format(size="64x64", rate=30), "-t", "2",
           "-vf", r"select='not(between(n\,10\,20))*not(eq(mod(n\,7)\,3))'", "-vsync", "vfr",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", str(mp4))
    mkv = root / "vfr.mkv"
    ffmpeg("-i", str(mp4), "-c", "copy", str(mkv))
    return mp4, mkv


def test_variable_frame_rate_clip(vfr_clips):
    for path in vfr_clips:
        result = probe(path)
        assert result.variable_frame_rate is True, path
        assert result.fps == 30, (path, result.extra.get("rates"))  # the capture rate, not the 21.36 average
        # Conformed as an editor's timeline: 42 pictures, the last (source frame 58) at index 58,
        # the dropped ones' indices repeating the picture before them.
        assert _decoded_frames(path) == 42
        assert result.frame_count == 59 == decode_pass(path, []).frame_count
        assert result.duration_s == pytest.approx(59 / 30, abs=1e-9)
        check_decodable(path, result)


def test_constant_rate_h264_is_not_vfr(tmp_path):
    path = _make(tmp_path / "cfr.mkv", rate="30000/1001", seconds=2,
                 codec=("-c:v", "libx264", "-pix_fmt", "yuv420p", "-bf", "2"))
    result = probe(path)
    assert result.variable_frame_rate is False
    assert result.fps == Fraction(30000, 1001)  # Matroska's 1 ms timebase notwithstanding
    assert result.frame_count == _decoded_frames(path) == 60


def test_audio_only_wav(tmp_path):
    path = tmp_path / "sound roll 01.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-ac", "2", "-t", "1.5",
           "-c:a", "pcm_s24le", str(path))
    result = probe(path)
    assert result.kind == "audio"
    assert result.video_codec is None and result.audio_codec == "pcm_s24le"
    assert (result.audio_channels, result.audio_rate) == (2, 48000)
    assert result.duration_s == pytest.approx(1.5, abs=1e-6)
    assert (result.width, result.height) == (0, 0)
    assert result.start_timecode == "00:00:00:00"
    assert check_decodable(path, result) == []


def test_bwf_time_reference_gives_start_timecode(tmp_path):
    path = tmp_path / "T001.WAV"
    # 10:00:02:12 at 25 fps = 36002.48 s after midnight = 1728119040 samples at 48 kHz.
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "1", "-c:a", "pcm_s16le",
           "-write_bext", "1", "-metadata", "time_reference=1728119040", "-metadata", "originator=SoundDevices",
           str(path))
    result = probe(path)
    assert result.kind == "audio"
    assert result.start_timecode == "10:00:02:12"
    assert result.extra["timecode_source"] == "bwf time_reference"
    assert result.extra["bwf_originator"] == "SoundDevices"


def test_video_with_audio_tracks(tmp_path):
    path = tmp_path / "interview.mov"
    ffmpeg("-f", "lavfi", "-i", SRC.format(size="64x64", rate=25), "-f", "lavfi",
           "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", *PRORES_KS, "-c:a", "pcm_s24le",
           "-ac", "2", "-timecode", "00:00:10:00", str(path))
    result = probe(path)
    assert result.kind == "video" and result.audio_codec == "pcm_s24le"
    assert (result.audio_channels, result.audio_rate) == (2, 48000)
    assert result.start_timecode == "00:00:10:00"


def test_paths_with_spaces_and_non_ascii(tmp_path):
    path = _make(tmp_path / "Día 1 – plató" / "clip número 1 (toma 2) 日本.mov", rate="25", codec=PRORES_KS,
                 extra=("-timecode", "01:00:00:00"))
    result = probe(path)
    assert result.path == path and result.frame_count == 25
    assert result.start_timecode == "01:00:00:00"
    check_decodable(path, result)
    assert "clip número 1" in result.to_dict()["path"]


def test_to_dict_is_json_ready(clips):
    import json

    data = probe(clips["prores_2398_mov"]).to_dict()
    text = json.dumps(data)
    assert data["fps"] == "24000/1001" and data["frame_count"] == 24
    assert '"start_timecode": "01:00:00:00"' in text


def test_song_with_cover_art_is_audio(tmp_path):
    cover = tmp_path / "cover.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x32", "-frames:v", "1", str(cover))
    path = tmp_path / "temp music.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=sample_rate=44100", "-i", str(cover), "-t", "1", "-map", "0", "-map", "1",
           "-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic", str(path))
    result = probe(path)
    assert result.kind == "audio" and result.audio_rate == 44100 and result.video_codec is None


def test_probing_writes_nothing_next_to_the_clips(clips):
    folder = next(iter(clips.values())).parent
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    for path in clips.values():
        check_decodable(path, probe(path))
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()} == before


def test_mpeg2_gop_timecode(tmp_path):
    """Timecode written in the stream itself (MPEG-2 GOP header), no container tag."""
    path = _make(tmp_path / "tape capture.mpg", rate="30000/1001", codec=("-c:v", "mpeg2video"),
                 extra=("-timecode", "01:00:00;02"))
    result = probe(path)
    assert result.start_timecode == "01:00:00;02" and result.drop_frame is True
    assert result.extra["timecode_source"] == "first frame"
    assert result.frame_count == 30 and result.fps == Fraction(30000, 1001)


def test_rotation_convention_matches_ffmpeg_autorotate(tmp_path):
    """`np.rot90(frame, k=-(rotation // 90))` gives exactly the picture FFmpeg displays."""
    import numpy as np

    lossless = _make(tmp_path / "src.mp4", rate="30", size="64x48", seconds=0.2,
                     codec=("-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p"))
    phone = rotated_copy(lossless, tmp_path / "phone.mp4", -90)
    result = probe(phone)
    upright_raw = tmp_path / "upright.rgb"
    ffmpeg("-i", str(phone), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", str(upright_raw))
    upright = np.frombuffer(upright_raw.read_bytes(), np.uint8).reshape(result.height, result.width, 3)
    with av.open(str(phone)) as c:
        stored = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert np.array_equal(np.rot90(stored, k=-(result.rotation // 90)), upright)
    assert not np.array_equal(np.rot90(stored, k=result.rotation // 90), upright)


def test_trimmed_export_with_an_edit_list(tmp_path):
    """`-ss` + stream copy keeps the GOP's pre-roll samples but hides them with an edit list:
    the frame count is what plays, not what is stored."""
    long = _make(tmp_path / "long.mp4", rate="25", seconds=4, codec=("-c:v", "libx264", "-g", "50", "-pix_fmt", "yuv420p"))
    trimmed = tmp_path / "trimmed.mp4"
    ffmpeg("-ss", "1.0", "-i", str(long), "-t", "2", "-c", "copy", str(trimmed))
    result = probe(trimmed)
    assert result.frame_count == _decoded_frames(trimmed)
    assert result.duration_s == pytest.approx(result.frame_count / 25)
    assert result.extra.get("edit_list_hidden_frames", 0) > 0
    check_decodable(trimmed, result)


def _bwf_with_ixml(path: Path, time_reference: int, ixml: str, seconds: float = 0.5, rf64: bool = False) -> Path:
    """A recorder-style BWF: fmt, bext (time_reference), iXML, data -- built byte by byte,
    because FFmpeg cannot write iXML."""
    import struct

    rate = 48000
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    bext = bytearray(602)
    bext[0:11] = b"Scene 12/3 "
    struct.pack_into("<Q", bext, 338, time_reference)  # after description, originator, refs, date, time
    body_ixml = ixml.encode()

    def chunk(tag: bytes, body: bytes) -> bytes:
        return tag + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")

    data = b"\0" * int(rate * seconds) * 2
    body = b"WAVE" + chunk(b"fmt ", fmt) + chunk(b"bext", bytes(bext)) + chunk(b"iXML", body_ixml) + chunk(b"data", data)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


IXML = """<?xml version="1.0" encoding="UTF-8"?>
<BWFXML><PROJECT>Rushes Demo</PROJECT><SCENE>12</SCENE><TAKE>3</TAKE><TAPE>SR001</TAPE>
<SPEED><TIMECODE_RATE>{rate}</TIMECODE_RATE><TIMECODE_FLAG>{flag}</TIMECODE_FLAG></SPEED></BWFXML>"""


def test_bwf_ixml_timecode_rate_drop_frame_and_tape(tmp_path):
    # 01:00:00;00 at 29.97 DF is frame 107892 = 3599.9964 s = 172799827.2 samples at 48 kHz:
    # the recorder stores the sample of that frame's start, rounded up.
    samples = -(-107892 * 1001 * 48000 // 30000)
    path = _bwf_with_ixml(tmp_path / "12-3.WAV", samples, IXML.format(rate="30000/1001", flag="DF"))
    result = probe(path)
    assert result.kind == "audio"
    assert result.fps == Fraction(30000, 1001)
    assert (result.start_timecode, result.drop_frame) == ("01:00:00;00", True)
    assert result.reel == "SR001"
    assert result.extra["ixml"]["scene"] == "12" and result.extra["ixml"]["take"] == "3"
    assert "timecode_rate_assumed" not in result.extra
    assert result.frame_count == 14  # 0.5 s at 29.97, whole frames


def test_bwf_ixml_2398_non_drop(tmp_path):
    # Label 10:00:00:00 at 23.976 NDF is frame 864000, which starts 864000 * 1001/24000 s
    # after midnight: 864000 * 1001 * 2 samples at 48 kHz.
    samples = 864000 * 1001 * 2
    path = _bwf_with_ixml(tmp_path / "T002.WAV", samples, IXML.format(rate="24000/1001", flag="NDF"))
    result = probe(path)
    assert result.fps == Fraction(24000, 1001)
    assert (result.start_timecode, result.drop_frame) == ("10:00:00:00", False)


def test_interlaced_avchd_style_mts(tmp_path):
    """1080i-style H.264 in MPEG-TS (AVCHD .MTS): 25 frames a second, not 50 fields; TS has no
    frame count, so the packets are counted; the stream starts at a non-zero timestamp."""
    path = tmp_path / "00001.MTS"
    ffmpeg("-f", "lavfi", "-i", SRC.format(size="64x64", rate=25), "-f", "lavfi", "-i", "sine=sample_rate=48000",
           "-t", "2", "-c:v", "libx264", "-flags", "+ildct+ilme", "-x264opts", "interlaced=1:tff=1",
           "-pix_fmt", "yuv420p", "-c:a", "ac3", "-f", "mpegts", str(path))
    result = probe(path)
    assert result.fps == 25 and result.frame_count == 50 == _decoded_frames(path)
    assert result.extra["interlaced"] is True
    assert result.extra["video_start_s"] > 0
    assert result.audio_codec == "ac3" and result.audio_channels == 1
    check_decodable(path, result)
