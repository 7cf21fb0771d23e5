"""Highlight settings: every parameter, its default, and what it does (README lists them).

Read from `rushes.settings` (env RUSHES_HIGHLIGHTS_<NAME> > [analysis] highlights_<name> in
config.toml > the default here); GetHighlights may override any of them per request, which
re-scores from stored features. The stored result carries a hash of these values, so a changed
setting re-scores at the next ingest or request.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Mapping

from rushes.errors import InvalidArgument

if TYPE_CHECKING:
    from rushes.settings import Settings

PREFIX = "highlights_"


@dataclass(frozen=True)
class HighlightConfig:
    mode: str = "v2"                  # v1 (scene-based) | v2 (highlight-aware)
    # --- features (derived from the stored raw features; no decode needed to change them)
    step_s: float = 0.5               # feature step
    loudness_window_s: float = 3.0    # short-term loudness window (BS.1770: 3 s), centred on each step
    smooth_s: float = 1.5             # moving average applied to excitement
    silence_lufs: float = -50.0       # quieter than this is silence
    still_motion: float = 1.0         # mean grey-level change per frame below which a step is still
    speech_threshold: float = 0.5     # Silero probability above which a 32 ms chunk is speech
    # --- anchors
    peak_z: float = 0.5               # excitement peak: loudness and motion z both at least this
    reaction_loud_z: float = 1.0      # loud with little motion: loudness z at least this ...
    reaction_motion_z: float = 0.0    # ... and motion z at most this
    action_window_s: float = 6.0      # action sequence: this window has ...
    action_motion_z: float = 0.75     # ... mean motion z at least this ...
    action_min_cuts: int = 3          # ... and at least this many cuts
    nms_s: float = 10.0               # anchors closer than this: only the strongest stays
    max_anchors: int = 60
    # --- clip windows around an anchor
    target_s: float = 10.0            # preferred clip length
    min_s: float = 4.0
    max_s: float = 25.0
    pre_min_s: float = 0.5            # start searched in [anchor - pre_max_s, anchor - pre_min_s]
    pre_max_s: float = 8.0
    post_min_s: float = 0.5           # end searched in [anchor + post_min_s, anchor + post_max_s]
    post_max_s: float = 12.0
    speech_extend_s: float = 3.0      # a boundary inside speech may move this far out to the speech's edge
    # --- boundary score parts
    w_cut: float = 1.0                # a cut or transition (times its confidence)
    w_dip: float = 0.6                # an audio dip: quieter than the 2 s either side
    w_fade: float = 0.8               # the edge of a black segment or fade
    w_valley: float = 0.4             # a motion valley
    w_spacing: float = 0.5            # penalty per target length away from target_s
    w_window_dead: float = 1.0        # window penalty per share of the window that is dead time
    # --- quality score
    w_excitement: float = 0.45
    w_boundary: float = 0.25
    w_anchor: float = 0.15
    w_dead: float = 0.4               # penalty weight of dead time (silent and still, black, freeze)
    # --- post-filtering
    max_iou: float = 0.3              # a clip overlapping a better one more than this is dropped
    min_score: float = 0.3            # boring: quality below this
    min_excitement: float = 0.2       # boring: excitement below this
    duplicate_diff: float = 6.0       # near-duplicate: mean grey difference of the middle frames below this
    target_count: int = 10            # at most this many clips per media
    project_top: int = 20             # the project view: best N across media
    # --- v1 (scene-based)
    v1_min_s: float = 2.0             # shots shorter than this merge with a neighbour
    v1_max_s: float = 20.0            # shots longer than this are split evenly
    v1_soft_cap: int = 40             # merge the weakest boundaries until at most this many clips

    @classmethod
    def from_settings(cls, settings: "Settings | None", overrides: Mapping[str, str] | None = None) -> "HighlightConfig":
        values: dict[str, Any] = {}
        for f in fields(cls):
            default = getattr(cls, f.name)
            value = settings.get(PREFIX + f.name, default) if settings is not None else default
            values[f.name] = _coerce(f.name, value, default)
        for key, text in (overrides or {}).items():
            name = key[len(PREFIX):] if key.startswith(PREFIX) else key
            if name not in values:
                known = ", ".join(PREFIX + f.name for f in fields(cls))
                raise InvalidArgument(f"unknown highlight setting {key!r}: known settings are {known}")
            values[name] = _coerce(name, text, getattr(cls, name))
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        if self.mode not in ("v1", "v2"):
            raise InvalidArgument(f"highlights mode must be v1 or v2, got {self.mode!r}")
        if self.step_s <= 0 or self.min_s <= 0 or self.max_s < self.min_s:
            raise InvalidArgument("highlights need step_s > 0 and 0 < min_s <= max_s")
        if self.target_count < 0 or self.project_top < 0:
            raise InvalidArgument("highlights_target_count and highlights_project_top must be >= 0")

    def with_mode(self, mode: str) -> "HighlightConfig":
        if not mode:
            return self
        config = replace(self, mode=mode)
        config.check()
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def digest(self) -> str:
        return hashlib.sha1(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]


def _coerce(name: str, value: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(float(value))
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"highlight setting {PREFIX}{name} must be a number, got {value!r}") from None
