"""Steps run once on a model's verified files when it is pulled or imported, never at load time.

The ONNX Model Zoo's MobileNetV2 is an ImageNet classifier whose batch size is fixed at 1 and
whose output is 1000 class scores. Rushes wants the 1280-d pooled features (what the classifier
looks at, a far better image descriptor than the class scores) for many keyframes per call. The
graph is rewritten once: the classifier's last 1x1 convolution and reshape are cut, the pooled
features are flattened to [batch, 1280], and the batch dimension of input and output becomes
symbolic. The original file stays beside it, verified by its sha256; the derived file is
deterministic, so every machine makes the same bytes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from rushes.errors import InvalidArgument

MOBILENETV2_SOURCE = "mobilenetv2-7.onnx"
MOBILENETV2_FEATURES = "mobilenetv2-7-features.onnx"
#: The pooled features' tensor in the Model Zoo graph, and the classifier nodes after it.
_POOL = "mobilenetv20_features_pool0_fwd"
FEATURES_OUTPUT = "features"
INPUT_NAME = "data"


def _mobilenetv2_features(folder: Path) -> None:
    import onnx
    from onnx import helper

    model = onnx.load(str(folder / MOBILENETV2_SOURCE))
    g = model.graph
    cut = [i for i, n in enumerate(g.node) if _POOL in n.input]
    if not cut or not any(_POOL in n.output for n in g.node):
        raise InvalidArgument(f"{folder / MOBILENETV2_SOURCE}: no {_POOL} tensor (not the Model Zoo mobilenetv2-7 graph)")
    dropped = g.node[cut[0]:]
    dropped_inputs = {name for n in dropped for name in n.input} - {_POOL}
    del g.node[cut[0]:]
    g.node.append(helper.make_node("Flatten", [_POOL], [FEATURES_OUTPUT], axis=1, name="rushes_features_flatten"))
    # The classifier's weights were both initializers and (IR 3) graph inputs: drop both.
    keep_init = [t for t in g.initializer if t.name not in dropped_inputs]
    del g.initializer[:]
    g.initializer.extend(keep_init)
    keep_inputs = [i for i in g.input if i.name not in dropped_inputs]
    del g.input[:]
    g.input.extend(keep_inputs)
    del g.output[:]
    g.output.append(helper.make_tensor_value_info(FEATURES_OUTPUT, onnx.TensorProto.FLOAT, ["batch", 1280]))
    del g.value_info[:]
    data = next(i for i in g.input if i.name == INPUT_NAME)
    data.type.tensor_type.shape.dim[0].ClearField("dim_value")
    data.type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx.checker.check_model(model)
    tmp = folder / (MOBILENETV2_FEATURES + ".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(folder / MOBILENETV2_FEATURES)


#: name -> (version, step). Bump the version when a step's output changes: cache keys include it.
PREPARERS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "mobilenetv2-features": ("1", _mobilenetv2_features),
}


def version(name: str) -> str:
    return PREPARERS[name][0]


def run(name: str, folder: Path) -> None:
    """Run a named step on a folder of verified files (it writes its derived files there)."""
    try:
        step = PREPARERS[name][1]
    except KeyError:
        raise InvalidArgument(f"unknown model preparation step {name!r}") from None
    step(folder)
