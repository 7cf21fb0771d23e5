"""ProjectsHandlers: ListProjects, CreateProject."""
from __future__ import annotations

import grpc

from rushes.catalog import projects
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


class ProjectsHandlers:
    app: App

    def ListProjects(self, request: pb.ListProjectsRequest, context: grpc.ServicerContext) -> pb.ListProjectsResponse:
        return pb.ListProjectsResponse(projects=[
            pb.Project(id=str(p.id), name=p.name, media_count=p.media_count)
            for p in projects.list_projects(self.app.catalog.connect())])

    def CreateProject(self, request: pb.CreateProjectRequest, context: grpc.ServicerContext) -> pb.Project:
        pid = self.app.project_id(request.name, create=True)
        return pb.Project(id=str(pid), name=request.name)
