"""Rushes for OpenTimelineIO: the daemon's results as OTIO objects and editor files.

Thin: opentimelineio, its adapters and `rushes_client` only (a test blocks the daemon stack).
- `records`: typed records in each media's own frames; `fetch`: fills them from the daemon;
- `builders/`: records -> OTIO objects, one module per product;
- `writers/`: one module per format (native .otio, CMX 3600 EDL, FCP7 XML, FCPXML), each
  enforcing its format's limits; `export.write` picks one by name;
- `query` + `plugin/` + `plugin_manifest.json`: the OTIO adapter plugin reading `.rushes` query
  files, registered through the `opentimelineio.plugins` entry point.
"""
