"""Bad input: every broken file gives a ProbeError that names the file and says what is wrong in
words an editor understands; damage FFmpeg conceals is only a warning."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import av
import pytest
from rushes_testkit import ffmpeg

from rushes.errors import RushesError
from rushes.ingest.decodable import check_decodable
from rushes.ingest.probe import ProbeError, probe

SRC = "testsrc2=size=64x64:rate=25"
H264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p")


def _clip(path: Path, *args: str, seconds: float = 2.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg("-f", "lavfi", "-i", SRC, "-t", str(seconds), *args, str(path))
    return path


def _damage(src: Path, dst: Path, start_frac: float, length: int | None = None, end_frac: float | None = None) -> Path:
    data = bytearray(src.read_bytes())
    start = int(len(data) * start_frac)
    end = start + length if length is not None else int(len(data) * (end_frac or 1.0))
    rng = random.Random(7)
    for i in range(start, min(end, len(data))):
        data[i] = rng.randrange(256)
    dst.write_bytes(bytes(data))
    return dst


def _assert_names(err: pytest.ExceptionInfo[ProbeError], path: Path, words: str) -> None:
    message = str(err.value)
    assert str(path) in message, message
    assert words in message, message
    assert err.value.path == path
    assert isinstance(err.value, RushesError)  # the server maps it to a gRPC status


def test_text_file_named_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("Day 2: interview with the mayor, camera B.\n" * 20)
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "not a media file FFmpeg can read")


def test_zero_bytes(tmp_path):
    path = tmp_path / "A001C001.MOV"
    path.write_bytes(b"")
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "empty file")


def test_missing_file(tmp_path):
    path = tmp_path / "gone.mov"
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "file not found")


def test_truncated_with_index_at_the_end(tmp_path):
    """An interrupted card copy of a camera MP4 (moov at the end): the header never arrives."""
    full = _clip(tmp_path / "full.mp4", *H264, "-g", "10")
    path = tmp_path / "copy in progress.mp4"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "truncated")


def test_truncated_with_index_at_the_start(tmp_path):
    """Faststart MP4 cut short: the index promises frames the file does not hold."""
    full = _clip(tmp_path / "full.mp4", *H264, "-g", "10", "-movflags", "+faststart")
    path = tmp_path / "cut.mp4"
    path.write_bytes(full.read_bytes()[: full.stat().st_size * 6 // 10])
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "truncated")


def test_truncated_stream_without_index(tmp_path):
    """MPEG-TS has no index: probe passes on what is there, the end check catches the cut."""
    full = _clip(tmp_path / "full.ts", *H264, "-g", "10", seconds=4)
    path = tmp_path / "cut.ts"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    result = probe(path)
    # Without an index the probe can only see what is there: the duration shrinks to the cut.
    assert result.duration_s < 3.0
    check_decodable(path, result)  # what is there decodes to its (shorter) end: not broken


def test_no_video_frames(tmp_path):
    path = tmp_path / "empty take.mkv"
    ffmpeg("-f", "lavfi", "-i", SRC, "-frames:v", "0", *H264, str(path))
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "no video frames")


def test_no_streams_at_all(tmp_path):
    path = tmp_path / "nothing.mov"
    ffmpeg("-f", "lavfi", "-i", SRC, "-frames:v", "0", "-c:v", "prores_ks", str(path))
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "no video frames")


def test_corrupt_middle_is_broken_beyond_recovery(tmp_path):
    full = _clip(tmp_path / "ok.mp4", *H264, "-g", "10", "-movflags", "+faststart")
    path = _damage(full, tmp_path / "smashed.mp4", 0.3, end_frac=1.0)
    result = probe(path)  # the header is intact: probing alone cannot tell
    with pytest.raises(ProbeError) as err:
        check_decodable(path, result)
    _assert_names(err, path, "damaged")


def test_corrupt_middle_of_intra_codec(tmp_path):
    full = _clip(tmp_path / "ok.mov", "-c:v", "prores_ks", "-profile:v", "0")
    path = _damage(full, tmp_path / "bad middle.mov", 0.25, end_frac=0.97)
    result = probe(path)
    with pytest.raises(ProbeError) as err:
        check_decodable(path, result)
    _assert_names(err, path, "damaged")


def test_a_few_damaged_packets_are_a_warning(tmp_path):
    full = _clip(tmp_path / "ok.mp4", *H264, "-g", "10", "-movflags", "+faststart")
    # Scratch the inside of the one frame shown at 1.00 s (the middle the check samples).
    with av.open(str(full)) as c:
        stream = c.streams.video[0]
        packet = next(pk for pk in c.demux(stream) if pk.pts is not None and pk.pts * stream.time_base == 1)
        pos, size = packet.pos, packet.size
    data = bytearray(full.read_bytes())
    rng = random.Random(3)
    for i in range(pos + size // 4, pos + size * 3 // 4):
        data[i] = rng.randrange(256)
    path = tmp_path / "scratched.mp4"
    path.write_bytes(bytes(data))
    result = probe(path)
    warnings = check_decodable(path, result)
    assert warnings, "concealed damage should be reported"
    assert result.extra["decode_warnings"] == warnings
    assert check_decodable(full, probe(full)) == []


def test_an_image_is_not_media(tmp_path):
    path = tmp_path / "frame.png"
    ffmpeg("-f", "lavfi", "-i", SRC, "-frames:v", "1", str(path))
    with pytest.raises(ProbeError) as err:
        probe(path)
    _assert_names(err, path, "image")


def test_a_folder_is_not_media(tmp_path):
    folder = tmp_path / "CLIP.MOV"
    folder.mkdir()
    with pytest.raises(ProbeError) as err:
        probe(folder)
    _assert_names(err, folder, "folder")


def _without_root_privileges(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run python as root minus the capabilities that let root read any file."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and util-linux setpriv is missing: cannot drop read privileges")
    caps = "-dac_override,-dac_read_search"
    return subprocess.run([setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", "--",
                           sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)


def test_permission_denied(tmp_path):
    source = _clip(tmp_path / "ok.mov", "-c:v", "prores_ks", "-profile:v", "0", seconds=1)
    path = tmp_path / "locked clip é.mov"
    shutil.copy(source, path)
    path.chmod(0)
    try:
        if os.geteuid() != 0:
            with pytest.raises(ProbeError) as err:
                probe(path)
            _assert_names(err, path, "permission denied")
            return
        code = ("import json, sys\nfrom rushes.ingest.probe import probe, ProbeError\n"
                "try:\n    probe(sys.argv[1]); print(json.dumps({'ok': True}))\n"
                "except ProbeError as e:\n    print(json.dumps({'ok': False, 'message': str(e)}))\n")
        proc = _without_root_privileges(code, str(path))
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out["ok"] is False
        assert str(path) in out["message"] and "permission denied" in out["message"], out
        path.chmod(0o644)  # the same file, readable again, probes fine the same way
        out = json.loads(_without_root_privileges(code, str(path)).stdout.strip().splitlines()[-1])
        assert out == {"ok": True}
    finally:
        path.chmod(0o644)


def test_truncated_mxf_is_caught_by_the_decode_check(tmp_path):
    """MXF keeps its length in the header: probing passes, the end check finds the cut."""
    full = _clip(tmp_path / "A001C001.mxf", "-c:v", "prores", "-profile:v", "2", seconds=4)
    path = tmp_path / "A001C001 (copy).mxf"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    result = probe(path)
    assert result.frame_count == 100  # what the header promises
    with pytest.raises(ProbeError) as err:
        check_decodable(path, result)
    _assert_names(err, path, "truncated")
    assert check_decodable(full, probe(full)) == []


def test_bad_batch_leaves_sources_untouched(tmp_path):
    """Probing and checking broken files writes nothing next to them (source media is read-only)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "notes.mp4").write_text("not video")
    (folder / "zero.mov").write_bytes(b"")
    good = _clip(folder / "good clip.mp4", *H264, "-g", "10", "-movflags", "+faststart")
    _damage(good, folder / "bad clip.mp4", 0.3, end_frac=1.0)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    outcomes = {}
    for path in sorted(folder.iterdir()):
        try:
            check_decodable(path, probe(path))
            outcomes[path.name] = "ok"
        except ProbeError as exc:
            outcomes[path.name] = exc.reason
    assert outcomes["good clip.mp4"] == "ok"
    assert outcomes["zero.mov"].startswith("empty file")
    assert outcomes["notes.mp4"] == "not a media file FFmpeg can read"
    assert "damaged" in outcomes["bad clip.mp4"]
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()} == before
