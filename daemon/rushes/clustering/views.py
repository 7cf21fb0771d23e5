"""Clusters as every API shows them: `ClusterView` records (rushes.catalog.cluster_views).

The noise bucket is one more cluster, id "noise", with `reasons` saying why each member is
there. Character clusters show their person's name when they have none of their own, because
an editor names a person once, in whichever view they happen to be looking at.
"""
from __future__ import annotations

from rushes.catalog.cluster_views import ClusterView
from rushes.clustering import NOISE, VIEWS, store
from rushes.errors import InvalidArgument


def check_view(view: str) -> str:
    view = (view or "scene").strip().lower()
    if view not in VIEWS:
        raise InvalidArgument(f"unknown cluster view {view!r}: use one of {', '.join(VIEWS)}")
    return view


def list_clusters(catalog, project_id: int, view: str) -> list[ClusterView]:
    """The stored clusters of a view, noise bucket last (always present)."""
    view = check_view(view)
    rows = store.read_view(catalog, project_id, view)
    people_names = store.names(catalog, project_id, "people") if view == "character" else {}
    out = []
    for c in rows:
        member_kind = "shot" if view == "scene" else "track"
        shots = sorted({m.id for m in c.members if m.kind == "shot"})
        tracks = sorted({m.id for m in c.members if m.kind == "track"})
        name = c.name
        if not name and view == "character" and c.id != NOISE:
            name = people_names.get(c.id.split("@")[0], "")
        out.append(ClusterView(
            id=c.id, name=name, view=view, parent_id=c.parent_id,
            shots=tuple(str(s) for s in shots), tracks=tuple(str(t) for t in tracks),
            confidence={str(m.id): round(m.confidence, 4) for m in c.members if m.kind == member_kind},
            reasons={str(m.id): m.reason for m in c.members if m.kind == member_kind} if c.id == NOISE else {},
        ))
    if not any(c.id == NOISE for c in out):
        out.append(ClusterView(id=NOISE, name="", view=view))
    return out
