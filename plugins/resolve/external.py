"""Resolve Studio from outside Resolve: find fusionscript, connect, sync or learn directly.

External scripting is Studio-only (Preferences > General > External scripting using: Local);
on Free `scriptapp("Resolve")` answers None and the menu scripts are the way. The environment
follows Blackmagic's README: RESOLVE_SCRIPT_API, RESOLVE_SCRIPT_LIB, and
`$RESOLVE_SCRIPT_API/Modules` on sys.path for `DaVinciResolveScript`.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from .install import current_platform

SCRIPT_API = {
    "darwin": "/Library/Application Support/Blackmagic Design/DaVinci Resolve/Developer/Scripting",
    "windows": os.path.join(os.environ.get("PROGRAMDATA", r"C:\ProgramData"),
                            r"Blackmagic Design\DaVinci Resolve\Support\Developer\Scripting"),
    "linux": "/opt/resolve/Developer/Scripting",
}
SCRIPT_LIB = {
    "darwin": "/Applications/DaVinci Resolve/DaVinci Resolve.app/Contents/Libraries/Fusion/fusionscript.so",
    "windows": r"C:\Program Files\Blackmagic Design\DaVinci Resolve\fusionscript.dll",
    "linux": "/opt/resolve/libs/Fusion/fusionscript.so",
}


class ResolveUnavailable(RuntimeError):
    """Resolve cannot be reached from outside; the message says why and what to do."""


def connect_resolve(platform: str | None = None) -> Any:
    platform = platform or current_platform()
    api = os.environ.setdefault("RESOLVE_SCRIPT_API", SCRIPT_API[platform])
    os.environ.setdefault("RESOLVE_SCRIPT_LIB", SCRIPT_LIB[platform])
    modules = os.path.join(api, "Modules")
    if modules not in sys.path:
        sys.path.append(modules)
    try:
        dvr = importlib.import_module("DaVinciResolveScript")
    except ImportError as exc:
        raise ResolveUnavailable(f"DaVinciResolveScript not found in {modules} ({exc}): set RESOLVE_SCRIPT_API to "
                                 "Resolve's Developer/Scripting folder, or use the menu scripts "
                                 "(`rushes resolve install`)") from None
    resolve = dvr.scriptapp("Resolve")
    if resolve is None:
        raise ResolveUnavailable("Resolve did not answer: it must be running, be Studio, and have Preferences > "
                                 "General > External scripting using set to Local; on Resolve Free use the menu "
                                 "scripts (`rushes resolve install`)")
    return resolve
