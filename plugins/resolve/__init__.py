"""DaVinci Resolve plugin: plan (pure), snapshot, apply (the only Resolve API caller), menu scripts.

Thin: talks to the daemon only through `rushes_client` (or the `rushes` CLI from inside Resolve),
and imports nothing heavy, so Resolve's own Python can load it.
"""
