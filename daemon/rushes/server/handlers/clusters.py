"""ClustersHandlers: ListClusters, Recluster, SubmitFeedback, ExportFeedback (issue 6).

Thin: each RPC resolves the project, calls rushes.clustering / rushes.feedback, and converts
the API dicts (the same ones `rushes clusters --json` prints) into rushes.v1 messages.
"""
from __future__ import annotations

from typing import Any

import grpc

from rushes.clustering import engine, views
from rushes.feedback import export, submit
from rushes.feedback.log import to_jsonl
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


def cluster_message(c: dict[str, Any]) -> pb.Cluster:
    return pb.Cluster(id=c["id"], name=c["name"], view=c["view"], shots=c["shots"], tracks=c["tracks"],
                      confidence=c["confidence"], parent_id=c.get("parent_id", ""), reasons=c.get("reasons", {}))


class ClustersHandlers:
    app: App

    def ListClusters(self, request: pb.ListClustersRequest, context: grpc.ServicerContext) -> pb.ListClustersResponse:
        pid = self.app.project_id(request.project)
        view = views.check_view(request.view)
        if not engine.has_clustering(self.app.catalog, pid):
            engine.recluster(self.app.catalog, self.app.vectors, self.app.settings, pid)
        return pb.ListClustersResponse(clusters=[cluster_message(c) for c in
                                                 views.list_clusters(self.app.catalog, pid, view)])

    def Recluster(self, request: pb.ReclusterRequest, context: grpc.ServicerContext) -> pb.ListClustersResponse:
        pid = self.app.project_id(request.project)
        view = views.check_view(request.view) if request.view else ""
        wanted = [view] if view else None
        engine.recluster(self.app.catalog, self.app.vectors, self.app.settings, pid, wanted, force=True, full=True)
        return pb.ListClustersResponse(clusters=[cluster_message(c) for c in
                                                 views.list_clusters(self.app.catalog, pid, view or "scene")])

    def SubmitFeedback(self, request: pb.FeedbackRequest, context: grpc.ServicerContext) -> pb.FeedbackResponse:
        pid = self.app.project_id(request.project)
        fid, changed = submit(self.app.catalog, self.app.vectors, self.app.settings, pid, action=request.action,
                              view=request.view or "scene", members=list(request.members), cluster=request.cluster,
                              clusters=list(request.clusters), name=request.name, source=request.source or "grpc")
        return pb.FeedbackResponse(feedback_id=str(fid), changed=[cluster_message(c) for c in changed])

    def ExportFeedback(self, request: pb.ExportFeedbackRequest, context: grpc.ServicerContext) -> pb.ExportFeedbackResponse:
        pid = self.app.project_id(request.project)
        lines = export(self.app.catalog, pid)
        return pb.ExportFeedbackResponse(jsonl=to_jsonl(lines), count=len(lines))
