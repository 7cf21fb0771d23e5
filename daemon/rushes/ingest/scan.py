"""Which files in a pile of footage are media: the rules ingest and the folder watch share.

A card dump is mostly clutter (thumbnails, proxies, XML, Finder droppings). DESIGN.md says
those are skipped quietly, images are not media, and only real media reaches the probe, where a
broken file then fails with a reason. Classification is by name first (cheap, no I/O) and, for
unknown extensions only, by a 64-byte sniff of the file's magic bytes. Nothing is ever written.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from rushes.ingest.roots import forbidden_reason, inside, real

VIDEO_EXTS = frozenset(
    "mp4 mov mxf mkv avi webm mpg mpeg m4v mts m2ts m2t 3gp 3g2 wmv flv ts mod tod vob dv ogv "
    "f4v asf mjpeg y4m cine".split()
)
AUDIO_EXTS = frozenset("wav bwf aif aiff aifc mp3 m4a flac ogg oga opus wma aac ac3 wv caf w64 rf64 mka".split())
MEDIA_EXTS = VIDEO_EXTS | AUDIO_EXTS
IMAGE_EXTS = frozenset(
    "jpg jpeg png tif tiff bmp gif webp heic heif avif dng cr2 cr3 nef arw raf orf rw2 psd exr dpx tga "
    "svg ico jp2".split()
)
# Camera raw video FFmpeg cannot decode: skipped with a reason the editor can act on.
RAW_VIDEO = {
    "r3d": "RED R3D raw",
    "braw": "Blackmagic RAW",
    "ari": "ARRIRAW",
    "arx": "ARRIRAW",
    "crm": "Canon Cinema RAW Light",
    "nraw": "Nikon N-RAW",
}
# Camera and OS clutter: sidecars that travel with clips (thumbnails, low-res proxies, clip
# metadata, AVCHD/XDCAM structure files).
SIDECAR_EXTS = frozenset("thm lrv xmp cpi mpl bdm bim idx ppn moi ctg cif sif smi bup ifo tmp part crdownload".split())
SIDECAR_NAMES = frozenset(n.lower() for n in ("Thumbs.db", "desktop.ini", "Icon\r", "ehthumbs.db"))
NOT_MEDIA_EXTS = frozenset(
    "txt md rtf pdf doc docx xls xlsx csv json yaml yml toml ini cfg log srt vtt ass ssa sub edl otio "
    "fcpxml aaf drp drt html htm zip gz tar 7z rar py sh exe dmg iso lut cube".split()
)

SIDECAR = "sidecar"
IMAGE = "image (not media)"
NOT_MEDIA = "not media"


@dataclass(frozen=True)
class ScanEntry:
    """One path met while scanning: "media" goes on to probe, "skip" says why not."""

    path: Path
    action: str  # "media" | "skip"
    reason: str


def _ext(path: Path) -> str:
    return path.suffix[1:].lower()


def is_hidden_or_clutter(path: Path) -> bool:
    """Names that are never footage whatever their contents: `._*`, dotfiles, Thumbs.db, ..."""
    name = path.name
    return name.startswith(".") or name.lower() in SIDECAR_NAMES or name.lower().startswith("~$")


_SONY_XML_SUFFIX = re.compile(r"^m\d{2}$")  # C0001M01.XML beside C0001.MP4


def _xml_is_sidecar(path: Path) -> bool:
    """An XML that belongs to a clip: same name (FCP/Resolve exports, Canon), Sony's
    <clip>M01.XML, or Sony's MEDIAPRO.XML card index. Any other XML is just not media."""
    stem = path.stem.lower()
    if stem == "mediapro":
        return True
    try:
        names = os.listdir(path.parent)
    except OSError:
        return False
    for name in names:
        other = Path(name)
        if _ext(other) not in MEDIA_EXTS:
            continue
        other_stem = other.stem.lower()
        if stem == other_stem or (stem.startswith(other_stem) and _SONY_XML_SUFFIX.match(stem[len(other_stem):])):
            return True
    return False


def sniff(path: Path) -> str | None:
    """What the first bytes say: "media", "image", or None (unknown). Reads 64 bytes at most."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
            ts_probe = b""
            if head[:1] == b"\x47":  # MPEG-TS: the sync byte repeats every 188 bytes
                fh.seek(188)
                ts_probe += fh.read(1)
                fh.seek(376)
                ts_probe += fh.read(1)
    except OSError:
        return None
    if len(head) < 4:
        return None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "image" if brand in (b"heic", b"heix", b"avif", b"mif1", b"msf1") else "media"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "media"
    if head[:4] in (b"RIFF", b"RF64", b"BW64"):
        form = head[8:12]
        if form in (b"WAVE", b"AVI ", b"AVIX"):
            return "media"
        return "image" if form == b"WEBP" else None
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "media"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska / WebM
        return "media"
    if head[:4] == b"\x06\x0e\x2b\x34":  # SMPTE UL: MXF
        return "media"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):  # MPEG program / elementary stream
        return "media"
    if head[:1] == b"\x47" and ts_probe == b"\x47\x47":  # MPEG-TS sync every 188 bytes
        return "media"
    if head[:3] in (b"FLV", b"ID3") or head[:4] in (b"OggS", b"fLaC", b"caff", b"wvpk"):
        return "media"
    if head[:16] == bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"):  # ASF / WMV
        return "media"
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xf1", b"\xff\xf9"):  # MP3 / ADTS
        return "media"
    if head[:3] == b"\xff\xd8\xff" or head[:8] == b"\x89PNG\r\n\x1a\n" or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    if head[:6] in (b"GIF87a", b"GIF89a") or head[:2] == b"BM":
        return "image"
    return None


def classify(path: Path) -> ScanEntry:
    """The decision for one file (no folders): media, or skip with a reason a person reads."""
    path = Path(path)
    ext = _ext(path)
    if is_hidden_or_clutter(path):
        return ScanEntry(path, "skip", SIDECAR)
    if ext in SIDECAR_EXTS:
        return ScanEntry(path, "skip", SIDECAR)
    if ext == "xml":
        return ScanEntry(path, "skip", SIDECAR if _xml_is_sidecar(path) else NOT_MEDIA)
    if ext in RAW_VIDEO:
        return ScanEntry(path, "skip", f"{RAW_VIDEO[ext]} is camera raw FFmpeg cannot decode: "
                                       "export or transcode it (ProRes/DNxHR) and ingest that")
    if ext in MEDIA_EXTS:
        return ScanEntry(path, "media", f"extension .{ext}")
    if ext in IMAGE_EXTS:
        return ScanEntry(path, "skip", IMAGE)
    if ext in NOT_MEDIA_EXTS:
        return ScanEntry(path, "skip", NOT_MEDIA)
    kind = sniff(path)
    if kind == "media":
        return ScanEntry(path, "media", "looks like media (file header)")
    if kind == "image":
        return ScanEntry(path, "skip", IMAGE)
    return ScanEntry(path, "skip", NOT_MEDIA)


def _walk(folder: Path, seen_dirs: set[tuple[int, int]], seen_files: dict[tuple[int, int], Path],
          root: Path | None = None) -> Iterator[ScanEntry]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except PermissionError:
        yield ScanEntry(folder, "skip", "permission denied (cannot list folder)")
        return
    except OSError as exc:
        yield ScanEntry(folder, "skip", f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        yield from _visit(Path(entry.path), seen_dirs, seen_files, root=root)


def _visit(path: Path, seen_dirs: set[tuple[int, int]], seen_files: dict[tuple[int, int], Path],
           top: bool = False, root: Path | None = None) -> Iterator[ScanEntry]:
    if not top and path.is_symlink():
        target = real(path)
        if root is not None and target.is_dir() and not inside(target, root):
            yield ScanEntry(path, "skip", f"link to a folder outside {root} (not followed)")
            return
        if forbidden_reason(target) is not None:
            yield ScanEntry(path, "skip", f"link into {target} (not footage)")
            return
    try:
        st = path.stat()  # follows symlinks
    except FileNotFoundError:
        if path.is_symlink():
            yield ScanEntry(path, "skip", "broken link")
        else:
            yield ScanEntry(path, "skip", "not found")
        return
    except PermissionError:
        yield ScanEntry(path, "skip", "permission denied")
        return
    except OSError as exc:  # ELOOP for a link pointing at itself, EIO on bad media...
        yield ScanEntry(path, "skip", f"cannot read: {exc.strerror or exc}")
        return
    key = (st.st_dev, st.st_ino)
    if stat.S_ISDIR(st.st_mode):
        if not top and path.name.startswith("."):
            yield ScanEntry(path, "skip", SIDECAR)  # .Trashes, .Spotlight-V100, .fseventsd ...
            return
        if key in seen_dirs:
            return  # symlink loop or a folder reached twice: scanned already
        seen_dirs.add(key)
        yield from _walk(path, seen_dirs, seen_files, root=real(path) if top else root)
        return
    if not stat.S_ISREG(st.st_mode):
        yield ScanEntry(path, "skip", NOT_MEDIA)  # fifo, socket, device
        return
    entry = classify(path)
    if entry.action == "media":
        first = seen_files.get(key)
        if first is not None:
            yield ScanEntry(path, "skip", f"same file as {first}")
            return
        seen_files[key] = path
    yield entry


def scan(paths: Iterable[Path | str]) -> Iterator[ScanEntry]:
    """Every file under `paths` (files or folders, recursive), sorted by name within each folder.

    Symlinks are followed inside each given folder, never to a folder outside it nor into
    /proc, /sys or /dev (rushes.ingest.roots); each folder is entered once (loops end) and a file
    reached by two paths is media only once. Read-only: only stat, listdir and a 64-byte sniff.
    """
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: dict[tuple[int, int], Path] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        yield from _visit(path, seen_dirs, seen_files, top=True)
