"""A tiny CLIP built here from a config, saved like a hub checkpoint, loaded through the real path.

No image-text weights can be downloaded on our machines, so these tests make a CLIP with tiny
dimensions (random weights), write it with save_pretrained plus a tokenizer built from a small
vocabulary, and go through `rushes models import` + `load_scene_embedder` exactly as a studio's
real ViT-B/32 folder would. `build_tiny_clip` is imported by the embed tests too.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rushes.jobs.wiring import register_model_checks
from rushes_testkit import real_media

register_model_checks()   # the rooms' model load checks, as the daemon and the CLI wire them

WORDS = ["a", "dog", "cat", "on", "beach", "street", "bird", "bunny", "night", "city"]
PROJECTION_DIM = 16


def _vocab() -> tuple[dict[str, int], list[str]]:
    """CLIP BPE vocabulary: letters, letters ending a word, and merges that spell WORDS."""
    vocab: dict[str, int] = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    letters = "abcdefghijklmnopqrstuvwxyz"
    for c in letters:
        vocab[c] = len(vocab)
    for c in letters:
        vocab[c + "</w>"] = len(vocab)
    merges: list[str] = []
    for word in WORDS:
        if len(word) < 2:
            continue
        # merge left to right: ((d o) g</w>) style, last letter carries </w>
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        current = parts[0]
        for nxt in parts[1:]:
            merges.append(f"{current} {nxt}")
            current = current + nxt
            vocab.setdefault(current, len(vocab))
    return vocab, list(dict.fromkeys(merges))


def build_tiny_clip(folder: Path, seed: int = 0) -> Path:
    """Write a tiny random CLIP (16-d projection) + tokenizer + preprocessor config to `folder`."""
    import torch
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    try:
        from transformers import CLIPImageProcessorPil as ImageProcessor  # transformers 5 without torchvision
    except ImportError:  # pragma: no cover - older transformers
        from transformers import CLIPImageProcessor as ImageProcessor

    folder.mkdir(parents=True, exist_ok=True)
    vocab, merges = _vocab()
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges])
    config = CLIPConfig(
        text_config=dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=32, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=PROJECTION_DIM,
    )
    torch.manual_seed(seed)
    CLIPModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    ImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


@pytest.fixture
def tiny_clip(tmp_path: Path) -> Path:
    return build_tiny_clip(tmp_path / "tiny-clip")


def _frame(name: str, second: float) -> np.ndarray:
    """One real frame of a test clip, 320 px wide, decoded with PyAV."""
    import av

    with av.open(str(real_media(name))) as c:
        stream = c.streams.video[0]
        for f in c.decode(stream):
            if f.time is not None and f.time >= second:
                return np.asarray(f.to_image().resize((320, round(320 * f.height / f.width))))
    raise AssertionError(f"{name} has no frame at {second}s")


def test_tiny_tokenizer_spells_words(tiny_clip):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_clip, local_files_only=True)
    ids = tok("a dog on a beach")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 1
    assert tok.convert_ids_to_tokens(ids[1:-1]) == ["a</w>", "dog</w>", "on</w>", "a</w>", "beach</w>"]


def _stand_in(settings) -> str:
    """What makes scene vectors before CLIP arrives: MobileNetV2 + classical once pulled (conftest
    links the defaults `make test` pulls), the classical descriptor alone otherwise."""
    from rushes.models import registry

    if registry.model_info("mobilenetv2", settings).present:
        return registry.SCENE_FALLBACK_MOBILENET
    return registry.SCENE_FALLBACK


def test_import_then_load_through_the_real_path(settings, tiny_clip):
    from rushes.embed import load_scene_embedder
    from rushes.embed.clip import ClipEmbedder
    from rushes.models import registry

    # conftest links the pulled defaults: MobileNetV2 (+ classical) stands in until CLIP arrives
    assert registry.fallbacks(settings) == [_stand_in(settings)]
    info = registry.import_model("clip-vit-b32", tiny_clip, settings)
    assert info.present and info.detail.startswith("ok: imported")
    assert Path(info.path) == settings.models / "clip-vit-b32"
    assert info.dimensions == PROJECTION_DIM and info.version.startswith("clip-")
    assert registry.fallbacks(settings) == []
    listed = {m.name: m for m in registry.list_models(settings)}
    assert listed["clip-vit-b32"].present and not listed["classical-scene"].fallback

    emb = load_scene_embedder(settings)
    assert isinstance(emb, ClipEmbedder)
    assert (emb.name, emb.dim, emb.version) == ("clip-vit-b32", PROJECTION_DIM, info.version)
    assert load_scene_embedder(settings) is emb  # cached: one load per daemon

    frames = [_frame("cockatoo.mp4", 1.0), _frame("bikes.mp4", 1.0), np.zeros((50, 70), np.uint8)]  # + grey-scale
    img = emb.embed_images(frames)
    assert img.shape == (3, PROJECTION_DIM) and img.dtype == np.float32
    assert np.allclose(np.linalg.norm(img, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(img[0], img[1])
    txt = emb.embed_texts(["a dog on a beach", "a city at night", "bird"])
    assert txt.shape == (3, PROJECTION_DIM)
    assert np.allclose(np.linalg.norm(txt, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(txt[0], txt[1])
    # batching does not change results
    emb.batch_size = 1
    assert np.allclose(emb.embed_images(frames), img, atol=1e-5)
    assert np.allclose(emb.embed_texts(["a dog on a beach"]), txt[:1], atol=1e-5)


def test_configured_folder_is_used_without_import(monkeypatch, settings, tiny_clip):
    from rushes.embed import load_scene_embedder
    from rushes.models import registry

    monkeypatch.setenv("RUSHES_SCENE_MODEL_PATH", str(tiny_clip))
    assert registry.locate("clip-vit-b32", settings) == tiny_clip
    assert load_scene_embedder(settings).dim == PROJECTION_DIM


def test_verify_loads_the_scene_model(settings, tiny_clip):
    from rushes.models import registry

    registry.import_model("clip-vit-b32", tiny_clip, settings)
    # re-importing the installed folder onto itself (what `models pull` asks a running daemon) is safe
    again = registry.import_model("clip-vit-b32", settings.models / "clip-vit-b32", settings)
    assert again.present and (settings.models / "clip-vit-b32" / "model.safetensors").is_file()
    # no staging left behind (beside the defaults conftest links in, as `make test` pulls them)
    assert sorted(p.name for p in settings.models.iterdir() if p.name not in registry.default_models()) == \
        ["clip-vit-b32", "transnetv2"]
    got = {m.name: m for m in registry.verify(settings)}
    assert got["clip-vit-b32"].detail.startswith("ok: clip loads"), got["clip-vit-b32"].detail


def test_import_refuses_a_folder_that_is_not_an_image_text_model(settings, tiny_clip):
    from rushes.errors import InvalidArgument
    from rushes.models import registry

    cfg = json.loads((tiny_clip / "config.json").read_text())
    cfg["model_type"] = "bert"
    (tiny_clip / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(InvalidArgument, match="not an image-text model"):
        registry.import_model("clip-vit-b32", tiny_clip, settings)
    assert not (settings.models / "clip-vit-b32").exists()


def test_import_refuses_weights_that_do_not_load(settings, tiny_clip):
    from rushes.errors import InvalidArgument
    from rushes.models import registry

    (tiny_clip / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(InvalidArgument, match="does not load"):
        registry.import_model("clip-vit-b32", tiny_clip, settings)
    assert registry.fallbacks(settings) == [_stand_in(settings)]


def build_tiny_siglip(folder: Path) -> Path:
    """A tiny SigLIP (32-d) with a word-level fast tokenizer: SigLIP folders load through the same path."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, SiglipConfig, SiglipModel

    try:
        from transformers import SiglipImageProcessorPil as ImageProcessor
    except ImportError:  # pragma: no cover - older transformers
        from transformers import SiglipImageProcessor as ImageProcessor

    folder.mkdir(parents=True, exist_ok=True)
    words = ["<pad>", "</s>", "<unk>", *WORDS]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
                            model_max_length=16).save_pretrained(folder)
    config = SiglipConfig(
        text_config=dict(vocab_size=len(words), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=16, pad_token_id=0, bos_token_id=None,
                         eos_token_id=1),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
    )
    torch.manual_seed(0)
    SiglipModel(config).save_pretrained(folder)
    ImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


def test_a_siglip_folder_set_by_scene_model_path(monkeypatch, settings, tmp_path):
    from rushes.embed import load_scene_embedder
    from rushes.models import registry

    folder = build_tiny_siglip(tmp_path / "siglip")
    monkeypatch.setenv("RUSHES_SCENE_MODEL_PATH", str(folder))
    info = registry.model_info("clip-vit-b32", settings)
    assert info.present and info.version.startswith("siglip-") and info.dimensions == 32
    emb = load_scene_embedder(settings)
    assert (emb.model_type, emb.dim) == ("siglip", 32)
    img = emb.embed_images([_frame("bikes.mp4", 1.0)])
    txt = emb.embed_texts(["a dog on a beach", "city"])
    assert img.shape == (1, 32) and txt.shape == (2, 32)
    assert np.allclose(np.linalg.norm(txt, axis=1), 1.0, atol=1e-5) and not np.allclose(txt[0], txt[1])
