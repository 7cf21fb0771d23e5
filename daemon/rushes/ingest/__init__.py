"""Ingest primitives: what a file is and whether it is usable footage.

- `probe.probe(path) -> ProbeResult` and `probe.check_decodable(path, result)`: PyAV probing with
  exact rational rates, frame counts, start timecode, rotation; `ProbeError` names the file.
- `bwf.read_ixml(path)`: a sound roll's iXML (timecode rate, drop-frame, tape, scene, take).
- `timecode`: frames <-> "HH:MM:SS:FF" for any rational rate, SMPTE drop-frame.
- `fingerprint.fingerprint(path) -> "fp1:<hex>"`: identity from size + sampled blocks.
- `scan.scan(paths) -> Iterator[ScanEntry]`: which files are media; clutter skipped quietly.
- `watch.FolderWatcher`: inotify/polling watch + periodic rescan; reports files once stable.

Every function here only reads source media (DESIGN.md: source folders are read-only).
"""
