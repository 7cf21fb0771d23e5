"""What an analysis step gets from the job runner.

A step is a plain function `run(ctx: StepContext) -> None`. It reads the media row, does its
work, and stores its output in one catalog transaction (plus vectors) before returning, so a
daemon killed after a step never redoes it and one killed during a step leaves nothing half
written. Steps share in-memory results of one job through `ctx.scratch` (e.g. the decode pass
hands its face samples to the face step) but must also be able to rebuild from the catalog
when resumed after a restart, where scratch starts empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import sqlite3

    from rushes.catalog import Catalog
    from rushes.settings import Settings
    from rushes.vectors import VectorStore


class JobCancelled(Exception):
    """Raised inside a step when the editor cancelled the job; the runner marks it cancelled."""


class StepFailed(Exception):
    """A step could not do its work on this media; the message names the file and the problem."""


@dataclass
class StepContext:
    catalog: "Catalog"
    vectors: "VectorStore"
    settings: "Settings"
    media: "sqlite3.Row"              # the media row (see catalog migrations)
    project_id: int
    job_id: int
    report: Callable[[float, str], None] = field(default=lambda fraction, message: None)
    is_cancelled: Callable[[], bool] = field(default=lambda: False)
    scratch: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress in 0..1 of this step; raises JobCancelled when the job was cancelled."""
        if self.is_cancelled():
            raise JobCancelled()
        self.report(max(0.0, min(1.0, fraction)), message)
