"""Reading text off a picture: PP-OCRv4 (detector, direction classifier, recogniser) on ONNX Runtime.

The weights ship inside the `rapidocr-onnxruntime` wheel; the model registry ("ppocr-v4") says
which folder holds them and the engine is handed that folder (PySceneDetect's rule: a model is
given its path, it never looks one up). One engine per (folder, threads) is kept: opening the
three sessions costs ~0.3 s, reading a 720p frame 0.4-2 s on one shared core.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

DET = "ch_PP-OCRv4_det_infer.onnx"
REC = "ch_PP-OCRv4_rec_infer.onnx"
CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
MODEL_NAME = "ppocr-v4"
MAX_SIDE = 1280          # larger frames are scaled down first: captions stay > 20 px high at 1280


@dataclass(frozen=True)
class TextLine:
    """One line of text on a picture: box [x0, y0, x1, y1] in that picture's pixels."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float


class OcrEngine:
    """Pictures (HxWx3 uint8 RGB) -> text lines, best confidence first within reading order."""

    def __init__(self, folder: Path, *, threads: int = 1, min_confidence: float = 0.6) -> None:
        from rapidocr_onnxruntime import RapidOCR

        folder = Path(folder)
        for name in (DET, REC, CLS):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name}: PP-OCRv4 model file missing")
        self.folder = folder
        self.min_confidence = float(min_confidence)
        self._ocr = RapidOCR(det_model_path=str(folder / DET), rec_model_path=str(folder / REC),
                             cls_model_path=str(folder / CLS), intra_op_num_threads=max(1, int(threads)),
                             inter_op_num_threads=1)
        self._lock = threading.Lock()   # the sessions are shared; one picture at a time

    def read(self, picture: np.ndarray) -> list[TextLine]:
        """Text lines in reading order (top to bottom, then left to right); boxes in `picture` pixels."""
        img = np.ascontiguousarray(np.asarray(picture)[:, :, :3])
        h, w = img.shape[:2]
        scale = 1.0
        if max(h, w) > MAX_SIDE:
            from PIL import Image

            scale = MAX_SIDE / max(h, w)
            img = np.asarray(Image.fromarray(img).resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                                         Image.BILINEAR))
        with self._lock:
            result, _ = self._ocr(np.ascontiguousarray(img[:, :, ::-1]))   # the engine takes BGR
        lines = []
        for quad, text, score in result or []:
            text = str(text).strip()
            if not text or float(score) < self.min_confidence:
                continue
            xs = [p[0] / scale for p in quad]
            ys = [p[1] / scale for p in quad]
            box = (max(0.0, min(xs)), max(0.0, min(ys)), min(float(w), max(xs)), min(float(h), max(ys)))
            lines.append(TextLine(text, box, float(score)))
        lines.sort(key=lambda l: (round(l.box[1] / max(1.0, (l.box[3] - l.box[1]))), l.box[0]))
        return lines

    def read_many(self, pictures: Sequence[np.ndarray]) -> list[list[TextLine]]:
        return [self.read(p) for p in pictures]


def merge_rows(lines: Sequence[TextLine], *, gap: float = 1.5) -> list[TextLine]:
    """Boxes on one row joined into one line, left to right.

    The detector often boxes each word of a board or caption on its own ("SCENE", "12"); a
    row is boxes whose vertical extents overlap by half the smaller height and whose
    horizontal gap is under `gap` x the height. Confidence of a row is its weakest word's.
    """
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda l: (l.box[0], l.box[1])):
        x0, y0, x1, y1 = line.box
        h = max(1.0, y1 - y0)
        for row in rows:
            last = row[-1]
            lx0, ly0, lx1, ly1 = last.box
            overlap = min(y1, ly1) - max(y0, ly0)
            if overlap >= 0.5 * min(h, ly1 - ly0) and x0 - lx1 <= gap * max(h, ly1 - ly0):
                row.append(line)
                break
        else:
            rows.append([line])
    out = []
    for row in rows:
        box = (min(l.box[0] for l in row), min(l.box[1] for l in row), max(l.box[2] for l in row),
               max(l.box[3] for l in row))
        out.append(TextLine(" ".join(l.text for l in row), box, min(l.confidence for l in row)))
    out.sort(key=lambda l: (l.box[1], l.box[0]))
    return out


_cache: dict[tuple[str, int], OcrEngine] = {}
_cache_lock = threading.Lock()


def engine_for(folder: Path, threads: int) -> OcrEngine:
    """A shared engine for the folder and thread count (jobs for many files reuse one)."""
    key = (str(folder), int(threads))
    with _cache_lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = OcrEngine(folder, threads=threads)
        return _cache[key]
