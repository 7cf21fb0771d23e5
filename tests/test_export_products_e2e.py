"""Highlights and compound clips from a real daemon (the session's ingested project), exported in
every format from the CLI and read back: markers where the daemon says, nested stacks for
compound clips, and an EDL that says it cannot nest."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import opentimelineio as otio
import pytest

from rushes_otio.writers import fcpxml
from test_otio_roundtrip import check_refs, source_frames, xmllint


@pytest.mark.realmedia
def test_highlights_and_compound_clips(ingested_project, tmp_path):
    bikes, scenes = ingested_project.media["bikes.mp4"], ingested_project.media["scenes.mp4"]
    rate = Fraction(25)                       # both clips are 25 fps from 00:00:00:00
    with ingested_project.daemon() as d:
        clips = json.loads(d.cli("highlights", bikes, "--json").stdout)["clips"]
        assert clips, "bikes.mp4 has no highlights"
        want = sorted((c["start_frame"], c["end_frame"]) for c in clips)
        for fmt, suffix in (("otio", ".otio"), ("edl", ".edl"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml")):
            target = tmp_path / f"best{suffix}"
            d.cli("export", "--what", "highlights", "--format", fmt, bikes, "-o", str(target))
            text = target.read_text()
            if fmt == "otio":
                [clip] = list(otio.adapters.read_from_file(str(target)).find_clips())
                assert source_frames(clip, rate) == (0, 250)
                got = sorted(source_frames(otio.schema.Clip(source_range=m.marked_range), rate) for m in clip.markers)
                assert got == want
                best = max(clips, key=lambda c: c["score"])
                mk = next(m for m in clip.markers if m.metadata["rushes"]["id"] == best["id"])
                assert mk.name.startswith("#1 ") and f"score {best['score']:.2f}" in mk.comment
                assert best["reason"] in mk.comment
            elif fmt == "edl":
                locs = re.findall(r"^\* LOC: (\d\d:\d\d:\d\d:\d\d) (\w+)\s+#\d+", text, re.M)
                assert sorted(int(t[-2:]) + 25 * int(t[6:8]) for t, _ in locs) == [s for s, _ in want]
            elif fmt == "fcp7":
                seq = otio.adapters.read_from_string(text, "fcp_xml")
                assert sorted(round(m.marked_range.start_time.value) for m in seq.tracks.markers) == [
                    s for s, _ in want]
            else:
                xmllint(target, "1.10")
                check_refs(text)
                marks = [m for c in fcpxml.read_string(text).find_clips() for m in c.markers]
                assert sorted(source_frames(otio.schema.Clip(source_range=m.marked_range), rate)
                              for m in marks) == want
                assert all(m.comment.startswith("score ") for m in marks)

        made = json.loads(d.cli("compound", "create", "Selects", "--range", bikes, "30", "76", "--range", scenes,
                                "50", "100", "--json").stdout)
        for fmt, suffix in (("otio", ".otio"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml")):
            target = tmp_path / f"compound{suffix}"
            d.cli("export", "--what", "compound", "--compound", made["id"], "--format", fmt, "-o", str(target))
            text = target.read_text()
            if fmt == "fcp7":
                inner = ET.fromstring(text).find("./project/children/sequence/media/video/track/clipitem/sequence")
                assert inner.findtext("./name") == "Selects"
                assert [(int(c.findtext("./in")), int(c.findtext("./out"))) for c in inner.iter("clipitem")] == [
                    (30, 76), (50, 100)]
                continue
            if fmt == "fcpxml":
                xmllint(target, "1.10")
                check_refs(text)
                assert "<ref-clip " in text
            back = otio.adapters.read_from_file(str(target)) if fmt == "otio" else fcpxml.read_string(text)
            [stack] = [i for i in back.tracks[0] if isinstance(i, otio.schema.Stack)]
            assert stack.name == "Selects"
            assert [source_frames(c, rate) for c in stack.find_clips()] == [(30, 76), (50, 100)]
        proc = d.cli("export", "--what", "compound", "--format", "edl", "-o", str(tmp_path / "c.edl"), check=False)
        assert proc.returncode == 2 and "nested" in proc.stderr and not (tmp_path / "c.edl").exists()
