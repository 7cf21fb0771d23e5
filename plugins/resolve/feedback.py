""""Learn from my bins": the editor's moves between our bins go to the daemon as feedback.

Each move is one `move` feedback (source "resolve") through the existing SubmitFeedback RPC, so
the daemon stores it, pins the members and learns from it like any other correction.
"""
from __future__ import annotations

from typing import Any

from rushes_proto.v1 import rushes_pb2 as pb

from .plan import Move


def send(client: Any, moves: list[Move], project: str = "default") -> list[str]:
    """Submit each move; returns the daemon's feedback ids in order."""
    ids = []
    for move in moves:
        req = pb.FeedbackRequest(project=project, action="move", view=move.view,
                                 members=[f"shot:{m}" for m in move.members], cluster=move.to_cluster, source="resolve")
        ids.append(client.stub.SubmitFeedback(req, timeout=60).feedback_id)
    return ids
