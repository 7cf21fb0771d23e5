"""Every writer's output, read back, gives the same clips to the frame, at every editing rate.

Rates 23.976, 24, 25, 29.97 (drop-frame and not), 50 and 59.94 (drop-frame and not), each
with a non-zero start timecode. Readers: OTIO's for .otio and EDL, ours for FCP7 bins and
FCPXML 1.9+, otio-fcpx-xml-adapter for our FCPXML 1.8 (integer rates: it truncates 29.97 to
29, see docs/design-notes.md). Every FCPXML validates against Apple's DTD of its version.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from rushes_otio import export
from rushes_otio import timecode as tc
from rushes_otio.builders.clusters import build_bins
from rushes_otio.builders.shots import build_shots_timeline
from rushes_otio.errors import FormatLimit
from rushes_otio.records import Group, Mark, MediaTime, Span
from rushes_otio.writers import edl, fcp7, fcpxml, native
from rushes_testkit import in_ci

DTD_DIR = Path(__file__).resolve().parents[2] / "shared" / "interchange" / "fcpxml-dtd"
if not DTD_DIR.is_dir():
    DTD_DIR = Path("/work/shared/interchange/fcpxml-dtd")

# (fps, start timecode): the rates editors cut at, each with a non-zero start.
CASES = [("24000/1001", "01:00:00:00"), ("24/1", "01:00:00:00"), ("25/1", "10:00:00:00"),
         ("30000/1001", "01:00:00;00"), ("30000/1001", "00:59:59:29"), ("50/1", "01:00:00:00"),
         ("60000/1001", "00:59:59;58"), ("60000/1001", "01:00:00:00")]
IDS = [f"{f.split('/')[0]}-{t}" for f, t in CASES]
# Shots with a gap (frames 1800-1811 in no shot), odd lengths, one crossing the DF minute boundary.
SHOTS = [(0, 37), (37, 1799), (1799, 1800), (1811, 2400)]


def media(fps: str, start: str, name: str = "A001_C002.mov", mid: str = "7") -> MediaTime:
    return MediaTime.from_fields(id=mid, path=f"/footage/day 1/{name}", fps=fps, frame_count=2400,
                                 start_timecode=start, width=1920, height=1080, audio_channels=2, audio_rate=48000)


def shots_timeline(m: MediaTime) -> otio.schema.Timeline:
    spans = [Span(m.id, s, e, id=str(100 + i)) for i, (s, e) in enumerate(SHOTS)]
    marks = [Mark(m.id, 37, 38, "cut", note="cut, confidence 0.97"),
             Mark(m.id, 1811, 1823, "dissolve", note="dissolve, frames 1811-1823", color="BLUE")]
    return build_shots_timeline(m, spans, marks)


def bins(m: MediaTime) -> otio.schema.SerializableCollection:
    groups = [Group("scene-1", "scene", members=(Span(m.id, 0, 37, "100"), Span(m.id, 1811, 2400, "103"))),
              Group("scene-2", "scene", name="Kitchen", members=(Span(m.id, 37, 1799, "101"),)),
              Group("noise", "scene", members=(Span(m.id, 1799, 1800, "102", reason="too short"),))]
    return build_bins("scene", groups, {m.id: m})


def source_frames(clip: otio.schema.Clip, rate: Fraction) -> tuple[int, int]:
    """(first, last exclusive) frame of a clip in its media's timecode space, exact."""
    sr = clip.source_range
    start = sr.start_time.rescaled_to(float(rate)).value
    dur = sr.duration.rescaled_to(float(rate)).value
    assert abs(start - round(start)) < 1e-6 and abs(dur - round(dur)) < 1e-6
    return round(start), round(start + dur)


def expected(m: MediaTime, spans) -> list[tuple[int, int]]:
    return [(m.start_frame + s, m.start_frame + e) for s, e in spans]


def xmllint(path: Path, version: str) -> None:
    dtd = DTD_DIR / f"FCPXMLv{version.replace('.', '_')}.dtd"
    if not dtd.is_file() or shutil.which("xmllint") is None:
        if in_ci():
            pytest.fail(f"{dtd} or xmllint missing")
        pytest.skip(f"{dtd} or xmllint missing")
    proc = subprocess.run(["xmllint", "--noout", "--dtdvalid", str(dtd), str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------------ timecode counting

@pytest.mark.parametrize("fps,drop", [("24000/1001", False), ("25/1", False), ("30000/1001", True),
                                      ("30000/1001", False), ("60000/1001", True), ("50/1", False)])
def test_labels_agree_with_the_daemon(fps, drop):
    from rushes.ingest import timecode as daemon_tc

    rate = tc.parse_rate(fps)
    for frame in list(range(0, 20000, 7)) + [107892, 107891, 215784, 215783, 1_000_001]:
        label = tc.to_label(frame, rate, drop)
        assert label == daemon_tc.frames_to_timecode(frame, rate, drop)
        assert tc.to_frames(label, rate) == daemon_tc.timecode_to_frames(label, rate) == frame


def test_labels_match_opentime_on_smpte_rates():
    for fps, start in CASES:
        rate = tc.parse_rate(fps)
        assert tc.to_frames(start, rate) == round(otio.opentime.from_timecode(start, float(rate)).value)


# ------------------------------------------------------------------ round trips

@pytest.mark.parametrize("fps,start", CASES, ids=IDS)
def test_otio_round_trip(tmp_path, fps, start):
    m = media(fps, start)
    for doc in (shots_timeline(m), bins(m)):
        path = tmp_path / "a.otio"
        native.write(doc, path, force=True)
        back = otio.adapters.read_from_file(str(path))
        got = [source_frames(c, m.rate) for c in back.find_clips()]
        assert got == [source_frames(c, m.rate) for c in doc.find_clips()]
        for c in back.find_clips():
            ref = c.media_reference
            assert ref.target_url == "file:///footage/day%201/A001_C002.mov"
            assert round(ref.available_range.start_time.value) == m.start_frame
            assert ref.available_range.start_time.rate == pytest.approx(float(m.rate))
            first, last = source_frames(c, m.rate)
            assert m.start_frame <= first < last <= m.start_frame + m.frame_count
            assert c.metadata["rushes"]["media_id"] == "7"
    tl = shots_timeline(m)
    assert [source_frames(c, m.rate) for c in tl.find_clips()] == expected(m, SHOTS)
    assert round(tl.global_start_time.value) == m.start_frame


@pytest.mark.parametrize("fps,start", CASES, ids=IDS)
def test_edl_round_trip_and_cmx_rules(tmp_path, fps, start):
    m = media(fps, start)
    [path] = edl.write(shots_timeline(m), tmp_path / "shots.edl")
    text = path.read_text()
    check_cmx(text, m)
    back = otio.adapters.read_from_string(text, "cmx_3600", rate=float(m.rate))
    assert [source_frames(c, m.rate) for c in back.find_clips()] == expected(m, SHOTS)
    # Record timecode: the timeline starts at the media's start, so each event's record in equals its source in.
    events = [line.split() for line in text.splitlines() if re.match(r"^\d{3}\s", line)]
    assert [e[4] for e in events] == [e[6] for e in events]
    assert events[0][6] == start
    # LOC lines at the transitions, in the media's timecode; OTIO reads the non-drop ones back.
    locs = re.findall(r"^\* LOC: (\S+) (\w+)\s+(.*)$", text, re.M)
    assert [(loc[0], loc[2]) for loc in locs] == [(m.timecode(37), "CUT"), (m.timecode(1811), "DISSOLVE")]
    if not m.drop_frame:
        markers = [mk for c in back.find_clips() for mk in c.markers]
        assert [round(mk.marked_range.start_time.value) - m.start_frame for mk in markers] == [37, 1811]


def check_cmx(text: str, m: MediaTime) -> None:
    """CMX 3600: TITLE, FCM, numbered events with reels <= 8, equal source and record durations,
    FROM CLIP NAME comments."""
    lines = text.splitlines()
    assert lines[0].startswith("TITLE: ")
    assert lines[1] == ("FCM: DROP FRAME" if m.drop_frame else "FCM: NON-DROP FRAME")
    events = [line for line in lines if re.match(r"^\d{3}\s", line)]
    assert events
    for n, line in enumerate(events, 1):
        num, reel, track, kind, src_in, src_out, rec_in, rec_out = line.split()
        assert int(num) == n and len(num) == 3
        assert len(reel) <= 8 and re.fullmatch(r"[A-Za-z0-9_]+", reel)
        assert (track, kind) == ("V", "C")
        sep = ";" if m.drop_frame else ":"
        for label in (src_in, src_out, rec_in, rec_out):
            assert label[8] == sep, label
        assert tc.to_frames(src_out, m.rate) - tc.to_frames(src_in, m.rate) == \
            tc.to_frames(rec_out, m.rate) - tc.to_frames(rec_in, m.rate)
        following = lines[lines.index(line) + 1]
        assert following.startswith("* FROM CLIP NAME:  ")


@pytest.mark.parametrize("fps,start", CASES, ids=IDS)
def test_edl_bins_one_file_per_cluster(tmp_path, fps, start):
    m = media(fps, start)
    files = edl.write(bins(m), tmp_path / "scenes.edl")
    assert [f.name for f in files] == ["scenes.scene-1.edl", "scenes.Kitchen.edl", "scenes.noise.edl"]
    text = files[0].read_text()
    check_cmx(text, m)
    back = otio.adapters.read_from_string(text, "cmx_3600", rate=float(m.rate))
    assert [source_frames(c, m.rate) for c in back.find_clips()] == expected(m, [(0, 37), (1811, 2400)])
    first = [line.split() for line in text.splitlines() if re.match(r"^\d{3}\s", line)][0]
    assert first[6] == ("01:00:00;00" if m.drop_frame else "01:00:00:00")


@pytest.mark.parametrize("fps,start", CASES, ids=IDS)
def test_fcp7_round_trip(tmp_path, fps, start):
    m = media(fps, start)
    [path] = fcp7.write(shots_timeline(m), tmp_path / "shots.xml")
    back = otio.adapters.read_from_file(str(path), "fcp_xml")
    assert [source_frames(c, m.rate) for c in back.find_clips()] == expected(m, SHOTS)
    for c in back.find_clips():
        assert round(c.media_reference.available_range.start_time.value) == m.start_frame
    assert [round(mk.marked_range.start_time.value) for mk in back.tracks.markers] == [37, 1811]
    text = path.read_text()
    assert f"<displayformat>{'DF' if m.drop_frame else 'NDF'}</displayformat>" in text
    assert "<width>1920</width>" in text.split("<track>")[0]     # the sequence <format> Resolve needs
    # Bins: ours, and our reader.
    [bpath] = fcp7.write(bins(m), tmp_path / "bins.xml")
    read = fcp7.read_string(bpath.read_text())
    assert [b.name for b in read] == ["scene-1", "Kitchen", "noise"]
    assert [[source_frames(c, m.rate) for c in b] for b in read] == [
        expected(m, [(0, 37), (1811, 2400)]), expected(m, [(37, 1799)]), expected(m, [(1799, 1800)])]
    assert read[1].metadata["rushes"]["cluster_id"] == "scene-2"
    assert [c.metadata["rushes"]["id"] for c in read[0]] == ["100", "103"]
    assert read[0][0].media_reference.target_url == "file:///footage/day%201/A001_C002.mov"


@pytest.mark.parametrize("version", fcpxml.VERSIONS)
@pytest.mark.parametrize("fps,start", CASES, ids=IDS)
def test_fcpxml_validates_and_round_trips(tmp_path, fps, start, version):
    m = media(fps, start)
    for name, doc in (("shots", shots_timeline(m)), ("bins", bins(m))):
        [path] = fcpxml.write(doc, tmp_path / f"{name}.fcpxml", version=version)
        xmllint(path, version)
        text = path.read_text()
        assert f'<fcpxml version="{version}">' in text
        check_refs(text)
        back = fcpxml.read_string(text)
        if name == "shots":
            assert [source_frames(c, m.rate) for c in back.find_clips()] == expected(m, SHOTS)
            assert round(back.global_start_time.value) == m.start_frame
            marks = [(round(mk.marked_range.start_time.value) - m.start_frame, mk.name, mk.comment)
                     for c in back.find_clips() for mk in c.markers]
            assert marks == [(37, "cut", "cut, confidence 0.97"), (1811, "dissolve", "dissolve, frames 1811-1823")]
            assert ('tcFormat="DF"' in text) == m.drop_frame
        else:
            assert [b.name for b in back] == ["scene-1", "Kitchen", "noise"]
            assert [[source_frames(c, m.rate) for c in b] for b in back] == [
                expected(m, [(0, 37), (1811, 2400)]), expected(m, [(37, 1799)]), expected(m, [(1799, 1800)])]
            assert back[0][0].metadata["rushes"]["media_id"] == "7"
            assert '<keyword-collection name="Kitchen" />' in text


def check_refs(text: str) -> None:
    """Every asset-clip points at a declared asset and format; every asset at a declared format."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(text)
    formats = {f.get("id") for f in root.iter("format")}
    assets = {a.get("id") for a in root.iter("asset")}
    assert all(a.get("format") in formats for a in root.iter("asset"))
    for ac in root.iter("asset-clip"):
        assert ac.get("ref") in assets
        assert ac.get("format") in formats
    for seq in root.iter("sequence"):
        assert seq.get("format") in formats


@pytest.mark.parametrize("fps,start", [c for c in CASES if Fraction(c[0].split("/")[0]) % 1 == 0
                                       and c[0].endswith("/1")], ids=lambda v: str(v))
def test_fcpxml_18_reads_with_the_otio_adapter(tmp_path, fps, start):
    m = media(fps, start)
    text = fcpxml.render(shots_timeline(m), "1.8")
    read = otio.adapters.read_from_string(text, "fcpx_xml")
    [timeline] = list(read) if isinstance(read, otio.schema.SerializableCollection) else [read]
    assert [source_frames(c, m.rate) for c in timeline.find_clips()] == expected(m, SHOTS)


# ------------------------------------------------------------------ limits

def test_limits_say_what_to_do(tmp_path):
    a = media("25/1", "01:00:00:00")
    b = media("24000/1001", "01:00:00:00", name="B.mov", mid="8")
    mixed = build_bins("scene", [Group("scene-1", "scene", members=(Span("7", 0, 10, "1"), Span("8", 0, 10, "2")))],
                       {"7": a, "8": b})
    with pytest.raises(FormatLimit, match="mixes frame rates"):
        edl.write(mixed, tmp_path / "x.edl")
    odd = media("20/1", "00:00:00:00")
    with pytest.raises(FormatLimit, match="20 fps.*FCPXML or OTIO"):
        edl.write(shots_timeline(odd), tmp_path / "y.edl")
    with pytest.raises(FormatLimit, match="FCP7 XML cannot time"):
        fcp7.write(shots_timeline(odd), tmp_path / "y.xml")
    [ok] = fcpxml.write(shots_timeline(odd), tmp_path / "y.fcpxml")   # FCPXML times any rate
    assert 'frameDuration="1/20s"' in ok.read_text()
    with pytest.raises(FormatLimit, match="1.8-1.13|use one of"):
        fcpxml.render(shots_timeline(a), "2.0")
    twins = build_bins("scene", [Group("scene-1", "scene", members=(
        Span("7", 0, 10, "1"), Span("9", 0, 10, "2")))],
        {"7": media("25/1", "01:00:00:00", name="A001_C002_day1.mov"),
         "9": media("25/1", "01:00:00:00", name="A001_C002_day2.mov", mid="9")})
    with pytest.raises(FormatLimit, match="both get reel"):
        edl.write(twins, tmp_path / "z.edl")
    long = edl.write(twins, tmp_path / "z.edl", reel_len=32)
    assert "A001_C002_day1" in long[0].read_text()
    premiere = edl.render(shots_timeline(a), tmp_path / "p.edl", style="premiere")
    text = next(iter(premiere.values()))
    assert "AX" in text.splitlines()[3] and "* FROM CLIP NAME:  A001_C002.mov" in text


def test_never_overwrites_without_force(tmp_path):
    m = media("25/1", "01:00:00:00")
    target = tmp_path / "a.fcpxml"
    target.write_text("mine")
    with pytest.raises(FileExistsError, match="--force"):
        export.write(shots_timeline(m), "fcpxml", target)
    assert target.read_text() == "mine"
    export.write(shots_timeline(m), "fcpxml", target, force=True)
    assert target.read_text().startswith("<?xml")
    # An EDL of clusters refuses before writing any file when one of them exists.
    (tmp_path / "s.noise.edl").write_text("mine")
    with pytest.raises(FileExistsError):
        export.write(bins(m), "edl", tmp_path / "s.edl")
    assert not (tmp_path / "s.scene-1.edl").exists()
