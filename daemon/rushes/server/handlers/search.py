"""SearchHandlers: Search, GetTranscript, SaveSearch, GetSavedSearch, ListSavedSearches.

The handler is where the rooms meet: the scene model (embed room) turns pictures and, when an
image-text model is installed, words into scene-space vectors; the search room does the rest.
"""
from __future__ import annotations

import io
import logging
from fractions import Fraction
from typing import Any

import numpy as np
from google.protobuf.json_format import MessageToJson, Parse

from rushes.catalog import media_rows, texts
from rushes.errors import InvalidArgument, NotFound
from rushes_proto.v1 import rushes_pb2 as pb

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 500


def _picture(data: bytes) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidArgument(f"the image sent with --image is not a picture Rushes can read: {exc}") from None


def _shot_id(text: str) -> int:
    if not text.strip().isdigit():
        raise InvalidArgument(f"bad shot id {text!r}: shot ids are numbers (see `rushes shots MEDIA --json`)")
    return int(text)


class SearchHandlers:
    app: Any

    # ---------------------------------------------------------------- search
    def _typed(self, request: pb.SearchRequest) -> tuple[Any, list[str]]:
        from rushes.embed.base import TextSearchUnavailable
        from rushes.embed.loader import load_scene_embedder
        from rushes.search.channels import SCENE_COLLECTION, shot_vector
        from rushes.search.query import parse_query
        from rushes.search.types import SearchRequest

        app = self.app
        notes: list[str] = []
        project = request.project or "default"
        pid = app.project_id(project)
        media_ids = [int(app.resolve_media(m, project)["id"]) for m in request.media] if request.media else None
        limit = request.limit or DEFAULT_LIMIT
        if limit < 0 or limit > MAX_LIMIT:
            raise InvalidArgument(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if request.min_duration_s < 0:
            raise InvalidArgument("min_duration_s cannot be negative")
        query = parse_query(request.query)
        if not (query.has_content or query.people or query.slate or request.images or request.like_shots
                or request.clusters or request.has_speech or request.has_faces):
            raise InvalidArgument("empty search: give words, a \"phrase\", @Name, scene:N take:N, --image or --like")
        typed = SearchRequest(query=query, project_id=pid, media_ids=media_ids, cluster_ids=list(request.clusters),
                              has_speech=request.has_speech, has_faces=request.has_faces,
                              min_duration_s=float(request.min_duration_s), limit=limit)
        for text in request.like_shots:
            sid = _shot_id(text)
            typed.image_vectors.append(shot_vector(app.vectors, sid))
            typed.like_shot_ids.append(sid)
        needs_scene = bool(request.images) or request.visual or query.has_content
        if not needs_scene:
            return typed, notes
        embedder = load_scene_embedder(app.settings)
        stored_dim = app.vectors.dimension(SCENE_COLLECTION)
        if request.images:
            if stored_dim is not None and stored_dim != embedder.dim:
                raise InvalidArgument(f"scene vectors were made by another model ({stored_dim}-d, the scene model "
                                      f"gives {embedder.dim}-d): re-analyse before searching by picture")
            typed.image_vectors += list(embedder.embed_images([_picture(b) for b in request.images]))
        if query.has_content or request.visual:
            if not query.has_content:
                raise InvalidArgument("--visual searches shots by words: give some words")
            if getattr(embedder, "supports_text", False):
                if stored_dim == embedder.dim:
                    typed.scene_text_vector = embedder.embed_texts([query.free_text])[0]
                else:
                    notes.append("visual: the scene vectors were made by another model; re-analyse so words "
                                 "can find shots by their look")
            elif request.visual:
                raise TextSearchUnavailable()
            else:
                notes.append("visual: no image-text model, so words were matched against speech and on-screen "
                             "text only (`rushes models pull clip-vit-b32` adds looks)")
        return typed, notes

    def Search(self, request: pb.SearchRequest, context: Any) -> pb.SearchResponse:
        from rushes.search.engine import search
        from rushes.search.loader import MISSING_HINT, load_text_embedder

        typed, notes = self._typed(request)
        meaning = None
        if typed.query.has_content:
            embedder = load_text_embedder(self.app.settings)
            if embedder is None:
                notes.append("meaning: " + MISSING_HINT)
            else:
                meaning = lambda text: embedder.embed([text])[0]  # noqa: E731
        conn = self.app.catalog.connect()
        result = search(conn, self.app.vectors, typed, meaning_vector=meaning, settings=self.app.settings)
        fps = {int(r["id"]): media_rows.fps_text(r) for r in conn.execute("SELECT id, fps_num, fps_den FROM media")}
        resp = pb.SearchResponse(notes=[*notes, *result.notes])
        for h in result.hits:
            resp.hits.add(media_id=str(h.media_id), start_frame=h.start_frame, end_frame=h.end_frame,
                          start_s=h.start_s, end_s=h.end_s, score=h.score, channels=list(h.channels),
                          why=[pb.SearchWhy(channel=w.channel, score=w.score, detail=w.detail) for w in h.why],
                          exact=h.exact, path=h.path, fps=fps.get(h.media_id, ""))
        return resp

    def SaveSearch(self, request: pb.SaveSearchRequest, context: Any) -> pb.SavedSearch:
        from rushes.search import saved

        self._typed(request.search)       # refuse a search that would not run
        pid = self.app.project_id(request.project or request.search.project or "default")
        with self.app.catalog.transaction() as conn:
            saved.save(conn, pid, request.name, MessageToJson(request.search, preserving_proto_field_name=True))
        return pb.SavedSearch(name=request.name.strip(), search=request.search)

    def GetSavedSearch(self, request: pb.GetSavedSearchRequest, context: Any) -> pb.SavedSearch:
        from rushes.search import saved

        pid = self.app.project_id(request.project or "default")
        text = saved.load(self.app.catalog.connect(), pid, request.name)
        return pb.SavedSearch(name=request.name.strip(), search=Parse(text, pb.SearchRequest()))

    def ListSavedSearches(self, request: pb.ListSavedSearchesRequest, context: Any) -> pb.ListSavedSearchesResponse:
        from rushes.search import saved

        pid = self.app.project_id(request.project or "default")
        resp = pb.ListSavedSearchesResponse()
        for name, text, at in saved.listing(self.app.catalog.connect(), pid):
            resp.searches.add(name=name, search=Parse(text, pb.SearchRequest()), saved_at=at)
        return resp

    # ---------------------------------------------------------------- transcripts
    def GetTranscript(self, request: pb.GetTranscriptRequest, context: Any) -> pb.Transcript:
        from rushes.speech.export import FORMATS, render

        if request.format and request.format not in FORMATS:
            raise InvalidArgument(f"unknown transcript format {request.format!r}: use {', '.join(FORMATS)}")
        media = self.app.resolve_media(request.media, request.project or None)
        conn = self.app.catalog.connect()
        info = texts.transcript(conn, int(media["id"]))
        if info is None:
            raise NotFound(f"media {media['id']} ({media['path']}) has no transcript yet: it has no audio, is still "
                           "being analysed (`rushes jobs`), or no Whisper model is installed (`rushes models list`)")
        spans = texts.spans(conn, texts.SpanFilter(media_ids=[int(media["id"])], sources=("speech",)), with_words=True)
        rate = Fraction(int(media["fps_num"] or 25), int(media["fps_den"] or 1))
        resp = pb.Transcript(media_id=str(media["id"]), language=info.language, model=info.model,
                             fps=media_rows.fps_text(media),
                             text=render(request.format, spans, rate, info) if request.format else "")
        for s in spans:
            resp.segments.add(start_frame=s.start_frame, end_frame=s.end_frame,
                              start_s=round(float(s.start_frame / rate), 4), end_s=round(float(s.end_frame / rate), 4),
                              text=s.text, words=[pb.TranscriptWord(word=w.word, start_frame=w.start_frame,
                                                                    end_frame=w.end_frame, start_s=w.start_s,
                                                                    end_s=w.end_s, probability=w.probability)
                                                  for w in s.words])
        return resp

