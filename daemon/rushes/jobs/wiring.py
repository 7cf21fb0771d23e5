"""Wiring of the rooms into the primitives they plug into, done once by whoever runs the daemon's work.

The model registry (a primitive) must not import the rooms above it, yet `rushes models
verify` should really load each model; so each room keeps its model's load check beside its
code and this module registers them. Called by the server's App and by the in-process CLI
(`rushes models verify|import` without a daemon).
"""
from __future__ import annotations

from rushes.embed.model_check import check_classical, check_scene_model
from rushes.faces.model_check import check_dlib_model
from rushes.models.checks import register_load_check
from rushes.models.spec import SPECS
from rushes.shots.model_check import check_referee


def register_model_checks() -> None:
    """Register every room's model load check (idempotent)."""
    register_load_check([s.name for s in SPECS if s.module == "dlib" or "dlib" in s.requires], check_dlib_model)
    register_load_check([s.name for s in SPECS if s.kind == "builtin" and s.task == "scene"], check_classical)
    register_load_check([s.name for s in SPECS if s.kind == "hf-folder"], check_scene_model)
    register_load_check(["transnetv2"], check_referee)
