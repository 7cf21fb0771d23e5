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
from rushes.steps.context import JobCancelled
from rushes.models import registry
from rushes.speech.audio import RATE, SpeechAudio
from rushes.speech.engine import SpeechEngine, SpokenSegment, SpokenText, SpokenWord, engine_for
from rushes.speech.windows import windows

if TYPE_CHECKING:
    from rushes.steps.context import StepContext
    from rushes.settings import Settings

log = logging.getLogger(__name__)

STAGE = "speech"
BASE = "whisper-base"
TINY_EN = "whisper-tiny-en"
STEP_VERSION = "2"
SCRATCH_KEY = "speech_audio"
DEFAULT_WINDOW_S = 120.0


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
    ear = SpeechAudio(ctx.settings.home)
    ctx.scratch[SCRATCH_KEY] = ear
    return [ear]


def _ear(ctx: "StepContext") -> SpeechAudio:
    """16 kHz mono from time zero, spooled: what the decode pass heard, else (a sound roll, a
    resumed job) an audio-only pass over the file."""
    ear = ctx.scratch.pop(SCRATCH_KEY, None)
    if not isinstance(ear, SpeechAudio) or not ear.heard:
        if isinstance(ear, SpeechAudio):
            ear.close()
        ear = SpeechAudio(ctx.settings.home)
        try:
            audio_pass(ctx.media["path"], [ear], cancelled=ctx.is_cancelled)
        except AudioDecodeError as exc:
            log.warning("speech: %s", exc)
    return ear


def transcribe_windows(engine: SpeechEngine, ear: SpeechAudio, *, language: str | None, window_s: float,
                       progress=None, cancelled=None) -> SpokenText:
    """The whole recording, a window at a time (rushes.speech.windows): segments and words on
    the recording's own clock. The language is the one set, else the one detected in the first
    window that holds speech, kept for the rest so one media has one language."""
    total = len(ear)
    segments: list[SpokenSegment] = []
    speech_s = 0.0
    chosen: SpokenText | None = None      # the window whose language counts
    last: SpokenText | None = None
    for start, stop in windows(total, ear.read, window_s):
        if cancelled is not None and cancelled():
            raise JobCancelled()

        def window_progress(f: float, start: int = start, stop: int = stop) -> None:
            if progress is not None:
                progress((start + f * (stop - start)) / max(1, total))

        wanted = language or (chosen.language if chosen is not None else None)
        last = engine.transcribe(ear.read(start, stop), language=wanted, progress=window_progress)
        if chosen is None and last.speech_s > 0:
            chosen = last
        speech_s += last.speech_s
        segments.extend(_shifted(seg, start / RATE) for seg in last.segments)
    chosen = chosen or last
    return SpokenText(language=chosen.language if chosen else (language or ""),
                      language_probability=chosen.language_probability if chosen else 0.0,
                      duration_s=total / RATE, speech_s=speech_s, segments=tuple(segments))


def _shifted(seg: SpokenSegment, offset: float) -> SpokenSegment:
    if not offset:
        return seg
    return SpokenSegment(seg.start_s + offset, seg.end_s + offset, seg.text, seg.avg_logprob,
                         tuple(SpokenWord(w.word, w.start_s + offset, w.end_s + offset, w.probability)
                               for w in seg.words))


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
    ear = _ear(ctx)
    try:
        if len(ear) == 0:
            spoken = SpokenText(language=language or "", language_probability=0.0, duration_s=0.0, speech_s=0.0,
                                segments=())
        else:
            spoken = transcribe_windows(
                engine, ear, language=language,
                window_s=float(ctx.settings.get("speech_window_s", DEFAULT_WINDOW_S)),
                progress=lambda f: ctx.progress(f * 0.95, "transcribing"), cancelled=ctx.is_cancelled)
    finally:
        ear.close()
    spans = to_spans(media, spoken, version)
    media_id = int(media["id"])
    with ctx.catalog.transaction() as conn:
        texts.replace_spans(conn, media_id, "speech", spans)
        texts.set_transcript(conn, texts.TranscriptInfo(media_id, spoken.language, spoken.language_probability,
                                                        version, spoken.speech_s))
        stages.mark_done(conn, media_id, STAGE, version)
    ctx.progress(1.0, f"{len(spans)} transcript segments ({spoken.language})")
