"""Fingerprint: a versioned hash of size + sampled blocks; follows content, not names."""
from __future__ import annotations

import os
import shutil

import pytest

from rushes.ingest import fingerprint as fp
from rushes.ingest.fingerprint import FingerprintError, fingerprint, sample_ranges

MiB = 1 << 20


def _write(path, size, seed=1):
    rng = __import__("random").Random(seed)
    path.write_bytes(rng.randbytes(size))
    return path


def test_versioned_and_stable_across_renames_and_moves(tmp_path):
    a = _write(tmp_path / "A001C001.MOV", 5 * MiB)
    value = fingerprint(a)
    assert value.startswith("fp1:") and len(value) == 4 + 40
    assert fingerprint(a) == value
    moved = tmp_path / "elsewhere" / "Interview take 2 é.mov"
    moved.parent.mkdir()
    shutil.move(a, moved)
    assert fingerprint(moved) == value
    copy = tmp_path / "copy.mov"
    shutil.copy(moved, copy)
    assert fingerprint(copy) == value  # same content -> same fingerprint


def test_different_content_differs(tmp_path):
    a = _write(tmp_path / "a.bin", 5 * MiB, seed=1)
    b = _write(tmp_path / "b.bin", 5 * MiB, seed=2)
    assert fingerprint(a) != fingerprint(b)
    # One more byte at the end: the size is part of the identity.
    c = tmp_path / "c.bin"
    c.write_bytes(a.read_bytes() + b"\0")
    assert fingerprint(c) != fingerprint(a)


@pytest.mark.parametrize("where", ["head", "tail", "sampled block"])
def test_an_edit_in_a_sampled_region_changes_it(tmp_path, where):
    a = _write(tmp_path / "a.bin", 8 * MiB)
    size = a.stat().st_size
    offset = {"head": 100, "tail": size - 100, "sampled block": sample_ranges(size)[8][0] + 10}[where]
    data = bytearray(a.read_bytes())
    data[offset] ^= 0xFF
    b = tmp_path / "b.bin"
    b.write_bytes(bytes(data))
    assert fingerprint(a) != fingerprint(b)


def test_large_file_reads_only_samples(tmp_path, monkeypatch):
    """A 100 GB camera file must not be read whole: count the bytes actually read."""
    path = tmp_path / "big.mxf"
    with path.open("wb") as fh:  # sparse: 3 GiB without using the disk
        fh.truncate(3 << 30)
    ranges = sample_ranges(3 << 30)
    assert sum(length for _, length in ranges) == 2 * MiB + 16 * 64 * 1024
    assert len(ranges) == 18
    assert ranges[0] == (0, MiB) and ranges[-1] == ((3 << 30) - MiB, MiB)
    offsets = [o for o, _ in ranges]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)

    read_total = 0
    real_open = type(path).open

    class Counting:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, n=-1):
            nonlocal read_total
            data = self.fh.read(n)
            read_total += len(data)
            return data

        def __getattr__(self, name):
            return getattr(self.fh, name)

    monkeypatch.setattr(type(path), "open", lambda self, *a, **k: Counting(real_open(self, *a, **k)))
    value = fingerprint(path)
    assert value.startswith("fp1:")
    assert read_total == 2 * MiB + 16 * 64 * 1024


def test_small_files_are_hashed_whole(tmp_path):
    assert sample_ranges(0) == []
    assert sample_ranges(1000) == [(0, 1000)]
    assert sample_ranges(fp.WHOLE_FILE_LIMIT) == [(0, fp.WHOLE_FILE_LIMIT)]
    a = tmp_path / "tiny.wav"
    a.write_bytes(b"RIFF" + b"\1" * 100)
    b = tmp_path / "tiny2.wav"
    b.write_bytes(b"RIFF" + b"\1" * 99 + b"\2")
    assert fingerprint(a) != fingerprint(b)
    empty = tmp_path / "empty.mov"
    empty.write_bytes(b"")
    assert fingerprint(empty).startswith("fp1:")


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FingerprintError, match="gone.mov: file not found"):
        fingerprint(tmp_path / "gone.mov")
    with pytest.raises(FingerprintError, match="is a folder"):
        fingerprint(tmp_path)


def test_real_footage_fingerprints_fast(tmp_path):
    from rushes_testkit import real_media
    import time

    path = real_media("bbb.mp4")
    before = (path.stat().st_mtime_ns, path.stat().st_size)
    start = time.perf_counter()
    value = fingerprint(path)
    elapsed = time.perf_counter() - start
    assert value == fingerprint(path)
    assert elapsed < 1.0
    assert (path.stat().st_mtime_ns, path.stat().st_size) == before
    link = tmp_path / "renamed.mp4"
    os.symlink(path, link)
    assert fingerprint(link) == value
