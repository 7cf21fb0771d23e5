"""OTIO adapter modules named by plugin_manifest.json (registered through the
`opentimelineio.plugins` entry point, or OTIO_PLUGIN_MANIFEST_PATH)."""
