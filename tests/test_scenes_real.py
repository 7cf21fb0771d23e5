"""Scene bins on the real footage of ../shared/media, through the daemon as a new user runs it.

Thirteen files go into one project: seven live-action places that share nothing (bikes,
carphone, cockatoo, city_night, pedestrians, rocket_launch, talking_head), one moment filmed by
four cameras (multicam_cam01-04), a 5 s Big Buck Bunny shot (bigbuckbunny_5s.mp4) and Big Buck
Bunny itself. To keep the test near a minute, bbb.mp4 is its first two minutes, cut by stream
copy (the real bytes, no re-encode): titles, sky, the meadow, the burrow, the bunny waking, and
the stretch bigbuckbunny_5s.mp4 was taken from (48-53 s, found by its frames).
"""
from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from rushes_testkit import DaemonProcess, ffmpeg, in_ci, real_media

PLACES = ["bikes.mp4", "carphone.mp4", "cockatoo.mp4", "city_night.mpg", "pedestrians.avi",
          "rocket_launch.webm", "talking_head.mp4"]
MULTICAM = [f"multicam_cam0{i}.mp4" for i in range(1, 5)]


@pytest.mark.slow
@pytest.mark.realmedia
def test_real_footage_gets_bins_an_editor_would_keep(tmp_path, settings):
    from rushes.models import registry

    if not registry.model_info("mobilenetv2", settings).present:
        if in_ci():
            pytest.fail("mobilenetv2 not pulled: `make test` runs `rushes models pull --defaults` first")
        pytest.skip("mobilenetv2 not pulled on this machine: run `rushes models pull --defaults`")
    footage = tmp_path / "footage"
    footage.mkdir()
    for name in PLACES + MULTICAM + ["bigbuckbunny_5s.mp4"]:
        shutil.copy2(real_media(name), footage / name)
    ffmpeg("-i", str(real_media("bbb.mp4")), "-t", "120", "-c", "copy", "-an", str(footage / "bbb.mp4"))
    # the data folder this test's settings point at (conftest linked the pulled models into it)
    with DaemonProcess(settings.home, env={"RUSHES_FACES_SAMPLE_S": "2"}) as d:
        for name in PLACES + MULTICAM + ["bigbuckbunny_5s.mp4", "bbb.mp4"]:   # one at a time: fixed ids
            job = json.loads(d.cli("ingest", "--wait", "--json", str(footage / name)).stdout)["jobs"][0]
            assert job["state"] == "done", job
        where: dict[str, str] = {}
        for c in json.loads(d.cli("clusters", "--view", "scene", "--json").stdout)["clusters"]:
            for s in c["shots"]:
                where[s] = c["id"]
        file_of: dict[str, str] = {}
        for name in PLACES + MULTICAM + ["bigbuckbunny_5s.mp4", "bbb.mp4"]:
            for s in json.loads(d.cli("shots", str(footage / name), "--json").stdout)["shots"]:
                file_of[str(s["id"])] = name
    assert set(where) == set(file_of)               # every shot sits in exactly one place
    bins = {name: Counter(where[s] for s, f in file_of.items() if f == name) for name in set(file_of.values())}
    report = {name: dict(c) for name, c in sorted(bins.items())}

    # seven places that share nothing never share a bin
    for i, a in enumerate(PLACES):
        for b in PLACES[i + 1:]:
            shared = (set(bins[a]) & set(bins[b])) - {"noise"}
            assert not shared, (a, b, report)
    # each of them is not mixed with the cartoon or the multicam platform either
    cartoon = set(bins["bbb.mp4"]) | set(bins["bigbuckbunny_5s.mp4"])
    for name in PLACES:
        assert not (set(bins[name]) & (cartoon | set(bins["multicam_cam01.mp4"]))) - {"noise"}, (name, report)
    # one moment, four cameras: one bin
    cams = {where[s] for s, f in file_of.items() if f in MULTICAM}
    assert len(cams) == 1 and cams != {"noise"}, report
    # the 5 s shot sits with bbb's matching shots
    five = set(bins["bigbuckbunny_5s.mp4"]) - {"noise"}
    assert five and five <= set(bins["bbb.mp4"]), report
    # bbb's shots spread over several bins, none of them holding most of the film
    bbb_bins = bins["bbb.mp4"]
    real_bins = [c for c in bbb_bins if c != "noise"]
    assert len(real_bins) >= 3, report
    assert max(bbb_bins[c] for c in real_bins) <= 0.6 * sum(bbb_bins.values()), report
    # the noise bucket is for the truly unsure: most shots have a bin
    assert sum(1 for c in where.values() if c == "noise") <= 0.3 * len(where), report
