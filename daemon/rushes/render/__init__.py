"""Rendered exports: source ranges -> H.264 + AAC files with ffmpeg (issue 13).

  plan.py    typed segments and outputs, checked before anything runs (ranges, folders, names)
  ffmpeg.py  one ffmpeg run per output: frame-accurate trims, every join in sync, progress and
             cancel, written to a hidden partial file that only replaces the target when whole
"""
