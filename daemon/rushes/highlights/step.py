"""The pipeline step "highlights": features from the decode pass, then the stored scoring.

  make_consumers(ctx)  before the decode pass: the feature collector (frames + all audio
                       channels) and its 16 kHz speech listener
  run(ctx)             after the shots are stored: keep the features, score both modes with the
                       current settings, store the clips. When the collector was not fed (a sound
                       roll, a resumed job, shots already up to date), the step gathers the
                       features itself: audio only for a sound roll, else one decode pass.
The stage version holds the features version, whether speech was measured and the settings
hash, so a changed setting re-scores (from stored features, no decode) at the next ingest.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from rushes.audio.vad import locate_model
from rushes.decode.audio import AudioDecodeError, AudioCancelled, audio_pass
from rushes.decode.decode import DecodeCancelled, MediaError, decode_pass
from rushes.highlights import v1, v2
from rushes.highlights.config import HighlightConfig
from rushes.highlights.features import FEATURES_VERSION, FeatureCollector
from rushes.highlights.store import load_features, save_features, save_run
from rushes.highlights.timeline import load_timeline, media_fps
from rushes.steps.context import JobCancelled, StepContext, StepFailed
from rushes.steps.stages import mark_done

log = logging.getLogger(__name__)

STAGE = "highlights"
VERSION = "highlights-1"
SCRATCH_KEY = "highlights_collector"


def current_version(ctx: StepContext) -> str:
    cfg = HighlightConfig.from_settings(ctx.settings)
    speech = "vad" if locate_model(ctx.settings)[0] is not None else "novad"
    return f"{VERSION};{FEATURES_VERSION};{speech};cfg={cfg.digest()}"


def new_collector(ctx: StepContext) -> FeatureCollector:
    model, why = locate_model(ctx.settings)
    return FeatureCollector(int(ctx.media["id"]), float(media_fps(ctx.media)), vad_model=model, vad_why=why)


def make_consumers(ctx: StepContext) -> list[object]:
    """Features ride on the one decode pass unless stored features are already current."""
    if load_features(ctx.catalog.connect(), int(ctx.media["id"])) is not None and not _speech_missing(ctx):
        return []
    collector = new_collector(ctx)
    ctx.scratch[SCRATCH_KEY] = collector
    return collector.consumers()


def _speech_missing(ctx: StepContext) -> bool:
    """Stored features lack speech while the model is there now: gather again."""
    raw = load_features(ctx.catalog.connect(), int(ctx.media["id"]))
    return raw is not None and bool(raw.speech_model) and raw.has_audio and locate_model(ctx.settings)[0] is not None


def _gather(ctx: StepContext) -> FeatureCollector:
    path = Path(str(ctx.media["path"]))
    if not path.is_file():
        raise StepFailed(f"{path}: file is missing, cannot measure highlights (is the drive mounted?)")
    collector = new_collector(ctx)
    try:
        if ctx.media["kind"] == "video":
            decode_pass(path, collector.consumers(), cancelled=ctx.is_cancelled, threads=ctx.settings.threads,
                        progress=lambda f: ctx.progress(0.8 * f, "measuring loudness, motion and speech"))
        else:
            ctx.progress(0.1, "measuring loudness and speech")
            audio_pass(path, collector.consumers(), cancelled=ctx.is_cancelled)
    except (DecodeCancelled, AudioCancelled) as exc:
        raise JobCancelled() from exc
    except (MediaError, AudioDecodeError) as exc:
        raise StepFailed(str(exc)) from exc
    finally:
        collector.close()
    return collector


def run(ctx: StepContext) -> None:
    media_id = int(ctx.media["id"])
    conn = ctx.catalog.connect()
    raw = load_features(conn, media_id)
    collector = ctx.scratch.pop(SCRATCH_KEY, None)
    if isinstance(collector, FeatureCollector) and collector.finished and collector.media_id == media_id:
        raw = collector.result()
    elif raw is None or _speech_missing(ctx):
        log.info("highlights: no features from the decode pass for media %s; measuring the file", media_id)
        raw = _gather(ctx).result()
    ctx.progress(0.9, "scoring highlights")
    cfg = HighlightConfig.from_settings(ctx.settings)
    with ctx.catalog.transaction() as conn:
        save_features(conn, media_id, raw)
        tl = load_timeline(conn, ctx.media)
        counts = []
        for mode, scorer in (("v1", v1), ("v2", v2)):
            mcfg = cfg.with_mode(mode)
            result = scorer.score(raw, tl, mcfg)
            save_run(conn, media_id, mode, mcfg.digest(), _json(mcfg), result.report.to_json(), result.clips)
            counts.append(f"{len(result.clips)} {mode}")
        mark_done(conn, media_id, STAGE, current_version(ctx))
    ctx.progress(1.0, "highlights: " + ", ".join(counts))


def _json(cfg: HighlightConfig) -> str:
    return json.dumps(cfg.to_dict(), sort_keys=True)
