"""ShotsHandlers: GetShots (stored shots, transitions, segments) and GetKeyframeImage."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rushes.errors import FailedPrecondition, InvalidArgument, NotFound
from rushes_proto.v1 import rushes_pb2 as pb


class ShotsHandlers:
    app: Any

    def GetShots(self, request: pb.GetShotsRequest, context: Any) -> pb.ShotsResponse:
        from rushes.shots.stored import load

        media = self.app.resolve_media(request.media, request.project or None)
        if media["kind"] != "video":
            raise FailedPrecondition(f"media {media['id']} ({media['path']}) is audio only: it has no shots")
        stored = load(self.app.catalog.connect(), media)
        if not stored.analysed:
            raise FailedPrecondition(
                f"media {media['id']} ({media['path']}) has not been analysed yet (status {media['status']}): "
                "wait for its ingest job (`rushes jobs`)")
        resp = pb.ShotsResponse(media_id=str(media["id"]), fps=stored.fps, frame_count=stored.frame_count)
        for s in stored.shots:
            resp.shots.add(id=s["id"], start_frame=s["start_frame"], end_frame=s["end_frame"],
                           keyframes=s["keyframes"], motion=s["motion"])
        for t in stored.transitions:
            if t["type"] == "cut":
                resp.transitions.add(type="cut", frame=t["start"], confidence=t["confidence"])
            else:
                resp.transitions.add(type=t["type"], start=t["start"], end=t["end"], confidence=t["confidence"])
        for g in stored.segments:
            resp.segments.add(kind=g["kind"], start_frame=g["start_frame"], end_frame=g["end_frame"])
        return resp

    def GetKeyframeImage(self, request: pb.GetKeyframeImageRequest, context: Any) -> pb.KeyframeImage:
        from rushes.decode.decode import MediaError
        from rushes.decode.seek import read_frame
        from rushes.shots.stored import thumb_for
        from rushes.shots.thumbs import THUMB_WIDTH, encode_jpeg

        media = self.app.resolve_media(request.media, None)
        if media["kind"] != "video":
            raise FailedPrecondition(f"media {media['id']} ({media['path']}) is audio only: it has no pictures")
        frame = int(request.frame)
        if frame < 0 or (media["frame_count"] and frame >= int(media["frame_count"])):
            raise InvalidArgument(f"frame {frame} is outside media {media['id']}: its frames are "
                                  f"0..{int(media['frame_count'] or 1) - 1} (end exclusive {media['frame_count']})")
        if not request.full_resolution:
            stored = thumb_for(self.app.catalog.connect(), int(media["id"]), frame)
            if stored and Path(stored).is_file():
                from PIL import Image

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
