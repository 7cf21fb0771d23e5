"""Faces: detect, align, describe and track the people in a clip (issue 5).

Pieces, one job each:
  models.py   where the dlib weight files are and loading them once per process
  engine.py   one image -> faces (downscaled detection, 5-point landmarks, 128-d descriptor)
  quality.py  how usable a face is (size, sharpness, frontalness) for picking the best frame
  sampler.py  the frame consumer of the one decode pass: samples faces at a stride, in a worker
  tracks.py   links samples of one shot into face tracks, track embedding = weighted mean
  store.py    writes tracks/faces to the catalog and one vector per track to "face"
  step.py     the pipeline step "faces" (make_consumer + run)
"""
