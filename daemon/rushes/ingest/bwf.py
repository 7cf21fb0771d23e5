"""Sound-roll metadata FFmpeg does not expose: the iXML chunk of a BWF/WAV file.

Production recorders (Sound Devices, Zoom F-series, Aaton Cantar...) write the timecode *rate*
and drop-frame flag only in iXML; FFmpeg gives the BWF `time_reference` (samples since
midnight) but not the rate, and without the rate a start timecode is a guess. iXML also names
the tape (reel), scene and take -- exactly what an editor syncs and bins sound by.

Reads only chunk headers and the iXML chunk itself (kilobytes), never the audio.
"""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

MAX_IXML_BYTES = 1 << 20
MAX_CHUNKS = 512


@dataclass
class IXml:
    """What iXML says; every field may be missing."""

    timecode_rate: Fraction | None = None
    drop_frame: bool | None = None
    tape: str | None = None
    scene: str | None = None
    take: str | None = None
    project: str | None = None
    note: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


def _chunks(path: Path) -> bytes | None:
    """The raw iXML chunk of a RIFF/RF64/BW64 WAVE file, or None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64", b"BW64") or head[8:12] != b"WAVE":
                return None
            data_size64: int | None = None
            for _ in range(MAX_CHUNKS):
                header = fh.read(8)
                if len(header) < 8:
                    return None
                tag, size = header[:4], struct.unpack("<I", header[4:])[0]
                if tag == b"ds64":
                    body = fh.read(size)
                    if len(body) >= 16:
                        data_size64 = struct.unpack("<Q", body[8:16])[0]
                    fh.seek(size % 2, 1)
                    continue
                if tag == b"iXML":
                    if size > MAX_IXML_BYTES:
                        return None
                    return fh.read(size)
                if tag == b"data" and size == 0xFFFFFFFF and data_size64 is not None:
                    size = data_size64
                fh.seek(size + (size % 2), 1)
    except OSError:
        return None
    return None


def _rate(text: str | None) -> Fraction | None:
    if not text:
        return None
    try:
        if "/" in text:
            num, den = text.strip().split("/", 1)
            value = Fraction(int(num), int(den))
        else:
            value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        return None
    return value if 0 < value < 1000 else None


def read_ixml(path: str | Path) -> IXml | None:
    """Parse the iXML chunk of a WAV/BWF file; None when it has none (or it is unreadable)."""
    raw = _chunks(Path(path))
    if not raw:
        return None
    text = raw.rstrip(b"\0 \r\n\t")
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None

    def find(*names: str) -> str | None:
        for name in names:
            node = root.find(name)
            if node is not None and node.text and node.text.strip():
                return node.text.strip()
        return None

    info = IXml(
        timecode_rate=_rate(find("SPEED/TIMECODE_RATE")),
        tape=find("TAPE"),
        scene=find("SCENE"),
        take=find("TAKE"),
        project=find("PROJECT"),
        note=find("NOTE"),
    )
    flag = find("SPEED/TIMECODE_FLAG")
    if flag:
        info.drop_frame = flag.upper() == "DF"
    for name in ("TAPE", "SCENE", "TAKE", "PROJECT", "NOTE", "SPEED/TIMECODE_RATE", "SPEED/TIMECODE_FLAG",
                 "SPEED/FILE_SAMPLE_RATE", "CIRCLED"):
        value = find(name)
        if value:
            info.fields[name.split("/")[-1].lower()] = value
    return info
