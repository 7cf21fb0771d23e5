"""What to render, checked: segments on their media's own rate, and where the files go."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rushes.errors import FailedPrecondition, InvalidArgument


@dataclass(frozen=True)
class RenderSegment:
    media_id: int
    path: str
    start_frame: int
    end_frame: int              # exclusive
    fps: Fraction
    has_audio: bool
    variable_frame_rate: bool = False
    width: int = 0              # displayed size (after rotation)
    height: int = 0
    has_video: bool = True      # False: a sound roll, rendered over black

    @property
    def frames(self) -> int:
        return self.end_frame - self.start_frame

    @property
    def start_s(self) -> Fraction:
        return Fraction(self.start_frame) / self.fps

    @property
    def duration_s(self) -> Fraction:
        return Fraction(self.frames) / self.fps


@dataclass(frozen=True)
class RenderOutput:
    path: Path
    segments: tuple[RenderSegment, ...]
    fps: Fraction               # the output's rate: the first segment's
    width: int
    height: int
    crf: int = 20

    def frames_of(self, seg: RenderSegment) -> int:
        """A segment's frames in the output: its own count at the output's rate, else its
        duration on the output rate, rounded (the sound is cut to the same length)."""
        return seg.frames if seg.fps == self.fps else max(1, int(round(seg.duration_s * self.fps)))

    @property
    def frames(self) -> int:
        """Frames the file will hold: the sum of its segments'."""
        return sum(self.frames_of(s) for s in self.segments)


def check_range(media_id: int, path: str, start: int, end: int, frame_count: int) -> None:
    """INVALID_ARGUMENT naming the problem for an empty, reversed or too long range."""
    if start < 0:
        raise InvalidArgument(f"media {media_id} ({path}): start_frame {start} is negative")
    if end <= start:
        what = "empty" if end == start else "reversed"
        raise InvalidArgument(f"media {media_id} ({path}): range {start}-{end} is {what}: end_frame is exclusive "
                              "and must be greater than start_frame")
    if frame_count and end > frame_count:
        raise InvalidArgument(f"media {media_id} ({path}): range {start}-{end} runs past the end "
                              f"(the media has {frame_count} frames, so end_frame is at most {frame_count})")


def safe_stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "render"
    return stem[:120]


def output_folder(text: str, source_folders: list[Path]) -> Path:
    """The folder the user named, made if needed; never a source folder (or inside a watched one)."""
    if not text.strip():
        raise InvalidArgument("no output folder: name one with --out DIR (renders never go next to the sources)")
    folder = Path(text).expanduser().resolve()
    for src in source_folders:
        src = src.resolve()
        if folder == src or src in folder.parents:
            raise InvalidArgument(f"{folder} is (inside) a source folder ({src}): Rushes never writes next to "
                                  "footage; choose another output folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FailedPrecondition(f"cannot create output folder {folder}: {exc.strerror or exc}") from exc
    return folder


def target(folder: Path, stem: str, overwrite: bool, taken: set[Path]) -> Path:
    path = folder / f"{safe_stem(stem)}.mp4"
    if path in taken:
        raise InvalidArgument(f"two outputs would both be {path}: give them different names")
    if path.exists() and not overwrite:
        raise FailedPrecondition(f"{path} exists: pass --overwrite to replace it, or choose another name")
    taken.add(path)
    return path


def even(n: int) -> int:
    return max(2, n - (n % 2))
