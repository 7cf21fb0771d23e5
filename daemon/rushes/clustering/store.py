"""Catalog reads and writes for clustering: clusters, members, pins, links, metric, state.

Every write of a view's result happens in one transaction, so a reader (a gRPC thread, the
Resolve plugin) sees either the old clustering or the new one, never half of each. The noise
bucket of each view is stored as the cluster 'noise:<view>' (cluster ids are unique per
project) and shown as "noise" by the API.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from rushes.clustering import NOISE
from rushes.clustering.constraints import Constraints
from rushes.clustering.metric import LinearMetric

Key = tuple[str, int]
PREFIX = {"scene": "scene", "people": "person", "character": "character"}


def noise_id(view: str) -> str:
    return f"{NOISE}:{view}"


def api_id(stored: str) -> str:
    return NOISE if stored.startswith(NOISE + ":") else stored


def stored_id(cid: str, view: str) -> str:
    return noise_id(view) if cid == NOISE else cid


@dataclass
class Member:
    kind: str
    id: int
    confidence: float = 1.0
    reason: str = ""
    pinned: bool = False


@dataclass
class ClusterRow:
    id: str                      # API id ("noise" for the bucket)
    view: str
    name: str = ""
    parent_id: str = ""
    members: list[Member] = field(default_factory=list)


def membership(catalog, project_id: int, view: str, kind: str) -> dict[str, set[Key]]:
    """cluster id -> members of `kind`, for the stored clusters of a view (noise included as "noise")."""
    rows = catalog.query(
        "SELECT m.cluster_id, m.member_kind, m.member_id FROM cluster_members m JOIN clusters c "
        "ON c.project_id=m.project_id AND c.id=m.cluster_id WHERE m.project_id=? AND c.view=? AND m.member_kind=?",
        (project_id, view, kind))
    out: dict[str, set[Key]] = {}
    for r in rows:
        out.setdefault(api_id(r[0]), set()).add((r[1], int(r[2])))
    return out


def assignment(catalog, project_id: int, view: str, kind: str) -> dict[Key, str]:
    """member -> its cluster id in the stored clustering of a view."""
    return {k: cid for cid, ks in membership(catalog, project_id, view, kind).items() for k in ks}


def confidences(catalog, project_id: int, view: str) -> dict[Key, float]:
    rows = catalog.query(
        "SELECT m.member_kind, m.member_id, m.confidence FROM cluster_members m JOIN clusters c "
        "ON c.project_id=m.project_id AND c.id=m.cluster_id WHERE m.project_id=? AND c.view=?", (project_id, view))
    return {(r[0], int(r[1])): float(r[2]) for r in rows}


def names(catalog, project_id: int, view: str) -> dict[str, str]:
    rows = catalog.query("SELECT id, name FROM clusters WHERE project_id=? AND view=?", (project_id, view))
    return {api_id(r[0]): r[1] for r in rows}


def load_constraints(catalog, project_id: int, view: str) -> Constraints:
    cons = Constraints()
    for r in catalog.query("SELECT member_kind, member_id, cluster_id, feedback_id FROM cluster_pins "
                           "WHERE project_id=? AND view=?", (project_id, view)):
        cons.pins[(r[0], int(r[1]))] = r[2]
        cons.pin_source[(r[0], int(r[1]))] = r[3]
    for r in catalog.query("SELECT kind, a_kind, a_id, b_kind, b_id FROM cluster_links WHERE project_id=? AND view=?",
                           (project_id, view)):
        pair = ((r[1], int(r[2])), (r[3], int(r[4])))
        (cons.must if r[0] == "must" else cons.cannot).append(pair)
    return cons


def load_metric(catalog, project_id: int, view: str) -> LinearMetric | None:
    r = catalog.query_one("SELECT * FROM cluster_metrics WHERE project_id=? AND view=?", (project_id, view))
    if r is None:
        return None
    return LinearMetric.from_blob(r["weights"], r["in_dim"], r["out_dim"], triplets=r["triplets"],
                                  loss_before=r["loss_before"], loss_after=r["loss_after"], model=r["model"])


def save_metric(conn, project_id: int, view: str, metric: LinearMetric) -> None:
    conn.execute(
        "INSERT INTO cluster_metrics(project_id, view, model, in_dim, out_dim, weights, triplets, loss_before, "
        "loss_after, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(project_id, view) DO UPDATE SET "
        "model=excluded.model, in_dim=excluded.in_dim, out_dim=excluded.out_dim, weights=excluded.weights, "
        "triplets=excluded.triplets, loss_before=excluded.loss_before, loss_after=excluded.loss_after, "
        "updated_at=excluded.updated_at",
        (project_id, view, metric.model, metric.weights.shape[0], metric.weights.shape[1], metric.to_blob(),
         metric.triplets, metric.loss_before, metric.loss_after, time.time()))


def state(catalog, project_id: int, view: str) -> dict:
    r = catalog.query_one("SELECT * FROM cluster_state WHERE project_id=? AND view=?", (project_id, view))
    return dict(r) if r else {"next_seq": 1, "signature": "", "members": 0, "full_at": 0}


def save_state(conn, project_id: int, view: str, **values) -> None:
    conn.execute("INSERT OR IGNORE INTO cluster_state(project_id, view, updated_at) VALUES (?,?,?)",
                 (project_id, view, time.time()))
    for key, value in values.items():
        conn.execute(f"UPDATE cluster_state SET {key}=?, updated_at=? WHERE project_id=? AND view=?",
                     (value, time.time(), project_id, view))


def new_id(conn, project_id: int, view: str) -> str:
    """A fresh cluster id for the view (never reused: the counter only grows)."""
    conn.execute("INSERT OR IGNORE INTO cluster_state(project_id, view, updated_at) VALUES (?,?,?)",
                 (project_id, view, time.time()))
    seq = conn.execute("SELECT next_seq FROM cluster_state WHERE project_id=? AND view=?",
                       (project_id, view)).fetchone()[0]
    conn.execute("UPDATE cluster_state SET next_seq=? WHERE project_id=? AND view=?", (seq + 1, project_id, view))
    return f"{PREFIX[view]}-{seq}"


def write_view(conn, project_id: int, view: str, clusters: list[ClusterRow]) -> None:
    """Replace the stored clustering of one view (names of surviving ids are kept)."""
    keep = {stored_id(c.id, view) for c in clusters} | {noise_id(view)}
    old = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM clusters WHERE project_id=? AND view=?",
                                             (project_id, view))}
    for cid in old:
        if cid not in keep:
            conn.execute("DELETE FROM clusters WHERE project_id=? AND id=?", (project_id, cid))
    conn.execute("DELETE FROM cluster_members WHERE project_id=? AND cluster_id IN "
                 "(SELECT id FROM clusters WHERE project_id=? AND view=?)", (project_id, project_id, view))
    now = time.time()
    if not any(c.id == NOISE for c in clusters):
        clusters = [*clusters, ClusterRow(NOISE, view)]
    for c in clusters:
        sid = stored_id(c.id, view)
        name = c.name or old.get(sid, "")
        conn.execute(
            "INSERT INTO clusters(id, project_id, view, name, parent_id, created_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(project_id, id) DO UPDATE SET name=excluded.name, parent_id=excluded.parent_id",
            (sid, project_id, view, name, c.parent_id or None, now))
        conn.executemany(
            "INSERT OR REPLACE INTO cluster_members(project_id, cluster_id, member_kind, member_id, confidence, "
            "reason, pinned) VALUES (?,?,?,?,?,?,?)",
            [(project_id, sid, m.kind, m.id, float(m.confidence), m.reason, int(m.pinned)) for m in c.members])


def read_view(catalog, project_id: int, view: str) -> list[ClusterRow]:
    """The stored clusters of one view with their members, noise bucket included (last)."""
    rows = catalog.query("SELECT id, name, parent_id FROM clusters WHERE project_id=? AND view=? ORDER BY id",
                         (project_id, view))
    out: dict[str, ClusterRow] = {}
    for r in rows:
        out[r[0]] = ClusterRow(api_id(r[0]), view, r[1] or "", r[2] or "")
    for r in catalog.query(
            "SELECT m.cluster_id, m.member_kind, m.member_id, m.confidence, m.reason, m.pinned FROM cluster_members m "
            "JOIN clusters c ON c.project_id=m.project_id AND c.id=m.cluster_id WHERE m.project_id=? AND c.view=? "
            "ORDER BY m.member_kind, m.member_id", (project_id, view)):
        if r[0] in out:
            out[r[0]].members.append(Member(r[1], int(r[2]), float(r[3]), r[4] or "", bool(r[5])))
    ordered = sorted((c for c in out.values() if c.id != NOISE), key=lambda c: _sort_key(c.id))
    return ordered + [c for c in out.values() if c.id == NOISE]


def _sort_key(cid: str) -> tuple:
    head, _, tail = cid.partition("-")
    num = "".join(ch for ch in tail.split("@")[0] if ch.isdigit())
    return (head, int(num) if num else 0, cid)
