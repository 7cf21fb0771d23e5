"""Token check: a daemon bound beyond loopback answers only calls carrying RUSHES_TOKEN."""
from __future__ import annotations

import hmac
from typing import Any, Callable

import grpc


class TokenInterceptor(grpc.ServerInterceptor):
    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation: Callable[[Any], Any], details: grpc.HandlerCallDetails) -> Any:
        got = ""
        for key, value in details.invocation_metadata or ():
            if key == "authorization":
                got = value
        if hmac.compare_digest(got.encode(), self._expected):
            return continuation(details)
        handler = continuation(details)
        message = "missing or wrong token: set RUSHES_TOKEN to the daemon's token"

        def deny(request: Any, context: grpc.ServicerContext) -> Any:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

        if handler is not None and handler.response_streaming:
            return grpc.unary_stream_rpc_method_handler(deny)
        return grpc.unary_unary_rpc_method_handler(deny)
