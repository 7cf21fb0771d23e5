-- Issue 5, faces: what a face and a track need beyond 0001/0002, so tracks can be re-linked,
-- re-indexed into the vector store or clustered without decoding the file again.
ALTER TABLE faces ADD COLUMN descriptor BLOB;          -- 128 float32, dlib ResNet v1
ALTER TABLE faces ADD COLUMN landmarks_json TEXT NOT NULL DEFAULT '[]';   -- 5 [x, y] points
ALTER TABLE faces ADD COLUMN score REAL NOT NULL DEFAULT 0;               -- detector confidence
ALTER TABLE faces ADD COLUMN sharpness REAL NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN frontal REAL NOT NULL DEFAULT 0;
ALTER TABLE faces ADD COLUMN size_score REAL NOT NULL DEFAULT 0;

ALTER TABLE face_tracks ADD COLUMN embedding BLOB;     -- quality-weighted mean, unit length
ALTER TABLE face_tracks ADD COLUMN face_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE face_tracks ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE face_tracks ADD COLUMN model_version TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS face_tracks_media ON face_tracks(media_id);
CREATE INDEX IF NOT EXISTS face_tracks_shot ON face_tracks(shot_id);
CREATE INDEX IF NOT EXISTS faces_media ON faces(media_id);
