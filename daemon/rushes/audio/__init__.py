"""Audio measurements below the analysis rooms: BS.1770 loudness and speech presence (Silero VAD).

A primitive beside decode/: highlights use loudness and speech today, and speech or search may
use the voice-activity detector without importing another room.
"""
