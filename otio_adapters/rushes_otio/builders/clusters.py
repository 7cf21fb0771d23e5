"""A project's clusters as bins: one SerializableCollection per cluster, noise bucket included.

Each member is a clip with its exact source range: a shot for the scene view, a face track
(the frames the person is on screen) for the people and character views.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import opentimelineio as otio

from ..records import Group, MediaTime
from .media import NAMESPACE, clip


def build_bins(view: str, groups: Sequence[Group], media: Mapping[str, MediaTime], project: str = "") -> (
        otio.schema.SerializableCollection):
    root = otio.schema.SerializableCollection(name=f"Rushes {view} clusters" + (f" ({project})" if project else ""))
    root.metadata[NAMESPACE] = {"product": "clusters", "view": view, "project": project}
    for group in groups:
        bin_ = otio.schema.SerializableCollection(name=group.label)
        bin_.metadata[NAMESPACE] = {"cluster_id": group.id, "view": group.view, "name": group.name,
                                    "parent_id": group.parent_id}
        for span in sorted(group.members, key=lambda s: (media[s.media_id].path, s.start, s.id)):
            bin_.append(clip(media[span.media_id], span))
        root.append(bin_)
    return root
