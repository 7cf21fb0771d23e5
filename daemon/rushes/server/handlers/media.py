"""MediaHandlers: ListMedia (by project and status), GetMedia (MEDIA as an id or a path)."""
from __future__ import annotations

import grpc

from rushes.catalog import media_rows, projects, texts
from rushes.errors import InvalidArgument, clip
from rushes.server import convert
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


class MediaHandlers:
    app: App

    def ListMedia(self, request: pb.ListMediaRequest, context: grpc.ServicerContext) -> pb.ListMediaResponse:
        for s in request.statuses:
            if s not in media_rows.STATUSES:
                raise InvalidArgument(f"unknown media status {clip(s)}: use one of {', '.join(media_rows.STATUSES)}")
        pid = self.app.project_id(request.project) if request.project else None
        conn = self.app.catalog.connect()
        rows = media_rows.list_media(conn, pid, list(request.statuses))
        return pb.ListMediaResponse(media=[convert.media(r, projects.media_projects(conn, r["id"]),
                                                         media_rows.media_paths(conn, r["id"]),
                                                         texts.slate(conn, int(r["id"]))) for r in rows])

    def GetMedia(self, request: pb.GetMediaRequest, context: grpc.ServicerContext) -> pb.Media:
        row = self.app.resolve_media(request.media, request.project)
        conn = self.app.catalog.connect()
        return convert.media(row, projects.media_projects(conn, row["id"]), media_rows.media_paths(conn, row["id"]),
                             texts.slate(conn, int(row["id"])))
