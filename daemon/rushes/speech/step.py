"""Pipeline step `speech`: a transcript with word times for every media with sound.

The model is `speech_model` ("auto": Whisper base, multilingual, when present, else tiny.en),
found through the model registry. The language is `speech_language` when set, else detected
once per media (base). Segments become 'speech' text spans and their words keep their own
frames, on the media's own rate (nearest frame; ends exclusive and at least one frame).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rushes.catalog import texts
from rushes.decode.audio import AudioDecodeError, audio_pass
from rushes.ingest.timecode import seconds_to_frames
from rushes.steps import stages
from rushes.models import registry
from rushes.speech.audio import SpeechAudio
from rushes.speech.engine import SpokenText, engine_for

if TYPE_CHECKING:
    from rushes.steps.context import StepContext
    from rushes.settings import Settings

log = logging.getLogger(__name__)

STAGE = "speech"
BASE = "whisper-base"
TINY_EN = "whisper-tiny-en"
STEP_VERSION = "2"
SCRATCH_KEY = "speech_audio"


def choose_model(settings: "Settings") -> tuple[str, Path] | None:
    """(registry name, folder) of the Whisper model to use, or None when none is present."""
    wanted = str(settings.get("speech_model", "auto") or "auto")
    names = [BASE, TINY_EN] if wanted == "auto" else [wanted]
    for name in names:
        try:
            return name, Path(registry.locate(name, settings))
        except (registry.ModelMissing, Exception) as exc:  # unknown name -> NotFound; keep looking
            log.debug("speech model %s unavailable: %s", name, exc)
    return None


def current_version(ctx: "StepContext") -> str | None:
    chosen = choose_model(ctx.settings)
    if chosen is None:
        return None
    language = str(ctx.settings.get("speech_language", "") or "")
    return f"{chosen[0]}@{STEP_VERSION}" + (f"+{language}" if language else "")


def has_audio(media) -> bool:
    return media["kind"] == "audio" or bool(media["audio_channels"])


def applies(media) -> bool:
    """Only media with sound have speech (the pipeline's catch-up asks)."""
    return has_audio(media)


def make_consumers(ctx: "StepContext") -> list[object]:
    """Before the decode pass: listen to its audio when this media has sound and a model is here."""
    if not has_audio(ctx.media) or choose_model(ctx.settings) is None:
        return []
    ear = SpeechAudio()
    ctx.scratch[SCRATCH_KEY] = ear
    return [ear]


def _samples(ctx: "StepContext"):
    """16 kHz mono from time zero: what the decode pass heard, else (a sound roll, a resumed job)
    an audio-only pass over the file."""
    ear = ctx.scratch.get(SCRATCH_KEY)
    if not isinstance(ear, SpeechAudio) or not ear.heard:
        ear = SpeechAudio()
        try:
            audio_pass(ctx.media["path"], [ear], cancelled=ctx.is_cancelled)
        except AudioDecodeError as exc:
            log.warning("speech: %s", exc)
    return ear.samples()


def to_spans(media, spoken: SpokenText, model: str) -> list[texts.TextSpan]:
    rate = f"{media['fps_num'] or 25}/{media['fps_den'] or 1}"

    def frames(start_s: float, end_s: float) -> tuple[int, int]:
        a = max(0, seconds_to_frames(start_s, rate))
        return a, max(a + 1, seconds_to_frames(end_s, rate))

    spans = []
    for seg in spoken.segments:
        start, end = frames(seg.start_s, seg.end_s)
        words = tuple(texts.Word(w.word, *frames(w.start_s, w.end_s), round(w.start_s, 3), round(w.end_s, 3),
                                 round(w.probability, 4)) for w in seg.words)
        spans.append(texts.TextSpan(media_id=int(media["id"]), source="speech", start_frame=start, end_frame=end,
                                    text=seg.text, confidence=seg.avg_logprob, language=spoken.language, model=model,
                                    words=words))
    return spans


def run(ctx: "StepContext") -> None:
    media = ctx.media
    if not has_audio(media):
        ctx.report(1.0, "no audio: nothing to transcribe")
        return
    chosen = choose_model(ctx.settings)
    if chosen is None:
        ctx.report(1.0, "speech skipped: no Whisper model; run `rushes models pull whisper-tiny-en` "
                        "(or whisper-base) or import one")
        return
    name, folder = chosen
    version = current_version(ctx) or name
    language = str(ctx.settings.get("speech_language", "") or "") or None
    engine = engine_for(folder, int(ctx.settings.threads), english_only=name.endswith("-en"))
    samples = _samples(ctx)
    ctx.scratch.pop(SCRATCH_KEY, None)
    if samples.size == 0:
        spoken = SpokenText(language=language or "", language_probability=0.0, duration_s=0.0, speech_s=0.0,
                            segments=())
    else:
        spoken = engine.transcribe(samples, language=language,
                                   progress=lambda f: ctx.progress(f * 0.95, "transcribing"))
    spans = to_spans(media, spoken, version)
    media_id = int(media["id"])
    with ctx.catalog.transaction() as conn:
        texts.replace_spans(conn, media_id, "speech", spans)
        texts.set_transcript(conn, texts.TranscriptInfo(media_id, spoken.language, spoken.language_probability,
                                                        version, spoken.speech_s))
        stages.mark_done(conn, media_id, STAGE, version)
    ctx.progress(1.0, f"{len(spans)} transcript segments ({spoken.language})")
