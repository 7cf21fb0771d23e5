"""FacesHandlers: stub until face tracks (issue 5) lands; its owner replaces this file."""
from rushes.server.handlers._stub import unimplemented


class FacesHandlers:
    ListFaceTracks = unimplemented("ListFaceTracks: face tracks (issue 5)")
