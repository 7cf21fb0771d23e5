"""Small shot boundary detectors behind one interface (see base.Detector): cuts, dissolves, fades, wipes."""
from rushes.shots.detectors.base import Detector
from rushes.shots.detectors.cuts import HardCutDetector
from rushes.shots.detectors.dissolves import DissolveDetector
from rushes.shots.detectors.fades import FadeDetector
from rushes.shots.detectors.wipes import WipeDetector

__all__ = ["Detector", "HardCutDetector", "DissolveDetector", "FadeDetector", "WipeDetector"]
