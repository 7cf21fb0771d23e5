"""resolve.frames: the one place Rushes-to-Resolve frame numbers are decided."""
from __future__ import annotations

import pytest

from resolve import frames
from resolve.frames import Rate


@pytest.mark.parametrize("text,num,den,df,setting", [
    ("24000/1001", 24000, 1001, False, "23.976"), ("23.976", 24000, 1001, False, "23.976"),
    ("29.97 DF", 30000, 1001, True, "29.97 DF"), ("29.97", 30000, 1001, False, "29.97"), ("25", 25, 1, False, "25"),
    ("60000/1001", 60000, 1001, False, "59.94"), ("24 DF", 24, 1, False, "24")])
def test_rates_and_resolve_settings(text, num, den, df, setting):
    rate = Rate.parse(text)
    assert (rate.num, rate.den, rate.drop_frame, rate.setting()) == (num, den, df, setting)


def test_drop_frame_timecode_round_trips_every_frame_of_an_hour_and_a_half():
    rate = Rate(30000, 1001, True)
    for frame in range(0, 30 * 60 * 95, 7):
        assert frames.timecode_to_frame(frames.frame_to_timecode(frame, rate), rate) == frame
    # The labels drop-frame skips: 00:01:00;00 and ;01 do not exist; 00:00:59;29 is followed by 00:01:00;02.
    assert frames.frame_to_timecode(1799, rate) == "00:00:59;29"
    assert frames.frame_to_timecode(1800, rate) == "00:01:00;02"
    assert frames.frame_to_timecode(17982, rate) == "00:10:00;00"      # every tenth minute keeps its labels


def test_timeline_starts():
    assert frames.timeline_start_frame(Rate(24)) == 86400
    assert frames.timeline_start_frame(Rate(24000, 1001)) == 86400      # counted at the nominal 24
    assert frames.timeline_start_frame(Rate(30000, 1001)) == 108000
    assert frames.timeline_start_frame(Rate(30000, 1001, True)) == 107892
    assert frames.start_timecode(Rate(30000, 1001, True)) == "01:00:00;00"
    assert frames.timeline_start_frame(Rate(25)) == 90000


def test_markers_clip_info_and_mixed_rates():
    assert frames.clip_marker_frame(48) == 48
    assert frames.timeline_marker_frame(86400 + 30, 86400) == 30
    assert frames.marker_key(96.0) == 96 and frames.marker_key("96") == 96
    assert frames.clip_info_range(10, 58) == (10, 58)                 # endFrame exclusive: nothing subtracted
    with pytest.raises(ValueError):
        frames.clip_info_range(5, 5)
    assert frames.timeline_frames(100, Rate(30000, 1001), Rate(24)) == 80
    assert frames.timeline_frames(100, Rate(24000, 1001), Rate(24000, 1001)) == 100
    assert frames.timeline_frames(25, Rate(25), Rate(24)) == 24
