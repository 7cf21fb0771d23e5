"""End to end: real footage with real start timecodes, ingested by a real daemon on loopback,
exported in every format from the CLI and through `otioconvert` with the plugin, re-read with
OTIO (and our readers), and checked frame by frame against ffprobe and the daemon's shots.

Footage (remuxed from ~/.cache/rushes-media with `-c copy -timecode`, or re-encoded once for
a 5 s cut): carphone.mp4 at 29.97 drop-frame from 01:00:00;00, bikes.mp4 at 25 from
01:00:00:00 (several cuts), face_emotions.mp4 at 23.976 from 00:59:50:00, and
face_then_title.mov, variable frame rate (conformed to 30 by the daemon, 192 frames), from
01:00:00:00 (a cut).
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from rushes_otio import timecode as tc
from rushes_otio.writers import fcp7, fcpxml
from rushes_testkit import DaemonProcess, ffmpeg, free_address, real_media
from test_otio_roundtrip import check_cmx, check_refs, source_frames, xmllint

ROOT = Path(__file__).resolve().parents[1]
FOOTAGE = [  # (source, output name, ffmpeg args, start timecode)
    ("carphone.mp4", "carphone_df.mp4", ("-c", "copy"), "01:00:00;00"),
    ("bikes.mp4", "bikes_tc.mp4", ("-c", "copy"), "01:00:00:00"),
    ("face_emotions.mp4", "emotions_tc.mp4", ("-t", "5", "-an", "-c:v", "libx264", "-preset", "ultrafast"),
     "00:59:50:00"),
    ("face_then_title.mov", "vfr_tc.mov", ("-c", "copy"), "01:00:00:00"),
]


def ffprobe(path: Path) -> dict:
    """What FFmpeg says: rate, start timecode, and the frame count an NLE conforms the file to
    (packets for constant-rate media; for variable-rate media the index of the last picture on
    the conformed rate + 1, ties to the earlier index, as rushes.ingest.rates numbers them)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                          "stream=nb_read_packets,r_frame_rate:stream_tags=timecode:packet=pts_time", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    stream = data["streams"][0]
    pts = sorted(float(p["pts_time"]) for p in data["packets"])
    rate = tc.parse_rate(stream["r_frame_rate"])
    return {"frames": int(stream["nb_read_packets"]), "timecode": stream["tags"]["timecode"], "rate": rate,
            "conformed_frames": math.ceil((pts[-1] - pts[0]) * rate - 0.5) + 1}


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    folder = tmp_path_factory.mktemp("footage")
    for source, name, args, start in FOOTAGE:
        ffmpeg("-i", str(real_media(source)), *args, "-timecode", start, str(folder / name))
    home = tmp_path_factory.mktemp("home")
    with DaemonProcess(home, env={"RUSHES_THREADS": "2"}) as d:
        d.cli("ingest", "--wait", str(folder), timeout=900)
        media = {Path(m["path"]).name: m for m in json.loads(d.cli("media", "list", "--json").stdout)["media"]}
        assert sorted(media) == sorted(f[1] for f in FOOTAGE)
        assert all(m["status"] == "ready" for m in media.values()), media
        d.folder, d.media = folder, media
        yield d


def shots_of(d, name: str) -> list[tuple[int, int]]:
    out = json.loads(d.cli("shots", d.media[name]["id"], "--json").stdout)
    return [(s["start_frame"], s["end_frame"]) for s in out["shots"]]


def rate_of(m: dict) -> Fraction:
    return tc.parse_rate(m["fps"])


@pytest.mark.realmedia
def test_shots_in_every_format_match_ffprobe(daemon, tmp_path):
    for _, name, _, start in FOOTAGE:
        m = daemon.media[name]
        probe = ffprobe(daemon.folder / name)
        assert probe["timecode"] == start == m["start_timecode"]
        rate = rate_of(m)
        assert rate == probe["rate"]
        frames = probe["conformed_frames"] if m["variable_frame_rate"] else probe["frames"]
        assert frames == m["frame_count"]
        first = tc.to_frames(start, rate)
        shots = shots_of(daemon, name)
        want = [(first + s, first + e) for s, e in shots]
        assert shots[0][0] == 0 and shots[-1][1] == m["frame_count"]
        stem = tmp_path / name.split(".")[0]
        for fmt, suffix in (("otio", ".otio"), ("edl", ".edl"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml")):
            target = stem.with_suffix(suffix)
            out = json.loads(daemon.cli("export", "--what", "shots", "--format", fmt, m["id"], "-o", str(target),
                                        "--json").stdout)
            assert out["files"] == [str(target)]
            text = target.read_text()
            if fmt == "otio":
                back = otio.adapters.read_from_file(str(target))
            elif fmt == "edl":
                back = otio.adapters.read_from_string(text, "cmx_3600", rate=float(rate))
                check_cmx(text, _media(m))
                first_event = next(line for line in text.splitlines() if re.match(r"^001\s", line)).split()
                assert first_event[4] == first_event[6] == start
            elif fmt == "fcp7":
                back = fcp7.read_string(text)
                assert f"<string>{start}</string>" in text
            else:
                xmllint(target, "1.10")
                check_refs(text)
                back = fcpxml.read_string(text)
            clips = list(back.find_clips())
            assert [source_frames(c, rate) for c in clips] == want, (name, fmt)
            if fmt != "edl":
                for c in clips:
                    ref = c.media_reference
                    assert otio.url_utils.filepath_from_url(ref.target_url) == m["path"]
                    assert round(ref.available_range.start_time.rescaled_to(float(rate)).value) == first
                    assert round(ref.available_range.duration.rescaled_to(float(rate)).value) == frames
        # Excerpts for the closing note.
        print(f"--- {name}: {stem.with_suffix('.edl').read_text()[:400]}")


def _media(m: dict):
    from rushes_otio.records import MediaTime

    return MediaTime.from_fields(id=m["id"], path=m["path"], fps=m["fps"], frame_count=m["frame_count"],
                                 start_timecode=m["start_timecode"])


@pytest.mark.realmedia
def test_clusters_as_bins_in_every_format(daemon, tmp_path):
    clusters = json.loads(daemon.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
    by_shot = {}
    for name in daemon.media:
        for s in json.loads(daemon.cli("shots", daemon.media[name]["id"], "--json").stdout)["shots"]:
            by_shot[s["id"]] = (daemon.media[name], s["start_frame"], s["end_frame"])

    def want(cluster):
        out = []
        for sid in cluster["shots"]:
            m, s, e = by_shot[sid]
            first = tc.to_frames(m["start_timecode"], rate_of(m))
            out.append((m["path"], first + s, first + e))
        return sorted(out)

    def got(bin_):
        out = []
        for c in bin_:
            path = otio.url_utils.filepath_from_url(c.media_reference.target_url)
            m = next(v for v in daemon.media.values() if v["path"] == path)
            out.append((path, *source_frames(c, rate_of(m))))
        return sorted(out)

    names = [c["name"] or c["id"] for c in clusters]
    for fmt, suffix in (("otio", ".otio"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml")):
        target = tmp_path / f"scenes{suffix}"
        daemon.cli("export", "--what", "clusters", "--view", "scene", "--format", fmt, "-o", str(target))
        text = target.read_text()
        if fmt == "otio":
            back = otio.adapters.read_from_file(str(target))
        elif fmt == "fcp7":
            back = fcp7.read_string(text)
        else:
            # The other versions in-process through the same client and writer (a CLI start each costs ~1 s).
            from rushes_otio import fetch

            with daemon.client() as client:
                doc = fetch.clusters(client, "default", "scene")
            for version in fcpxml.VERSIONS:
                other = tmp_path / f"scenes-{version}.fcpxml"
                fcpxml.write(doc, other, version=version)
                xmllint(other, version)
            back = fcpxml.read_string(text)
        bins = [b for b in back if isinstance(b, otio.schema.SerializableCollection)]
        nonempty = [n for n, c in zip(names, clusters) if c["shots"]]
        assert [b.name for b in bins if len(b)] == nonempty, fmt
        for b in bins:
            cluster = clusters[names.index(b.name)]
            assert got(b) == want(cluster), (fmt, b.name)
    # EDL: one file per cluster with members, or a clear error when a cluster mixes rates.
    proc = daemon.cli("export", "--what", "clusters", "--format", "edl", "-o", str(tmp_path / "scenes.edl"),
                      check=False)
    if proc.returncode == 0:
        files = proc.stdout.split()
        assert len(files) == sum(1 for c in clusters if c["shots"])
        for f in files:
            assert re.match(r"scenes\..+\.edl$", Path(f).name)
    else:
        assert proc.returncode == 2 and "mixes" in proc.stderr, proc.stderr
    # People: face tracks as clips.
    people = json.loads(daemon.cli("clusters", "--view", "people", "--json").stdout)["clusters"]
    target = tmp_path / "people.otio"
    daemon.cli("export", "--what", "clusters", "--view", "people", "--format", "otio", "-o", str(target))
    back = otio.adapters.read_from_file(str(target))
    assert sorted(c.metadata["rushes"]["id"] for b in back for c in b) == sorted(
        t for c in people for t in c["tracks"])


@pytest.mark.realmedia
def test_cli_refuses_to_overwrite_and_names_limits(daemon, tmp_path):
    m = daemon.media["bikes_tc.mp4"]
    target = tmp_path / "a.fcpxml"
    target.write_text("mine")
    proc = daemon.cli("export", "--what", "shots", "--format", "fcpxml", m["id"], "-o", str(target), check=False)
    assert proc.returncode == 1 and "--force" in proc.stderr and target.read_text() == "mine"
    daemon.cli("export", "--what", "shots", "--format", "fcpxml", m["id"], "-o", str(target), "--force")
    assert "<fcpxml" in target.read_text()
    proc = daemon.cli("export", "--what", "shots", "--format", "fcpxml", "--fcpxml-version", "2.0", m["id"],
                      "-o", str(tmp_path / "b.fcpxml"), check=False)
    assert proc.returncode == 2 and "1.10" in proc.stderr
    proc = daemon.cli("export", "--what", "shots", "--format", "otio", "-o", str(tmp_path / "c.otio"), check=False)
    assert proc.returncode == 2 and "MEDIA" in proc.stderr


def _plugin_env(tmp_path: Path, address: str, home: Path | None = None) -> dict:
    """The entry point as an installed distribution declares it, without installing anything:
    a dist-info folder on the path (importlib.metadata finds it like any other)."""
    site = tmp_path / "site"
    info = site / "rushes_otio_plugin-0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rushes-otio-plugin\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text("[opentimelineio.plugins]\nrushes_otio = rushes_otio\n")
    paths = [str(site)] + [str(ROOT / p) for p in ("otio_adapters", "plugins", "protos")]
    env = {k: v for k, v in os.environ.items() if k != "OTIO_PLUGIN_MANIFEST_PATH"}
    env.update(PYTHONPATH=os.pathsep.join(paths), RUSHES_ADDRESS=address)
    if home is not None:    # the loopback token lives in the daemon's data folder
        env["RUSHES_HOME"] = str(home)
    return env


def _otio_tool(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    script = f"import sys; from opentimelineio.console.{name} import main; sys.argv[0] = '{name}'; main()"
    return subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.realmedia
def test_otioconvert_reads_rushes_query_files(daemon, tmp_path):
    env = _plugin_env(tmp_path, daemon.address, daemon.home)
    m = daemon.media["carphone_df.mp4"]
    query = tmp_path / "selects.rushes"
    query.write_text(json.dumps({"project": "default", "what": "shots", "media": m["path"]}))
    out = tmp_path / "selects.otio"
    proc = _otio_tool("otioconvert", "-i", str(query), "-o", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    rate = rate_of(m)
    first = tc.to_frames(m["start_timecode"], rate)
    want = [(first + s, first + e) for s, e in shots_of(daemon, "carphone_df.mp4")]
    assert [source_frames(c, rate) for c in otio.adapters.read_from_file(str(out)).find_clips()] == want
    # Our writers as OTIO adapters: FCPXML 1.11 and the EDL with its FCM line.
    fx = tmp_path / "selects.fcpxml"
    proc = _otio_tool("otioconvert", "-i", str(query), "-o", str(fx), "-O", "rushes_fcpxml", "-A", "version=1.11",
                      env=env)
    assert proc.returncode == 0, proc.stderr
    xmllint(fx, "1.11")
    ed = tmp_path / "selects.edl"
    proc = _otio_tool("otioconvert", "-i", str(query), "-o", str(ed), "-O", "rushes_edl", env=env)
    assert proc.returncode == 0, proc.stderr
    assert ed.read_text().splitlines()[1] == "FCM: DROP FRAME"
    proc = _otio_tool("otioconvert", "-i", str(query), "-o", str(tmp_path / "plain.edl"), env=env)
    assert proc.returncode == 0, proc.stderr
    cat = _otio_tool("otiocat", str(query), env=env)
    assert cat.returncode == 0 and '"OTIO_SCHEMA": "Timeline.1"' in cat.stdout
    clusters = tmp_path / "people.rushes"
    clusters.write_text(json.dumps({"what": "clusters", "view": "people"}))
    proc = _otio_tool("otioconvert", "-i", str(clusters), "-o", str(tmp_path / "people.otio"), env=env)
    assert proc.returncode == 0, proc.stderr


def test_query_file_with_the_daemon_down_says_so(tmp_path):
    address = free_address()
    env = _plugin_env(tmp_path, address)
    query = tmp_path / "a.rushes"
    query.write_text(json.dumps({"what": "clusters"}))
    proc = _otio_tool("otioconvert", "-i", str(query), "-o", str(tmp_path / "a.otio"), env=env)
    assert proc.returncode != 0
    assert f"the Rushes daemon is not running at {address}" in proc.stderr
    query.write_text(json.dumps({"what": "clusters", "token": "secret"}))
    proc = _otio_tool("otiocat", str(query), env=env)
    assert proc.returncode != 0 and "never holds a token" in proc.stderr


@pytest.mark.realmedia
def test_shared_project_scene_bins_are_frame_exact(ingested_project, tmp_path):
    """The session's ingested project (conftest): scenes.mp4 was cut at frames 50, 100 and 150, so
    its four shots must come out as clips of exactly 50k..50k+50 in whichever bin holds them."""
    scenes = ingested_project.media["scenes.mp4"]
    with ingested_project.daemon() as d:
        clusters = json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]
        shot_ids = [s["id"] for s in json.loads(d.cli("shots", scenes, "--json").stdout)["shots"]]
        for fmt, suffix in (("otio", ".otio"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml")):
            target = tmp_path / f"scenes{suffix}"
            d.cli("export", "--what", "clusters", "--format", fmt, "-o", str(target))
            text = target.read_text()
            back = (otio.adapters.read_from_file(str(target)) if fmt == "otio" else
                    fcp7.read_string(text) if fmt == "fcp7" else fcpxml.read_string(text))
            placed = {}
            for b in back:
                for c in b:
                    meta = c.metadata["rushes"]
                    if meta["media_id"] == scenes:
                        placed[meta["id"]] = (b.name, source_frames(c, Fraction(25)))
            assert sorted(v[1] for v in placed.values()) == [(0, 50), (50, 100), (100, 150), (150, 200)], fmt
            for sid, (bin_name, _) in placed.items():
                cluster = next(c for c in clusters if sid in c["shots"])
                assert bin_name == (cluster["name"] or cluster["id"])
            assert sorted(placed) == sorted(shot_ids)
