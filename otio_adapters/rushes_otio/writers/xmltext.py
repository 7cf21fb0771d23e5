"""Reading XML we wrote: a missing element or attribute is a clear error, never a None passed on."""
from __future__ import annotations

import xml.etree.ElementTree as ET


def child(element: ET.Element, path: str) -> ET.Element:
    found = element.find(path)
    if found is None:
        raise ValueError(f"<{element.tag}> has no {path.lstrip('./')}: not a file Rushes wrote, or damaged")
    return found


def text(element: ET.Element, path: str) -> str:
    return child(element, path).text or ""


def attr(element: ET.Element, name: str) -> str:
    value = element.get(name)
    if value is None:
        raise ValueError(f"<{element.tag}> has no {name}=: not a file Rushes wrote, or damaged")
    return value
