"""Clustering that learns (issue 6): scenes, characters inside scenes, people across the project.

Modules, one job each:
  inputs       per-project vectors: one per shot (mean of its keyframes), one per face track
  density      HDBSCAN (+ PCA above a few thousand points)
  metric       the per-project linear metric learned from the editor's corrections
  constraints  pins, must-link and cannot-link: the editor's word always holds
  stable       cluster ids that survive re-clustering
  store        catalog reads and writes (clusters, members, pins, links, metric, state)
  engine       one clustering run per view, full or incremental
  views        clusters as the API shows them (noise bucket id "noise")
  step         the pipeline's last step
"""
from __future__ import annotations

from rushes.catalog.cluster_views import NOISE

__all__ = ["NOISE", "VIEWS"]

VIEWS = ("scene", "character", "people")
