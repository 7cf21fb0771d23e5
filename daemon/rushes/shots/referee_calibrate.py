"""Measure the int8 calibration ranges of the shot referee on real footage (a developer tool).

    python -m rushes.shots.referee_calibrate [--media DIR] [--out PATH]

The referee's int8 graph (`referee_export.quantize`) needs, for every convolution input, the
range its activations take on real pictures. This runs the float32 export over windows cut from
the test footage of ../shared/media/fetch (cartoon and live action, still and moving, plus cuts,
dissolves and fades made between clips, since transitions are what the referee is shown) and
writes the table next to this module. Every machine then builds the same int8 model from it.
It also prints how far the int8 scores stray from float32 on windows it did not calibrate on.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

# clip, first frame of the windows taken from it
SOURCES = ("trailer_bbb.mp4", "bigbuckbunny_5s.mp4", "cockatoo.mp4", "bikes.mp4", "carphone.mp4",
           "pedestrians.avi", "city_night.mpg", "talking_head.mp4", "rocket_launch.webm")
WINDOW = 48


def pictures(path: Path, limit: int = 900) -> np.ndarray:
    """The referee's 48x27 pictures of the first `limit` frames of a file."""
    from rushes.decode.decode import DecodeCancelled, decode_pass
    from rushes.shots.referee import small_picture

    frames: list[np.ndarray] = []

    class Keep:
        def consume(self, frame) -> None:
            if len(frames) < limit:
                frames.append(small_picture(frame.low))

        def finish(self) -> None:
            pass

    try:
        decode_pass(path, [Keep()], cancelled=lambda: len(frames) >= limit)
    except DecodeCancelled:
        pass
    return np.stack(frames)


def windows(media: Path, seed: int) -> list[np.ndarray]:
    """Plain windows from every clip plus cuts, dissolves and fades between random pairs."""
    rng = random.Random(seed)
    clips = {name: pictures(media / name) for name in SOURCES if (media / name).is_file()}
    if len(clips) < 3:
        raise SystemExit(f"{media}: too few test clips (run ../shared/media/fetch)")
    out: list[np.ndarray] = []

    def stretch(n: int) -> np.ndarray:
        pics = clips[rng.choice(sorted(clips))]
        start = rng.randrange(0, max(1, len(pics) - n))
        part = pics[start:start + n]
        return part if len(part) == n else np.concatenate([part, np.repeat(part[-1:], n - len(part), 0)])

    for _ in range(3 * len(clips)):
        out.append(stretch(WINDOW))
    for kind in ("cut", "dissolve", "fade") * len(clips):
        a, b = stretch(WINDOW).astype(np.float32), stretch(WINDOW).astype(np.float32)
        at, n = rng.randrange(12, 30), rng.randrange(6, 20)
        w = np.zeros(WINDOW, np.float32)
        if kind == "cut":
            w[at:] = 1.0
            mixed = a * (1 - w[:, None, None, None]) + b * w[:, None, None, None]
        elif kind == "dissolve":
            w[at:] = np.clip((np.arange(WINDOW - at) + 1) / (n + 1), 0, 1)
            mixed = a * (1 - w[:, None, None, None]) + b * w[:, None, None, None]
        else:
            level = np.abs(np.arange(WINDOW) - at) / n
            mixed = np.where((np.arange(WINDOW) < at)[:, None, None, None], a, b) * np.clip(level, 0, 1)[:, None, None, None]
        out.append(np.clip(mixed, 0, 255).astype(np.uint8))
    return out


def main(argv: list[str] | None = None) -> int:
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, create_calibrator
    from onnxruntime.quantization.calibrate import save_tensors_data

    from rushes.shots import referee_export as rx

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", default=os.environ.get("RUSHES_MEDIA", str(Path.home() / ".cache" / "rushes-media")))
    ap.add_argument("--out", default=str(rx.RANGES))
    args = ap.parse_args(argv)
    media = Path(args.media).expanduser()
    calib, held_out = windows(media, seed=1), windows(media, seed=2)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(calib)

        def get_next(self):
            x = next(self.items, None)
            return None if x is None else {"frames": x[None]}

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = rx.export(Path(tmp) / "fp32.onnx")
        cal = create_calibrator(str(fp32), op_types_to_calibrate=["Conv"], calibrate_method=CalibrationMethod.MinMax,
                                augmented_model_path=str(Path(tmp) / "augmented.onnx"))
        cal.collect_data(Reader())
        save_tensors_data(cal.compute_data(), Path(tmp) / "cache.json")
        table = {"graph_version": rx.GRAPH_VERSION, "weights": rx.weights_key(rx.weights_path()),
                 "calibrated_on": sorted(n for n in SOURCES if (media / n).is_file()), "windows": len(calib),
                 "cache": json.loads((Path(tmp) / "cache.json").read_text())}
        Path(args.out).write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
        int8 = rx.quantize(fp32, Path(tmp) / "int8.onnx", Path(args.out))
        import onnxruntime as ort

        a, b = ort.InferenceSession(str(fp32)), ort.InferenceSession(str(int8))
        worst = [0.0, 0.0]
        flips = 0
        for x in held_out:
            sa, ma = a.run(None, {"frames": x[None]})
            sb, mb = b.run(None, {"frames": x[None]})
            worst = [max(worst[0], float(np.abs(sa - sb).max())), max(worst[1], float(np.abs(ma - mb).max()))]
            flips += int(((sa > 0.35) != (sb > 0.35)).sum())
        print(f"wrote {args.out}: {len(calib)} calibration windows from {len(table['calibrated_on'])} clips; "
              f"held-out {len(held_out)} windows: max |int8 - fp32| single {worst[0]:.3f}, many {worst[1]:.3f}; "
              f"frames crossing 0.35: {flips}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
