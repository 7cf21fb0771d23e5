"""ShotsHandlers: stub until shot detection (issue 4) lands; its owner replaces this file."""
from rushes.server.handlers._stub import unimplemented


class ShotsHandlers:
    GetShots = unimplemented("GetShots: shot detection (issue 4)")
    GetKeyframeImage = unimplemented("GetKeyframeImage: shot detection (issue 4)")
