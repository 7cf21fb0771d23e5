"""Scan: which files are media. Camera clutter is skipped quietly, images and text are not
media, unknown extensions are sniffed, and folders are walked sorted and loop-safe."""
from __future__ import annotations

import os
from pathlib import Path

from rushes_testkit import ffmpeg

from rushes.ingest.scan import IMAGE, NOT_MEDIA, SIDECAR, classify, scan, sniff


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _card(root: Path) -> Path:
    """A Sony/GoPro/Canon card dump with its usual clutter."""
    card = root / "CARD A"
    for name in ("C0001.MP4", "C0002.MP4", "GX010001.MP4", "A001C003.mxf", "ZOOM0001.WAV", "clip.m2ts", "music.mp3",
                 "interview.mov", "take.MKV", "broll.webm", "old.avi", "tape.mpg", "phone.3gp", "sound.bwf", "a.aiff"):
        _touch(card / name)
    for name in ("C0001M01.XML", "GX010001.THM", "GX010001.LRV", "._C0001.MP4", ".DS_Store", "Thumbs.db",
                 ".hidden.mov", "MEDIAPRO.XML"):
        _touch(card / name)
    _touch(card / "still.JPG")
    _touch(card / "poster.png")
    _touch(card / "frame.tiff")
    _touch(card / "notes.txt")
    _touch(card / "project.xml")  # an XML with no clip of its name: not a sidecar, just not media
    _touch(card / "p.mov")          # ... even next to a clip whose name it happens to start with
    _touch(card / "interview.xml")  # same name as interview.mov: its sidecar
    _touch(card / "A001.R3D")
    _touch(card / "B001.braw")
    _touch(card / ".Trashes" / "501" / "deleted.mov")
    _touch(card / "PRIVATE" / "M4ROOT" / "CLIP" / "C0003.MP4")
    return card


def test_card_dump(tmp_path):
    card = _card(tmp_path)
    entries = list(scan([card]))
    got = {str(e.path.relative_to(card)): (e.action, e.reason) for e in entries}
    media = sorted(k for k, (a, _) in got.items() if a == "media")
    assert media == sorted(["A001C003.mxf", "C0001.MP4", "C0002.MP4", "GX010001.MP4", "PRIVATE/M4ROOT/CLIP/C0003.MP4",
                            "ZOOM0001.WAV", "a.aiff", "broll.webm", "clip.m2ts", "interview.mov", "music.mp3", "old.avi",
                            "p.mov", "phone.3gp", "sound.bwf", "take.MKV", "tape.mpg"])
    for name in ("C0001M01.XML", "GX010001.THM", "GX010001.LRV", "._C0001.MP4", ".DS_Store", "Thumbs.db",
                 ".hidden.mov", "MEDIAPRO.XML", ".Trashes", "interview.xml"):
        assert got[name] == ("skip", SIDECAR), name
    assert ".Trashes/501/deleted.mov" not in got  # hidden folders are not entered
    for name in ("still.JPG", "poster.png", "frame.tiff"):
        assert got[name] == ("skip", IMAGE)
    assert got["notes.txt"] == ("skip", NOT_MEDIA)
    assert got["project.xml"] == ("skip", NOT_MEDIA)
    assert got["A001.R3D"][0] == "skip" and "RED R3D raw" in got["A001.R3D"][1]
    assert "FFmpeg cannot decode" in got["B001.braw"][1]


def test_sorted_and_depth_first(tmp_path):
    for name in ("b/2.mov", "b/1.mov", "a/z.mov", "c.mov", "a/y/x.mov"):
        _touch(tmp_path / "root" / name)
    paths = [str(e.path.relative_to(tmp_path / "root")) for e in scan([tmp_path / "root"])]
    assert paths == ["a/y/x.mov", "a/z.mov", "b/1.mov", "b/2.mov", "c.mov"]


def test_symlink_loops_and_duplicates(tmp_path):
    root = tmp_path / "root"
    clip = _touch(root / "day1" / "clip.mov")
    os.symlink(root, root / "day1" / "loop")          # a loop back to the top
    os.symlink(root / "day1", root / "alias")         # the same folder twice
    os.symlink(clip, root / "link to clip.mov")       # the same file twice
    os.symlink(root / "missing.mov", root / "dangling.mov")
    os.symlink("self.mov", root / "self.mov")          # a link to itself (ELOOP)
    entries = list(scan([root]))
    media = [e for e in entries if e.action == "media"]
    assert len(media) == 1
    dupes = [e for e in entries if e.reason.startswith("same file as")]
    assert len(dupes) == 1
    by_name = {e.path.name: e for e in entries}
    assert by_name["dangling.mov"].reason == "broken link"
    assert by_name["self.mov"].action == "skip"


def test_explicit_files_and_missing_paths(tmp_path):
    clip = _touch(tmp_path / "clip.mov")
    txt = _touch(tmp_path / "read me.txt")
    entries = list(scan([clip, txt, tmp_path / "nope.mov"]))
    assert [(e.path.name, e.action, e.reason) for e in entries] == [
        ("clip.mov", "media", "extension .mov"),
        ("read me.txt", "skip", NOT_MEDIA),
        ("nope.mov", "skip", "not found"),
    ]


def test_unknown_extension_is_sniffed(tmp_path):
    real = tmp_path / "A001.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25", "-t", "0.2", "-c:v", "libx264", str(real))
    ts = tmp_path / "stream.ts"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25", "-t", "0.2", "-c:v", "libx264", "-f", "mpegts", str(ts))
    wav = tmp_path / "s.wav"
    ffmpeg("-f", "lavfi", "-i", "sine", "-t", "0.1", str(wav))
    png = tmp_path / "p.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=16x16", "-frames:v", "1", str(png))
    for src, new in ((real, "CLIP0001.DAT"), (ts, "00001.VRO"), (wav, "take.rec"), (png, "scan.bin")):
        (tmp_path / new).write_bytes(src.read_bytes())
    _touch(tmp_path / "random.dat", b"\x00\x01garbage" * 10)
    assert classify(tmp_path / "CLIP0001.DAT").action == "media"
    assert classify(tmp_path / "00001.VRO").action == "media"
    assert classify(tmp_path / "take.rec").action == "media"
    assert classify(tmp_path / "scan.bin") .reason == IMAGE
    assert classify(tmp_path / "random.dat").reason == NOT_MEDIA
    assert sniff(tmp_path / "random.dat") is None


def test_scan_is_read_only(tmp_path):
    card = _card(tmp_path)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in card.rglob("*") if p.is_file()}
    listing = sorted(card.rglob("*"))
    list(scan([card]))
    assert sorted(card.rglob("*")) == listing
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in card.rglob("*") if p.is_file()} == before


def test_real_footage_folder():
    from rushes_testkit import media_dir, real_media

    real_media("bbb.mp4")
    entries = {e.path.name: e for e in scan([media_dir()])}
    assert entries["bbb.mp4"].action == "media"
    assert entries["speech_0870.wav"].action == "media"
    assert entries["astronaut.png"].reason == IMAGE
    assert entries["speech_transcription.txt"].reason == NOT_MEDIA
