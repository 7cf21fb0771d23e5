"""The time base's rules on timestamps alone (rushes.ingest.rates); real files: test_timebase_real.py."""
from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

from rushes.ingest.rates import Conformer, TimeBase, conform_rate, highest_sustained_rate, is_variable, pick_rate


def _stream(avg, guessed, base=None):
    return SimpleNamespace(average_rate=avg, guessed_rate=guessed, base_rate=base or guessed)


def test_constant_rate_media_keep_their_own_standard_rate():
    assert pick_rate(_stream(Fraction(2997, 100), Fraction(30000, 1001))) == Fraction(30000, 1001)
    # a Matroska average that is an oddity (2500/83 = 30.12) loses to the standard guessed rate
    assert pick_rate(_stream(Fraction(2500, 83), Fraction(30))) == 30
    assert pick_rate(_stream(Fraction(60000, 1001), Fraction(60000, 1001))) == Fraction(60000, 1001)


def test_rate_switch_conforms_to_the_faster_rate():
    # 72 frames at 30 fps then 94 at 24 fps, on a 1/15360 timebase (face_then_title.mov)
    stamps = [512 * i for i in range(72)] + [36864 + 640 * i for i in range(94)]
    assert is_variable(stamps)
    assert conform_rate(highest_sustained_rate(stamps, Fraction(1, 15360))) == 30


def test_jitter_and_drops_do_not_move_the_rate():
    # 30 fps on 1/90000 with +-4 ms of jitter and every 23rd frame dropped
    import math

    stamps = [round((n / 30 + 0.004 * math.sin(n * 1.7)) * 90000) for n in range(300) if n % 23 != 5]
    assert is_variable(stamps)
    assert conform_rate(highest_sustained_rate(stamps, Fraction(1, 90000))) == 30
    # Matroska's 1 ms ticks of 29.97 (33/34 ms) are not variable
    assert not is_variable([round(n * 1001 / 30) for n in range(200)])


def test_conform_rate_snaps_near_a_standard_rate_else_goes_above():
    assert conform_rate(Fraction(2997, 100)) == Fraction(30000, 1001)
    assert conform_rate(Fraction(305, 10)) == 30              # within 3 %
    assert conform_rate(Fraction(27)) == Fraction(30000, 1001)   # none near: the next one up, no collisions


def test_index_rule_ties_collisions_and_gaps():
    tb = TimeBase(Fraction(30), Fraction(1, 60), 0)     # two ticks a frame
    assert [tb.index_of(t) for t in (0, 1, 2, 3, 4)] == [0, 0, 1, 1, 2]   # a tie goes to the earlier index
    c = Conformer(tb)
    placed = [c.place(t) for t in (0, 2, 3, 8, 10)]     # 3 collides with 2 (index 1); 8 leaves a gap
    assert placed == [0, 1, None, 4, 5] and c.frame_count == 6
    c = Conformer(tb)
    c.place(0)
    c.place(8)
    assert c.gap_before == 3                            # indices 1-3 repeat frame 0's picture
    assert tb.pts_of(4) == 8 and tb.index_of(tb.pts_of(4)) == 4
