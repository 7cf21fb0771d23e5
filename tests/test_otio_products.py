"""Highlights (markers with score and reason) and compound clips (nested stacks) in every format.

Exactness is the round-trip suite's job (test_otio_roundtrip.py); here each product keeps its
shape: marker names, colours, notes and places; compound clips stay nested (FCPXML ref-clip /
media, FCP7 nested sequence), and an EDL, which cannot nest, says so.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import opentimelineio as otio
import pytest

from rushes_otio.builders.compound import build_compound_timeline
from rushes_otio.builders.highlights import build_highlights_timeline
from rushes_otio.errors import FormatLimit
from rushes_otio.records import Compound, Mark, Span
from rushes_otio.writers import edl, fcp7, fcpxml, native
from test_otio_roundtrip import check_refs, media, source_frames, xmllint


def two_media(fps="30000/1001", start="01:00:00;00"):
    a = media(fps, start, name="A.mov", mid="1")
    b = media(fps, "02:00:00;00" if ";" in start else "02:00:00:00", name="B.mov", mid="2")
    return {"1": a, "2": b}


def highlight_marks():
    return [Mark("2", 500, 620, "#1 action sequence", note="score 0.91; reason: action sequence", color="GREEN",
                 id="hl-2-500-620", kind="highlight"),
            Mark("1", 100, 160, "#2 excitement peak", note="score 0.62; reason: excitement peak", color="YELLOW",
                 id="hl-1-100-160", kind="highlight")]


@pytest.mark.parametrize("fps,start", [("30000/1001", "01:00:00;00"), ("25/1", "01:00:00:00")])
def test_highlights_markers_in_every_format(tmp_path, fps, start):
    media_ = two_media(fps, start)
    tl = build_highlights_timeline("Highlights", media_, highlight_marks())
    clips = list(tl.find_clips())
    assert [c.media_reference.name for c in clips] == ["B.mov", "A.mov"]        # best media first
    assert [(m.name, m.color, m.comment) for c in clips for m in c.markers] == [
        ("#1 action sequence", "GREEN", "score 0.91; reason: action sequence"),
        ("#2 excitement peak", "YELLOW", "score 0.62; reason: excitement peak")]

    back = otio.adapters.read_from_file(str(native.write(tl, tmp_path / "h.otio")[0]))
    b_clip = list(back.find_clips())[0]
    [mk] = b_clip.markers
    b = media_["2"]
    assert source_frames(otio.schema.Clip(source_range=mk.marked_range), b.rate) == (b.start_frame + 500,
                                                                                   b.start_frame + 620)
    assert mk.metadata["rushes"]["id"] == "hl-2-500-620"

    text = edl.write(tl, tmp_path / "h.edl")[0].read_text()
    assert f"* LOC: {b.timecode(500)} GREEN   #1 ACTION SEQUENCE" in text
    assert f"* LOC: {media_['1'].timecode(100)} YELLOW  #2 EXCITEMENT PEAK" in text

    seq = otio.adapters.read_from_string(fcp7.render(tl), "fcp_xml")
    # Sequence markers at their record frames: B's clip comes first, A's after B's 2400 frames.
    assert [(m.name, round(m.marked_range.start_time.value)) for m in seq.tracks.markers] == [
        ("#1 action sequence", 500), ("#2 excitement peak", 2400 + 100)]

    for version in ("1.8", "1.10", "1.13"):
        path = fcpxml.write(tl, tmp_path / f"h{version}.fcpxml", version=version)[0]
        xmllint(path, version)
    read = fcpxml.read_string((tmp_path / "h1.10.fcpxml").read_text())
    assert [(m.name, m.comment) for c in read.find_clips() for m in c.markers] == [
        ("#1 action sequence", "score 0.91; reason: action sequence"),
        ("#2 excitement peak", "score 0.62; reason: excitement peak")]


def compounds():
    return [Compound("c1", "Best bits", (Span("2", 500, 620, "hl-2-500-620"), Span("1", 100, 160, "hl-1-100-160"))),
            Compound("c2", "Opening", (Span("1", 0, 48, "s1"),))]


@pytest.mark.parametrize("fps,start", [("24000/1001", "01:00:00:00"), ("30000/1001", "01:00:00;00")])
def test_compound_clips_stay_nested(tmp_path, fps, start):
    media_ = two_media(fps, start)
    tl = build_compound_timeline("Compound clips", compounds(), media_)
    a, b = media_["1"], media_["2"]
    want = [[(b.start_frame + 500, b.start_frame + 620), (a.start_frame + 100, a.start_frame + 160)],
            [(a.start_frame, a.start_frame + 48)]]

    def nested(timeline):
        stacks = [item for item in timeline.tracks[0] if isinstance(item, otio.schema.Stack)]
        return [s.name for s in stacks], [[source_frames(c, a.rate) for c in s.find_clips()] for s in stacks]

    assert nested(tl) == (["Best bits", "Opening"], want)
    back = otio.adapters.read_from_file(str(native.write(tl, tmp_path / "c.otio")[0]))
    assert nested(back) == (["Best bits", "Opening"], want)

    for version in ("1.8", "1.9", "1.10", "1.11", "1.12", "1.13"):
        path = fcpxml.write(tl, tmp_path / f"c{version}.fcpxml", version=version)[0]
        xmllint(path, version)
    text = (tmp_path / "c1.10.fcpxml").read_text()
    check_refs(text)
    assert text.count("<ref-clip ") == 2 and text.count("<media ") == 2
    assert text.index("<media ") > text.rindex("<asset ")      # resources before what uses them
    assert nested(fcpxml.read_string(text)) == (["Best bits", "Opening"], want)

    # FCP7: each compound is a nested <sequence> inside a clipitem (OTIO's fcp_xml reader drops the
    # nested tracks, so the XML is read here): in/out from the media's first frame + its timecode.
    root = ET.fromstring(fcp7.render(tl))
    starts = {f.get("id"): int(f.findtext("./timecode/frame")) for f in root.iter("file") if f.find("./timecode")}
    outer = root.find("./project/children/sequence/media/video/track")
    got = []
    for item in outer.findall("./clipitem"):
        seq = item.find("./sequence")
        assert seq.findtext("./media/video/format/samplecharacteristics/width") == "1920"
        got.append([(starts[c.find("./file").get("id")] + int(c.findtext("./in")),
                     starts[c.find("./file").get("id")] + int(c.findtext("./out")))
                    for c in seq.iter("clipitem")])
    assert [i.findtext("./name") for i in outer.findall("./clipitem")] == ["Best bits", "Opening"]
    assert got == want

    with pytest.raises(FormatLimit, match="nested sequence.*FCP7 XML, FCPXML or OTIO"):
        edl.write(tl, tmp_path / "c.edl")
