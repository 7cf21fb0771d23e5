"""Audio in the one decode pass: every channel or 16 kHz mono, sample-aligned with the frames."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rushes.decode.audio import AudioFormat, DecodedAudio, audio_pass
from rushes.decode.decode import DecodedFrame, decode_pass
from rushes_testkit import ffmpeg, real_media


class Listener:
    """Collects what the pass hands an audio consumer."""

    def __init__(self, fmt: AudioFormat) -> None:
        self.audio_format = fmt
        self.chunks: list[DecodedAudio] = []
        self.finished = 0

    def consume_audio(self, chunk: DecodedAudio) -> None:
        self.chunks.append(chunk)

    def finish(self) -> None:
        self.finished += 1

    def samples(self) -> np.ndarray:
        return np.concatenate([c.samples for c in self.chunks], axis=1)

    def contiguous(self) -> bool:
        return all(a.start + a.samples.shape[1] == b.start for a, b in zip(self.chunks, self.chunks[1:]))


class Both(Listener):
    """One object taking frames and audio: flashes and clicks in one place."""

    def __init__(self, fmt: AudioFormat) -> None:
        super().__init__(fmt)
        self.brightness: dict[int, float] = {}

    def consume(self, frame: DecodedFrame) -> None:
        self.brightness[frame.index] = float(frame.low.mean())


def test_five_one_keeps_every_channel_and_mono_at_16k():
    path = real_media("bigbuckbunny_5s.mp4")
    native, mono = Listener(AudioFormat()), Listener(AudioFormat(rate=16000, mono=True))
    info = decode_pass(path, [native, mono])
    assert native.finished == mono.finished == 1
    assert native.chunks[0].channels == ("FL", "FR", "FC", "LFE", "BL", "BR")
    assert native.chunks[0].rate == 48000 and mono.chunks[0].rate == 16000
    assert mono.chunks[0].channels == ("FC",)
    assert native.contiguous() and mono.contiguous()
    # Both lanes cover the same stretch of the film (within one AAC frame of the picture's length).
    seconds = native.samples().shape[1] / 48000
    assert abs(seconds - mono.samples().shape[1] / 16000) < 0.01
    assert abs(seconds - info.frame_count * float(1 / info.fps)) < 0.1


def test_no_audio_gives_no_chunks_and_still_finishes():
    path = real_media("pedestrians.avi")
    listener = Listener(AudioFormat(rate=16000, mono=True))
    info = decode_pass(path, [listener])
    assert info.frame_count > 700
    assert listener.chunks == [] and listener.finished == 1


def test_sound_roll_audio_only_pass():
    path = real_media("dialogue.wav")
    listener = Listener(AudioFormat(rate=16000, mono=True))
    info = audio_pass(path, [listener])
    assert info is not None and info.samples == 480000
    assert listener.samples().shape == (1, 480000) and listener.finished == 1


def test_flash_and_click_land_on_the_same_frame(tmp_path: Path):
    """A white flash at frame 30 and a click at 1.2 s (= frame 30 at 25 fps): the audio's sample
    position, counted from the first picture, puts the click inside frame 30 (AAC priming is
    compensated by the container's edit list; the margin is one frame)."""
    clip = tmp_path / "flash.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=160x120:rate=25:duration=2.4",
           "-f", "lavfi", "-i", "aevalsrc='if(between(t,1.2,1.24),sin(2*PI*1000*t),0)':s=48000:d=2.4",
           "-vf", "drawbox=c=white:t=fill:enable='eq(n,30)'",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", str(clip))
    both = Both(AudioFormat())
    decode_pass(clip, [both])
    flash = max(both.brightness, key=both.brightness.get)
    assert flash == 30
    audio = np.abs(both.samples()[0])
    onset = int(np.argmax(audio > 0.2)) / 48000
    assert abs(onset - 1.2) < 0.04, onset


@pytest.mark.parametrize("name", ["rocket_launch.webm"])
def test_vorbis_in_webm(name: str):
    listener = Listener(AudioFormat(rate=16000, mono=True))
    decode_pass(real_media(name), [listener])
    seconds = listener.samples().shape[1] / 16000
    assert 7.9 < seconds < 8.2 and listener.contiguous()
