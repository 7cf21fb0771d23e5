"""Search on real footage through the real daemon and CLI: a slate and a burnt-in caption drawn
by ffmpeg onto cockatoo.mp4 are read back (slate fields on the media, usable as filters; the
caption found by its words at its own time), and title cards of real films are read."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rushes_testkit import DaemonProcess, burn_text, real_media

SLATE = ["SCENE 12   TAKE 3", "ROLL A004   CAM B", "DATE 2026-11-30"]
CAPTION = "MEET ME AT THE HARBOUR"


@pytest.fixture(scope="module")
def slate_film(tmp_path_factory) -> Path:
    """5 s of cockatoo.mp4 (20 fps): the slate over 0-1.5 s, the caption over 2.0-4.5 s."""
    folder = tmp_path_factory.mktemp("slate")
    plain = burn_text(real_media("cockatoo.mp4"), folder / "plain.mp4", SLATE, end_s=1.5, seconds=5)
    out = burn_text(plain, folder / "A004_C003.mp4", [CAPTION], start_s=2.0, end_s=4.5, size=36)
    plain.unlink()
    return out


def _search(d: DaemonProcess, *args: str) -> dict:
    return json.loads(d.cli("search", *args, "--json").stdout)


def test_slate_read_into_media_and_caption_found_by_its_words(slate_film, rushes_home):
    with DaemonProcess(rushes_home) as d:
        d.cli("ingest", "--wait", str(slate_film))
        media = json.loads(d.cli("media", "show", str(slate_film), "--json").stdout)
        slate = media["slate"]
        assert {k: slate[k] for k in ("scene", "take", "roll", "camera", "date")} == {
            "scene": "12", "take": "3", "roll": "A004", "camera": "B", "date": "2026-11-30"}
        assert slate["frame"] <= 30                     # read inside the first 1.5 s (20 fps; drawtext includes 1.5 s)

        found = _search(d, "harbour")
        assert found["hits"], found
        hit = found["hits"][0]
        assert hit["media_id"] == media["id"] and "text" in hit["channels"] and hit["exact"]
        assert CAPTION.lower() in hit["why"][0]["detail"].lower()
        # Read on frames sampled at 2.5 s and 3.5 s, each standing for one second: inside 1.5-4.5 s.
        assert 1.5 <= hit["start_s"] < hit["end_s"] <= 4.5, hit
        assert hit["end_frame"] > hit["start_frame"] and hit["fps"] == "20/1"

        phrase = _search(d, '"meet me at the harbour"')
        assert phrase["hits"][0]["exact"] and phrase["hits"][0]["start_frame"] == hit["start_frame"]
        assert _search(d, '"harbour at the meet"')["hits"] == [] or not _search(d, '"harbour at the meet"')["hits"][0]["exact"]

        by_slate = _search(d, "scene:12", "take:3")
        assert [h["media_id"] for h in by_slate["hits"]] == [media["id"]]
        assert by_slate["hits"][0]["channels"] == ["slate"]
        assert by_slate["hits"][0]["start_frame"] == 0 and by_slate["hits"][0]["end_frame"] == media["frame_count"]
        assert _search(d, "scene:12", "take:4")["hits"] == []
        assert [h["media_id"] for h in _search(d, "harbour", "roll:a004")["hits"]][:1] == [media["id"]]
        assert _search(d, "harbour", "roll:B001")["hits"] == []

        # Saved for the Resolve menu, and exported as a selects timeline cut at the hit.
        d.cli("search", "harbour", "--save", "harbour", "--json")
        assert _search(d, "--saved", "harbour")["hits"][0]["start_frame"] == hit["start_frame"]
        out = slate_film.parent / "selects.otio"
        d.cli("export", "--what", "search", "--saved", "harbour", "--format", "otio", "-o", str(out), "--force")
        import opentimelineio as otio

        clips = list(otio.adapters.read_from_file(str(out)).find_clips())
        assert len(clips) == len(found["hits"])
        meta = clips[0].metadata["rushes"]
        assert (meta["start_frame"], meta["end_frame"]) == (hit["start_frame"], hit["end_frame"])
        assert clips[0].media_reference.target_url.endswith("A004_C003.mp4")
        assert round(clips[0].source_range.duration.to_seconds() * 20) == hit["end_frame"] - hit["start_frame"]

        proc = d.cli("search", "@Nobody", "--json", check=False)
        assert proc.returncode == 1 and "NOT_FOUND" in proc.stderr and "rushes feedback name" in proc.stderr


def _wait_jobs(d: DaemonProcess, timeout: float = 300) -> list[dict]:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = json.loads(d.cli("jobs", "--json").stdout)["jobs"]
        if all(j["state"] in ("done", "failed", "cancelled") for j in jobs):
            return jobs
        time.sleep(1)
    raise AssertionError(f"jobs still running after {timeout}s: {jobs}")


def test_title_cards_of_real_films_and_catching_up_old_media(rushes_home):
    """face_then_title.mov cuts from a face to the "Caminandes" title card: the words are found on
    the title's shot, not on the face's. A media analysed before OCR existed (its OCR stage and
    text gone) gets a job running only the new steps at the next start, and is found again."""
    import sqlite3

    film = real_media("face_then_title.mov")
    with DaemonProcess(rushes_home) as d:
        d.cli("ingest", "--wait", str(film))
        shots = json.loads(d.cli("shots", str(film), "--json").stdout)
        hits = _search(d, "caminandes")["hits"]
        assert hits and hits[0]["exact"] and "text" in hits[0]["channels"]
        cut = [s for s in shots["shots"] if s["start_frame"] > 0][0]["start_frame"]     # ffmpeg's scene filter: 72
        assert abs(cut - 72) <= 2
        assert hits[0]["start_frame"] >= cut - 2
        first = hits[0]
    with sqlite3.connect(rushes_home / "catalog.sqlite3") as conn:    # as a catalog from before issue 16
        conn.execute("DELETE FROM text_spans")
        conn.execute("DELETE FROM slates")
        conn.execute("DELETE FROM analysis_stages WHERE stage IN ('ocr', 'text_index', 'speech')")
        done_before = dict(conn.execute("SELECT stage, done_at FROM analysis_stages").fetchall())
    with DaemonProcess(rushes_home) as d:
        jobs = _wait_jobs(d)
        caught_up = [j for j in jobs if j["state"] == "done" and j["steps"] and j["steps"][0]["name"] != "probe"]
        assert len(caught_up) == 1, jobs
        names = [s["name"] for s in caught_up[0]["steps"]]
        assert "ocr" in names and set(names) <= {"speech", "ocr", "text_index"}, names   # speech, text_index: when their models are present
        assert _search(d, "caminandes")["hits"][0]["start_frame"] == first["start_frame"]
    with sqlite3.connect(rushes_home / "catalog.sqlite3") as conn:
        done_after = dict(conn.execute("SELECT stage, done_at FROM analysis_stages").fetchall())
    assert {k: done_after[k] for k in done_before} == done_before      # shots, faces, embed: not redone
