"""Speech: transcripts with word times (faster-whisper on CTranslate2), stored as
`rushes.catalog.texts` records (source 'speech'), and their SRT / WebVTT / JSON export."""
