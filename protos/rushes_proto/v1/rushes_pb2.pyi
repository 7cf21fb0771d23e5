from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StoreInfo(_message.Message):
    __slots__ = ("name", "engine", "location", "ok", "detail", "bytes_on_disk")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    BYTES_ON_DISK_FIELD_NUMBER: _ClassVar[int]
    name: str
    engine: str
    location: str
    ok: bool
    detail: str
    bytes_on_disk: int
    def __init__(self, name: _Optional[str] = ..., engine: _Optional[str] = ..., location: _Optional[str] = ..., ok: _Optional[bool] = ..., detail: _Optional[str] = ..., bytes_on_disk: _Optional[int] = ...) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ("version", "data_folder", "stores", "models", "queue_depth", "running_jobs", "address", "threads", "fallbacks", "schema_version", "disk_free_bytes", "disk_reserve_bytes", "disk_full", "disk_detail", "memory_bytes", "loaded_models", "models_idle_release_s")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DATA_FOLDER_FIELD_NUMBER: _ClassVar[int]
    STORES_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    RUNNING_JOBS_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    THREADS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    DISK_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_RESERVE_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_FULL_FIELD_NUMBER: _ClassVar[int]
    DISK_DETAIL_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    LOADED_MODELS_FIELD_NUMBER: _ClassVar[int]
    MODELS_IDLE_RELEASE_S_FIELD_NUMBER: _ClassVar[int]
    version: str
    data_folder: str
    stores: _containers.RepeatedCompositeFieldContainer[StoreInfo]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    queue_depth: int
    running_jobs: int
    address: str
    threads: int
    fallbacks: _containers.RepeatedScalarFieldContainer[str]
    schema_version: int
    disk_free_bytes: int
    disk_reserve_bytes: int
    disk_full: bool
    disk_detail: str
    memory_bytes: int
    loaded_models: _containers.RepeatedScalarFieldContainer[str]
    models_idle_release_s: float
    def __init__(self, version: _Optional[str] = ..., data_folder: _Optional[str] = ..., stores: _Optional[_Iterable[_Union[StoreInfo, _Mapping]]] = ..., models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ..., queue_depth: _Optional[int] = ..., running_jobs: _Optional[int] = ..., address: _Optional[str] = ..., threads: _Optional[int] = ..., fallbacks: _Optional[_Iterable[str]] = ..., schema_version: _Optional[int] = ..., disk_free_bytes: _Optional[int] = ..., disk_reserve_bytes: _Optional[int] = ..., disk_full: _Optional[bool] = ..., disk_detail: _Optional[str] = ..., memory_bytes: _Optional[int] = ..., loaded_models: _Optional[_Iterable[str]] = ..., models_idle_release_s: _Optional[float] = ...) -> None: ...

class Project(_message.Message):
    __slots__ = ("id", "name", "media_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    media_count: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., media_count: _Optional[int] = ...) -> None: ...

class ListProjectsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProjectsResponse(_message.Message):
    __slots__ = ("projects",)
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[Project]
    def __init__(self, projects: _Optional[_Iterable[_Union[Project, _Mapping]]] = ...) -> None: ...

class CreateProjectRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class IngestRequest(_message.Message):
    __slots__ = ("project", "paths", "shots_model")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PATHS_FIELD_NUMBER: _ClassVar[int]
    SHOTS_MODEL_FIELD_NUMBER: _ClassVar[int]
    project: str
    paths: _containers.RepeatedScalarFieldContainer[str]
    shots_model: str
    def __init__(self, project: _Optional[str] = ..., paths: _Optional[_Iterable[str]] = ..., shots_model: _Optional[str] = ...) -> None: ...

class SkippedFile(_message.Message):
    __slots__ = ("path", "reason")
    PATH_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    path: str
    reason: str
    def __init__(self, path: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class IngestResponse(_message.Message):
    __slots__ = ("jobs", "skipped")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    skipped: _containers.RepeatedCompositeFieldContainer[SkippedFile]
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., skipped: _Optional[_Iterable[_Union[SkippedFile, _Mapping]]] = ...) -> None: ...

class JobStep(_message.Message):
    __slots__ = ("name", "state", "progress", "error")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: str
    progress: float
    error: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[str] = ..., progress: _Optional[float] = ..., error: _Optional[str] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("id", "kind", "project", "media_id", "path", "state", "progress", "message", "error", "steps", "created_at", "started_at", "finished_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    project: str
    media_id: str
    path: str
    state: str
    progress: float
    message: str
    error: str
    steps: _containers.RepeatedCompositeFieldContainer[JobStep]
    created_at: float
    started_at: float
    finished_at: float
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., project: _Optional[str] = ..., media_id: _Optional[str] = ..., path: _Optional[str] = ..., state: _Optional[str] = ..., progress: _Optional[float] = ..., message: _Optional[str] = ..., error: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[JobStep, _Mapping]]] = ..., created_at: _Optional[float] = ..., started_at: _Optional[float] = ..., finished_at: _Optional[float] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("project", "states", "limit")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATES_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    project: str
    states: _containers.RepeatedScalarFieldContainer[str]
    limit: int
    def __init__(self, project: _Optional[str] = ..., states: _Optional[_Iterable[str]] = ..., limit: _Optional[int] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs",)
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class FollowJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class WatchFolder(_message.Message):
    __slots__ = ("id", "project", "path", "polling")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    POLLING_FIELD_NUMBER: _ClassVar[int]
    id: str
    project: str
    path: str
    polling: bool
    def __init__(self, id: _Optional[str] = ..., project: _Optional[str] = ..., path: _Optional[str] = ..., polling: _Optional[bool] = ...) -> None: ...

class AddWatchFolderRequest(_message.Message):
    __slots__ = ("project", "path", "polling")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    POLLING_FIELD_NUMBER: _ClassVar[int]
    project: str
    path: str
    polling: bool
    def __init__(self, project: _Optional[str] = ..., path: _Optional[str] = ..., polling: _Optional[bool] = ...) -> None: ...

class RemoveWatchFolderRequest(_message.Message):
    __slots__ = ("project", "path")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    project: str
    path: str
    def __init__(self, project: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class RemoveWatchFolderResponse(_message.Message):
    __slots__ = ("removed",)
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: bool
    def __init__(self, removed: _Optional[bool] = ...) -> None: ...

class ListWatchFoldersRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class ListWatchFoldersResponse(_message.Message):
    __slots__ = ("folders",)
    FOLDERS_FIELD_NUMBER: _ClassVar[int]
    folders: _containers.RepeatedCompositeFieldContainer[WatchFolder]
    def __init__(self, folders: _Optional[_Iterable[_Union[WatchFolder, _Mapping]]] = ...) -> None: ...

class Media(_message.Message):
    __slots__ = ("id", "path", "kind", "duration_s", "fps", "frame_count", "width", "height", "start_timecode", "audio_channels", "status", "reason", "fingerprint", "container", "video_codec", "audio_codec", "rotation", "reel", "audio_rate", "variable_frame_rate", "projects", "paths", "slate")
    ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    START_TIMECODE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FIELD_NUMBER: _ClassVar[int]
    VIDEO_CODEC_FIELD_NUMBER: _ClassVar[int]
    AUDIO_CODEC_FIELD_NUMBER: _ClassVar[int]
    ROTATION_FIELD_NUMBER: _ClassVar[int]
    REEL_FIELD_NUMBER: _ClassVar[int]
    AUDIO_RATE_FIELD_NUMBER: _ClassVar[int]
    VARIABLE_FRAME_RATE_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    PATHS_FIELD_NUMBER: _ClassVar[int]
    SLATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    path: str
    kind: str
    duration_s: float
    fps: str
    frame_count: int
    width: int
    height: int
    start_timecode: str
    audio_channels: int
    status: str
    reason: str
    fingerprint: str
    container: str
    video_codec: str
    audio_codec: str
    rotation: int
    reel: str
    audio_rate: int
    variable_frame_rate: bool
    projects: _containers.RepeatedScalarFieldContainer[str]
    paths: _containers.RepeatedScalarFieldContainer[str]
    slate: Slate
    def __init__(self, id: _Optional[str] = ..., path: _Optional[str] = ..., kind: _Optional[str] = ..., duration_s: _Optional[float] = ..., fps: _Optional[str] = ..., frame_count: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., start_timecode: _Optional[str] = ..., audio_channels: _Optional[int] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., fingerprint: _Optional[str] = ..., container: _Optional[str] = ..., video_codec: _Optional[str] = ..., audio_codec: _Optional[str] = ..., rotation: _Optional[int] = ..., reel: _Optional[str] = ..., audio_rate: _Optional[int] = ..., variable_frame_rate: _Optional[bool] = ..., projects: _Optional[_Iterable[str]] = ..., paths: _Optional[_Iterable[str]] = ..., slate: _Optional[_Union[Slate, _Mapping]] = ...) -> None: ...

class Slate(_message.Message):
    __slots__ = ("frame", "scene", "take", "roll", "camera", "date", "raw_text", "confidence")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    TAKE_FIELD_NUMBER: _ClassVar[int]
    ROLL_FIELD_NUMBER: _ClassVar[int]
    CAMERA_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    RAW_TEXT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    frame: int
    scene: str
    take: str
    roll: str
    camera: str
    date: str
    raw_text: str
    confidence: float
    def __init__(self, frame: _Optional[int] = ..., scene: _Optional[str] = ..., take: _Optional[str] = ..., roll: _Optional[str] = ..., camera: _Optional[str] = ..., date: _Optional[str] = ..., raw_text: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class ListMediaRequest(_message.Message):
    __slots__ = ("project", "statuses")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    project: str
    statuses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project: _Optional[str] = ..., statuses: _Optional[_Iterable[str]] = ...) -> None: ...

class ListMediaResponse(_message.Message):
    __slots__ = ("media",)
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    media: _containers.RepeatedCompositeFieldContainer[Media]
    def __init__(self, media: _Optional[_Iterable[_Union[Media, _Mapping]]] = ...) -> None: ...

class GetMediaRequest(_message.Message):
    __slots__ = ("media", "project")
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    media: str
    project: str
    def __init__(self, media: _Optional[str] = ..., project: _Optional[str] = ...) -> None: ...

class Shot(_message.Message):
    __slots__ = ("id", "start_frame", "end_frame", "keyframes", "motion")
    ID_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    KEYFRAMES_FIELD_NUMBER: _ClassVar[int]
    MOTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    start_frame: int
    end_frame: int
    keyframes: _containers.RepeatedScalarFieldContainer[int]
    motion: float
    def __init__(self, id: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., keyframes: _Optional[_Iterable[int]] = ..., motion: _Optional[float] = ...) -> None: ...

class Transition(_message.Message):
    __slots__ = ("type", "frame", "start", "end", "confidence")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    type: str
    frame: int
    start: int
    end: int
    confidence: float
    def __init__(self, type: _Optional[str] = ..., frame: _Optional[int] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., confidence: _Optional[float] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("kind", "start_frame", "end_frame")
    KIND_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    kind: str
    start_frame: int
    end_frame: int
    def __init__(self, kind: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ...) -> None: ...

class GetShotsRequest(_message.Message):
    __slots__ = ("media", "project")
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    media: str
    project: str
    def __init__(self, media: _Optional[str] = ..., project: _Optional[str] = ...) -> None: ...

class ShotsResponse(_message.Message):
    __slots__ = ("media_id", "fps", "frame_count", "shots", "transitions", "segments")
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    TRANSITIONS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    fps: str
    frame_count: int
    shots: _containers.RepeatedCompositeFieldContainer[Shot]
    transitions: _containers.RepeatedCompositeFieldContainer[Transition]
    segments: _containers.RepeatedCompositeFieldContainer[Segment]
    def __init__(self, media_id: _Optional[str] = ..., fps: _Optional[str] = ..., frame_count: _Optional[int] = ..., shots: _Optional[_Iterable[_Union[Shot, _Mapping]]] = ..., transitions: _Optional[_Iterable[_Union[Transition, _Mapping]]] = ..., segments: _Optional[_Iterable[_Union[Segment, _Mapping]]] = ...) -> None: ...

class GetKeyframeImageRequest(_message.Message):
    __slots__ = ("media", "frame", "full_resolution")
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    FULL_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    media: str
    frame: int
    full_resolution: bool
    def __init__(self, media: _Optional[str] = ..., frame: _Optional[int] = ..., full_resolution: _Optional[bool] = ...) -> None: ...

class KeyframeImage(_message.Message):
    __slots__ = ("jpeg", "width", "height")
    JPEG_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    jpeg: bytes
    width: int
    height: int
    def __init__(self, jpeg: _Optional[bytes] = ..., width: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class FaceTrack(_message.Message):
    __slots__ = ("id", "shot_id", "first_frame", "end_frame", "best_frame", "box", "quality", "media_id", "face_count")
    ID_FIELD_NUMBER: _ClassVar[int]
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    BEST_FRAME_FIELD_NUMBER: _ClassVar[int]
    BOX_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    FACE_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    shot_id: str
    first_frame: int
    end_frame: int
    best_frame: int
    box: _containers.RepeatedScalarFieldContainer[float]
    quality: float
    media_id: str
    face_count: int
    def __init__(self, id: _Optional[str] = ..., shot_id: _Optional[str] = ..., first_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., best_frame: _Optional[int] = ..., box: _Optional[_Iterable[float]] = ..., quality: _Optional[float] = ..., media_id: _Optional[str] = ..., face_count: _Optional[int] = ...) -> None: ...

class ListFaceTracksRequest(_message.Message):
    __slots__ = ("media", "project")
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    media: str
    project: str
    def __init__(self, media: _Optional[str] = ..., project: _Optional[str] = ...) -> None: ...

class ListFaceTracksResponse(_message.Message):
    __slots__ = ("tracks",)
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    tracks: _containers.RepeatedCompositeFieldContainer[FaceTrack]
    def __init__(self, tracks: _Optional[_Iterable[_Union[FaceTrack, _Mapping]]] = ...) -> None: ...

class Model(_message.Message):
    __slots__ = ("name", "version", "task", "source", "licence", "dimensions", "present", "path", "detail", "fallback")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LICENCE_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    task: str
    source: str
    licence: str
    dimensions: int
    present: bool
    path: str
    detail: str
    fallback: bool
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., task: _Optional[str] = ..., source: _Optional[str] = ..., licence: _Optional[str] = ..., dimensions: _Optional[int] = ..., present: _Optional[bool] = ..., path: _Optional[str] = ..., detail: _Optional[str] = ..., fallback: _Optional[bool] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    def __init__(self, models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ...) -> None: ...

class ImportModelRequest(_message.Message):
    __slots__ = ("name", "path")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    name: str
    path: str
    def __init__(self, name: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class Cluster(_message.Message):
    __slots__ = ("id", "name", "view", "shots", "tracks", "confidence", "parent_id", "reasons")
    class ConfidenceEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ReasonsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    view: str
    shots: _containers.RepeatedScalarFieldContainer[str]
    tracks: _containers.RepeatedScalarFieldContainer[str]
    confidence: _containers.ScalarMap[str, float]
    parent_id: str
    reasons: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., view: _Optional[str] = ..., shots: _Optional[_Iterable[str]] = ..., tracks: _Optional[_Iterable[str]] = ..., confidence: _Optional[_Mapping[str, float]] = ..., parent_id: _Optional[str] = ..., reasons: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListClustersRequest(_message.Message):
    __slots__ = ("project", "view")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    project: str
    view: str
    def __init__(self, project: _Optional[str] = ..., view: _Optional[str] = ...) -> None: ...

class ListClustersResponse(_message.Message):
    __slots__ = ("clusters",)
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    clusters: _containers.RepeatedCompositeFieldContainer[Cluster]
    def __init__(self, clusters: _Optional[_Iterable[_Union[Cluster, _Mapping]]] = ...) -> None: ...

class ReclusterRequest(_message.Message):
    __slots__ = ("project", "view")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    project: str
    view: str
    def __init__(self, project: _Optional[str] = ..., view: _Optional[str] = ...) -> None: ...

class FeedbackRequest(_message.Message):
    __slots__ = ("project", "action", "view", "members", "cluster", "clusters", "name", "source")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    project: str
    action: str
    view: str
    members: _containers.RepeatedScalarFieldContainer[str]
    cluster: str
    clusters: _containers.RepeatedScalarFieldContainer[str]
    name: str
    source: str
    def __init__(self, project: _Optional[str] = ..., action: _Optional[str] = ..., view: _Optional[str] = ..., members: _Optional[_Iterable[str]] = ..., cluster: _Optional[str] = ..., clusters: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class FeedbackResponse(_message.Message):
    __slots__ = ("feedback_id", "changed")
    FEEDBACK_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    feedback_id: str
    changed: _containers.RepeatedCompositeFieldContainer[Cluster]
    def __init__(self, feedback_id: _Optional[str] = ..., changed: _Optional[_Iterable[_Union[Cluster, _Mapping]]] = ...) -> None: ...

class ExportFeedbackRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class ExportFeedbackResponse(_message.Message):
    __slots__ = ("jsonl", "count")
    JSONL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    jsonl: str
    count: int
    def __init__(self, jsonl: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class HighlightComponents(_message.Message):
    __slots__ = ("excitement", "boundary", "anchor_placement", "dead_time")
    EXCITEMENT_FIELD_NUMBER: _ClassVar[int]
    BOUNDARY_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    DEAD_TIME_FIELD_NUMBER: _ClassVar[int]
    excitement: float
    boundary: float
    anchor_placement: float
    dead_time: float
    def __init__(self, excitement: _Optional[float] = ..., boundary: _Optional[float] = ..., anchor_placement: _Optional[float] = ..., dead_time: _Optional[float] = ...) -> None: ...

class Highlight(_message.Message):
    __slots__ = ("id", "media_id", "start_frame", "end_frame", "start_s", "end_s", "score", "reason", "components", "mode", "rank", "fps", "start_timecode", "media_path", "anchor_frame")
    ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    START_TIMECODE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_PATH_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_FRAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    media_id: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    score: float
    reason: str
    components: HighlightComponents
    mode: str
    rank: int
    fps: str
    start_timecode: str
    media_path: str
    anchor_frame: int
    def __init__(self, id: _Optional[str] = ..., media_id: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ..., components: _Optional[_Union[HighlightComponents, _Mapping]] = ..., mode: _Optional[str] = ..., rank: _Optional[int] = ..., fps: _Optional[str] = ..., start_timecode: _Optional[str] = ..., media_path: _Optional[str] = ..., anchor_frame: _Optional[int] = ...) -> None: ...

class GetHighlightsRequest(_message.Message):
    __slots__ = ("project", "media", "mode", "settings", "limit", "debug")
    class SettingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    DEBUG_FIELD_NUMBER: _ClassVar[int]
    project: str
    media: str
    mode: str
    settings: _containers.ScalarMap[str, str]
    limit: int
    debug: bool
    def __init__(self, project: _Optional[str] = ..., media: _Optional[str] = ..., mode: _Optional[str] = ..., settings: _Optional[_Mapping[str, str]] = ..., limit: _Optional[int] = ..., debug: _Optional[bool] = ...) -> None: ...

class HighlightsResponse(_message.Message):
    __slots__ = ("clips", "debug_json", "settings_json", "rescored")
    CLIPS_FIELD_NUMBER: _ClassVar[int]
    DEBUG_JSON_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_JSON_FIELD_NUMBER: _ClassVar[int]
    RESCORED_FIELD_NUMBER: _ClassVar[int]
    clips: _containers.RepeatedCompositeFieldContainer[Highlight]
    debug_json: str
    settings_json: str
    rescored: bool
    def __init__(self, clips: _Optional[_Iterable[_Union[Highlight, _Mapping]]] = ..., debug_json: _Optional[str] = ..., settings_json: _Optional[str] = ..., rescored: _Optional[bool] = ...) -> None: ...

class SourceRange(_message.Message):
    __slots__ = ("media_id", "start_frame", "end_frame", "start_s", "end_s", "fps", "media_path", "start_timecode", "label", "highlight_id", "has_audio")
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_PATH_FIELD_NUMBER: _ClassVar[int]
    START_TIMECODE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHT_ID_FIELD_NUMBER: _ClassVar[int]
    HAS_AUDIO_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    fps: str
    media_path: str
    start_timecode: str
    label: str
    highlight_id: str
    has_audio: bool
    def __init__(self, media_id: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., fps: _Optional[str] = ..., media_path: _Optional[str] = ..., start_timecode: _Optional[str] = ..., label: _Optional[str] = ..., highlight_id: _Optional[str] = ..., has_audio: _Optional[bool] = ...) -> None: ...

class CompoundClip(_message.Message):
    __slots__ = ("id", "project", "name", "segments", "duration_s", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    project: str
    name: str
    segments: _containers.RepeatedCompositeFieldContainer[SourceRange]
    duration_s: float
    created_at: float
    updated_at: float
    def __init__(self, id: _Optional[str] = ..., project: _Optional[str] = ..., name: _Optional[str] = ..., segments: _Optional[_Iterable[_Union[SourceRange, _Mapping]]] = ..., duration_s: _Optional[float] = ..., created_at: _Optional[float] = ..., updated_at: _Optional[float] = ...) -> None: ...

class HighlightsSource(_message.Message):
    __slots__ = ("media", "mode", "limit", "chronological")
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGICAL_FIELD_NUMBER: _ClassVar[int]
    media: str
    mode: str
    limit: int
    chronological: bool
    def __init__(self, media: _Optional[str] = ..., mode: _Optional[str] = ..., limit: _Optional[int] = ..., chronological: _Optional[bool] = ...) -> None: ...

class CreateCompoundClipRequest(_message.Message):
    __slots__ = ("project", "name", "segments", "from_highlights")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    FROM_HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    project: str
    name: str
    segments: _containers.RepeatedCompositeFieldContainer[SourceRange]
    from_highlights: HighlightsSource
    def __init__(self, project: _Optional[str] = ..., name: _Optional[str] = ..., segments: _Optional[_Iterable[_Union[SourceRange, _Mapping]]] = ..., from_highlights: _Optional[_Union[HighlightsSource, _Mapping]] = ...) -> None: ...

class ListCompoundClipsRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class ListCompoundClipsResponse(_message.Message):
    __slots__ = ("clips",)
    CLIPS_FIELD_NUMBER: _ClassVar[int]
    clips: _containers.RepeatedCompositeFieldContainer[CompoundClip]
    def __init__(self, clips: _Optional[_Iterable[_Union[CompoundClip, _Mapping]]] = ...) -> None: ...

class GetCompoundClipRequest(_message.Message):
    __slots__ = ("project", "id")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project: str
    id: str
    def __init__(self, project: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class UpdateCompoundClipRequest(_message.Message):
    __slots__ = ("project", "id", "name", "segments", "replace_segments")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    REPLACE_SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    project: str
    id: str
    name: str
    segments: _containers.RepeatedCompositeFieldContainer[SourceRange]
    replace_segments: bool
    def __init__(self, project: _Optional[str] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., segments: _Optional[_Iterable[_Union[SourceRange, _Mapping]]] = ..., replace_segments: _Optional[bool] = ...) -> None: ...

class DeleteCompoundClipRequest(_message.Message):
    __slots__ = ("project", "id")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project: str
    id: str
    def __init__(self, project: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class DeleteCompoundClipResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class RenderRequest(_message.Message):
    __slots__ = ("project", "output_dir", "overwrite", "clips", "compound_id", "name", "crf")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_DIR_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    CLIPS_FIELD_NUMBER: _ClassVar[int]
    COMPOUND_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CRF_FIELD_NUMBER: _ClassVar[int]
    project: str
    output_dir: str
    overwrite: bool
    clips: _containers.RepeatedCompositeFieldContainer[SourceRange]
    compound_id: str
    name: str
    crf: int
    def __init__(self, project: _Optional[str] = ..., output_dir: _Optional[str] = ..., overwrite: _Optional[bool] = ..., clips: _Optional[_Iterable[_Union[SourceRange, _Mapping]]] = ..., compound_id: _Optional[str] = ..., name: _Optional[str] = ..., crf: _Optional[int] = ...) -> None: ...

class RenderResponse(_message.Message):
    __slots__ = ("job", "outputs")
    JOB_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    job: Job
    outputs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ..., outputs: _Optional[_Iterable[str]] = ...) -> None: ...

class SearchRequest(_message.Message):
    __slots__ = ("project", "query", "media", "clusters", "has_speech", "has_faces", "min_duration_s", "limit", "images", "like_shots", "visual")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    HAS_SPEECH_FIELD_NUMBER: _ClassVar[int]
    HAS_FACES_FIELD_NUMBER: _ClassVar[int]
    MIN_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    LIKE_SHOTS_FIELD_NUMBER: _ClassVar[int]
    VISUAL_FIELD_NUMBER: _ClassVar[int]
    project: str
    query: str
    media: _containers.RepeatedScalarFieldContainer[str]
    clusters: _containers.RepeatedScalarFieldContainer[str]
    has_speech: bool
    has_faces: bool
    min_duration_s: float
    limit: int
    images: _containers.RepeatedScalarFieldContainer[bytes]
    like_shots: _containers.RepeatedScalarFieldContainer[str]
    visual: bool
    def __init__(self, project: _Optional[str] = ..., query: _Optional[str] = ..., media: _Optional[_Iterable[str]] = ..., clusters: _Optional[_Iterable[str]] = ..., has_speech: _Optional[bool] = ..., has_faces: _Optional[bool] = ..., min_duration_s: _Optional[float] = ..., limit: _Optional[int] = ..., images: _Optional[_Iterable[bytes]] = ..., like_shots: _Optional[_Iterable[str]] = ..., visual: _Optional[bool] = ...) -> None: ...

class SearchWhy(_message.Message):
    __slots__ = ("channel", "score", "detail")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    channel: str
    score: float
    detail: str
    def __init__(self, channel: _Optional[str] = ..., score: _Optional[float] = ..., detail: _Optional[str] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("media_id", "start_frame", "end_frame", "start_s", "end_s", "score", "channels", "why", "exact", "path", "fps")
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    WHY_FIELD_NUMBER: _ClassVar[int]
    EXACT_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    score: float
    channels: _containers.RepeatedScalarFieldContainer[str]
    why: _containers.RepeatedCompositeFieldContainer[SearchWhy]
    exact: bool
    path: str
    fps: str
    def __init__(self, media_id: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., score: _Optional[float] = ..., channels: _Optional[_Iterable[str]] = ..., why: _Optional[_Iterable[_Union[SearchWhy, _Mapping]]] = ..., exact: _Optional[bool] = ..., path: _Optional[str] = ..., fps: _Optional[str] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ("hits", "notes")
    HITS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class GetTranscriptRequest(_message.Message):
    __slots__ = ("media", "project", "format")
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    media: str
    project: str
    format: str
    def __init__(self, media: _Optional[str] = ..., project: _Optional[str] = ..., format: _Optional[str] = ...) -> None: ...

class TranscriptWord(_message.Message):
    __slots__ = ("word", "start_frame", "end_frame", "start_s", "end_s", "probability")
    WORD_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    word: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    probability: float
    def __init__(self, word: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., probability: _Optional[float] = ...) -> None: ...

class TranscriptSegment(_message.Message):
    __slots__ = ("start_frame", "end_frame", "start_s", "end_s", "text", "words")
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    WORDS_FIELD_NUMBER: _ClassVar[int]
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    text: str
    words: _containers.RepeatedCompositeFieldContainer[TranscriptWord]
    def __init__(self, start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., text: _Optional[str] = ..., words: _Optional[_Iterable[_Union[TranscriptWord, _Mapping]]] = ...) -> None: ...

class Transcript(_message.Message):
    __slots__ = ("media_id", "language", "model", "fps", "segments", "text")
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    media_id: str
    language: str
    model: str
    fps: str
    segments: _containers.RepeatedCompositeFieldContainer[TranscriptSegment]
    text: str
    def __init__(self, media_id: _Optional[str] = ..., language: _Optional[str] = ..., model: _Optional[str] = ..., fps: _Optional[str] = ..., segments: _Optional[_Iterable[_Union[TranscriptSegment, _Mapping]]] = ..., text: _Optional[str] = ...) -> None: ...

class SaveSearchRequest(_message.Message):
    __slots__ = ("project", "name", "search")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    project: str
    name: str
    search: SearchRequest
    def __init__(self, project: _Optional[str] = ..., name: _Optional[str] = ..., search: _Optional[_Union[SearchRequest, _Mapping]] = ...) -> None: ...

class GetSavedSearchRequest(_message.Message):
    __slots__ = ("project", "name")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    project: str
    name: str
    def __init__(self, project: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class SavedSearch(_message.Message):
    __slots__ = ("name", "search", "saved_at")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SEARCH_FIELD_NUMBER: _ClassVar[int]
    SAVED_AT_FIELD_NUMBER: _ClassVar[int]
    name: str
    search: SearchRequest
    saved_at: float
    def __init__(self, name: _Optional[str] = ..., search: _Optional[_Union[SearchRequest, _Mapping]] = ..., saved_at: _Optional[float] = ...) -> None: ...

class ListSavedSearchesRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: str
    def __init__(self, project: _Optional[str] = ...) -> None: ...

class ListSavedSearchesResponse(_message.Message):
    __slots__ = ("searches",)
    SEARCHES_FIELD_NUMBER: _ClassVar[int]
    searches: _containers.RepeatedCompositeFieldContainer[SavedSearch]
    def __init__(self, searches: _Optional[_Iterable[_Union[SavedSearch, _Mapping]]] = ...) -> None: ...

class GetClipsRequest(_message.Message):
    __slots__ = ("project", "media", "topic", "limit", "ranker")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    RANKER_FIELD_NUMBER: _ClassVar[int]
    project: str
    media: str
    topic: str
    limit: int
    ranker: str
    def __init__(self, project: _Optional[str] = ..., media: _Optional[str] = ..., topic: _Optional[str] = ..., limit: _Optional[int] = ..., ranker: _Optional[str] = ...) -> None: ...

class TranscriptClip(_message.Message):
    __slots__ = ("id", "media_id", "start_frame", "end_frame", "start_s", "end_s", "score", "reason", "rank", "fps", "start_timecode", "media_path", "text", "first_sentence", "last_sentence")
    ID_FIELD_NUMBER: _ClassVar[int]
    MEDIA_ID_FIELD_NUMBER: _ClassVar[int]
    START_FRAME_FIELD_NUMBER: _ClassVar[int]
    END_FRAME_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    END_S_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    START_TIMECODE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_PATH_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FIRST_SENTENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_SENTENCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    media_id: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    score: float
    reason: str
    rank: int
    fps: str
    start_timecode: str
    media_path: str
    text: str
    first_sentence: int
    last_sentence: int
    def __init__(self, id: _Optional[str] = ..., media_id: _Optional[str] = ..., start_frame: _Optional[int] = ..., end_frame: _Optional[int] = ..., start_s: _Optional[float] = ..., end_s: _Optional[float] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ..., rank: _Optional[int] = ..., fps: _Optional[str] = ..., start_timecode: _Optional[str] = ..., media_path: _Optional[str] = ..., text: _Optional[str] = ..., first_sentence: _Optional[int] = ..., last_sentence: _Optional[int] = ...) -> None: ...

class ClipsResponse(_message.Message):
    __slots__ = ("clips", "ranker", "sentences")
    CLIPS_FIELD_NUMBER: _ClassVar[int]
    RANKER_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    clips: _containers.RepeatedCompositeFieldContainer[TranscriptClip]
    ranker: str
    sentences: int
    def __init__(self, clips: _Optional[_Iterable[_Union[TranscriptClip, _Mapping]]] = ..., ranker: _Optional[str] = ..., sentences: _Optional[int] = ...) -> None: ...
