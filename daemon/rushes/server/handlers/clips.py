"""ClipsHandlers: GetClips, the subtitle clipper (issue 16).

Thin: the search room's clipper does the work; the handler finds the media, hands in the MiniLM
embedder (offline ranker only, so the LLM path never loads it) and writes the clips in the
highlights' shape, with each clip's timecode from the media's own start timecode.
"""
from __future__ import annotations

from typing import Any

from rushes.catalog import media_rows
from rushes.errors import InvalidArgument
from rushes.ingest.timecode import TimecodeError, offset_timecode
from rushes.search.clips.engine import clips_for_media, media_rate
from rushes.search.clips.types import ClipConfig
from rushes.search.loader import load_text_embedder
from rushes_proto.v1 import rushes_pb2 as pb

MAX_LIMIT = 100


class ClipsHandlers:
    app: Any

    def GetClips(self, request: pb.GetClipsRequest, context: Any) -> pb.ClipsResponse:
        if not request.media:
            raise InvalidArgument("which media? give a media id or path: `rushes clips MEDIA`")
        if request.limit > MAX_LIMIT:
            raise InvalidArgument(f"limit must be between 1 and {MAX_LIMIT}, got {request.limit}")
        cfg = ClipConfig.from_settings(self.app.settings)
        media = self.app.resolve_media(request.media, request.project or None)
        ranker = request.ranker or cfg.ranker
        embedder = load_text_embedder(self.app.settings) if ranker == "offline" else None
        result = clips_for_media(self.app.catalog.connect(), media, cfg, topic=request.topic.strip(),
                                 limit=request.limit, ranker=ranker, embed=embedder.embed if embedder else None)
        rate = media_rate(media)
        start_tc = str(media["start_timecode"] or "00:00:00:00")
        resp = pb.ClipsResponse(ranker=result.ranker, sentences=result.sentences)
        for rank, c in enumerate(result.clips, 1):
            try:
                tc = offset_timecode(start_tc, c.start_frame, rate)
            except (TimecodeError, ValueError):
                tc = ""
            resp.clips.add(id=c.id, media_id=str(c.media_id), start_frame=c.start_frame, end_frame=c.end_frame,
                           start_s=c.start_s, end_s=c.end_s, score=c.score, reason=c.reason, rank=rank,
                           fps=media_rows.fps_text(media), start_timecode=tc, media_path=str(media["path"]),
                           text=c.text, first_sentence=c.first_sentence, last_sentence=c.last_sentence)
        return resp
