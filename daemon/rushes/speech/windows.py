"""Long recordings are transcribed a window at a time, each cut where the sound is quietest.

faster-whisper handed a whole recording runs its VAD and its log-mel spectrogram over all of
it at once: on an hour of speech that is several GB of temporaries (a padded copy, the VAD's
context batches, the speech-only copy, a complex STFT), so the daemon's peak grew with the
length of the media (issue 11). Windows of `speech_window_s` (120 s by default) bound it. A
window ends at the quietest 0.3 s of its last `SEARCH_S` seconds, where no word is cut;
Whisper's own decoding works in 30 s pieces anyway (with condition_on_previous_text off), so
media shorter than one window are transcribed exactly as before and longer ones differ only
near the cuts.
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

RATE = 16000
SEARCH_S = 20.0           # where to look for the quietest moment, before a window's end
QUIET_S = 0.3             # the stretch whose energy is compared
_STEP = RATE // 20        # 50 ms energy frames


def quietest(samples: np.ndarray) -> int:
    """Offset of the middle of the quietest QUIET_S stretch of `samples` (on 50 ms frames;
    ties go to the latest, so a window is as long as it may be)."""
    n = len(samples) // _STEP
    if n == 0:
        return len(samples) // 2
    energy = np.square(samples[: n * _STEP].astype(np.float64)).reshape(n, _STEP).sum(axis=1)
    k = max(1, int(round(QUIET_S * RATE / _STEP)))
    if n <= k:
        return len(samples) // 2
    sums = np.convolve(energy, np.ones(k), mode="valid")
    best = len(sums) - 1 - int(np.argmin(sums[::-1]))
    return (best * _STEP) + (k * _STEP) // 2


def windows(total: int, read: Callable[[int, int], np.ndarray], window_s: float) -> Iterator[tuple[int, int]]:
    """(start, stop) sample ranges covering [0, total), each at most `window_s` long."""
    size = max(int(window_s * RATE), int(2 * SEARCH_S * RATE))
    search = int(SEARCH_S * RATE)
    start = 0
    while start < total:
        stop = start + size
        if stop >= total:
            yield start, total
            return
        cut = stop - search + quietest(read(stop - search, stop))
        yield start, cut
        start = cut
