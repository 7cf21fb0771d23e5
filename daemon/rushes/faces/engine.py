"""One image in, its faces out: detect on a resized copy, then align and describe at full size.

Why resize. dlib's HOG detector slides an 80x80 window over an image pyramid, so it finds faces
of ~80 px and larger, and its cost grows with the pixel count. We pick the detection scale so the
smallest face we care about (`faces_min_face`, a fraction of the frame height) lands at 80 px:
on a 720p frame that is about full size, on 640x272 street footage it is an upsampling (dlib's
"upsample for small faces", but by the exact factor needed), on 4K it is a big downscale, which is
what keeps detection cheap on camera originals. `faces_max_pixels` caps the work per frame.
Landmarks and the descriptor are computed on the full-resolution frame, where the detail is.

The CNN detector (`faces_detector = "cnn"`, dlib's MMOD) finds turned and small faces better but
on a CPU costs ~20x HOG's time on a quarter of the pixels (bench/RESULTS.md); same scale rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from PIL import Image

from rushes.faces.models import DESCRIPTOR_MODEL, DESCRIPTOR_VERSION, load_models
from rushes.faces.quality import Quality, assess

if TYPE_CHECKING:
    from rushes.settings import Settings

#: Both dlib detectors find faces of about one 80x80 window and larger.
WINDOW_PX = 80.0
#: Coarse scans run at this fraction of the fine scale (a quarter of the pixels).
COARSE_FACTOR = 0.5
#: A window scan around a known face covers this many face widths and runs at each of ROI_ZOOMS
#: times the fine scale: HOG's answer on a face near the 80 px limit flips with the pyramid's
#: alignment, and two zooms of a small window (~7 ms each) make following it reliable.
ROI_MARGIN = 3.0
ROI_ZOOMS = (1.0, 1.25)
#: Overlap with a face described on the previous sample above which its descriptor is reused.
KNOWN_IOU = 0.5
CHIP_SIZE = 150
CHIP_PADDING = 0.25


Box = tuple[float, float, float, float]


@dataclass
class FaceObservation:
    """One face in one image. Box is [x0, y0, x1, y1] in the image's own pixels."""

    box: tuple[float, float, float, float]
    score: float                       # detector confidence (HOG margin or MMOD confidence)
    landmarks: np.ndarray              # 5x2 float32, full-resolution pixels
    descriptor: np.ndarray             # 128 float32 (dlib ResNet; ~0.6 apart = different people)
    quality: Quality
    detector_pose: int = 0             # HOG sub-detector: 0 front, 1/2 turned, 3/4 rolled
    described: bool = True             # False: descriptor carried over from the previous sample

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class EngineConfig:
    detector: str = "hog"              # "hog" or "cnn"
    min_face: float = 0.11             # smallest face to find, as a fraction of frame height
    #                                    (0.11 * 720 = 80 px: a 720p frame is scanned as it is)
    max_pixels: int = 1_000_000        # most pixels one detection image may have (~65 ms HOG)
    threshold: float = 0.0             # HOG margin (or MMOD confidence) a detection needs
    min_face_px: float = 20.0          # below this no descriptor is meaningful

    @classmethod
    def from_settings(cls, settings: "Settings | None") -> "EngineConfig":
        if settings is None:
            return cls()
        detector = str(settings.get("faces_detector", "hog")).lower()
        if detector not in ("hog", "cnn"):
            raise ValueError(f"faces_detector must be 'hog' or 'cnn', got {detector!r}")
        return cls(
            detector=detector,
            min_face=float(settings.get("faces_min_face", cls.min_face)),
            max_pixels=int(settings.get("faces_max_pixels", cls.max_pixels)),
            threshold=float(settings.get("faces_threshold", cls.threshold)),
        )

    # The vector space is the descriptor's: vectors compare across detectors, not across
    # descriptor models, so payload "model" names the descriptor and "detector" the detector.
    model_name = DESCRIPTOR_MODEL
    model_version = DESCRIPTOR_VERSION


def detection_scale(width: int, height: int, config: EngineConfig) -> float:
    """Resize factor so a face of min_face * height becomes one detector window, capped by pixels."""
    want = WINDOW_PX / max(1.0, config.min_face * height)
    cap = (config.max_pixels / max(1, width * height)) ** 0.5
    return float(min(want, cap))


@dataclass
class FaceEngine:
    """Detector + landmarks + descriptor, loaded once; `analyse` is safe to call from a worker thread."""

    config: EngineConfig = field(default_factory=EngineConfig)
    settings: Settings | None = None

    def __post_init__(self) -> None:
        self.models = load_models(self.settings, cnn=self.config.detector == "cnn")

    def detect(self, image: np.ndarray, *, fine: bool = True,
               rois: Sequence[Box] = ()) -> list[tuple[Box, float, int]]:
        """(box in image pixels, score, pose) for each face.

        fine=True scans the whole frame at the scale that finds `min_face`; fine=False scans it
        at COARSE_FACTOR of that (a quarter of the pixels: only faces twice that size), plus a
        fine scan of a small window around each box in `rois` (faces seen on the previous
        sample), so a small face once found keeps being followed at a fraction of the cost.
        """
        h, w = image.shape[:2]
        scale = detection_scale(w, h, self.config)
        found = self._scan(image, (0, 0, w, h), scale if fine else scale * COARSE_FACTOR)
        if not fine:
            for box in rois:
                if (box[3] - box[1]) * scale * COARSE_FACTOR >= WINDOW_PX * 1.25:
                    continue          # big enough for the coarse scan to find it again
                side = max(box[2] - box[0], box[3] - box[1]) * ROI_MARGIN
                cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                region = (max(0, int(cx - side / 2)), max(0, int(cy - side / 2)),
                          min(w, int(cx + side / 2)), min(h, int(cy + side / 2)))
                if region[2] - region[0] >= 8 and region[3] - region[1] >= 8:
                    for zoom in ROI_ZOOMS:
                        found.extend(self._scan(image, region, scale * zoom))
        found = _suppress(found)
        return [f for f in found if f[0][3] - f[0][1] >= self.config.min_face_px]

    def _scan(self, image: np.ndarray, region: tuple[int, int, int, int], scale: float) -> list[tuple[Box, float, int]]:
        """Detect in image[region] resized by `scale`; boxes mapped back to image pixels."""
        x0, y0, x1, y1 = region
        h, w = image.shape[:2]
        part = image if (x0, y0, x1, y1) == (0, 0, w, h) else np.ascontiguousarray(image[y0:y1, x0:x1])
        ph, pw = part.shape[:2]
        factor = round(1.0 / scale) if scale < 0.75 else 0
        if factor >= 2 and abs(1.0 / scale - factor) < 0.05 * factor:
            # Near 1/n: a box-filter reduce is 5x cheaper than a bilinear resize of 720p.
            part = np.asarray(Image.fromarray(part).reduce(factor))
            sx, sy = part.shape[1] / pw, part.shape[0] / ph
        elif abs(scale - 1.0) > 0.02:
            size = (max(1, round(pw * scale)), max(1, round(ph * scale)))
            part = np.asarray(Image.fromarray(part).resize(size, Image.BILINEAR))
            sx, sy = size[0] / pw, size[1] / ph
        else:
            sx = sy = 1.0
        if part.shape[0] < WINDOW_PX / 2 or part.shape[1] < WINDOW_PX / 2:
            return []
        found: list[tuple[Box, float, int]] = []
        if self.config.detector == "cnn":
            for det in self.models.cnn(part, 0):
                if det.confidence >= self.config.threshold:
                    found.append((_rect_box(det.rect, sx, sy, x0, y0, w, h), float(det.confidence), 0))
        else:
            rects, scores, poses = self.models.hog.run(part, 0, self.config.threshold)
            for rect, score, pose in zip(rects, scores, poses):
                found.append((_rect_box(rect, sx, sy, x0, y0, w, h), float(score), int(pose)))
        return found

    def analyse(self, image: np.ndarray, *, fine: bool = True, rois: Sequence[Box] = (),
                known: Sequence[tuple[Box, np.ndarray]] = ()) -> list[FaceObservation]:
        """Every face in an HxWx3 uint8 RGB image, with landmarks, descriptor and quality.

        `known`: (box, descriptor) of faces freshly described on the previous sample. A face
        that sits on one of them (IoU > KNOWN_IOU) takes that descriptor instead of running
        the ResNet again (~80 ms a face): same place one sample later, no cut in between (the
        caller passes `known` only on coarse samples, and a cut forces a fine one). Landmarks,
        chip and quality are still computed for it, so the best frame is still chosen well.
        """
        import dlib

        image = np.ascontiguousarray(image)
        detections = self.detect(image, fine=fine, rois=rois)
        if not detections:
            return []
        shapes = []
        for box, _, _ in detections:
            rect = dlib.rectangle(int(round(box[0])), int(round(box[1])), int(round(box[2])), int(round(box[3])))
            shapes.append(self.models.shape5(image, rect))
        chips = [dlib.get_face_chip(image, s, size=CHIP_SIZE, padding=CHIP_PADDING) for s in shapes]
        reused: list[np.ndarray | None] = []
        for box, _, _ in detections:
            match = max(known, key=lambda k: _iou(box, k[0]), default=None)
            reused.append(match[1] if match is not None and _iou(box, match[0]) > KNOWN_IOU else None)
        todo = [chip for chip, r in zip(chips, reused) if r is None]
        fresh = iter(self.models.resnet.compute_face_descriptor(todo) if todo else [])
        out = []
        for (box, score, pose), shape, chip, prior in zip(detections, shapes, chips, reused):
            marks = np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float32)
            desc = prior if prior is not None else np.asarray(next(fresh), dtype=np.float32)
            out.append(FaceObservation(
                box=box, score=score, landmarks=marks, descriptor=desc,
                quality=assess(box[3] - box[1], chip, marks), detector_pose=pose, described=prior is None,
            ))
        return out


def _rect_box(rect: Any, sx: float, sy: float, ox: int, oy: int, w: int, h: int) -> Box:
    """A dlib rectangle on a resized crop at (ox, oy) -> clipped float box on the original."""
    x0 = max(0.0, ox + rect.left() / sx)
    y0 = max(0.0, oy + rect.top() / sy)
    x1 = min(float(w), ox + (rect.right() + 1) / sx)
    y1 = min(float(h), oy + (rect.bottom() + 1) / sy)
    return (round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1))


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _suppress(found: list[tuple[Box, float, int]], overlap: float = 0.3) -> list[tuple[Box, float, int]]:
    """One detection per face when the coarse scan and a window scan both found it."""
    kept: list[tuple[Box, float, int]] = []
    for f in sorted(found, key=lambda f: -f[1]):
        if all(_iou(f[0], k[0]) <= overlap for k in kept):
            kept.append(f)
    return kept
