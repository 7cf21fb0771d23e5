"""The servicer: every domain's mixin, with domain errors mapped to gRPC status codes.

Mapping in one place means a handler simply raises NotFound(...) and the editor sees
NOT_FOUND with that message; any other exception becomes INTERNAL naming the RPC, and the
daemon goes on serving.
"""
from __future__ import annotations

import functools
import inspect
import logging
from typing import Any, Callable

import grpc

from rushes.errors import RushesError
from rushes.server.streams import FollowerLimit
from rushes.server.validate import check_request
from rushes.server.app import App
from rushes.server.handlers.clips import ClipsHandlers
from rushes.server.handlers.clusters import ClustersHandlers
from rushes.server.handlers.faces import FacesHandlers
from rushes.server.handlers.health import HealthHandlers
from rushes.server.handlers.highlights import HighlightsHandlers
from rushes.server.handlers.ingest import IngestHandlers
from rushes.server.handlers.jobs import JobsHandlers
from rushes.server.handlers.media import MediaHandlers
from rushes.server.handlers.models import ModelsHandlers
from rushes.server.handlers.projects import ProjectsHandlers
from rushes.server.handlers.render import RenderHandlers
from rushes.server.handlers.search import SearchHandlers
from rushes.server.handlers.shots import ShotsHandlers
from rushes.server.handlers.watch import WatchHandlers
from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc

log = logging.getLogger("rushes.server")

RPC_NAMES = [m.name for m in pb.DESCRIPTOR.services_by_name["Rushes"].methods]


MAX_DETAILS = 2000  # characters of an error message sent back (what it echoes is clipped before)


def _status(err: RushesError) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, err.code, grpc.StatusCode.UNKNOWN)


def _details(text: str) -> str:
    return text if len(text) <= MAX_DETAILS else text[:MAX_DETAILS] + f"... ({len(text)} characters)"


def _no_check(rpc: str, request: Any) -> None:
    return None


def _guard(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Validate arguments at the edge, then map domain errors to status codes."""
    check = _no_check if getattr(fn, "unimplemented", False) else check_request  # a stand-in reads no argument
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                check(name, request)
                yield from fn(self, request, context)
            except RushesError as err:
                context.abort(_status(err), _details(str(err)))
            except Exception as exc:
                log.exception("%s failed", name)
                context.abort(grpc.StatusCode.INTERNAL,
                              _details(f"{name} failed inside the daemon: {type(exc).__name__}: {exc}"))
        return stream

    @functools.wraps(fn)
    def unary(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            check(name, request)
            return fn(self, request, context)
        except RushesError as err:
            context.abort(_status(err), _details(str(err)))
        except Exception as exc:
            log.exception("%s failed", name)
            context.abort(grpc.StatusCode.INTERNAL,
                          _details(f"{name} failed inside the daemon: {type(exc).__name__}: {exc}"))
    return unary


class RushesServicer(HealthHandlers, ProjectsHandlers, IngestHandlers, JobsHandlers, WatchHandlers, MediaHandlers,
                     ShotsHandlers, FacesHandlers, ModelsHandlers, ClustersHandlers, HighlightsHandlers, RenderHandlers,
                     SearchHandlers, ClipsHandlers, pb_grpc.RushesServicer):
    def __init__(self, app: App, followers: FollowerLimit | None = None) -> None:
        self.app = app
        self.followers = followers or FollowerLimit()


for _name in RPC_NAMES:
    setattr(RushesServicer, _name, _guard(_name, getattr(RushesServicer, _name)))
