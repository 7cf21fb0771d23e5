"""Loaded models are kept for the next file and let go when the daemon is idle (issue 11)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from rushes.models import resident
from rushes.models.resident import Resident


class _Model:
    loads = 0

    def __init__(self, name: str) -> None:
        type(self).loads += 1
        self.name = name


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    """The registry is process-wide: each test's residents are registered for that test only."""
    monkeypatch.setattr(resident, "_droppers", [])


def test_one_load_per_key_and_a_new_key_replaces_the_old():
    r = Resident("toy")
    a = r.get(("f", 2), lambda: _Model("a"))
    assert r.get(("f", 2), lambda: _Model("again")) is a
    b = r.get(("g", 2), lambda: _Model("b"))
    assert b.name == "b" and not r.holds(("f", 2))


def test_several_keys_when_asked_and_a_failed_load_is_not_kept():
    r = Resident("toy", one_at_a_time=False)
    r.get("x", lambda: _Model("x"))
    r.get("y", lambda: _Model("y"))
    assert r.holds("x") and r.holds("y")

    def broken():
        raise RuntimeError("bad weights")

    with pytest.raises(RuntimeError):
        r.get("z", broken)
    assert not r.holds("z")
    assert r.get("z", lambda: _Model("z")).name == "z"


def test_two_threads_asking_at_once_load_once():
    r = Resident("toy")
    started = threading.Barrier(4)
    _Model.loads = 0

    def slow() -> _Model:
        time.sleep(0.2)
        return _Model("slow")

    def ask(out: list) -> None:
        started.wait()
        out.append(r.get("k", slow))

    got: list = []
    threads = [threading.Thread(target=ask, args=(got,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _Model.loads == 1 and len({id(m) for m in got}) == 1


def test_release_idle_drops_only_what_nobody_asked_for_lately(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(resident.time, "monotonic", lambda: now[0])
    ocr, text = Resident("ocr"), Resident("text")
    ocr.get("o", lambda: _Model("o"))
    text.get("t", lambda: _Model("t"))
    now[0] += 500
    text.get("t", lambda: _Model("t2"))     # a search asked for the text embedder
    now[0] += 200
    assert resident.release_idle(600) == ["ocr"]
    assert not ocr.holds("o") and text.holds("t")
    assert resident.release_idle(0) == ["text"]
    assert resident.release_idle(0) == []


def test_the_queue_lets_models_go_once_idle_never_while_a_job_runs(settings):
    """A job that holds a model longer than the idle time keeps it; once no job has run for
    the idle time the model goes; the next job loads it again."""
    from rushes.catalog import Catalog
    from rushes.jobs.queue import JobQueue

    model = Resident("toy")
    running, release = threading.Event(), threading.Event()

    def runner(q: JobQueue, job) -> None:
        model.get("m", lambda: _Model("m"))
        running.set()
        release.wait(10)
        q.finish(job.id, "done")

    cat = Catalog.open(settings.catalog_path)
    q = JobQueue(cat, runner, workers=1, models_idle_release_s=0.3)
    q.start()
    try:
        q.submit("toy", project_id=None, steps=["toy"])
        assert running.wait(10)
        time.sleep(1.5)                         # five idle periods while the job runs
        assert model.holds("m")
        release.set()
        deadline = time.monotonic() + 10        # idle 0.3 s, checked every 0.5 s: ~1 s
        while model.holds("m") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not model.holds("m")
    finally:
        q.stop()
        cat.close()


def test_zero_keeps_models_while_the_daemon_runs(settings):
    from rushes.catalog import Catalog
    from rushes.jobs.queue import JobQueue

    model = Resident("toy")
    model.get("m", lambda: _Model("m"))
    cat = Catalog.open(settings.catalog_path)
    q = JobQueue(cat, lambda q, job: None, workers=1, models_idle_release_s=0)
    q.start()
    try:
        time.sleep(1.2)
        assert model.holds("m")
    finally:
        q.stop()
        cat.close()


_OCR_RELEASE = textwrap.dedent("""
    import json, sys
    import numpy as np
    from rushes.native_memory import release_free_memory, resident_memory_bytes, tune_allocator
    tune_allocator()
    import cv2
    from rushes.models import registry, resident
    from rushes.ocr.engine import MODEL_NAME, engine_for
    from rushes.settings import load_settings
    def rss():
        return resident_memory_bytes() >> 20
    folder = registry.locate(MODEL_NAME, load_settings())
    card = np.zeros((720, 1280, 3), np.uint8)
    for i, y in enumerate(range(80, 700, 60)):
        cv2.putText(card, f"LINE {i} OF THE CREDITS", (100 + 20 * i, y), cv2.FONT_HERSHEY_SIMPLEX, 1.4,
                    (255, 255, 255), 3)
    release_free_memory()
    before = rss()
    engine = engine_for(folder, 1)
    lines = [line.text for line in engine.read(card)]
    loaded = rss()
    engine.shrink_arenas()
    release_free_memory()
    shrunk = rss()
    again = [line.text for line in engine.read(card)]
    del engine
    released = resident.release_idle(0)
    release_free_memory()
    print(json.dumps({"lines": len(lines), "same_again": lines == again, "before": before, "loaded": loaded,
                      "shrunk": shrunk, "after": rss(), "released": released}))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RSS is read from /proc")
def test_the_ocr_engine_gives_its_memory_back_after_reads_and_when_let_go(settings):
    """PP-OCR's three sessions after reading a 12-line card hold ~240 MB here, ~70 of it weights.
    Shrinking the arenas (after each media's reads) gives the reads' working memory back and
    the engine reads the same lines again; letting the engine go (idle) gives nearly all of it
    back. Margins: shrunk to under 60% of what loading and reading added (measured ~30%); let
    go to under a third (measured ~20%: code pages and ORT's thread pool stay)."""
    from rushes.models import registry
    from rushes.ocr.engine import MODEL_NAME

    try:
        registry.locate(MODEL_NAME, settings)
    except Exception as e:
        pytest.skip(f"PP-OCRv4 not pulled here: {e}")
    out = subprocess.run([sys.executable, "-c", _OCR_RELEASE], capture_output=True, text=True, timeout=300,
                         check=True)
    m = json.loads(out.stdout.strip().splitlines()[-1])
    assert m["released"] == ["PP-OCR"] and m["lines"] >= 8 and m["same_again"], m
    added = m["loaded"] - m["before"]
    assert added > 60, m
    assert m["shrunk"] - m["before"] < 0.6 * added, m
    assert m["after"] - m["before"] < added / 3, m
