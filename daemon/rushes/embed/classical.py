"""The classical scene descriptor: what scene vectors are made of when no image-text model is present.

No image-text model ships on PyPI, so a fresh or air-gapped machine has none. Scene clustering
still needs a vector per keyframe that says "these shots were filmed in the same place / set-up",
so this descriptor encodes the three things that stay put while a camera rolls on one scene and
change when the scene changes, all computed on a 64x64 version of the keyframe thumbnail:

1. Colour layout (48 values): mean opponent colour (intensity, red-green, yellow-blue) on a 4x4
   grid. Sky above ground, a window on the left, a red wall behind the actor: the arrangement of
   colour is the strongest cue that two shots share a location. The grid is coarse on purpose,
   so a pan or an actor walking through moves few cells. Signed values: a dark frame and a bright
   frame point in opposite directions.
2. Colour histogram (54 values): HSV, with achromatic pixels (low saturation or value) binned by
   brightness only (their hue is noise) and chromatic pixels by 12 hues x 2 saturations x
   2 values. Position-free, so it survives camera moves and re-framing the layout does not;
   square-rooted (Hellinger) so one dominant colour does not swamp the rest.
3. Spatial envelope (160 values): a GIST-like gradient-orientation energy (8 orientations,
   soft-binned) pooled on a 4x4 grid at 64 px and a 2x2 grid at 32 px. It describes structure
   rather than colour: verticals of buildings vs an open horizon, busy foliage vs a plain wall,
   a close-up vs a wide shot, and it separates two places that happen to share a palette. It is
   normalised by total gradient energy so exposure and contrast changes do not move it, and
   centred, since all natural images share most of their energy on horizontals and verticals.

Each block is scaled to unit length and the three are weighted equally; the whole vector is unit
length, so cosine similarity (what the vector store uses) compares them. The descriptor is fixed
(no training, no weights, deterministic), 262 floats, and costs 2-4 ms per 320 px
keyframe on one core (0.7 s for the 154 keyframes of bbb.mp4), so it never holds up an ingest. What it does
not capture is meaning: "a dog on a beach" is not a direction in this space, so text-to-image
search needs the image-text model and says so (TextSearchUnavailable).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from rushes.embed.base import SceneEmbedder, l2_normalise

SIDE = 64                 # working resolution: enough for 4x4 layout cells of 16 px
GRID = 4                  # colour layout and fine gradient grid
COARSE_GRID = 2           # coarse gradient grid (at SIDE/2)
ORIENTATIONS = 8          # unsigned gradient orientations over [0, pi)
HUES, SATS, VALS = 12, 2, 2
GREYS = 6
LAYOUT_DIM = GRID * GRID * 3
HIST_DIM = GREYS + HUES * SATS * VALS
GRAD_DIM = ORIENTATIONS * (GRID * GRID + COARSE_GRID * COARSE_GRID)
DIM = LAYOUT_DIM + HIST_DIM + GRAD_DIM  # 262

#: Below this saturation or value a pixel's hue is meaningless; it is binned by brightness only.
ACHROMATIC_S, ACHROMATIC_V = 0.15, 0.12
#: Layout vectors shorter than this are not blown up to unit length (a mid-grey frame stays small).
LAYOUT_FLOOR = 0.5


def _resize(image: np.ndarray) -> np.ndarray:
    """HxWx3 uint8 -> SIDE x SIDE x 3 float32 in [0, 1], area-averaged (no aliasing)."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"classical descriptor wants HxWx3 RGB images, got shape {arr.shape}")
    pil = Image.fromarray(np.ascontiguousarray(arr[:, :, :3]).astype(np.uint8, copy=False), "RGB")
    return np.asarray(pil.resize((SIDE, SIDE), Image.BOX), dtype=np.float32) / 255.0


def _grid_mean(x: np.ndarray, grid: int) -> np.ndarray:
    """(n, S, S, c) -> (n, grid*grid*c): mean over each cell."""
    n, s, _, c = x.shape
    cell = s // grid
    return x.reshape(n, grid, cell, grid, cell, c).mean(axis=(2, 4)).reshape(n, -1)


def colour_layout(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    opp = np.stack([(r + g + b) / 3.0 - 0.5, (r - g) / 2.0, (r + g - 2.0 * b) / 4.0], axis=-1)
    v = _grid_mean(opp, GRID)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), LAYOUT_FLOOR)


def colour_histogram(rgb: np.ndarray) -> np.ndarray:
    n = rgb.shape[0]
    mx = rgb.max(axis=-1)
    mn = rgb.min(axis=-1)
    delta = mx - mn
    sat = np.where(mx > 0, delta / np.maximum(mx, 1e-6), 0.0)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    safe = np.maximum(delta, 1e-6)
    hue = np.where(mx == r, ((g - b) / safe) % 6.0, np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0)) / 6.0
    achromatic = (sat < ACHROMATIC_S) | (mx < ACHROMATIC_V)
    grey_bin = np.minimum((mx * GREYS).astype(np.int64), GREYS - 1)
    h_bin = np.minimum((hue * HUES).astype(np.int64), HUES - 1)
    s_bin = (sat >= 0.5).astype(np.int64)
    v_bin = (mx >= 0.5).astype(np.int64)
    colour_bin = GREYS + (h_bin * SATS + s_bin) * VALS + v_bin
    bins = np.where(achromatic, grey_bin, colour_bin).reshape(n, -1)
    offsets = (np.arange(n) * HIST_DIM)[:, None]
    counts = np.bincount((bins + offsets).ravel(), minlength=n * HIST_DIM).reshape(n, HIST_DIM)
    return np.sqrt(counts / counts.sum(axis=1, keepdims=True)).astype(np.float32)


def _orientation_energy(grey: np.ndarray, grid: int) -> np.ndarray:
    """(n, S, S) luma -> (n, grid*grid*ORIENTATIONS) gradient energy per cell and orientation."""
    gy, gx = np.gradient(grey, axis=(1, 2))
    mag = np.hypot(gx, gy)
    theta = np.arctan2(gy, gx) % np.pi                    # unsigned: a dark-to-light edge == light-to-dark
    pos = theta / np.pi * ORIENTATIONS - 0.5
    lo = np.floor(pos)
    frac = pos - lo
    lo_bin = lo.astype(np.int64) % ORIENTATIONS
    hi_bin = (lo_bin + 1) % ORIENTATIONS
    n, s, _ = grey.shape
    planes = np.zeros((n, s, s, ORIENTATIONS), dtype=np.float32)
    idx_n, idx_y, idx_x = np.indices((n, s, s))
    np.add.at(planes, (idx_n, idx_y, idx_x, lo_bin), mag * (1.0 - frac))
    np.add.at(planes, (idx_n, idx_y, idx_x, hi_bin), mag * frac)
    return _grid_mean(planes, grid)


def spatial_envelope(rgb: np.ndarray) -> np.ndarray:
    grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    n = grey.shape[0]
    coarse = grey.reshape(n, SIDE // 2, 2, SIDE // 2, 2).mean(axis=(2, 4))
    energy = np.concatenate([_orientation_energy(grey, GRID), _orientation_energy(coarse, COARSE_GRID)], axis=1)
    # Share of gradient energy, square-rooted: contrast-invariant, and strong edges don't dominate.
    energy = np.sqrt(energy / np.maximum(energy.sum(axis=1, keepdims=True), 1e-8))
    # Centred: every natural image has most energy on horizontals and verticals, so raw shares
    # of any two frames look alike (cosine ~0.8); removing the mean compares their deviations
    # (a Pearson correlation), which is what tells a street from a close-up.
    return l2_normalise(energy - energy.mean(axis=1, keepdims=True))


class ClassicalDescriptor(SceneEmbedder):
    """Colour layout + HSV histogram + gradient-orientation envelope; see the module docstring."""

    name = "classical-scene"
    version = "1"
    dim = DIM
    supports_text = False

    def embed_images(self, images: Sequence[np.ndarray]) -> np.ndarray:
        if len(images) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        rgb = np.stack([_resize(img) for img in images])
        blocks = [colour_layout(rgb), colour_histogram(rgb), spatial_envelope(rgb)]
        return l2_normalise(np.concatenate(blocks, axis=1) / np.sqrt(len(blocks)))
