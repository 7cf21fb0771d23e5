"""Speech presence with Silero VAD (ONNX): its STFT in numpy, the rest in one call per 16 s.

The file comes from the model registry (`silero-vad`, taken out of the silero-vad wheel: that
package's own install would pull torchaudio and replace torch). Silero VAD v5/v6 at 16 kHz takes
512-sample chunks with the previous 64 samples prepended as context and a (2, batch, 128) LSTM
state, and gives one speech probability per 32 ms chunk.

Run as shipped, one onnxruntime call per chunk cost 0.26-0.31 ms (4.9-5.8 s of CPU for bbb's ten
minutes), most of it per-call overhead. But only the LSTM carries state: the STFT and the four
convolutions see one chunk (and its 64 samples of context) and nothing else. So at load this
module cuts the 16 kHz branch out of the graph and rebuilds it as: magnitudes of `n` chunks ->
the four convolutions (batched over the chunks) -> the graph's own LSTM run as a sequence of `n`
steps from the carried state -> the output layer; the STFT (a Hann-windowed 256-point DFT, 4
frames a chunk, reflect-padded by 64, i.e. half of the graph's arithmetic as a convolution) is
an FFT in numpy. One call judges `GROUP` chunks. Every chunk still sees the state of all the
audio before it, so the probabilities are the shipped graph's to float rounding (tested: within
1e-5 on real speech), and nothing depends on how the decode pass cut the audio into pieces:
chunks are grouped from the first one in fixed groups of `GROUP`.
(Running independent stretches of audio side by side as a batch, each from a fresh or warmed-up
state, was measured and rejected: the LSTM state does not converge back, and 0.3% of chunk
decisions flipped on dialogue.wav and bbb.)
"""
from __future__ import annotations

import functools

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import fft as sfft

from rushes.errors import RushesError
from rushes.models import registry

if TYPE_CHECKING:
    from rushes.settings import Settings

MODEL_NAME = "silero-vad"
RATE = 16000
CHUNK = 512
CONTEXT = 64
#: chunks per call (16 s of audio): past ~64 the cost per chunk stops falling
GROUP = 512
HIDDEN = 128
N_FFT = 256
HOP = 128
FRAMES = 4                   # (CONTEXT + CHUNK + CONTEXT reflect pad - N_FFT) / HOP + 1
BINS = N_FFT // 2 + 1


@dataclass(frozen=True)
class SpeechSegment:
    start_s: float
    end_s: float


@dataclass(frozen=True)
class SileroGraph:
    """The rebuilt graph (ONNX bytes) and the STFT window taken from the shipped basis."""

    onnx: bytes
    window: np.ndarray       # (N_FFT,) float32


def split_graph(model_path: Path) -> SileroGraph:
    """Rebuild the shipped file's 16 kHz branch as magnitudes [n, 129, 4] + h, c [1, 1, 128]
    -> probability [n], h, c (see the module docstring)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(model_path))
    graph = model.graph
    if [i.name for i in graph.input][:3] != ["input", "state", "sr"]:
        raise ValueError(f"{model_path}: not a Silero VAD v5/v6 graph "
                         f"(inputs {[i.name for i in graph.input]}, want input, state, sr)")
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"}
    branch_if = next(n for n in graph.node if n.op_type == "If")
    equal = next(n for n in graph.node if n.op_type == "Equal" and branch_if.input[0] in n.output)
    sr_const = int(next(consts[i] for i in equal.input if i in consts))
    branch = next(a.g for a in branch_if.attribute if a.name == ("then_branch" if sr_const == RATE else "else_branch"))
    weights = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in branch.node if n.op_type == "Constant"}

    def weight(suffix: str) -> np.ndarray:
        hits = [v for k, v in weights.items() if k.endswith(suffix)]
        if len(hits) != 1:
            raise ValueError(f"{model_path}: no single '{suffix}' in the 16 kHz branch")
        return hits[0].astype(np.float32)

    basis = weight("stft.forward_basis_buffer")[:, 0, :]            # (2 * BINS, N_FFT)
    if basis.shape != (2 * BINS, N_FFT):
        raise ValueError(f"{model_path}: unexpected STFT basis {basis.shape}")
    window = basis[0].copy()                                          # bin 0's row is the window itself
    convs = [n for n in branch.node if n.op_type == "Conv"]
    attrs = [{x.name: helper.get_attribute_value(x) for x in n.attribute} for n in convs]
    got = [(a.get("kernel_shape"), a.get("pads"), a.get("strides"), a.get("group", 1)) for a in attrs[1:5]]
    if len(convs) != 6 or got != [([3], [1, 1], [s], 1) for s in _STRIDES]:
        raise ValueError(f"{model_path}: the encoder is not four 3-tap convolutions with strides {_STRIDES} ({got})")
    enc_w = [weight(f"encoder.{i}.reparam_conv.weight") for i in range(4)]
    enc_b = [weight(f"encoder.{i}.reparam_conv.bias") for i in range(4)]
    nodes, inits = _encoder_nodes(enc_w, enc_b)

    # PyTorch's LSTMCell (gates i, f, g, o) as ONNX LSTM weights (gates i, o, f, c), as the graph does
    def iofc(w: np.ndarray) -> np.ndarray:
        return np.concatenate([w[0:HIDDEN], w[3 * HIDDEN:], w[HIDDEN:2 * HIDDEN], w[2 * HIDDEN:3 * HIDDEN]])

    w_ih, w_hh = weight("decoder.rnn.weight_ih"), weight("decoder.rnn.weight_hh")
    b_ih, b_hh = weight("decoder.rnn.bias_ih"), weight("decoder.rnn.bias_hh")
    w_out, b_out = weight("decoder.decoder.2.weight").reshape(HIDDEN, 1), weight("decoder.decoder.2.bias").reshape(1)
    tensors = {
        "vad_W": iofc(w_ih)[None], "vad_R": iofc(w_hh)[None], "vad_B": np.concatenate([iofc(b_ih), iofc(b_hh)])[None],
        "vad_wout": w_out, "vad_bout": b_out,
        "vad_seq_shape": np.array([-1, 1, HIDDEN], np.int64), "vad_flat": np.array([-1, HIDDEN], np.int64),
        "vad_n": np.array([-1], np.int64),
    }
    inits += [numpy_helper.from_array(v, k) for k, v in tensors.items()]
    tail = [
        helper.make_node("Reshape", ["enc3", "vad_seq_shape"], ["vad_x"]),                 # [n, 1, 128]
        helper.make_node("LSTM", ["vad_x", "vad_W", "vad_R", "vad_B", "", "h", "c"], ["vad_y", "h_out", "c_out"],
                         hidden_size=HIDDEN),
        helper.make_node("Reshape", ["vad_y", "vad_flat"], ["vad_hs"]),                    # [n, 128]
        helper.make_node("Relu", ["vad_hs"], ["vad_r"]),
        helper.make_node("MatMul", ["vad_r", "vad_wout"], ["vad_m"]),
        helper.make_node("Add", ["vad_m", "vad_bout"], ["vad_logit"]),
        helper.make_node("Sigmoid", ["vad_logit"], ["vad_p"]),
        helper.make_node("Reshape", ["vad_p", "vad_n"], ["prob"]),
    ]
    f32 = TensorProto.FLOAT
    rebuilt = helper.make_graph(
        nodes + tail, "silero_vad_sequence",
        [helper.make_tensor_value_info("magnitude", f32, ["n", BINS, FRAMES]),
         helper.make_tensor_value_info("h", f32, [1, 1, HIDDEN]), helper.make_tensor_value_info("c", f32, [1, 1, HIDDEN])],
        [helper.make_tensor_value_info("prob", f32, ["n"]),
         helper.make_tensor_value_info("h_out", f32, [1, 1, HIDDEN]),
         helper.make_tensor_value_info("c_out", f32, [1, 1, HIDDEN])],
        initializer=inits)
    out = helper.make_model(rebuilt, opset_imports=list(model.opset_import))
    out.ir_version = model.ir_version
    return SileroGraph(out.SerializeToString(), window.astype(np.float32))


_STRIDES = (1, 2, 2, 1)


def _encoder_nodes(weights: list[np.ndarray], biases: list[np.ndarray]) -> tuple[list, list]:
    """The four 3-tap convolutions (padding 1, strides 1, 2, 2, 1; ReLU after each) over a chunk's
    4 STFT frames, written as one matrix product per layer over all `n` chunks at once: frames
    [n, t, channels], the three taps side by side, times the kernel laid out (3 * in, out).
    onnxruntime's Conv would do one small product per chunk (4 output columns): 3x slower."""
    from onnx import helper, numpy_helper

    nodes = [helper.make_node("Transpose", ["magnitude"], ["enc_in"], perm=[0, 2, 1])]     # [n, 4, 129]
    inits = [numpy_helper.from_array(np.array([0, 1, 0, 0, 1, 0], np.int64), "enc_pads")]
    x, length = "enc_in", FRAMES
    for i, (w, b, stride) in enumerate(zip(weights, biases, _STRIDES)):
        out_len = (length + 2 - 3) // stride + 1
        kernel = np.ascontiguousarray(w.transpose(2, 1, 0).reshape(-1, w.shape[0]))    # tap-major (3 * in, out)
        inits += [numpy_helper.from_array(kernel, f"enc{i}_w"), numpy_helper.from_array(b, f"enc{i}_b")]
        nodes.append(helper.make_node("Pad", [x, "enc_pads"], [f"enc{i}_pad"]))        # zero frame each side
        taps = []
        for k in range(3):
            names = [f"enc{i}_s{k}_{part}" for part in ("start", "end", "axis", "step")]
            values = (k, k + stride * (out_len - 1) + 1, 1, stride)
            inits += [numpy_helper.from_array(np.array([v], np.int64), n) for n, v in zip(names, values)]
            nodes.append(helper.make_node("Slice", [f"enc{i}_pad", *names], [f"enc{i}_tap{k}"]))
            taps.append(f"enc{i}_tap{k}")
        nodes += [
            helper.make_node("Concat", taps, [f"enc{i}_col"], axis=2),
            helper.make_node("MatMul", [f"enc{i}_col", f"enc{i}_w"], [f"enc{i}_mm"]),
            helper.make_node("Add", [f"enc{i}_mm", f"enc{i}_b"], [f"enc{i}_lin"]),
            helper.make_node("Relu", [f"enc{i}_lin"], [f"enc{i}"]),
        ]
        x, length = f"enc{i}", out_len
    return nodes, inits                    # the last layer's output, "enc3", is [n, 1, 128]


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@functools.lru_cache(maxsize=4)
def _rebuilt(path: str, size: int, mtime_ns: int) -> SileroGraph:
    """Rebuilt once per file and process: importing onnx alone costs ~0.7 s of CPU, which a
    daemon should pay once, not once per media."""
    return split_graph(Path(path))


def stft_magnitudes(windows: np.ndarray, window: np.ndarray) -> np.ndarray:
    """[n, 576] context+chunk windows -> [n, 129, 4] magnitudes, as the graph's STFT computes them:
    right reflect pad of 64, 256-point frames every 128 samples, |DFT| of the windowed frame."""
    n = len(windows)
    padded = np.empty((n, CONTEXT + CHUNK + CONTEXT), np.float32)
    padded[:, :CONTEXT + CHUNK] = windows
    padded[:, CONTEXT + CHUNK:] = windows[:, -2:-CONTEXT - 2:-1]       # reflect, edge sample not repeated
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT, axis=1)[:, ::HOP]   # [n, 4, 256]
    spec = sfft.rfft(frames * window, axis=2)                           # [n, 4, 129]
    return np.ascontiguousarray(np.abs(spec).transpose(0, 2, 1), dtype=np.float32)


class SileroVad:
    """Speech probability per 32 ms chunk of 16 kHz mono audio, fed in pieces of any length."""

    def __init__(self, model_path: str | Path, *, threads: int = 1) -> None:
        import onnxruntime as ort

        graph = _rebuilt(str(model_path), *_stamp(Path(model_path)))
        self._window = graph.window
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(graph.onnx, opts, providers=["CPUExecutionProvider"])
        self._magnitude = self.session.get_inputs()[0].name
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, HIDDEN), np.float32)
        self._c = np.zeros((1, 1, HIDDEN), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending: list[np.ndarray] = []
        self._pending_n = 0
        self._probs: list[np.ndarray] = []

    def feed(self, audio: np.ndarray) -> None:
        piece = np.asarray(audio, np.float32).ravel()
        if len(piece):
            self._pending.append(piece)
            self._pending_n += len(piece)
        while self._pending_n >= GROUP * CHUNK:
            self._run(GROUP)

    def probabilities(self) -> np.ndarray:
        """Every full chunk's probability so far (a last partial chunk is not judged)."""
        if self._pending_n >= CHUNK:
            self._run(self._pending_n // CHUNK)
        return np.concatenate(self._probs) if self._probs else np.zeros(0, np.float32)

    def run(self, audio: np.ndarray) -> np.ndarray:
        """Probabilities of a whole 16 kHz mono array, from a fresh state."""
        self.reset()
        self.feed(audio)
        return self.probabilities()

    def _run(self, n: int) -> None:
        """Judge the next `n` whole chunks of the pending audio."""
        buf = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        rest = buf[n * CHUNK:]
        self._pending, self._pending_n = ([rest] if len(rest) else []), len(rest)
        chunks = buf[:n * CHUNK].reshape(n, CHUNK)
        windows = np.empty((n, CONTEXT + CHUNK), np.float32)
        windows[:, CONTEXT:] = chunks
        windows[0, :CONTEXT] = self._context
        windows[1:, :CONTEXT] = chunks[:-1, -CONTEXT:]
        self._context = chunks[-1, -CONTEXT:].copy()
        prob, self._h, self._c = self.session.run(
            None, {self._magnitude: stft_magnitudes(windows, self._window), "h": self._h, "c": self._c})
        self._probs.append(np.asarray(prob, np.float32))


def speech_segments(probs: np.ndarray, *, threshold: float = 0.5, min_speech_s: float = 0.25,
                    min_silence_s: float = 0.1, pad_s: float = 0.03) -> list[SpeechSegment]:
    """Stretches of speech from chunk probabilities, with Silero's usual hysteresis (on above
    `threshold`, off below threshold - 0.15), short pauses bridged and short blips dropped."""
    chunk_s = CHUNK / RATE
    off = max(0.0, threshold - 0.15)
    raw: list[list[float]] = []
    on = False
    for i, p in enumerate(probs):
        if not on and p >= threshold:
            on = True
            raw.append([i * chunk_s, (i + 1) * chunk_s])
        elif on:
            if p >= off:
                raw[-1][1] = (i + 1) * chunk_s
            else:
                on = False
    merged: list[list[float]] = []
    for seg in raw:
        if merged and seg[0] - merged[-1][1] < min_silence_s:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    end = len(probs) * chunk_s
    return [SpeechSegment(max(0.0, a - pad_s), min(end, b + pad_s)) for a, b in merged if b - a >= min_speech_s]


def locate_model(settings: "Settings") -> tuple[Path | None, str]:
    """The Silero VAD file from the model registry, or (None, what to do to get it)."""
    try:
        return registry.model_file(MODEL_NAME, settings), ""
    except RushesError as exc:
        return None, str(exc)
