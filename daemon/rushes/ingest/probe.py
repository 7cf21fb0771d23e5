"""Probe a media file with PyAV: what it is, its exact rate, frame count and start timecode.

Everything downstream counts frames on the media's own rational rate (DESIGN.md, "Time is
exact"), so the probe is where that rate is decided: 24000/1001 must come out as exactly that,
never 23.976 or a timebase artefact. Failures raise ProbeError with a sentence an editor
understands ("empty file", "permission denied", ...), because a broken file fails only its own
job and the reason is shown next to it.

The probe is cheap: container headers, the index when the container has one, and one decoded
frame (to prove the stream decodes and to read the display matrix). A deeper check that samples
the middle and the end is `check_decodable`, run as a separate step.
"""
from __future__ import annotations

import logging
import math
import os
import stat
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable

import av
import av.error

from rushes.errors import InvalidArgument
from rushes.ingest import timecode as tc
from rushes.ingest.bwf import IXml, read_ixml
from rushes.ingest.orientation import clockwise_rotation
from rushes.ingest.rates import TimeBase, stream_time_base, survey_packets
from rushes.ingest.scan import sniff

log = logging.getLogger(__name__)

# Counting packets gives an exact frame count when the header has none; worth a read of the
# file only up to this size (a 100 GB camera file on a NAS gets duration x rate instead, which
# is exact for constant-rate streams anyway; VFR clips are always counted).
PACKET_COUNT_MAX_BYTES = 256 << 20
# How many packets to demux, at most, looking for the first decodable frame.
FIRST_FRAME_MAX_PACKETS = 400
# Audio-only media have no frame rate; their timecode (BWF time_reference) counts at this rate
# unless the file says otherwise. 25 is the EBU default for sound rolls.
DEFAULT_AUDIO_TC_RATE = Fraction(25)
# Demuxers that accept almost anything: text shown as ANSI art, single still images.
TEXT_FORMATS = {"tty", "srt", "webvtt", "ass", "subviewer", "microdvd", "jacosub", "lrc", "mpl2", "sami", "realtext",
                "stl", "pjs", "vplayer", "subviewer1", "aqtitle", "scc", "mcc"}
IMAGE_FORMATS = {"image2", "gif", "webp_pipe", "apng", "ico", "alias_pix", "brender_pix"}
REEL_KEYS = ("reel_name", "reel", "tape", "tape_name", "reelname", "com.apple.quicktime.reel")


class ProbeError(InvalidArgument):
    """A file that cannot be used as media; `str()` names the file and the problem."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    @property
    def incomplete(self) -> bool:
        """The file looks cut short (a copy still running or stalled), not damaged inside."""
        return self.reason.startswith(("truncated", "no video frames: the file ends"))


@dataclass
class ProbeResult:
    """What ingest stores about a media file. Times are frames on (fps_num/fps_den).

    `width`/`height` are as displayed (swapped when `rotation` is 90 or 270). `rotation` is the
    clockwise turn, in degrees (0, 90, 180, 270), that makes the stored picture upright -- the
    same sense as the legacy QuickTime `rotate` tag; an iPhone portrait clip reports 90. With
    numpy: `upright = np.rot90(decoded_rgb, k=-(rotation // 90))`, exactly what FFmpeg's
    autorotate shows (a test checks it pixel for pixel).
    """

    path: Path
    kind: str  # "video" | "audio"
    container: str
    video_codec: str | None
    audio_codec: str | None
    width: int
    height: int
    rotation: int
    fps_num: int
    fps_den: int
    frame_count: int
    duration_s: float
    start_timecode: str
    drop_frame: bool
    reel: str | None
    audio_channels: int
    audio_rate: int
    variable_frame_rate: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    @property
    def fps_text(self) -> str:
        """"num/den", the form `rushes media list --json` prints."""
        return f"{self.fps_num}/{self.fps_den}"

    @property
    def start_frame(self) -> int:
        """The start timecode as a frame number (for exports that add shot offsets)."""
        return tc.timecode_to_frames(self.start_timecode, self.fps, self.drop_frame)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (snake_case, numbers as numbers): for the catalog and `--json`."""
        data = asdict(self)
        data["path"] = str(self.path)
        data["fps"] = self.fps_text
        return data


# --------------------------------------------------------------------------------------------
# Metadata: timecode, reel, rotation


def _metadata_sources(container: Any, video: Any | None, audio: Any | None) -> list[tuple[str, dict[str, str]]]:
    """Metadata dicts in priority order: tmcd/data tracks, the video, the format, the rest."""
    sources: list[tuple[str, dict[str, str]]] = []
    for s in container.streams:
        if s.type == "data":
            sources.append((f"data stream {s.index}", dict(s.metadata)))
    if video is not None:
        sources.append(("video stream", dict(video.metadata)))
    sources.append(("container", dict(container.metadata)))
    for s in container.streams:
        if s is not video and s.type != "data":
            sources.append((f"{s.type} stream {s.index}", dict(s.metadata)))
    return sources


def _find_meta(sources: list[tuple[str, dict[str, str]]], keys: Iterable[str]) -> tuple[str, str] | None:
    wanted = [k.lower() for k in keys]
    for where, meta in sources:
        lowered = {k.lower(): v for k, v in meta.items()}
        for key in wanted:
            value = lowered.get(key)
            if value and value.strip():
                return where, value.strip()
    return None


def _frame_timecode(frame: Any, rate: Fraction) -> str | None:
    """Timecode carried in the picture itself: MPEG-2 GOP headers, H.264/HEVC SEI (SMPTE 12M)."""
    for sd in frame.side_data:
        name = getattr(sd.type, "name", str(sd.type))
        raw = bytes(sd)
        try:
            if name == "GOP_TIMECODE" and len(raw) >= 8:
                value = int.from_bytes(raw[:8], "little")
                if value:
                    return str(tc.from_mpeg_gop(value))
            elif name == "S12M_TIMECODE" and len(raw) >= 8:
                count = int.from_bytes(raw[:4], "little")
                if count:
                    return str(tc.from_smpte_binary(int.from_bytes(raw[4:8], "little"), rate))
        except tc.TimecodeError:
            return None
    return None


def _bwf_timecode(container: Any, audio: Any, rate: Fraction, drop: bool = False) -> tuple[str, int] | None:
    """BWF `time_reference` (samples since midnight) as a timecode label at `rate`.

    Drop-frame labels count real time, so the frame number comes from the clock; non-drop at
    an NTSC rate counts labels (the recorder's own convention), computed the same way.
    """
    ref = container.metadata.get("time_reference")
    if not ref or audio is None:
        return None
    try:
        samples = int(ref)
    except ValueError:
        return None
    sample_rate = audio.codec_context.sample_rate
    if samples <= 0 or not sample_rate:
        return None
    frames = (samples * rate.numerator) // (sample_rate * rate.denominator)
    return tc.frames_to_timecode(frames, rate, drop), samples


# --------------------------------------------------------------------------------------------
# The probe


def _check_file(path: Path) -> bytes:
    """Fail early, in plain words, on what FFmpeg would report cryptically. Returns 64 bytes."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ProbeError(path, "file not found") from None
    except PermissionError:
        raise ProbeError(path, "permission denied") from None
    except OSError as exc:
        raise ProbeError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ProbeError(path, "is a folder, not a media file")
    if not stat.S_ISREG(st.st_mode):
        raise ProbeError(path, "not a regular file")
    if st.st_size == 0:
        raise ProbeError(path, "empty file (0 bytes)")
    try:
        with path.open("rb") as fh:
            return fh.read(64)
    except PermissionError:
        raise ProbeError(path, "permission denied") from None
    except OSError as exc:
        raise ProbeError(path, f"cannot read: {exc.strerror or exc}") from None


MOOV_CHILDREN = frozenset({b"mvhd", b"trak", b"udta", b"meta", b"iods", b"mvex", b"clip", b"ctab", b"prfl",
                           b"free", b"skip", b"wide", b"uuid", b"pssh", b"cmov", b"rmra"})


def _moov_damaged(path: Path) -> bool:
    """An MP4/MOV whose index (moov) is there but does not parse: a child box of an unknown type
    or a size that overruns its parent. A file written with no tracks parses fine (not damaged)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(64 * 1024 * 1024)
    except OSError:
        return False
    if data[4:8] not in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return False
    pos = 0
    while pos + 8 <= len(data):
        size, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        if size == 1 and pos + 16 <= len(data):
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        if size < 8:
            return False
        if kind == b"moov":
            end = min(pos + size, len(data))
            child = pos + 8
            while child + 8 <= end:
                csize, ckind = int.from_bytes(data[child:child + 4], "big"), data[child + 4:child + 8]
                if csize < 8 or child + csize > end or ckind not in MOOV_CHILDREN:
                    return True
                child += csize
            return False
        pos += size
    return False


def _open(path: Path) -> Any:
    try:
        return av.open(str(path), metadata_errors="replace")
    except av.error.PermissionError:
        raise ProbeError(path, "permission denied") from None
    except av.error.FileNotFoundError:
        raise ProbeError(path, "file not found") from None
    except av.error.EOFError:
        if sniff(path) == "media":
            raise ProbeError(path, "no video frames: the file ends before its first frame (empty or truncated recording)") from None
        raise ProbeError(path, "not a media file FFmpeg can read") from None
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        if sniff(path) == "media":
            raise ProbeError(path, f"truncated or damaged: its header looks like media but FFmpeg cannot read it ({detail})") from None
        raise ProbeError(path, "not a media file FFmpeg can read") from None


def _first_frame(container: Any, stream: Any, path: Path) -> tuple[Any, int]:
    """The first decodable frame of `stream` and how many packets failed before it."""
    stream.codec_context.thread_count = 1
    failures = 0
    packets = 0
    try:
        for packet in container.demux(stream):
            packets += 1
            try:
                frames = stream.decode(packet)
            except av.error.FFmpegError:
                failures += 1
                frames = []
            if frames:
                return frames[0], failures
            if packets >= FIRST_FRAME_MAX_PACKETS:
                break
    except av.error.FFmpegError as exc:
        raise ProbeError(path, f"truncated or damaged: reading stopped after {packets} packets ({exc.strerror or exc})") from None
    if packets == 0:
        what = "no video frames" if stream.type == "video" else "no audio samples"
        raise ProbeError(path, f"{what} (the {stream.type} stream is empty)")
    if stream.type == "video":
        raise ProbeError(path, f"no video frames: none of the first {packets} packets decode ({failures} failed)")
    raise ProbeError(path, f"no audio samples: none of the first {packets} packets decode")


def _check_index_against_size(container: Any, path: Path, size: int) -> None:
    """A MOV/MP4 whose index points past the end of the file is an incomplete copy."""
    furthest = 0
    for s in container.streams:
        entries = s.index_entries
        n = len(entries)
        for i in range(max(0, n - 8), n):
            entry = entries[i]
            furthest = max(furthest, entry.pos + entry.size)
    if furthest > size:
        missing = furthest - size
        raise ProbeError(path, f"truncated: the file ends {missing} bytes before the last frame its index lists "
                               "(an incomplete copy?)")


def probe(path: str | os.PathLike[str]) -> ProbeResult:
    """Probe one file; raise ProbeError (naming the file and the problem) if it is not usable media.

    Read-only: opens the file for reading and writes nothing anywhere.
    """
    p = Path(path)
    _check_file(p)
    size = p.stat().st_size
    container = _open(p)
    try:
        return _probe_open(p, container, size)
    except ProbeError:
        raise
    except av.error.FFmpegError as exc:
        raise ProbeError(p, f"truncated or damaged: {exc.strerror or exc}") from None
    except Exception as exc:  # odd files must fail their own job, never the daemon
        log.exception("probe of %s failed unexpectedly", p)
        raise ProbeError(p, f"could not be probed ({type(exc).__name__}: {exc})") from exc
    finally:
        container.close()


def _probe_open(p: Path, container: Any, size: int) -> ProbeResult:
    streams = list(container.streams)
    video = next((s for s in streams if s.type == "video" and not (s.disposition & av.stream.Disposition.attached_pic)), None)
    audios = [s for s in streams if s.type == "audio"]
    audio = audios[0] if audios else None
    if video is None and audio is None:
        if any(s.type == "video" for s in streams):
            raise ProbeError(p, "no video frames (only a cover picture)")
        if _moov_damaged(p):
            # An MP4/MOV whose moov atom (the index of its tracks) is damaged opens with no streams.
            raise ProbeError(p, "damaged: its track index (the moov atom) cannot be read, so FFmpeg finds no "
                                "audio or video in it (a broken copy or an interrupted recording?)")
        raise ProbeError(p, "no video frames or audio: the file has no audio or video streams")
    fmt = container.format.name
    if fmt in TEXT_FORMATS:
        raise ProbeError(p, "not a media file FFmpeg can read (it is text)")
    if fmt in IMAGE_FORMATS or fmt.endswith("_pipe"):
        raise ProbeError(p, "a still image, not media (images are not ingested)")
    extra: dict[str, Any] = {"format_long_name": container.format.long_name, "file_size": size}
    if container.bit_rate:
        extra["bit_rate"] = int(container.bit_rate)
    _check_index_against_size(container, p, size)

    sources = _metadata_sources(container, video, audio)
    if "creation_time" in container.metadata:
        extra["creation_time"] = container.metadata["creation_time"]

    audio_channels = 0
    audio_info = []
    for a in audios:
        cc = a.codec_context
        channels = int(getattr(cc, "channels", 0) or (cc.layout.nb_channels if cc.layout else 0))
        audio_channels += channels
        audio_info.append({"index": a.index, "codec": cc.name, "channels": channels, "sample_rate": int(cc.sample_rate or 0),
                           "layout": cc.layout.name if cc.layout else None})
    if audio_info:
        extra["audio_streams"] = audio_info
    audio_rate = int(audio.codec_context.sample_rate or 0) if audio is not None else 0
    audio_codec = audio.codec_context.name if audio is not None else None

    if video is not None:
        result = _probe_video(p, container, video, fmt, size, extra)
    else:
        ixml = read_ixml(p) if fmt in ("wav", "w64") else None
        result = _probe_audio(p, container, audio, extra, ixml)
    result.audio_channels = audio_channels
    result.audio_rate = audio_rate
    result.audio_codec = audio_codec

    _apply_timecode_and_reel(result, container, audio, sources)
    return result


def _apply_timecode_and_reel(result: ProbeResult, container: Any, audio: Any | None,
                             sources: list[tuple[str, dict[str, str]]]) -> None:
    """Start timecode (tmcd track > stream/format tags > first frame > BWF) and reel/tape."""
    extra = result.extra
    # Start timecode: tmcd track, then stream/format tags; BWF time_reference for sound rolls.
    start, drop = "00:00:00:00", False
    found = _find_meta(sources, ("timecode",))
    if found is None and "frame_timecode" in extra:
        found = ("first frame", extra.pop("frame_timecode"))
    if found is not None:
        where, raw = found
        try:
            wants_drop = tc.parse_timecode(raw).drop_frame
            if wants_drop and not tc.can_drop_frame(result.fps):
                extra["timecode_warning"] = f"{raw!r} is marked drop-frame but {result.fps_text} fps has none; read as non-drop"
                wants_drop = False
            start = tc.normalise_timecode(raw, result.fps, wants_drop)
            drop = wants_drop
            extra["timecode_source"] = where
        except tc.TimecodeError as exc:
            extra["timecode_warning"] = f"ignored timecode {raw!r} from {where}: {exc}"
    elif result.kind == "audio":
        bwf = _bwf_timecode(container, audio, result.fps, bool(result.extra.get("ixml_drop_frame")))
        if bwf is not None:
            start, samples = bwf
            drop = bool(result.extra.get("ixml_drop_frame"))
            extra["timecode_source"] = "bwf time_reference"
            extra["time_reference_samples"] = samples
    result.start_timecode, result.drop_frame = start, drop
    reel = _find_meta(sources, REEL_KEYS)
    result.reel = reel[1] if reel else (extra.get("ixml", {}).get("tape") or None)
    if "time_reference" in container.metadata:
        # FFmpeg's wav demuxer renames bext fields: Originator -> encoded_by, Description -> comment.
        for key, name in (("encoded_by", "originator"), ("originator_reference", "originator_reference"),
                          ("comment", "description"), ("date", "origination_date"),
                          ("creation_time", "origination_time"), ("umid", "umid"), ("coding_history", "coding_history")):
            if container.metadata.get(key):
                extra[f"bwf_{name}"] = container.metadata[key]


def _probe_video(p: Path, container: Any, video: Any, fmt: str, size: int, extra: dict[str, Any]) -> ProbeResult:
    cc = video.codec_context
    try:
        facts = stream_time_base(p, container, video)   # the one time base (rushes.ingest.rates)
    except ValueError:
        raise ProbeError(p, "the video stream has no frame rate FFmpeg can determine") from None
    timebase, stamps, full_index = facts.time_base, facts.stamps, facts.full_index
    rate, vfr = timebase.rate, timebase.variable
    extra["rates"] = {name: (str(getattr(video, name)) if getattr(video, name, None) else None)
                      for name in ("average_rate", "guessed_rate", "base_rate")}
    if cc.profile:
        extra["video_profile"] = cc.profile
    if cc.format is not None:
        extra["pix_fmt"] = cc.format.name
    sar = video.sample_aspect_ratio
    if sar and sar != 1:
        extra["sample_aspect_ratio"] = f"{sar.numerator}:{sar.denominator}"
    tb = video.time_base
    if video.start_time and tb:
        # First timestamp of the video: frame index = round((pts * tb - video_start_s) * fps).
        extra["video_start_s"] = float(video.start_time * tb)

    # Frame count: the header's sample count, else duration x rate, else counted packets.
    stream_duration_s = float(video.duration * tb) if video.duration and tb else None
    container_duration_s = container.duration / av.time_base if container.duration else None
    count: int | None = None
    source = ""
    if vfr and stamps:
        # Conformed onto the nominal rate: the timeline runs to the last frame's index.
        count, source = _conformed_count(timebase, stamps), "timestamps (conformed)"
    elif full_index:
        # Samples outside the edit list (a trimmed export's pre-roll) are never shown.
        count, source = len(stamps), "index"
        if count != video.frames:
            extra["edit_list_hidden_frames"] = int(video.frames) - count
    elif video.frames and video.frames > 0:
        count, source = int(video.frames), "stream header"
    if count is None and (vfr or size <= PACKET_COUNT_MAX_BYTES) and fmt.split(",")[0] not in ("mxf", "gxf"):
        _, counted = survey_packets(p, video.index, None)
        if counted:
            count, source = counted, "packets"
            seconds = stream_duration_s or container_duration_s
            expected = round(seconds * rate) if seconds else 0
            if not vfr and expected and 1.9 <= counted / expected <= 2.1:
                # Field-coded interlaced video (PAFF H.264, MPEG-2 field pictures) can carry
                # each field in its own packet: two packets a frame.
                count, source = expected, "duration x rate (field-coded packets)"
    if count is None:
        seconds = stream_duration_s or container_duration_s  # durations exclude start_time
        if seconds:
            count, source = round(seconds * rate), "duration x rate"
    if not count:
        raise ProbeError(p, "no video frames (the video stream has no frames)")
    extra["frame_count_source"] = source

    first, failures = _first_frame(container, video, p)
    if failures:
        extra["decode_warnings"] = [f"{failures} packet(s) before the first picture failed to decode"]
    if getattr(first, "interlaced_frame", False):
        extra["interlaced"] = True
    frame_tc = _frame_timecode(first, rate)
    if frame_tc is not None:
        extra["frame_timecode"] = frame_tc
    rotation = clockwise_rotation(video, first)
    width, height = int(cc.width or first.width), int(cc.height or first.height)
    if rotation in (90, 270):
        width, height = height, width

    duration_s = float(Fraction(count) / rate)
    return ProbeResult(path=p, kind="video", container=fmt, video_codec=cc.name, audio_codec=None,
                       width=width, height=height, rotation=rotation, fps_num=rate.numerator,
                       fps_den=rate.denominator, frame_count=count, duration_s=duration_s,
                       start_timecode="00:00:00:00", drop_frame=False, reel=None, audio_channels=0,
                       audio_rate=0, variable_frame_rate=vfr, extra=extra)


def _conformed_count(timebase: TimeBase, stamps: list[int]) -> int:
    """frame_count of conformed VFR media: the last shown frame's index + 1 (rushes.ingest.rates)."""
    first = timebase.first_pts if timebase.first_pts is not None else min(stamps)
    return timebase.index_of(max(stamps), first) + 1


def _probe_audio(p: Path, container: Any, audio: Any, extra: dict[str, Any], ixml: IXml | None = None) -> ProbeResult:
    """Audio-only media: frames count at the timecode rate (iXML's, else 25 and flagged)."""
    rate = DEFAULT_AUDIO_TC_RATE
    if ixml is not None:
        extra["ixml"] = dict(ixml.fields)
    if ixml is not None and ixml.timecode_rate is not None:
        rate = tc.snap_rate(ixml.timecode_rate)
        if ixml.drop_frame and tc.can_drop_frame(rate):
            extra["ixml_drop_frame"] = True
    else:
        extra["timecode_rate_assumed"] = True
    tb = audio.time_base
    if audio.duration and tb:
        seconds = float(audio.duration * tb)
    elif container.duration:
        seconds = container.duration / av.time_base
    else:
        seconds = 0.0
    _first_frame(container, audio, p)
    if audio.duration and tb and audio.codec_context.sample_rate:
        extra["sample_count"] = int(audio.duration * tb * audio.codec_context.sample_rate)
    count = math.floor(Fraction(seconds) * rate) if seconds else 0
    return ProbeResult(path=p, kind="audio", container=container.format.name, video_codec=None, audio_codec=None,
                       width=0, height=0, rotation=0, fps_num=rate.numerator, fps_den=rate.denominator,
                       frame_count=count, duration_s=seconds, start_timecode="00:00:00:00", drop_frame=False,
                       reel=None, audio_channels=0, audio_rate=0, variable_frame_rate=False, extra=extra)
