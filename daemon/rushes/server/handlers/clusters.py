"""ClustersHandlers: ListClusters, Recluster, SubmitFeedback, ExportFeedback (issue 6).

Thin: each RPC resolves the project, calls rushes.clustering / rushes.feedback, and converts
the typed ClusterView / FeedbackOutcome records into rushes.v1 messages (server/convert.py).
"""
from __future__ import annotations

import grpc

from rushes.clustering import engine, views
from rushes.feedback import export, submit
from rushes.feedback.log import to_jsonl
from rushes.server import convert
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


class ClustersHandlers:
    app: App

    def ListClusters(self, request: pb.ListClustersRequest, context: grpc.ServicerContext) -> pb.ListClustersResponse:
        pid = self.app.project_id(request.project)
        view = views.check_view(request.view)
        if not engine.has_clustering(self.app.catalog, pid):
            engine.recluster(self.app.catalog, self.app.vectors, self.app.settings, pid)
        return pb.ListClustersResponse(clusters=[convert.cluster(c) for c in
                                                 views.list_clusters(self.app.catalog, pid, view)])

    def Recluster(self, request: pb.ReclusterRequest, context: grpc.ServicerContext) -> pb.ListClustersResponse:
        pid = self.app.project_id(request.project)
        view = views.check_view(request.view) if request.view else ""
        wanted = [view] if view else None
        engine.recluster(self.app.catalog, self.app.vectors, self.app.settings, pid, wanted, force=True, full=True)
        return pb.ListClustersResponse(clusters=[convert.cluster(c) for c in
                                                 views.list_clusters(self.app.catalog, pid, view or "scene")])

    def SubmitFeedback(self, request: pb.FeedbackRequest, context: grpc.ServicerContext) -> pb.FeedbackResponse:
        pid = self.app.project_id(request.project)
        outcome = submit(self.app.catalog, self.app.vectors, self.app.settings, pid, action=request.action,
                              view=request.view or "scene", members=list(request.members), cluster=request.cluster,
                              clusters=list(request.clusters), name=request.name, source=request.source or "grpc")
        return convert.feedback_response(outcome)

    def ExportFeedback(self, request: pb.ExportFeedbackRequest, context: grpc.ServicerContext) -> pb.ExportFeedbackResponse:
        pid = self.app.project_id(request.project)
        lines = export(self.app.catalog, pid)
        return pb.ExportFeedbackResponse(jsonl=to_jsonl(lines), count=len(lines))
