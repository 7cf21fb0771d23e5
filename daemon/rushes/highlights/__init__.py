"""Highlights: the moments that matter in a media, each cut on a natural boundary (issue 13).

  config.py     every parameter as a setting (highlights_*), with its documented default
  features.py   the decode-pass consumer (motion per frame, loudness blocks, VAD, thumbnails)
                and the stored raw features; the per-step view is derived at scoring time,
                so new settings re-score without decoding again
  timeline.py   what highlights read of the shots room: typed cuts / transitions / segments
  signals.py    per-step signals from raw features + timeline (z-scores, excitement, dead time)
  boundaries.py the boundary score per time point
  v1.py, v2.py  the two scorers (scene-based; highlight-aware, the default)
  report.py     the typed result and debug report
  store.py      catalog reads and writes (features, stored highlights)
  step.py       the ingest step "highlights"
"""
