"""The Lua menu scripts under LuaJIT (Resolve's Lua): they parse, read and write JSON as Python
does, and apply a plan to a Lua fake of the API with the same result as the Python applier."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from rushes_testkit import in_ci

from resolve.apply import apply
from resolve.plan import make_plan
from resolve.snapshot import from_dict, take
from test_resolve_plan import _fake, _results, _with_highlights

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "plugins" / "resolve" / "scripts" / "lua"
FAKE = Path(__file__).with_name("fake_resolve.lua")
MEDIA = [("/r/a.mov", "23.976", 120), ("/r/b.mov", "23.976", 100), ("/r/c.mov", "29.97", 90), ("/r/d.mov", "23.976", 60)]


def luajit() -> str:
    exe = shutil.which("luajit")
    if exe is None:
        if in_ci():
            pytest.fail("luajit is not installed (make test installs it)")
        pytest.skip("luajit is not installed")
    return exe


def run_lua(code: str, *args: str, cwd: Path | None = None) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(code)
    try:
        proc = subprocess.run([luajit(), script.name, *args], capture_output=True, text=True, timeout=60, cwd=cwd)
    finally:
        Path(script.name).unlink()
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_shipped_lua_file_parses():
    files = sorted(LUA.glob("*.lua")) + [FAKE]
    assert len(files) >= 7
    for f in files:
        proc = subprocess.run([luajit(), "-bl", str(f)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{f.name}: {proc.stderr}"


def test_lua_json_reads_and_writes_what_python_does(tmp_path):
    value = {"ops": [{"op": "add_marker", "frame": 48, "custom_data": 'rushes:{"shot":"7"}', "note": "é\n\t\"x\"\\",
                      "bin": ["Rushes", "Scènes", "日本"], "f": 0.5, "neg": -3, "t": True, "n": None, "e": []}]}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    src2 = tmp_path / "in2.json"
    src2.write_text(json.dumps(value, ensure_ascii=True), encoding="utf-8")
    code = (f'local J = dofile("{LUA}/rushes_json.lua") '
            'for _, p in ipairs(arg) do local f = io.open(p) local t = J.decode(f:read("*a")) f:close() '
            'io.write(J.encode(t), "\\n") end')
    out = run_lua(code, str(src), str(src2)).splitlines()
    assert [json.loads(line) for line in out] == [value, value]


DRIVER = r'''
local J = dofile(LUA .. "/rushes_json.lua")
local R = dofile(LUA .. "/rushes_resolve.lua")
local Fake = dofile(FAKE)
local app = Fake.new(true)
app:GetProjectManager():GetCurrentProject():SetSetting("timelineFrameRate", RATE)
for _, m in ipairs(J.decode(MEDIA)) do app.add_media(m[1], m[2], m[3]) end
for _, path in ipairs(arg) do
  local f = io.open(path) local plan = J.decode(f:read("*a")) f:close()
  local done, failed = R.apply(app, plan)
  io.stderr:write(string.format("%d done, %d failed\n", done, #failed))
  for _, x in ipairs(failed) do io.stderr:write(x, "\n") end
  if #failed > 0 then os.exit(1) end
end
io.write(J.encode(R.snapshot(app)))
'''


def _lua_apply(tmp_path: Path, rate: str, plans: list[dict]) -> dict:
    files = []
    for i, plan in enumerate(plans):
        files.append(tmp_path / f"plan{i}.json")
        files[-1].write_text(json.dumps(plan))
    head = (f'LUA = {json.dumps(str(LUA))} FAKE = {json.dumps(str(FAKE))} RATE = {json.dumps(rate)} '
            f'MEDIA = {json.dumps(json.dumps(MEDIA))}\n')
    return json.loads(run_lua(head + DRIVER, *map(str, files)))


def _state(snap) -> dict:
    return {"bins": sorted(snap.bins),
            "clips": sorted((c.file_path, c.bin, c.color, c.keywords, tuple((m.frame, m.custom_data) for m in c.markers))
                            for c in snap.clips if c.kind == "clip"),
            "timelines": sorted((t.name, t.start_frame, t.start_timecode,
                                 tuple(sorted((i.file_path, i.start, i.end, i.source_start, i.source_end) for i in t.items)))
                                for t in snap.timelines),
            "rate": snap.timeline_rate}


@pytest.mark.parametrize("rate", ["23.976", "29.97 DF"])
def test_lua_applier_matches_the_python_applier(tmp_path, rate):
    plan = make_plan(_results(), take(_fake(rate)), parts=("sync",))
    py = _fake(rate)
    assert apply(py, plan.ops).ok
    lua_snap = from_dict(_lua_apply(tmp_path, rate, [plan.to_dict()]))
    assert _state(lua_snap) == _state(take(py))
    assert make_plan(_results(), lua_snap).ops == []         # applied by Lua: nothing left to do
    # New footage, planned from the Lua snapshot, applied by Lua on top: the same as Python's.
    more = make_plan(_results(extra=True), lua_snap)
    assert apply(py, more.ops).ok
    both = from_dict(_lua_apply(tmp_path, rate, [plan.to_dict(), more.to_dict()]))
    assert _state(both) == _state(take(py))


def test_lua_applies_highlights_and_compound_clips_as_python_does(tmp_path):
    results = _with_highlights(compounds=True)
    plan = make_plan(results, take(_fake("29.97 DF")))
    assert {"create_compound_clip", "add_marker", "create_timeline"} <= set(plan.counts())
    py = _fake("29.97 DF")
    assert apply(py, plan.ops).ok
    lua_snap = from_dict(_lua_apply(tmp_path, "29.97 DF", [plan.to_dict()]))
    assert _state(lua_snap) == _state(take(py))
    timeline_markers = {t.name: [(m.frame, m.custom_data) for m in t.markers] for t in lua_snap.timelines}
    assert timeline_markers == {t.name: [(m.frame, m.custom_data) for m in t.markers] for t in take(py).timelines}
    assert make_plan(results, lua_snap).ops == []


def test_lua_menu_runs_the_cli_and_reports_an_unreachable_daemon(tmp_path):
    """menu(): snapshot -> `rushes resolve plan` -> apply, with a stand-in command that answers as
    the CLI does (a plan on stdout, or the daemon-not-running line on stderr and exit 3)."""
    plan = make_plan(_results(), take(_fake("23.976")))
    (tmp_path / "plan.json").write_text(json.dumps(plan.to_dict()))
    cli = tmp_path / "fake_cli.py"
    cli.write_text(
        "import sys, json, pathlib\n"
        "args = sys.argv[1:]\n"
        "snap = json.loads(pathlib.Path(args[args.index('--snapshot') + 1]).read_text())\n"
        "pathlib.Path(sys.argv[0]).with_name('seen.json').write_text(json.dumps(snap))\n"
        "if '--address' in args and args[args.index('--address') + 1] == 'down':\n"
        "    sys.stderr.write('rushes: the Rushes daemon is not running at down: start it with `rushes serve`\\n')\n"
        "    sys.exit(3)\n"
        "print(pathlib.Path(sys.argv[0]).with_name('plan.json').read_text())\n")
    support = tmp_path / "support"
    support.mkdir()
    for name in ("rushes_json.lua", "rushes_resolve.lua"):
        shutil.copy(LUA / name, support / name)
    for address, expect in (("up", "change(s) applied, 0 failed"), ("down", "daemon is not running")):
        (support / "config.lua").write_text(
            f"return {{ command = {{ {json.dumps(sys.executable)}, {json.dumps(str(cli))} }}, address = \"{address}\" }}\n")
        code = (f'local Fake = dofile({json.dumps(str(FAKE))}) local app = Fake.new(false) '
                f'app:GetProjectManager():GetCurrentProject():SetSetting("timelineFrameRate", "23.976") '
                + " ".join(f'app.add_media("{p}", "{r}", {n})' for p, r, n in MEDIA) +
                f' local R = dofile({json.dumps(str(support / "rushes_resolve.lua"))}) '
                f'print(R.menu("sync", app, {json.dumps(str(support))}))')
        out = run_lua(code)
        assert expect in out, out
        seen = json.loads((tmp_path / "seen.json").read_text())
        assert seen["product"] == "DaVinci Resolve" and seen["snapshot_version"] == 1



def test_lua_refuses_a_resolve_older_than_18_5():
    code = (f'local Fake = dofile({json.dumps(str(FAKE))}) local R = dofile({json.dumps(str(LUA / "rushes_resolve.lua"))}) '
            'local app = Fake.new(true) app.GetVersion = function() return { 18, 1, 4, 0, "" } end '
            'local done, failed = R.apply(app, { ops = { { op = "make_bin", bin = { "Rushes" } } } }) '
            'print(done, failed[1])')
    out = run_lua(code)
    assert out.startswith("0") and "18.5 or later" in out
