"""Streaming ITU-R BS.1770 loudness: K-weighting, channel weights, LFE left out, 100 ms blocks.

pyloudnorm has the filters (its `IIRfilter` with the K-weighting constants), but its meter is
gated integrated loudness over a whole array, caps at five channels and needs 0.4 s of audio,
so this module filters chunk by chunk (scipy's sosfilt with carried state: the decode pass hands
audio in pieces) and keeps one weighted mean square per 100 ms block. Short-term loudness
(3 s window) and momentary (0.4 s) come from sums of blocks; integrated loudness applies the
standard's two gates, so it matches pyloudnorm on the media pyloudnorm can measure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import sosfilt, tf2sos

BLOCK_S = 0.1
SILENCE_FLOOR_LUFS = -70.0   # BS.1770's absolute gate: quieter is "nothing"

# BS.1770-4 Table 3: weights by position; surrounds 1.41 (+1.5 dB); LFE excluded (0).
_SURROUND = {"BL", "BR", "SL", "SR", "BC", "TBL", "TBR", "SiL", "SiR"}
_LFE = {"LFE", "LFE2", "LFE1"}


def channel_weights(names: tuple[str, ...]) -> np.ndarray:
    return np.array([0.0 if n in _LFE else 1.41 if n in _SURROUND else 1.0 for n in names], np.float64)


def k_weighting_sos(rate: int) -> np.ndarray:
    """The two K-weighting stages (pre-filter shelf, RLB high-pass) as second-order sections."""
    shelf = IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf")
    hp = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    return np.vstack([tf2sos(shelf.b, shelf.a), tf2sos(hp.b, hp.a)])


def power_to_lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.maximum(-0.691 + 10.0 * np.log10(np.maximum(power, 1e-20)), SILENCE_FLOOR_LUFS)


@dataclass
class BlockSeries:
    """Per 100 ms block: weighted K-filtered mean square (loudness power) and plain mean square."""

    power: np.ndarray          # sum over channels of G_i * mean(z_i^2)
    mean_square: np.ndarray    # mean over channels (LFE excluded) of mean(x^2), unweighted
    block_s: float = BLOCK_S

    def short_term_lufs(self, window_s: float = 3.0, centred: bool = True) -> np.ndarray:
        """Loudness of the `window_s` around (or, centred=False, ending at) each block."""
        return power_to_lufs(_window_mean(self.power, max(1, int(round(window_s / self.block_s))), centred))

    def integrated_lufs(self) -> float:
        """Gated integrated loudness (400 ms blocks, 75% overlap, -70 LUFS and -10 LU gates)."""
        if len(self.power) < 4:
            return SILENCE_FLOOR_LUFS
        c = np.concatenate([[0.0], np.cumsum(self.power)])
        z = (c[4:] - c[:-4]) / 4.0                       # 400 ms blocks at 100 ms hops
        loud = power_to_lufs(z)
        z = z[loud > -70.0]
        if len(z) == 0:
            return SILENCE_FLOOR_LUFS
        rel = float(power_to_lufs(z.mean())) - 10.0
        z = z[power_to_lufs(z) > rel]
        return float(power_to_lufs(z.mean())) if len(z) else SILENCE_FLOOR_LUFS


def _window_mean(x: np.ndarray, n: int, centred: bool) -> np.ndarray:
    if len(x) == 0:
        return x.astype(np.float64)
    c = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    idx = np.arange(len(x))
    lo = idx - n // 2 if centred else idx - n + 1
    hi = lo + n
    lo, hi = np.clip(lo, 0, len(x)), np.clip(hi, 0, len(x))
    return (c[hi] - c[lo]) / np.maximum(hi - lo, 1)


class LoudnessMeter:
    """Feed chunks of (channels, n) float samples; read the 100 ms block series at the end.

    The filters run in float32 (scipy's sosfilt has a float32 path six times faster than its
    float64 one; bbb's block powers move by at most 0.0005 dB), and sums of squares are taken
    over whole blocks at once, with a partial block's sums carried to the next chunk.
    """

    def __init__(self, rate: int, channels: tuple[str, ...]) -> None:
        self.rate = int(rate)
        self.channels = tuple(channels)
        self.weights = channel_weights(self.channels)
        keep = self.weights > 0
        self.keep = keep if keep.any() else np.ones_like(keep)
        self.sos = k_weighting_sos(self.rate).astype(np.float32)
        self.zi = np.zeros((self.sos.shape[0], len(self.channels), 2), np.float32)
        self.block = int(round(self.rate * BLOCK_S))
        self._carry_k = np.zeros(len(self.channels))     # sums of squares of a partial block
        self._carry_x = np.zeros(len(self.channels))
        self._carry_n = 0
        self._power: list[np.ndarray] = []
        self._ms: list[np.ndarray] = []

    def feed(self, samples: np.ndarray) -> None:
        x = np.asarray(samples, np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if x.shape[0] != len(self.channels) or x.shape[1] == 0:
            return
        k, self.zi = sosfilt(self.sos, x, axis=1, zi=self.zi)
        n, pos = x.shape[1], 0
        if self._carry_n:                                 # finish the partial block first
            pos = min(self.block - self._carry_n, n)
            self._carry_k += _sum_squares(k[:, :pos])
            self._carry_x += _sum_squares(x[:, :pos])
            self._carry_n += pos
            if self._carry_n < self.block:
                return
            self._close(self._carry_k[:, None], self._carry_x[:, None], self.block)
            self._carry_n = 0
        whole = (n - pos) // self.block
        if whole:
            end = pos + whole * self.block
            shape = (len(self.channels), whole, self.block)
            self._close(_sum_squares(k[:, pos:end].reshape(shape)), _sum_squares(x[:, pos:end].reshape(shape)),
                        self.block)
            pos = end
        if pos < n:
            self._carry_k = _sum_squares(k[:, pos:])
            self._carry_x = _sum_squares(x[:, pos:])
            self._carry_n = n - pos

    def _close(self, k_sums: np.ndarray, x_sums: np.ndarray, n: int) -> None:
        """Blocks from per-channel sums of squares (channels, blocks) over `n` samples each."""
        self._power.append(self.weights @ (k_sums / n))
        self._ms.append((x_sums / n)[self.keep].mean(axis=0))

    def result(self) -> BlockSeries:
        if self._carry_n >= self.block // 2:      # a last block at least half full counts
            self._close(self._carry_k[:, None], self._carry_x[:, None], self._carry_n)
            self._carry_n = 0
        power = np.concatenate(self._power) if self._power else np.zeros(0, np.float64)
        ms = np.concatenate(self._ms) if self._ms else np.zeros(0, np.float64)
        return BlockSeries(power.astype(np.float64), ms.astype(np.float64))


def _sum_squares(a: np.ndarray) -> np.ndarray:
    """Sum of squares along the last axis, as float64 (einsum: no temporary array of squares)."""
    return np.einsum("...i,...i->...", a, a).astype(np.float64)
