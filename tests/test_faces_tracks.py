"""Linking faces into tracks, with real descriptors from the portrait photos."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from rushes_testkit import real_media

from rushes.faces.engine import EngineConfig, FaceEngine, FaceObservation
from rushes.faces.quality import Quality
from rushes.faces.sampler import FaceSample
from rushes.faces.tracks import ShotSpan, link, link_shot


@pytest.fixture(scope="module")
def people() -> dict[str, FaceObservation]:
    engine = FaceEngine(EngineConfig())
    out = {}
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg"):
        faces = engine.analyse(np.asarray(Image.open(real_media(name)).convert("RGB")))
        out[name] = max(faces, key=lambda f: f.height)
    return out


def _at(face: FaceObservation, frame: int, box: tuple[float, float, float, float], quality: float = 0.8) -> FaceSample:
    """The real descriptor of `face`, seen at `box` on `frame` (a sampled video frame)."""
    return FaceSample(frame, FaceObservation(box=box, score=1.0, landmarks=face.landmarks,
                                             descriptor=face.descriptor, quality=Quality(quality, 1.0, 1.0)))


LEFT = (100.0, 100.0, 200.0, 200.0)
RIGHT = (600.0, 100.0, 700.0, 200.0)


def test_two_people_crossing_keep_their_identity(people):
    obama, biden = people["obama.jpg"], people["biden.jpg"]
    samples = [_at(obama, 0, LEFT), _at(biden, 0, RIGHT),
               _at(obama, 24, RIGHT), _at(biden, 24, LEFT)]   # they swapped places between samples
    tracks = link_shot(7, samples)
    assert len(tracks) == 2
    for t in tracks:
        assert [s.frame for s in t.faces] == [0, 24]
        assert len({id(s.face.descriptor) for s in t.faces}) == 1   # one person per track


def test_same_person_from_another_photo_rejoins_after_looking_away(people):
    # obama2 is a different photo of the same man: his descriptor is close enough to rejoin.
    samples = [_at(people["obama.jpg"], 0, LEFT), _at(people["obama2.jpg"], 72, RIGHT)]
    tracks = link_shot(1, samples)
    assert len(tracks) == 1 and tracks[0].first_frame == 0 and tracks[0].last_frame == 72


def test_tracks_never_cross_a_cut(people):
    obama = people["obama.jpg"]
    samples = [_at(obama, f, LEFT) for f in (0, 12, 24, 36, 48)]
    tracks = link([ShotSpan(1, 0, 30), ShotSpan(2, 30, 60)], samples)
    assert [(t.shot_id, t.first_frame, t.last_frame) for t in tracks] == [(1, 0, 24), (2, 36, 48)]


def test_track_embedding_is_quality_weighted_and_unit_length(people):
    obama, biden = people["obama.jpg"], people["biden.jpg"]
    # An impossible mix, to see the weights: a high-quality obama and a near-useless biden view.
    track = link_shot(1, [_at(obama, 0, LEFT, quality=0.9)])[0]
    track.faces.append(_at(biden, 12, LEFT, quality=0.01))
    emb = track.embedding()
    assert abs(np.linalg.norm(emb) - 1.0) < 1e-5
    o = obama.descriptor / np.linalg.norm(obama.descriptor)
    b = biden.descriptor / np.linalg.norm(biden.descriptor)
    assert float(emb @ o) > 0.99 > float(emb @ b)
    assert track.best.frame == 0 and track.quality == pytest.approx(0.9)
