"""Stand-ins for RPCs whose feature has not landed: they answer UNIMPLEMENTED saying what is missing."""
from __future__ import annotations

from typing import Any, Callable

from rushes.errors import Unimplemented


def unimplemented(feature: str) -> Callable[..., Any]:
    def handler(self: Any, request: Any, context: Any) -> Any:
        raise Unimplemented(f"{feature} has not landed in this daemon yet")

    handler.unimplemented = True  # type: ignore[attr-defined]  # nothing to validate: it reads no argument
    return handler
