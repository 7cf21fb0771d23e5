"""iXML reader: only chunk headers and the iXML chunk are read; odd files give None."""
from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

from rushes_testkit import ffmpeg

from rushes.ingest.bwf import read_ixml


def _chunk(tag: bytes, body: bytes) -> bytes:
    return tag + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _wav(path: Path, chunks: list[bytes], head: bytes = b"RIFF") -> Path:
    body = b"WAVE" + b"".join(chunks)
    path.write_bytes(head + struct.pack("<I", len(body) if head == b"RIFF" else 0xFFFFFFFF) + body)
    return path


FMT = _chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 48000, 96000, 2, 16))
XML = (b"<BWFXML><TAPE>SR002</TAPE><SCENE>4A</SCENE><TAKE>7</TAKE><CIRCLED>TRUE</CIRCLED>"
       b"<SPEED><TIMECODE_RATE>25/1</TIMECODE_RATE><TIMECODE_FLAG>NDF</TIMECODE_FLAG></SPEED></BWFXML>\0\0")


def test_reads_ixml_after_the_audio(tmp_path):
    path = _wav(tmp_path / "a.wav", [FMT, _chunk(b"data", b"\0" * 9601), _chunk(b"iXML", XML)])  # odd size: pad byte
    info = read_ixml(path)
    assert info is not None
    assert info.timecode_rate == Fraction(25) and info.drop_frame is False
    assert (info.tape, info.scene, info.take) == ("SR002", "4A", "7")
    assert info.fields["circled"] == "TRUE"


def test_rf64_data_size_from_ds64(tmp_path):
    ds64 = _chunk(b"ds64", struct.pack("<QQQI", 0, 4800, 0, 0))
    data = b"data" + struct.pack("<I", 0xFFFFFFFF) + b"\0" * 4800
    path = _wav(tmp_path / "big.wav", [ds64, FMT, data, _chunk(b"iXML", XML)], head=b"RF64")
    info = read_ixml(path)
    assert info is not None and info.tape == "SR002"


def test_no_or_bad_ixml_gives_none(tmp_path):
    plain = tmp_path / "plain.wav"
    ffmpeg("-f", "lavfi", "-i", "sine", "-t", "0.1", str(plain))
    assert read_ixml(plain) is None
    assert read_ixml(_wav(tmp_path / "bad.wav", [FMT, _chunk(b"iXML", b"<BWFXML><TAPE>")])) is None
    cut = _wav(tmp_path / "cut.wav", [FMT, _chunk(b"data", b"\0" * 1000), _chunk(b"iXML", XML)])
    cut.write_bytes(cut.read_bytes()[:200])  # copy interrupted inside the audio: iXML never arrives
    assert read_ixml(cut) is None
    text = tmp_path / "notes.wav"
    text.write_text("not a wave file")
    assert read_ixml(text) is None
    assert read_ixml(tmp_path / "missing.wav") is None
