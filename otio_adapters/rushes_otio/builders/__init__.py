"""Builders: the daemon's results (records.py) -> OTIO schema objects, one module per product.

`media.py` holds what every product shares (a media reference, a clip of a span); `clusters`
makes bins, `shots` a timeline with a marker per transition.
"""
