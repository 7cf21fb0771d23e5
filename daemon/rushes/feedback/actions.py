"""Apply one editor decision: validate, derive training pairs, store, update membership, log.

What each action means for later clusterings (the editor's word always holds):
  move     members -> cluster (or "noise"): each member is pinned there; cannot-link with the
           cluster it left.
  merge    clusters -> the first (or `cluster`): every member pinned to the survivor.
  split    members of `cluster` -> a new cluster: both parts pinned; cannot-link across.
  confirm  members of `cluster`: pinned where they are.
  name     `cluster` gets `name` (kept by stable ids).
Training pairs (anchor, positive, negative) pick hard examples when vectors are at hand: the
positives farthest from the anchor inside its right cluster, the negatives nearest to it in the
wrong one, because those are the pairs the current metric gets most wrong.
Character-view decisions are decisions about people (a character is a person inside a scene),
so they are stored against the people view; names stay on the character cluster.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Iterable

import numpy as np

from rushes.catalog.cluster_views import FeedbackOutcome
from rushes.clustering import NOISE, store
from rushes.clustering.engine import character_rows, project_lock
from rushes.clustering.inputs import Key, MemberSet, shot_vectors, track_vectors
from rushes.clustering.views import check_view, list_clusters
from rushes.errors import InvalidArgument, NotFound
from rushes.feedback.log import append_pairs, pair_lines

log = logging.getLogger(__name__)

ACTIONS = ("move", "merge", "split", "name", "confirm")
PAIRS_PER_MEMBER = 3


def submit(catalog, vectors, settings, project_id: int, *, action: str, view: str = "scene",
           members: Iterable[str] = (), cluster: str = "", clusters: Iterable[str] = (), name: str = "",
           source: str = "") -> FeedbackOutcome:
    """Store one decision; returns its id and the changed clusters as the API shows them.
    Runs under the project's clustering lock, so a re-clustering never interleaves with it."""
    with project_lock(project_id):
        return _submit(catalog, vectors, settings, project_id, action=action, view=view, members=members,
                       cluster=cluster, clusters=clusters, name=name, source=source)


def _submit(catalog, vectors, settings, project_id: int, *, action: str, view: str, members: Iterable[str],
            cluster: str, clusters: Iterable[str], name: str, source: str) -> FeedbackOutcome:
    action = (action or "").strip().lower()
    if action not in ACTIONS:
        raise InvalidArgument(f"unknown feedback action {action!r}: use one of {', '.join(ACTIONS)}")
    shown_view = check_view(view)
    view = "people" if shown_view == "character" and action != "name" else shown_view
    kind = "shot" if view == "scene" else "track"
    cluster = _base(cluster, shown_view, action)
    clusters = [_base(c, shown_view, action) for c in clusters]
    assign = store.assignment(catalog, project_id, view, kind)
    conf = store.confidences(catalog, project_id, view)
    existing = set(assign.values()) | set(store.names(catalog, project_id, view))
    keys = _members(catalog, project_id, members, kind, assign)
    if action == "name":
        if not cluster or cluster not in existing or cluster == NOISE:
            raise NotFound(f"no {shown_view} cluster {cluster!r} to name in this project: run `rushes clusters --view {shown_view}`")
        if not name.strip():
            raise InvalidArgument("name: give the cluster a non-empty --name")
    if action in ("move", "confirm", "split") and not keys:
        raise InvalidArgument(f"{action}: name at least one member (shot or track id)")
    if action == "move" and cluster != NOISE and cluster not in existing:
        raise NotFound(f"move: no {view} cluster {cluster!r} in this project (use an existing id or \"noise\")")
    if action in ("confirm", "split"):
        if cluster not in existing or cluster == NOISE:
            raise NotFound(f"{action}: no {view} cluster {cluster!r} in this project")
        outside = [k for k in keys if assign.get(k) != cluster]
        if outside:
            raise InvalidArgument(f"{action}: {_txt(outside[0])} is not in {cluster} (it is in {assign.get(outside[0])})")
    if action == "merge":
        clusters = [c for c in dict.fromkeys(clusters) if c]
        target = cluster or (clusters[0] if clusters else "")
        if target and target not in clusters:
            clusters.insert(0, target)
        if len(clusters) < 2 or any(c not in existing or c == NOISE for c in clusters):
            raise InvalidArgument(f"merge: name two or more existing {view} clusters (got {clusters})")
        cluster = target

    ms = _vectors(catalog, vectors, project_id, view)
    by_cluster: dict[str, list[Key]] = {}
    for k, cid in assign.items():
        by_cluster.setdefault(cid, []).append(k)
    pins: dict[Key, str] = {}
    links: list[tuple[str, Key, Key]] = []
    pairs: list[dict] = []
    now = time.time()
    with catalog.transaction() as conn:
        if action == "move":
            for k in keys:
                old = assign.get(k, NOISE)
                pins[k] = cluster
                pos = _hard(ms, k, by_cluster.get(cluster, []) if cluster != NOISE else [], far=True, skip=keys)
                # Negatives: the cluster it left; from noise, the nearest other cluster (what it
                # was closest to being confused with).
                wrong = by_cluster.get(old, []) if old not in (NOISE, cluster) else \
                    _nearest_other(ms, k, by_cluster, cluster)
                neg = _hard(ms, k, wrong, far=False, skip=keys)
                pairs += _zip(k, pos, neg)
                if neg and old not in (NOISE, cluster):
                    links.append(("cannot", k, neg[0]))
                core = _top([m for m in by_cluster.get(cluster, []) if m not in keys], conf, 1) if cluster != NOISE else []
                if core:            # with the target's core member, so its neighbours follow too
                    links.append(("must", k, core[0]))
        elif action == "confirm":
            for k in keys:
                pins[k] = cluster
                pos = _hard(ms, k, by_cluster.get(cluster, []), far=True, skip=keys)
                neg = _hard(ms, k, _nearest_other(ms, k, by_cluster, cluster), far=False, skip=keys)
                pairs += _zip(k, pos, neg)
                core = _top([m for m in by_cluster.get(cluster, []) if m not in keys], conf, 1)
                if core:
                    links.append(("must", k, core[0]))
        elif action == "split":
            new = store.new_id(conn, project_id, view)
            rest = [k for k in by_cluster.get(cluster, []) if k not in set(keys)]
            for k in keys:
                pins[k] = new
                pairs += _zip(k, _hard(ms, k, keys, far=True, skip=[k]), _hard(ms, k, rest, far=False, skip=[]))
            for k in rest:
                pins[k] = cluster
            for k in rest[:PAIRS_PER_MEMBER]:
                pairs += _zip(k, _hard(ms, k, rest, far=True, skip=[k]), _hard(ms, k, keys, far=False, skip=[]))
            if rest:
                links += [("cannot", k, _hard(ms, k, rest, far=False, skip=[])[0]) for k in keys]
            cluster_created = new
        elif action == "merge":
            for c in clusters:
                for k in by_cluster.get(c, []):
                    pins[k] = cluster
            for c in clusters[1:]:
                for k in _top(by_cluster.get(c, []), conf, 2):
                    others = [m for c2 in clusters if c2 != c for m in by_cluster.get(c2, [])]
                    pos = _hard(ms, k, others, far=False, skip=[])
                    neg = _hard(ms, k, _nearest_other(ms, k, by_cluster, *clusters), far=False, skip=[])
                    pairs += _zip(k, pos, neg)
                    if pos:
                        links.append(("must", k, pos[0]))
        payload = {"action": action, "view": shown_view, "members": [_txt(k) for k in keys], "cluster": cluster,
                   "clusters": clusters, "name": name, "source": source or "unknown", "pairs": pairs,
                   "model": ms.model if ms is not None else ""}
        if action == "split":
            payload["new_cluster"] = cluster_created
        cur = conn.execute("INSERT INTO feedback(project_id, action, payload_json, created_at) VALUES (?,?,?,?)",
                           (project_id, action, json.dumps(payload), now))
        fid = int(cur.lastrowid)
        for k, cid in pins.items():
            conn.execute(
                "INSERT INTO cluster_pins(project_id, view, member_kind, member_id, cluster_id, feedback_id, created_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(project_id, view, member_kind, member_id) DO UPDATE SET "
                "cluster_id=excluded.cluster_id, feedback_id=excluded.feedback_id, created_at=excluded.created_at",
                (project_id, view, k[0], k[1], cid, fid, now))
        conn.executemany(
            "INSERT INTO cluster_links(project_id, view, kind, a_kind, a_id, b_kind, b_id, feedback_id, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?)", [(project_id, view, kind_, a[0], a[1], b[0], b[1], fid, now)
                                           for kind_, a, b in links])
        if action == "name":
            conn.execute("UPDATE clusters SET name=? WHERE project_id=? AND id=?",
                         (name.strip(), project_id, store.stored_id(cluster, view)))
        else:
            _apply_pins(conn, catalog, project_id, view, assign, conf, pins, fid)
    if action != "name" and view == "people":
        _refresh_characters(catalog, project_id)
    proj = catalog.query_one("SELECT name FROM projects WHERE id=?", (project_id,))
    try:
        append_pairs(settings.feedback_log, pair_lines(proj[0] if proj else str(project_id), fid, payload, now))
    except OSError as exc:   # the catalog already holds the decision; `export` rebuilds the log
        log.error("%s: cannot append feedback %d to the training log: %s", settings.feedback_log, fid, exc)
    changed = set(pins.values()) | set(clusters) | {cluster} | {assign.get(k, NOISE) for k in pins}
    if action == "name":
        changed = {cluster}
    shown = list_clusters(catalog, project_id, view if action != "name" else shown_view)
    return FeedbackOutcome(str(fid), tuple(c for c in shown if c.id in changed))


def _base(cid: str, shown_view: str, action: str) -> str:
    """Character ids "person-3@scene-2" speak about person-3, except when naming the character."""
    cid = (cid or "").strip()
    if shown_view == "character" and action != "name" and "@" in cid:
        return cid.split("@", 1)[0]
    return cid


def _txt(k: Key) -> str:
    return f"{k[0]}:{k[1]}"


def _members(catalog, project_id: int, members: Iterable[str], kind: str, assign: dict[Key, str]) -> list[Key]:
    """Parse "shot:12" / "track:7" / "12"; a shot in a track view stands for its face tracks."""
    out: list[Key] = []
    for text in members:
        text = str(text).strip()
        k, _, num = text.rpartition(":")
        k = k or kind
        if k not in ("shot", "track") or not (num.isascii() and num.isdigit()) or len(num) > 18:
            raise InvalidArgument(f"bad member {text!r}: use a shot or track id, e.g. shot:12, track:7 or 12")
        key = (k, int(num))
        if k == "shot" and kind == "track":
            tracks = [t for t in assign if t[0] == "track" and _shot_of(catalog, t[1]) == key[1]]
            if not tracks:
                raise NotFound(f"shot {num} has no clustered face tracks in this project")
            out += tracks
            continue
        if k != kind:
            raise InvalidArgument(f"member {text!r}: this view clusters {kind}s")
        if key not in assign:
            raise NotFound(f"{k} {num} is not clustered in this project: run `rushes clusters` to see members")
        out.append(key)
    return list(dict.fromkeys(out))


def _shot_of(catalog, track_id: int) -> int | None:
    r = catalog.query_one("SELECT shot_id FROM face_tracks WHERE id=?", (track_id,))
    return int(r[0]) if r else None


def _vectors(catalog, vectors, project_id: int, view: str) -> MemberSet | None:
    try:
        return (shot_vectors if view == "scene" else track_vectors)(catalog, vectors, project_id)
    except Exception as exc:  # pairs fall back to confidence order; the decision itself must not fail
        log.warning("project %s: no vectors for feedback pairs (%s)", project_id, exc)
        return None


def _top(keys: list[Key], conf: dict[Key, float], n: int) -> list[Key]:
    return sorted(keys, key=lambda k: -conf.get(k, 0.0))[:n]


def _hard(ms: MemberSet | None, anchor: Key, pool: list[Key], *, far: bool, skip: Iterable[Key]) -> list[Key]:
    """Up to PAIRS_PER_MEMBER members of pool: farthest from the anchor (far) or nearest."""
    skip = set(skip) | {anchor}
    pool = [k for k in pool if k not in skip]
    if not pool:
        return []
    idx = ms.index() if ms is not None else {}
    if anchor not in idx or not all(k in idx for k in pool):
        return pool[:PAIRS_PER_MEMBER]
    a = ms.vectors[idx[anchor]]
    d = np.linalg.norm(ms.vectors[[idx[k] for k in pool]] - a, axis=1)
    order = np.argsort(-d if far else d)
    return [pool[i] for i in order[:PAIRS_PER_MEMBER]]


def _nearest_other(ms: MemberSet | None, anchor: Key, by_cluster: dict[str, list[Key]], *exclude: str) -> list[Key]:
    """Members of the cluster (other than `exclude` and noise) whose centroid is nearest the anchor."""
    candidates = {c: ks for c, ks in by_cluster.items() if c not in exclude and c != NOISE and ks}
    if not candidates:
        return []
    idx = ms.index() if ms is not None else {}
    if anchor not in idx:
        return max(candidates.values(), key=len)
    a = ms.vectors[idx[anchor]]
    best, best_d = [], None
    for ks in candidates.values():
        vs = [ms.vectors[idx[k]] for k in ks if k in idx]
        if not vs:
            continue
        d = float(np.linalg.norm(np.mean(vs, axis=0) - a))
        if best_d is None or d < best_d:
            best, best_d = ks, d
    return best


def _zip(anchor: Key, positives: list[Key], negatives: list[Key]) -> list[dict]:
    n = max(len(positives), len(negatives))
    return [{"anchor": _txt(anchor),
             "positive": _txt(positives[i % len(positives)]) if positives else None,
             "negative": _txt(negatives[i % len(negatives)]) if negatives else None} for i in range(n)]


def _apply_pins(conn, catalog, project_id: int, view: str, assign: dict[Key, str], conf: dict[Key, float],
                pins: dict[Key, str], fid: int) -> None:
    """Show the decision at once: rewrite the view's stored membership with the pins applied."""
    current = store.read_view(catalog, project_id, view)
    names = {c.id: c.name for c in current}
    parents = {c.id: c.parent_id for c in current}
    reasons = {(m.kind, m.id): m.reason for c in current for m in c.members}
    new_assign = dict(assign)
    new_assign.update(pins)
    kind = "shot" if view == "scene" else "track"
    rows: dict[str, store.ClusterRow] = {}
    for k, cid in new_assign.items():
        row = rows.setdefault(cid, store.ClusterRow(cid, view, names.get(cid, ""), parents.get(cid, "")))
        if k in pins:
            why = ("moved to noise by the editor" if cid == NOISE else "placed by the editor") + f" (feedback {fid})"
            row.members.append(store.Member(k[0], k[1], 1.0, why, True))
        else:
            row.members.append(store.Member(k[0], k[1], conf.get(k, 0.0), reasons.get(k, ""), False))
    if kind == "track":
        for cid, row in rows.items():
            shots = {}
            for m in row.members:
                sid = _shot_of(catalog, m.id)
                if sid is not None:
                    shots[sid] = max(shots.get(sid, 0.0), m.confidence)
            row.members += [store.Member("shot", s, c, f"has a track of {cid}") for s, c in shots.items()]
    store.write_view(conn, project_id, view, list(rows.values()))


def _refresh_characters(catalog, project_id: int) -> None:
    rows = catalog.query("SELECT t.id, t.shot_id FROM face_tracks t JOIN shots s ON s.id=t.shot_id "
                         "JOIN project_media pm ON pm.media_id=s.media_id WHERE pm.project_id=?", (project_id,))
    extra = {("track", int(r[0])): {"shot_id": int(r[1])} for r in rows}
    ms = MemberSet(list(extra), np.zeros((0, 0), np.float32), extra=extra)
    with catalog.transaction() as conn:
        store.write_view(conn, project_id, "character", character_rows(catalog, project_id, ms))
