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
from typing import Any, Sequence

import numpy as np

from rushes.models.resident import Resident

DET = "ch_PP-OCRv4_det_infer.onnx"
REC = "ch_PP-OCRv4_rec_infer.onnx"
CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
MODEL_NAME = "ppocr-v4"
MAX_SIDE = 1280          # larger frames are scaled down first: captions stay > 20 px high at 1280
#: Shorter side of the picture the text detector sees when reading (recognition still reads the
#: lines cut from the full picture). RapidOCR's default scales a 1280x720 frame *up* to 736:
#: 564 ms of detector per frame on the shared box; at 540 (960x540) 303 ms, and the trailer's
#: six title cards read the same (bench/RESULTS.md, issue 16).
DET_SIDE = 540
#: Lines the recogniser reads at once. RapidOCR batches 6, padding each to the widest line's
#: width; on bbb's credits (40 frames, 587 lines) one at a time kept the word gaps of 82 lines
#: ("MartinZuther" -> "Martin Zuther"; 35 more changed a letter, either way), took 18% less CPU
#: and held half the memory (the arena keeps the largest batch): 313 MB, not 564 (issue 11).
REC_BATCH = 1
#: Shorter side for the cheap "is there text?" look of the text watch (rushes.ocr.watch):
#: ~50 ms a frame, and a 26 px caption on 720p footage is still ~10 px there.
WATCH_SIDE = 288


def _session_with_arena(model: Path, threads: int) -> Any:
    """The same model opened again with ONNX Runtime's CPU memory arena on.

    RapidOCR opens its sessions with the arena off (`enable_cpu_mem_arena = False`), so every
    tensor of every read is a fresh malloc; the daemon's allocator settings (rushes.native_memory:
    blocks from 1 MiB up are mmap'd and returned) then turn each one into an mmap and its page
    faults, which doubled the OCR step's CPU on bbb. With the arena, a session keeps the blocks
    of its largest read and reuses them (bench/RESULTS.md, issue 11). Opening again costs ~0.3 s
    once per engine."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.enable_cpu_mem_arena = True
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # RapidOCR's own provider option: the arena grows by what a read asks, not to the next power of two
    return ort.InferenceSession(str(model), opts,
                                providers=[("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})])


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
        threads = max(1, int(threads))
        self._ocr = RapidOCR(det_model_path=str(folder / DET), rec_model_path=str(folder / REC),
                             cls_model_path=str(folder / CLS), intra_op_num_threads=threads,
                             inter_op_num_threads=1, rec_batch_num=REC_BATCH)
        for wrapper, name, _ in self._sessions():
            wrapper.session = _session_with_arena(folder / name, threads)
        self._lock = threading.Lock()   # the sessions are shared; one picture at a time

    @staticmethod
    def _shrunk(img: np.ndarray, side: int) -> tuple[np.ndarray, float]:
        """`img` with its shorter side at most `side` (area-averaged), and the factor applied."""
        h, w = img.shape[:2]
        f = side / min(h, w)
        if f >= 1.0:
            return img, 1.0
        import cv2

        return cv2.resize(img, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA), f

    def _boxes(self, bgr: np.ndarray, side: int) -> np.ndarray:
        """Text quads (N x 4 x 2, in `bgr` pixels) from the detector run at shorter side `side`."""
        small, f = self._shrunk(bgr, side)
        det = self._ocr.text_det
        det.limit_side_len = min(small.shape[:2])       # "min" mode only ever scales up: keep our size
        boxes, _ = det(np.ascontiguousarray(small))
        if boxes is None or len(boxes) == 0:
            return np.zeros((0, 4, 2), np.float32)
        return np.asarray(boxes, np.float32) / f

    def detect(self, picture: np.ndarray, side: int = WATCH_SIDE) -> list[tuple[float, float, float, float]]:
        """Where text is, without reading it: boxes [x0, y0, x1, y1] in `picture` pixels, from the
        detector alone at shorter side `side` (the text watch's cheap look)."""
        img = np.ascontiguousarray(np.asarray(picture)[:, :, 2::-1])
        with self._lock:
            quads = self._boxes(img, side)
        return [(float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
                for q in quads]

    def read(self, picture: np.ndarray, det_side: int = DET_SIDE) -> list[TextLine]:
        """Text lines in reading order (top to bottom, then left to right); boxes in `picture` pixels.

        The detector runs at shorter side `det_side`; each line it finds is cut from the picture
        (at most MAX_SIDE wide), turned upright if the classifier says so, and read. No box, no
        recognition: a frame without text costs the detector alone."""
        img = np.ascontiguousarray(np.asarray(picture)[:, :, :3])
        h, w = img.shape[:2]
        scale = 1.0
        if max(h, w) > MAX_SIDE:
            from PIL import Image

            scale = MAX_SIDE / max(h, w)
            img = np.asarray(Image.fromarray(img).resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                                         Image.BILINEAR))
        bgr = np.ascontiguousarray(img[:, :, ::-1])   # the engine takes BGR
        result = []
        with self._lock:
            quads = self._boxes(bgr, det_side)
            if len(quads):
                quads = self._ocr.sorted_boxes(quads)
                crops = self._ocr.get_crop_img_list(bgr, quads)
                crops, _, _ = self._ocr.text_cls(crops)
                read, _ = self._ocr.text_rec(crops)
                result = [(q, r[0], r[1]) for q, r in zip(quads, read)]
        lines = []
        for quad, text, score in result:
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

    def shrink_arenas(self) -> None:
        """Hand the sessions' arena memory back, keeping the sessions (called after a media's reads).

        An arena keeps the blocks of the largest read it has seen: ~200 MB after a page of
        credits, on top of the ~70 MB of weights. One tiny run per session with ORT's
        arena-shrinkage option frees every block not in use (0.17 s for the three); the next
        media's first reads grow it again."""
        import onnxruntime as ort

        shrink = ort.RunOptions()
        shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        with self._lock:
            for wrapper, _, smallest in self._sessions():
                session = wrapper.session
                session.run(None, {session.get_inputs()[0].name: np.zeros(smallest, np.float32)}, shrink)

    def _sessions(self) -> tuple[tuple[Any, str, tuple[int, ...]], ...]:
        """RapidOCR's three session wrappers, each with its model file and a tiny input it takes."""
        return ((self._ocr.text_det.infer, DET, (1, 3, 32, 32)),
                (self._ocr.text_cls.infer, CLS, (1, 3, 48, 192)),
                (self._ocr.text_rec.session, REC, (1, 3, 48, 320)))


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


_loaded: Resident[tuple[str, int], OcrEngine] = Resident("PP-OCR")


def engine_for(folder: Path, threads: int) -> OcrEngine:
    """A shared engine for the folder and thread count (jobs for many files reuse one; kept
    until the daemon goes idle, with its sessions' arenas)."""
    return _loaded.get((str(folder), int(threads)), lambda: OcrEngine(folder, threads=threads))
