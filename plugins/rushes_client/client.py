"""Connection handling shared by the CLI and editor plugins.

The token travels as `authorization: Bearer <token>` metadata on every call, so a daemon bound
beyond loopback can refuse strangers; idempotent reads are retried on UNAVAILABLE because the
daemon may be restarting under a watch folder.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator

import grpc

from rushes_proto.v1 import rushes_pb2 as pb
from rushes_proto.v1 import rushes_pb2_grpc as pb_grpc

from .config import DEFAULT_ADDRESS, ConfigError, is_unix, load_client_config, read_token_file

__all__ = ["DEFAULT_ADDRESS", "DaemonUnavailable", "RushesClient", "connect", "default_address"]


def default_address() -> str:
    """RUSHES_ADDRESS, else `[rushes] address` in config.toml, else the Unix socket in RUSHES_HOME."""
    return load_client_config().address


class DaemonUnavailable(ConnectionError):
    """No daemon answers at the address; the message says how to start one."""


class _TokenInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    def __init__(self, token: str) -> None:
        self._metadata = (("authorization", f"Bearer {token}"),)

    def _augment(self, details: Any) -> Any:
        metadata = list(details.metadata or []) + list(self._metadata)
        return details._replace(metadata=metadata) if hasattr(details, "_replace") else _Details(details, metadata)

    def intercept_unary_unary(self, continuation: Callable, details: Any, request: Any) -> Any:
        return continuation(self._augment(details), request)

    def intercept_unary_stream(self, continuation: Callable, details: Any, request: Any) -> Any:
        return continuation(self._augment(details), request)


class _Details(grpc.ClientCallDetails):
    def __init__(self, base: Any, metadata: list) -> None:
        self.method = base.method
        self.timeout = base.timeout
        self.metadata = metadata
        self.credentials = base.credentials
        self.wait_for_ready = getattr(base, "wait_for_ready", None)
        self.compression = getattr(base, "compression", None)


class RushesClient:
    """A channel plus the stub; use as a context manager or call close().

    An address or token not given comes from `rushes_client.config` (environment > config.toml >
    defaults), the reader the daemon uses too; `token=""` means explicitly none.
    """

    def __init__(self, address: str | None = None, token: str | None = None) -> None:
        config = load_client_config()
        if token is None:
            # The configured token, else (loopback TCP) the one the daemon wrote to its data folder.
            token = config.token if not address or address == config.address else (
                config.token or read_token_file(config.home))
        address = address or config.address
        self.address = address
        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        if config.tls_ca is not None and not is_unix(address):
            try:
                roots = config.tls_ca.read_bytes()
            except OSError as exc:
                raise ConfigError(f"RUSHES_TLS_CA {config.tls_ca}: cannot read it: {exc}") from exc
            channel = grpc.secure_channel(self.address, grpc.ssl_channel_credentials(root_certificates=roots),
                                          options=options)
        else:
            channel = grpc.insecure_channel(self.address, options=options)
        if token:
            channel = grpc.intercept_channel(channel, _TokenInterceptor(token))
        self._channel = channel
        self.stub = pb_grpc.RushesStub(channel)

    def wait_ready(self, timeout: float = 2.0) -> "RushesClient":
        try:
            grpc.channel_ready_future(self._channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise DaemonUnavailable(
                f"the Rushes daemon is not running at {self.address}: start it with `rushes serve` "
                "(or `make run FOOTAGE=<folder>`), or set RUSHES_ADDRESS (or `address` in ~/.config/rushes/config.toml)"
            ) from None
        return self

    def call(self, method: str, request: Any, *, timeout: float | None = 60.0, retries: int = 3) -> Any:
        """A unary call with retry on UNAVAILABLE (reads only; writes go through `stub` directly)."""
        fn = getattr(self.stub, method)
        delay = 0.2
        for attempt in range(retries + 1):
            try:
                return fn(request, timeout=timeout)
            except grpc.RpcError as err:
                if err.code() != grpc.StatusCode.UNAVAILABLE or attempt == retries:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # Typed helpers used by plugins --------------------------------------------------------
    def health(self) -> pb.HealthResponse:
        return self.call("Health", pb.HealthRequest())

    def list_media(self, project: str = "default") -> list[pb.Media]:
        return list(self.call("ListMedia", pb.ListMediaRequest(project=project)).media)

    def shots(self, media: str, project: str = "default") -> pb.ShotsResponse:
        return self.call("GetShots", pb.GetShotsRequest(media=media, project=project))

    def clusters(self, view: str, project: str = "default") -> list[pb.Cluster]:
        return list(self.call("ListClusters", pb.ListClustersRequest(project=project, view=view)).clusters)

    def highlights(self, media: str = "", project: str = "default", *, mode: str = "", limit: int = 0,
                   settings: dict[str, str] | None = None, debug: bool = False) -> pb.HighlightsResponse:
        """One media's highlights (media = id or path), or the project's best when media is empty.
        `settings` overrides highlight settings by key (values as text) and re-scores."""
        request = pb.GetHighlightsRequest(project=project, media=media, mode=mode, limit=limit, debug=debug)
        for key, value in (settings or {}).items():
            request.settings[key] = str(value)
        return self.call("GetHighlights", request)

    def compound_clips(self, project: str = "default") -> list[pb.CompoundClip]:
        return list(self.call("ListCompoundClips", pb.ListCompoundClipsRequest(project=project)).clips)

    def compound_clip(self, clip_id: str, project: str = "default") -> pb.CompoundClip:
        return self.call("GetCompoundClip", pb.GetCompoundClipRequest(project=project, id=clip_id))

    def create_compound_clip(self, name: str, segments: list[pb.SourceRange] | None = None,
                             project: str = "default", *,
                             from_highlights: pb.HighlightsSource | None = None) -> pb.CompoundClip:
        """A compound clip from given ranges, or (segments empty) from highlights."""
        request = pb.CreateCompoundClipRequest(project=project, name=name, segments=segments or [])
        if from_highlights is not None:
            request.from_highlights.CopyFrom(from_highlights)
        return self.stub.CreateCompoundClip(request, timeout=120.0)

    def delete_compound_clip(self, clip_id: str, project: str = "default") -> bool:
        return self.stub.DeleteCompoundClip(pb.DeleteCompoundClipRequest(project=project, id=clip_id)).deleted

    def render(self, output_dir: str, project: str = "default", *, clips: list[pb.SourceRange] | None = None,
               compound_id: str = "", name: str = "", overwrite: bool = False) -> pb.RenderResponse:
        """Start a render job (follow it with `follow(response.job.id)`)."""
        return self.stub.Render(pb.RenderRequest(project=project, output_dir=output_dir, overwrite=overwrite,
                                                 clips=clips or [], compound_id=compound_id, name=name))

    def search(self, query: str, project: str = "default", *, limit: int = 20, media: list[str] | None = None,
               images: list[bytes] | None = None, like_shots: list[str] | None = None,
               has_speech: bool = False, has_faces: bool = False, min_duration_s: float = 0.0) -> pb.SearchResponse:
        """Ranked sub-range hits for a query (words, "phrases", @Name, scene:N take:N) and/or pictures."""
        return self.call("Search", pb.SearchRequest(
            project=project, query=query, limit=limit, media=media or [], images=images or [],
            like_shots=like_shots or [], has_speech=has_speech, has_faces=has_faces, min_duration_s=min_duration_s),
            timeout=300)

    def saved_search(self, name: str, project: str = "default") -> pb.SearchResponse:
        """Run a search saved with `rushes search QUERY --save NAME`."""
        saved = self.call("GetSavedSearch", pb.GetSavedSearchRequest(project=project, name=name))
        return self.call("Search", saved.search, timeout=300)

    def saved_searches(self, project: str = "default") -> list[pb.SavedSearch]:
        """Every saved search of the project, newest first."""
        return list(self.call("ListSavedSearches", pb.ListSavedSearchesRequest(project=project)).searches)

    def clips(self, media: str, project: str = "default", *, topic: str = "", limit: int = 0,
              ranker: str = "") -> pb.ClipsResponse:
        """A media's transcript clips (about `topic`, or moments that stand on their own), best first."""
        return self.call("GetClips", pb.GetClipsRequest(project=project, media=media, topic=topic, limit=limit,
                                                        ranker=ranker), timeout=300, retries=0)

    def transcript(self, media: str, project: str = "default", fmt: str = "") -> pb.Transcript:
        return self.call("GetTranscript", pb.GetTranscriptRequest(media=media, project=project, format=fmt))

    def follow(self, job_id: str) -> Iterator[pb.Job]:
        return self.stub.FollowJob(pb.FollowJobRequest(id=job_id))

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "RushesClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(address: str | None = None, token: str | None = None, timeout: float = 2.0) -> RushesClient:
    """A ready client, or DaemonUnavailable with a message that says how to start the daemon."""
    client = RushesClient(address, token)
    try:
        return client.wait_ready(timeout)
    except DaemonUnavailable:
        client.close()
        raise
