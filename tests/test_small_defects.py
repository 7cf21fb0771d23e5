"""The smaller defects of issue 11 (item 9), each reproduced first."""
from __future__ import annotations

import io

import pytest
from rushes_testkit import synth_clip


def test_a_newline_in_a_file_name_keeps_the_table_one_line_per_row():
    from rushes.cli.common import print_table

    out = io.StringIO()
    print_table([["1", "/footage/A001\nfake row.mp4", "ready"], ["2", "/footage/B\t\x1b[31m.mp4", "ready"]],
                ["id", "path", "status"], out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "A001\\nfake row.mp4" in lines[1] and "B\\t\\x1b[31m.mp4" in lines[2]


def test_a_damaged_moov_atom_is_named_as_such(tmp_path):
    from rushes.ingest.probe import ProbeError, probe

    good = synth_clip(tmp_path / "good.mp4", seconds=1.0)
    data = bytearray(good.read_bytes())
    at = data.find(b"trak", data.find(b"moov"))
    data[at:at + 4] = b"junk"                  # the track box of the index is unreadable
    (tmp_path / "bad.mp4").write_bytes(bytes(data))
    with pytest.raises(ProbeError) as err:
        probe(tmp_path / "bad.mp4")
    assert "moov" in err.value.reason and "no audio or video streams" not in err.value.reason
