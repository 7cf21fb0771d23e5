"""Timecode <-> frames: exact for any rational rate, SMPTE drop-frame for 29.97 and 59.94."""
from __future__ import annotations

from fractions import Fraction

import pytest

from rushes.ingest import timecode as tc

NTSC = Fraction(30000, 1001)
NTSC60 = Fraction(60000, 1001)


@pytest.mark.parametrize("rate, frames, label", [
    (Fraction(25), 0, "00:00:00:00"),
    (Fraction(25), 24, "00:00:00:24"),
    (Fraction(25), 25, "00:00:01:00"),
    (Fraction(25), 90000, "01:00:00:00"),
    (Fraction(24000, 1001), 86400, "01:00:00:00"),  # 23.976 counts 24 labels a second
    (Fraction(24), 86399, "00:59:59:23"),
    (Fraction(50), 180000, "01:00:00:00"),
    (NTSC, 108000, "01:00:00:00"),  # non-drop 29.97 drifts 3.6 s an hour from the clock
])
def test_non_drop(rate, frames, label):
    assert tc.frames_to_timecode(frames, rate) == label
    assert tc.timecode_to_frames(label, rate) == frames


@pytest.mark.parametrize("frames, label", [
    (0, "00:00:00;00"),
    (1799, "00:00:59;29"),
    (1800, "00:01:00;02"),   # labels ;00 and ;01 are skipped at minute 1
    (1801, "00:01:00;03"),
    (3597, "00:01:59;29"),   # minute 1 holds 1798 frames
    (3598, "00:02:00;02"),
    (17981, "00:09:59;29"),
    (17982, "00:10:00;00"),  # ... but not at minute 10
    (17983, "00:10:00;01"),
    (107891, "00:59:59;29"),
    (107892, "01:00:00;00"),  # one hour of 29.97 DF is 107892 frames
    (2589407, "23:59:59;29"),
])
def test_drop_frame_2997(frames, label):
    assert tc.frames_to_timecode(frames, NTSC, drop_frame=True) == label
    assert tc.timecode_to_frames(label, NTSC) == frames


@pytest.mark.parametrize("frames, label", [
    (3599, "00:00:59;59"),
    (3600, "00:01:00;04"),   # four labels dropped at 59.94
    (35964, "00:10:00;00"),
    (215784, "01:00:00;00"),
])
def test_drop_frame_5994(frames, label):
    assert tc.frames_to_timecode(frames, NTSC60, drop_frame=True) == label
    assert tc.timecode_to_frames(label, NTSC60) == frames


def test_drop_frame_keeps_wall_clock():
    """The point of drop-frame: an hour of labels is an hour of real time (3.6 ms off), where
    non-drop 29.97 is 3.6 s off."""
    frames = tc.timecode_to_frames("01:00:00;00", NTSC)
    assert abs(float(frames / NTSC) - 3600) < 0.004
    assert abs(float(tc.timecode_to_frames("01:00:00:00", NTSC) / NTSC) - 3600) > 3.5


def test_round_trip_every_frame_over_eleven_minutes():
    for rate, drop in ((NTSC, True), (NTSC60, True), (Fraction(24000, 1001), False), (Fraction(25), False)):
        labels = set()
        for n in range(0, int(11 * 60 * rate) + 5):
            label = tc.frames_to_timecode(n, rate, drop)
            assert tc.timecode_to_frames(label, rate, drop) == n, (rate, n, label)
            labels.add(label)
        assert len(labels) == int(11 * 60 * rate) + 5  # one label per frame, no repeats


def test_dropped_labels_do_not_exist():
    with pytest.raises(tc.TimecodeError, match="does not exist"):
        tc.timecode_to_frames("00:01:00;00", NTSC)
    with pytest.raises(tc.TimecodeError, match="does not exist"):
        tc.timecode_to_frames("00:01:00;03", NTSC60)
    assert tc.timecode_to_frames("00:10:00;00", NTSC) == 17982


def test_invalid_input_is_explained():
    with pytest.raises(tc.TimecodeError, match="frame 25"):
        tc.timecode_to_frames("00:00:00:25", 25)
    with pytest.raises(tc.TimecodeError, match="not HH:MM:SS:FF"):
        tc.parse_timecode("ten o'clock")
    with pytest.raises(tc.TimecodeError, match="no drop-frame"):
        tc.frames_to_timecode(10, 25, drop_frame=True)
    with pytest.raises(tc.TimecodeError, match="no drop-frame"):
        tc.timecode_to_frames("01:00:00;00", Fraction(24000, 1001))
    with pytest.raises(tc.TimecodeError, match="negative"):
        tc.frames_to_timecode(-1, 25)
    with pytest.raises(tc.TimecodeError, match="above 59"):
        tc.parse_timecode("00:61:00:00")


def test_parse_forms():
    assert tc.parse_timecode("01:00:00;00").drop_frame is True
    assert tc.parse_timecode("01:00:00.00").drop_frame is True  # FFmpeg's alternative DF form
    assert tc.parse_timecode("01;00;00;00").drop_frame is True
    assert tc.parse_timecode("01:00:00:00").drop_frame is False
    assert str(tc.parse_timecode("1:2:3:4")) == "01:02:03:04"
    assert tc.normalise_timecode("01:00:00.00", NTSC) == "01:00:00;00"


def test_wraps_at_24_hours():
    assert tc.frames_to_timecode(24 * 3600 * 25 + 1, 25) == "00:00:00:01"
    assert tc.frames_to_timecode(24 * 3600 * 25 + 1, 25, wrap=False) == "24:00:00:01"


def test_offset_timecode():
    assert tc.offset_timecode("00:00:59;29", 1, NTSC) == "00:01:00;02"
    assert tc.offset_timecode("01:00:00:00", 48, 24) == "01:00:02:00"


@pytest.mark.parametrize("text, expected", [
    ("30000/1001", NTSC), ("25", Fraction(25)), ("29.97", NTSC), ("23.976", Fraction(24000, 1001)),
    ("59.94", NTSC60), ("24", Fraction(24)), ((24000, 1001), Fraction(24000, 1001)), (29.97, NTSC),
    (Fraction(2997, 100), Fraction(2997, 100)), ("12.5", Fraction(25, 2)),
])
def test_parse_rate(text, expected):
    assert tc.parse_rate(text) == expected


def test_snap_rate_never_confuses_ntsc_and_integer_rates():
    assert tc.snap_rate(Fraction(2997, 100)) == NTSC
    assert tc.snap_rate(Fraction(359999, 12012)) == NTSC
    assert tc.snap_rate(Fraction(24)) == 24
    assert tc.snap_rate(Fraction(24000, 1001)) == Fraction(24000, 1001)
    assert tc.snap_rate(Fraction(2500, 83)) == Fraction(2500, 83)  # 30.12: no standard rate that close


def test_rate_predicates():
    assert tc.can_drop_frame(NTSC) and tc.can_drop_frame(NTSC60)
    assert not tc.can_drop_frame(Fraction(24000, 1001)) and not tc.can_drop_frame(30)
    assert tc.nominal_fps(Fraction(24000, 1001)) == 24 and tc.nominal_fps(NTSC60) == 60
    assert tc.seconds_to_frames(1.001, Fraction(24000, 1001)) == 24


def test_mpeg2_gop_timecode_word():
    # drop flag (bit 24), hours 1, minutes 0, seconds 0, frames 2, marker bit 12: 01:00:00;02
    assert str(tc.from_mpeg_gop(0x01081002)) == "01:00:00;02"
    assert str(tc.from_mpeg_gop((13 << 19) | (59 << 13) | (1 << 12) | (58 << 6) | 24)) == "13:59:58:24"


def test_smpte_12m_binary_word():
    word = 0x01 | (0x02 << 8) | (0x03 << 16) | (0x04 << 24)  # BCD 01:02:03:04
    assert str(tc.from_smpte_binary(word, 25)) == "01:02:03:04"
    assert str(tc.from_smpte_binary(word | (1 << 30), NTSC)) == "01:02:03;04"
    # 50p counts frame pairs; bit 7 marks the second field: 01:02:03:09
    assert str(tc.from_smpte_binary(word | (1 << 7), 50)) == "01:02:03:09"
    assert str(tc.from_smpte_binary(0x23 | (0x59 << 8) | (0x59 << 16) | (0x29 << 24), NTSC)) == "23:59:59:29"
