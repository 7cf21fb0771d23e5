"""Keyframe pictures fetched by seeking match the decode pass's frames (same numbering, upright)."""
from __future__ import annotations

import numpy as np
from PIL import Image

from rushes_testkit import real_media


class _Keep:
    def __init__(self, wanted: set[int]) -> None:
        self.wanted = wanted
        self.frames: dict[int, np.ndarray] = {}

    def consume(self, frame) -> None:
        if frame.index in self.wanted:
            self.frames[frame.index] = frame.full

    def finish(self) -> None:
        pass


def test_seeking_lands_on_the_decode_pass_frame():
    from rushes.embed.images import fetch_frames
    from rushes.decode.decode import decode_pass

    path = real_media("bikes.mp4")  # cuts at 30, 76, 137: a wrong frame near a cut is a different picture
    wanted = [0, 29, 30, 75, 76, 136, 137, 249]
    keep = _Keep(set(wanted))
    decode_pass(path, [keep], full_stride=1, threads=1)
    got = fetch_frames(path, wanted, width=640)
    assert sorted(got) == wanted
    for idx in wanted:
        ref = keep.frames[idx].astype(np.int16)
        mine = got[idx].astype(np.int16)
        assert mine.shape == ref.shape, idx
        assert np.abs(mine - ref).mean() < 2.0, (idx, np.abs(mine - ref).mean())
    # 320 px thumbnails by default; frames past the end are left out
    small = fetch_frames(path, [100, 5000])
    assert list(small) == [100] and small[100].shape[1] == 320


def test_thumbnail_paths_relative_to_the_thumbnail_folder(settings, tmp_path):
    from rushes.embed.images import load_thumbnail, thumb_file

    assert thumb_file(settings, None) is None
    assert thumb_file(settings, "3/12.jpg") == settings.thumbs_dir / "3" / "12.jpg"
    p = tmp_path / "k.jpg"
    Image.fromarray(np.full((18, 32, 3), 200, np.uint8)).save(p)
    assert thumb_file(settings, str(p)) == p
    assert load_thumbnail(p).shape == (18, 32, 3)
    assert load_thumbnail(tmp_path / "missing.jpg") is None
