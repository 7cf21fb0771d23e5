"""The OCR engine's sessions (issue 11: what the daemon's allocator settings cost the OCR step).

RapidOCR opens its ONNX Runtime sessions with the CPU memory arena off; under the daemon's
allocator settings (blocks from 1 MiB up are mmap'd and returned when freed) that doubled the OCR
step's CPU on bbb (144 -> 297 s, bench/RESULTS.md). The engine reopens them with the arena on."""
from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def engine(settings):
    from rushes.models import registry
    from rushes.ocr.engine import MODEL_NAME, OcrEngine

    try:
        folder = registry.locate(MODEL_NAME, settings)
    except Exception as e:  # the model comes from a PyPI wheel (`rushes models pull --defaults`)
        pytest.skip(f"PP-OCRv4 not pulled here: {e}")
    return OcrEngine(folder, threads=1)


def test_every_ocr_session_keeps_its_own_memory_arena(engine):
    sessions = [engine._ocr.text_det.infer.session, engine._ocr.text_cls.infer.session,
                engine._ocr.text_rec.session.session]
    assert [s.get_session_options().enable_cpu_mem_arena for s in sessions] == [True, True, True]
    assert [s.get_session_options().intra_op_num_threads for s in sessions] == [1, 1, 1]


def test_the_reopened_sessions_still_read_a_title_card(engine):
    """White words on black at 1280x720, read twice (the second read reuses the arena's blocks)."""
    import cv2

    card = np.zeros((720, 1280, 3), np.uint8)
    cv2.putText(card, "SCENE 42 TAKE 3", (180, 380), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (255, 255, 255), 8,
                cv2.LINE_AA)
    first = [line.text for line in engine.read(card)]
    second = [line.text for line in engine.read(card)]
    assert first == second
    assert "".join(first).replace(" ", "").upper() == "SCENE42TAKE3", first
