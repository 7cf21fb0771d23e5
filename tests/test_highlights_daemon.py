"""Highlights, compound clips and renders through the real daemon and the `rushes` CLI, on the
session's ingested project (scenes.mp4, talking_head.mp4, bikes.mp4), which the ingest step
"highlights" already scored."""
from __future__ import annotations

import json
import subprocess

import grpc
import pytest

from rushes_proto.v1 import rushes_pb2 as pb


def _nb_frames(path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=nb_frames",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    return int(json.loads(out)["streams"][0]["nb_frames"])


def test_highlights_compound_and_render_end_to_end(ingested_project, tmp_path):
    p = ingested_project
    bikes, head = p.media["bikes.mp4"], p.media["talking_head.mp4"]
    with p.daemon() as d:
        # one media, as the CLI prints it; --debug writes the report the RPC returned
        debug = tmp_path / "debug.json"
        out = json.loads(d.cli("highlights", bikes, "--json", "--debug", str(debug)).stdout)
        assert out["rescored"] is False                          # stored by the ingest step
        for c in out["clips"]:
            assert {"id", "start_frame", "end_frame", "start_s", "end_s", "score", "reason"} <= set(c)
            assert 0 <= c["start_frame"] < c["end_frame"] <= 250
            assert c["end_s"] == pytest.approx(c["end_frame"] / 25, abs=1e-3)
        report = json.loads(debug.read_text())
        assert report["media_id"] == int(bikes) and report["mode"] == "v2"
        assert {"settings", "features", "anchors", "boundaries", "windows", "decisions"} <= set(report)
        # v1 scenes of bikes.mp4 are its shots (cuts at 30, 76, 137, 187, 242), merged where short
        v1 = json.loads(d.cli("highlights", bikes, "--mode", "v1", "--json", "--set", "target_count=50").stdout)
        edges = {0, 30, 76, 137, 187, 242, 250}
        assert v1["rescored"] is True and v1["clips"]
        assert all(c["start_frame"] in edges and c["end_frame"] in edges for c in v1["clips"])

        client = d.client()
        # bad input: INVALID_ARGUMENT naming the problem
        for request, words in (
            (pb.GetHighlightsRequest(media="999"), "999"),
            (pb.GetHighlightsRequest(media=bikes, settings={"no_such": "1"}), "no_such"),
            (pb.GetHighlightsRequest(media=bikes, mode="v3"), "v1 or v2"),
        ):
            with pytest.raises(grpc.RpcError) as err:
                client.stub.GetHighlights(request)
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and words in err.value.details()
        # the project's best across its media
        best = client.highlights("", p.project, limit=3)
        assert 0 < len(best.clips) <= 3 and [c.rank for c in best.clips] == list(range(1, len(best.clips) + 1))
        assert [c.score for c in best.clips] == sorted((c.score for c in best.clips), reverse=True)

        # compound clips: from ranges, listed, renamed, re-set, rendered, deleted
        made = json.loads(d.cli("compound", "create", "reel", "--range", bikes, "30", "76", "--range", head, "0", "45",
                                "--range", bikes, "187", "242", "--json").stdout)
        assert [(s["start_frame"], s["end_frame"]) for s in made["segments"]] == [(30, 76), (0, 45), (187, 242)]
        assert made["segments"][1]["fps"] == "30/1" and made["segments"][1]["has_audio"] is True
        cid = made["id"]
        assert d.cli("compound", "rename", cid, "reel two", "--json").returncode == 0
        listed = json.loads(d.cli("compound", "list", "--json").stdout)["clips"]
        assert [c["name"] for c in listed] == ["reel two"]
        with pytest.raises(grpc.RpcError) as err:
            client.stub.CreateCompoundClip(pb.CreateCompoundClipRequest(
                name="bad", segments=[pb.SourceRange(media_id=bikes, start_frame=100, end_frame=100)]))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "empty" in err.value.details()
        with pytest.raises(grpc.RpcError) as err:
            client.stub.CreateCompoundClip(pb.CreateCompoundClipRequest(
                name="bad", segments=[pb.SourceRange(media_id=bikes, start_frame=200, end_frame=400)]))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "past the end" in err.value.details()

        renders = tmp_path / "renders"
        done = json.loads(d.cli("render", "--out", str(renders), "--compound", cid, "--wait", "--json").stdout)
        assert done["state"] == "done", done
        (path,) = done["outputs"]
        # 46 + 45 frames at 30 fps -> 38 at 25 fps + 55: the output runs at the first segment's rate
        assert _nb_frames(path) == 46 + round(45 / 30 * 25) + 55
        # an existing file is not overwritten unless asked; never into a source folder
        again = d.cli("render", "--out", str(renders), "--compound", cid, "--json", check=False)
        assert again.returncode == 1 and "exists" in again.stderr and "--overwrite" in again.stderr
        src = d.cli("render", "--out", str(p.paths["bikes.mp4"].parent), "--clip", bikes, "0", "25", check=False)
        assert src.returncode == 1 and "source folder" in src.stderr
        batch = json.loads(d.cli("render", "--out", str(renders), "--clip", bikes, "0", "25", "--clip", head, "30", "60",
                                 "--wait", "--json").stdout)
        assert batch["state"] == "done" and [_nb_frames(f) for f in batch["outputs"]] == [25, 30]

        # highlights become a compound clip with one command
        from_hl = json.loads(d.cli("compound", "create", "best", "--from-highlights", "--limit", "2",
                                   "--json").stdout)
        assert 1 <= len(from_hl["segments"]) <= 2 and all(s["highlight_id"] for s in from_hl["segments"])
        assert json.loads(d.cli("compound", "delete", cid, "--json").stdout) == {"deleted": True}
