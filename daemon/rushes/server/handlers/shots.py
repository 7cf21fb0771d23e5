"""ShotsHandlers: GetShots (stored shots, transitions, segments) and GetKeyframeImage."""
from __future__ import annotations

from pathlib import Path

import grpc
from PIL import Image

from rushes.decode.decode import MediaError
from rushes.decode.seek import read_frame
from rushes.errors import FailedPrecondition, InvalidArgument, NotFound
from rushes.server import convert
from rushes.server.app import App
from rushes.catalog.shot_lists import is_analysed, keyframe_thumb, load_shot_list
from rushes.shots.thumbs import THUMB_WIDTH, encode_jpeg
from rushes_proto.v1 import rushes_pb2 as pb


class ShotsHandlers:
    app: App

    def GetShots(self, request: pb.GetShotsRequest, context: grpc.ServicerContext) -> pb.ShotsResponse:
        media = self.app.resolve_media(request.media, request.project or None)
        if media["kind"] != "video":
            raise FailedPrecondition(f"media {media['id']} ({media['path']}) is audio only: it has no shots")
        conn = self.app.catalog.connect()
        if not is_analysed(conn, int(media["id"])):
            raise FailedPrecondition(
                f"media {media['id']} ({media['path']}) has not been analysed yet (status {media['status']}): "
                "wait for its ingest job (`rushes jobs`)")
        return convert.shots_response(load_shot_list(conn, media))

    def GetKeyframeImage(self, request: pb.GetKeyframeImageRequest, context: grpc.ServicerContext) -> pb.KeyframeImage:
        media = self.app.resolve_media(request.media, None)
        if media["kind"] != "video":
            raise FailedPrecondition(f"media {media['id']} ({media['path']}) is audio only: it has no pictures")
        frame = int(request.frame)
        if frame < 0 or (media["frame_count"] and frame >= int(media["frame_count"])):
            raise InvalidArgument(f"frame {frame} is outside media {media['id']}: its frames are "
                                  f"0..{int(media['frame_count'] or 1) - 1} (end exclusive {media['frame_count']})")
        if not request.full_resolution:
            stored = keyframe_thumb(self.app.catalog.connect(), int(media["id"]), frame)
            if stored and Path(stored).is_file():
                data = Path(stored).read_bytes()
                with Image.open(stored) as im:
                    return pb.KeyframeImage(jpeg=data, width=im.width, height=im.height)
        if not Path(media["path"]).is_file():
            raise FailedPrecondition(f"media {media['id']}: {media['path']} is offline; reconnect it to read pictures")
        try:
            img = read_frame(media["path"], frame, width=None if request.full_resolution else THUMB_WIDTH,
                             threads=self.app.settings.threads)
        except MediaError as exc:
            raise NotFound(str(exc)) from exc
        return pb.KeyframeImage(jpeg=encode_jpeg(img, 90 if request.full_resolution else 85),
                                width=int(img.shape[1]), height=int(img.shape[0]))
