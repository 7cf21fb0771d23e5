"""Stills by seeking equal the frames the linear pass decodes, on real footage whose keyframes do
not decode on their own.

cockatoo.mp4 (H.264 High 4:4:4 Predictive, 20 fps) has keyframes at frames 0, 76, 145 and 210.
Started at 76, 145 or 210, FFmpeg decodes grey and green blocks for the whole GOP (`ffmpeg -ss 4.15
-i cockatoo.mp4` shows the same), while the linear decode is the bird. Keyframe thumbnails,
scene vectors and OCR read stills by seeking, so they saw garbage; the seek now steps back to an
earlier keyframe when the frame it lands on comes out corrupt.
"""
from __future__ import annotations

import numpy as np
from rushes_testkit import real_media

from rushes.decode.seek import read_frames


def test_single_seeks_into_later_gops_give_the_linear_pictures():
    path = real_media("cockatoo.mp4")
    wanted = [10, 83, 138, 193, 248]
    linear = {f: img for f, img in read_frames(path, range(0, 280), width=160) if f in wanted}
    assert set(linear) == set(wanted)
    for frame in wanted:
        (got,) = [img for _, img in read_frames(path, [frame], width=160)]
        # bit-identical: the same decoder reached the same frame from a clean start
        assert np.array_equal(got, linear[frame]), frame
    together = dict(read_frames(path, wanted, width=160))
    for frame in wanted:
        assert np.array_equal(together[frame], linear[frame]), frame
