"""How usable a detected face is, as one number in [0, 1].

Three things decide whether a face is worth showing an editor and trusting for recognition,
and each maps to [0, 1]; the quality is their product, so one bad factor sinks the face:
  size        face height in source pixels; the descriptor network sees a 150 px chip, so
              faces below ~100 px are upscaled and lose detail (saturates at SIZE_FULL_PX).
  sharpness   variance of the Laplacian on the aligned 150 px grey chip (motion blur and
              defocus remove high frequencies); v / (v + SHARP_HALF) so it saturates smoothly.
  frontalness from the 5 landmarks: how far the nose sits from the middle of the eyes along
              the eye line, in inter-ocular distances (0 frontal, ~0.5 near profile).
Computing on the aligned chip makes sharpness comparable across face sizes and in-plane roll.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIZE_FULL_PX = 100.0
#: Laplacian variance where sharpness scores 0.5; set from the portrait photos and blurred
#: copies (measured: the five portraits 78-1270; obama.jpg blurred by a 2 px Gaussian 67,
#: by 4 px 12).
SHARP_HALF = 60.0
#: Nose offset (in inter-ocular distances) at which frontalness reaches 0.
YAW_ZERO = 0.5


@dataclass(frozen=True)
class Quality:
    size: float
    sharpness: float
    frontal: float

    @property
    def score(self) -> float:
        return float(self.size * self.sharpness * self.frontal)


def size_score(height_px: float) -> float:
    return float(min(1.0, max(0.0, height_px / SIZE_FULL_PX)))


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian (no OpenCV needed for a 150x150 chip)."""
    g = grey.astype(np.float32)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4.0 * g[1:-1, 1:-1]
    return float(lap.var())


def sharpness_score(chip_rgb: np.ndarray) -> float:
    grey = chip_rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    # Only the central part: the padding around the face holds background whose texture
    # would make a blurred face on a busy wall look sharp.
    h, w = grey.shape
    core = grey[h // 5: h - h // 5, w // 5: w - w // 5]
    v = laplacian_variance(core)
    return float(v / (v + SHARP_HALF))


def frontal_score(landmarks: np.ndarray) -> float:
    """landmarks: 5x2 (dlib 5-point order: eye corners 0-1, eye corners 2-3, nose base 4)."""
    eye_a = landmarks[0:2].mean(axis=0)
    eye_b = landmarks[2:4].mean(axis=0)
    axis = eye_b - eye_a
    iod = float(np.hypot(*axis))
    if iod < 1e-6:
        return 0.0
    mid = (eye_a + eye_b) / 2.0
    offset = float(np.dot(landmarks[4] - mid, axis / iod)) / iod
    return float(max(0.0, 1.0 - abs(offset) / YAW_ZERO))


def assess(height_px: float, chip_rgb: np.ndarray, landmarks: np.ndarray) -> Quality:
    return Quality(size_score(height_px), sharpness_score(chip_rgb), frontal_score(landmarks))
