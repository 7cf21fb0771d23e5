"""HighlightsHandlers: GetHighlights and the compound-clip RPCs (issue 13)."""
from __future__ import annotations

from typing import Any

from rushes.server.handlers._stub import unimplemented


class HighlightsHandlers:
    app: Any

    GetHighlights = unimplemented("highlights")
    CreateCompoundClip = unimplemented("compound clips")
    ListCompoundClips = unimplemented("compound clips")
    GetCompoundClip = unimplemented("compound clips")
    UpdateCompoundClip = unimplemented("compound clips")
    DeleteCompoundClip = unimplemented("compound clips")
    Render = unimplemented("rendered exports")
