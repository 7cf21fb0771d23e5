"""Ingest primitives: what a file is and whether it is usable footage.

- `rates`: the one time base: a media's rate and how every frame is numbered (`stream_time_base`,
  `media_time_base`, `TimeBase`, `Conformer`); variable-rate media conformed as NLEs do.
- `probe.probe(path) -> ProbeResult`: PyAV probing with exact rational rates, frame counts, start
  timecode, rotation; `ProbeError` names the file.
- `orientation.clockwise_rotation(stream, frame)`: the one rule for which way a picture is shown
  (FFmpeg's autorotate); probe, the decode pass and seeking all use it.
- `decodable.check_decodable(path, result)` and `decodable.copy_complete(path)`: does the file
  decode in the middle and to the end its container declares.
- `bwf.read_ixml(path)`: a sound roll's iXML (timecode rate, drop-frame, tape, scene, take).
- `timecode`: frames <-> "HH:MM:SS:FF" for any rational rate, SMPTE drop-frame.
- `fingerprint.fingerprint(path) -> "fp1:<hex>"`: identity from size + sampled blocks.
- `scan.scan(paths) -> Iterator[ScanEntry]`: which files are media; clutter skipped quietly.
- `watch.FolderWatcher`: inotify/polling watch + periodic rescan; reports files once stable.

Every function here only reads source media (DESIGN.md: source folders are read-only).
"""
