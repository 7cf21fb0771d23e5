"""Token check: a TCP daemon answers only calls carrying its token (RUSHES_TOKEN, or the loopback token)."""
from __future__ import annotations

import hmac
from typing import Any, Callable

import grpc


class TokenInterceptor(grpc.ServerInterceptor):
    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation: Callable[[Any], Any], details: grpc.HandlerCallDetails) -> Any:
        sent = [value for key, value in details.invocation_metadata or () if key == "authorization"]
        # Exactly one: with two headers the last used to win, so a proxy adding its own could be
        # overridden by (or override) the caller's; two is never a valid request.
        got = sent[0] if len(sent) == 1 and isinstance(sent[0], str) else ""
        if hmac.compare_digest(got.encode(), self._expected):
            return continuation(details)
        handler = continuation(details)
        message = "missing or wrong token: set RUSHES_TOKEN to the daemon's token"

        def deny(request: Any, context: grpc.ServicerContext) -> Any:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

        if handler is not None and handler.response_streaming:
            return grpc.unary_stream_rpc_method_handler(deny)
        return grpc.unary_unary_rpc_method_handler(deny)
