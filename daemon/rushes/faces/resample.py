"""Re-sample faces from a file when the decode pass's samples are gone (resumed after a restart).

The job's own decode pass already ran (its shots are stored), so this decodes the file once more
with the face sampler as the only consumer, through the same `decode_pass`, so frame numbering
and rotation are exactly the pass's. It happens only after a restart between steps 2 and 3.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from rushes.faces.sampler import FaceSampler


def feed(path: Path, sampler: FaceSampler, *, cancelled: Callable[[], bool] | None = None,
         progress: Callable[[float], None] | None = None, threads: int = 2) -> None:
    """Decode `path` once, handing full frames at the sampler's stride to it; then finish it.

    Cancellation arrives as DecodeCancelled from the pass, or as whatever `progress` raises.
    """
    from rushes.decode.decode import decode_pass

    decode_pass(Path(path), [sampler], full_stride=sampler.full_stride, cancelled=cancelled,
                progress=progress, threads=threads)
