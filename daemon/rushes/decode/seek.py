"""Frames by index after the pass: keyframe images and full-resolution stills, by seeking.

Targets are visited in order; a target close ahead of the decoder is reached by decoding on,
a far one by seeking to the keyframe before it, so a list of keyframes across a film costs a
few GOPs each instead of a second full decode. Frames are numbered by the one time base
(`rushes.ingest.rates`), exactly as the decode pass numbers them: the picture for index N is the
last frame whose index is <= N (a gap repeats the previous picture; of two frames on one index
the first is shown).
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator

import av
import numpy as np

from rushes.decode.decode import MediaError, open_video, rotate, rotation_of
from rushes.ingest.rates import stream_time_base

SEEK_AHEAD_S = 4.0       # decode on rather than seek when the next target is this close
MAX_SEEK_RETRIES = 4     # keyframes stepped back over before decoding from the start


def _corrupt(vf) -> bool:
    """FFmpeg flags a frame decoded with missing references or broken slices."""
    return bool(getattr(vf, "is_corrupt", False))


def clean_seek_s(path: str | Path, seconds: Fraction) -> Fraction:
    """The latest time (seconds from the first frame, <= `seconds`) whose keyframe decodes on
    its own: what `ffmpeg -ss` must seek to for clean pictures. Usually the keyframe a seek to
    `seconds` lands on; for a file whose keyframes need the frames before them (cockatoo.mp4,
    see read_frames) an earlier one, or 0. FFmpeg's CLI cannot tell; PyAV sees `is_corrupt`."""
    container, stream = open_video(path, 1)
    try:
        timebase = stream_time_base(path, container, stream).time_base
        tb = stream.time_base
        if tb is None or timebase.time_base is None:
            return seconds
        start_pts = timebase.first_pts or 0
        target = start_pts + int(seconds / Fraction(tb))
        for attempt in range(MAX_SEEK_RETRIES):
            if target <= start_pts:
                return Fraction(0)
            container.seek(target, stream=stream, backward=True, any_frame=False)
            vf = next(container.decode(stream), None)
            if vf is None or vf.pts is None:
                return seconds
            if not _corrupt(vf):     # clean where ffmpeg lands: the asked time serves as it is
                return seconds if attempt == 0 else max(Fraction(0), (vf.pts - start_pts) * Fraction(tb))
            target = vf.pts - 1
        return Fraction(0)
    except (av.error.FFmpegError, ValueError):
        return seconds          # the render reports what is wrong with the file
    finally:
        container.close()


def read_frames(path: str | Path, frames: Iterable[int], *, width: int | None = None,
                threads: int = 2) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (frame, RGB picture in displayed orientation) for each wanted frame index.

    `width` scales the picture (height keeps the aspect); None gives full resolution. A frame
    past the end of the file is skipped.
    """
    wanted = sorted(set(int(f) for f in frames if f >= 0))
    if not wanted:
        return
    container, stream = open_video(path, threads)
    try:
        try:
            timebase = stream_time_base(path, container, stream).time_base
        except ValueError:
            raise MediaError(f"{path}: video stream has no usable frame rate") from None
        start_pts = timebase.first_pts or 0
        ahead = int(SEEK_AHEAD_S * float(timebase.rate))
        current, shown = -1, None   # the last shown frame's index and picture
        previous = None          # (index, frame) of the frame shown before it
        rotation = None
        gen = None
        fresh = False            # just seeked: decode at least one frame before judging
        sought = -1              # the target of the last seek (the keyframe may lie far before it)
        retries = 0              # steps back from a keyframe that did not decode on its own
        i = 0
        while i < len(wanted):
            target = wanted[i]
            far = target > current + ahead and target != sought
            if gen is None or (not fresh and (far or target <= current)):
                sought = target
                ts = timebase.pts_of(target) if timebase.time_base else 0
                container.seek(max(ts, start_pts), stream=stream, backward=True, any_frame=False)
                gen = container.decode(stream)
                current, previous = -1, None
                fresh = True
            try:
                vf = next(gen)
            except StopIteration:
                break                       # what is left lies past the last frame
            except av.error.InvalidDataError:
                continue
            if fresh and _corrupt(vf) and vf.pts is not None and vf.pts > start_pts:
                # The keyframe the seek landed on does not decode on its own (cockatoo.mp4's
                # later IDRs only decode after the frames before them; FFmpeg's -ss shows the same
                # grey-and-green blocks): step back to the keyframe before it, and to the start
                # after a few tries, so a still is never garbage the linear pass did not see.
                retries += 1
                back = start_pts if retries > MAX_SEEK_RETRIES else vf.pts - 1
                container.seek(max(back, start_pts), stream=stream, backward=True, any_frame=False)
                gen = container.decode(stream)
                continue
            fresh, retries = False, 0
            if rotation is None:
                rotation = rotation_of(stream, vf)
            pts = vf.pts if vf.pts is not None else vf.dts
            if pts is None or timebase.time_base is None:
                idx = current + 1
            else:
                idx = timebase.index_of(pts, start_pts)
                if idx < 0 or idx <= current:
                    continue                # not shown: before the start, or collides with the frame before
            if current >= 0:
                previous = (current, shown)
            current, shown = idx, vf
            while i < len(wanted) and wanted[i] <= current:
                if wanted[i] == current:
                    yield wanted[i], _picture(vf, width, rotation)
                elif previous is not None and previous[0] <= wanted[i]:
                    yield wanted[i], _picture(previous[1], width, rotation)   # a gap: the picture before
                else:
                    yield wanted[i], _picture(vf, width, rotation)   # nothing earlier decoded since the seek
                i += 1
    except av.error.FFmpegError as exc:
        raise MediaError(f"{path}: cannot read frames: {exc}") from exc
    finally:
        container.close()


def _picture(vf, width: int | None, rotation: int) -> np.ndarray:
    if width:
        disp_w, disp_h = (vf.height, vf.width) if rotation in (90, 270) else (vf.width, vf.height)
        h = max(2, int(round(disp_h * width / disp_w)))
        w, hh = (h, width) if rotation in (90, 270) else (width, h)
        img = vf.reformat(width=w, height=hh, format="rgb24", interpolation="AREA").to_ndarray()
    else:
        img = vf.to_ndarray(format="rgb24")
    return rotate(img, rotation)


def read_frame(path: str | Path, frame: int, *, width: int | None = None, threads: int = 2) -> np.ndarray:
    """One picture, or MediaError naming the file when the frame does not exist."""
    for _, img in read_frames(path, [frame], width=width, threads=threads):
        return img
    raise MediaError(f"{path}: no frame {frame}")
