"""FacesHandlers: ListFaceTracks (issue 5), face tracks of one media from the catalog."""
from __future__ import annotations

import grpc

from rushes.errors import FailedPrecondition
from rushes.faces.store import list_tracks
from rushes.server.app import App
from rushes.steps.stages import done_version
from rushes_proto.v1 import rushes_pb2 as pb


class FacesHandlers:
    app: App

    def ListFaceTracks(self, request: pb.ListFaceTracksRequest, context: grpc.ServicerContext) -> pb.ListFaceTracksResponse:
        media = self.app.resolve_media(request.media, request.project)
        media_id = int(media["id"])
        conn = self.app.catalog.connect()
        # An empty list must mean "no faces", never "not analysed yet": say which it is.
        if media["kind"] == "video" and done_version(conn, media_id, "faces") is None:
            raise FailedPrecondition(
                f"faces of media {media_id} ({media['path']}) are not analysed yet (status {media['status']}): "
                "wait for its ingest job (`rushes jobs`) or re-ingest it"
            )
        return pb.ListFaceTracksResponse(tracks=[
            pb.FaceTrack(
                id=str(t.id), shot_id=str(t.shot_id), first_frame=t.first_frame, end_frame=t.end_frame,
                best_frame=t.best_frame, box=t.box, quality=t.quality, media_id=str(t.media_id),
                face_count=t.face_count,
            )
            for t in list_tracks(conn, media_id)
        ])
