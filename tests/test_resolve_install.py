"""`rushes resolve install | uninstall | doctor`: every OS layout in a temporary home, exactly
what was installed removed again, no token written, and the installed menus run (Lua under
LuaJIT, Python as Resolve runs it) against the fakes."""
from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest
from fake_resolve import FakeResolve
from rushes_testkit import tree_state

from resolve import install
from resolve.plan import make_plan
from resolve.snapshot import take
from rushes.cli.main import main as rushes_main
from test_resolve_lua import FAKE, MEDIA, run_lua
from test_resolve_plan import _fake, _results


@pytest.mark.parametrize("platform,scope,expected", [
    ("linux", "user", "HOME/.local/share/DaVinciResolve/Fusion/Scripts"),
    ("linux", "system", "/opt/resolve/Fusion/Scripts"),
    ("darwin", "user", "HOME/Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts"),
    ("darwin", "system", "/Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts"),
    ("windows", "user", "APPDATA/Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts"),
    ("windows", "system", "PROGRAMDATA/Blackmagic Design/DaVinci Resolve/Fusion/Scripts"),
])
def test_scripts_folder_per_os(tmp_path, platform, scope, expected):
    env = {"APPDATA": str(tmp_path / "APPDATA"), "PROGRAMDATA": str(tmp_path / "PROGRAMDATA")}
    got = install.scripts_folder(scope, platform, env, tmp_path / "HOME")
    want = expected.replace("HOME", str(tmp_path / "HOME")).replace("APPDATA", str(tmp_path / "APPDATA")) \
        .replace("PROGRAMDATA", str(tmp_path / "PROGRAMDATA"))
    assert Path(got) == Path(want)


@pytest.mark.parametrize("platform", install.PLATFORMS)
@pytest.mark.parametrize("python", [False, True])
def test_install_then_uninstall_leaves_the_folder_as_it_was(tmp_path, monkeypatch, platform, python):
    monkeypatch.setenv("RUSHES_TOKEN", "s3cret-token")
    home = tmp_path / "home"
    env = {"APPDATA": str(home / "AppData" / "Roaming")}
    scripts = install.scripts_folder("user", platform, env, home)
    (scripts / "Utility").mkdir(parents=True)                  # the editor's own script is already there
    (scripts / "Utility" / "Mine.lua").write_text("print('mine')")
    before = tree_state(home)
    done = install.install("user", platform, python=python, env=env, home=home, command=["/usr/bin/rushes"])
    menus = sorted(p.name for p in (scripts / "Utility").iterdir())
    ext = ".py" if python else ".lua"
    assert menus == sorted(["Mine.lua"] + [name + ext for name in install.MENUS])
    for path in done.files:
        text = path.read_text()
        assert "s3cret-token" not in text and install.PLACEHOLDER not in text
    config = json.loads((scripts / "Modules" / "Rushes" / "config.json").read_text())
    assert config["command"] == ["/usr/bin/rushes"]
    # Re-installing the other language replaces the menus instead of adding a second set.
    install.install("user", platform, python=not python, env=env, home=home, command=["/usr/bin/rushes"])
    assert len(list((scripts / "Utility").iterdir())) == 1 + len(install.MENUS)
    removed = install.uninstall("user", platform, env=env, home=home)
    assert removed and tree_state(home) == before


def test_cli_install_and_doctor(tmp_path, capsys):
    folder = tmp_path / "Scripts"
    assert rushes_main(["resolve", "install", "--scripts-dir", str(folder)]) == 0
    assert (folder / "Utility" / "Rushes - Sync bins.lua").is_file()
    assert rushes_main(["resolve", "uninstall", "--scripts-dir", str(folder)]) == 0
    assert not folder.exists()
    checks = install.doctor("linux", env={"PATH": ""}, home=tmp_path, connect=lambda a: "the Rushes daemon is not running")
    by = {c.what: c for c in checks}
    assert not by["user scripts folder"].ok and "rushes resolve install --user" in by["user scripts folder"].detail
    assert not by["daemon"].ok and not by["fusionscript"].ok
    install.install("user", "linux", home=tmp_path, command=[sys.executable])
    by = {c.what: c for c in install.doctor("linux", env={"PATH": ""}, home=tmp_path, connect=lambda a: None)}
    assert by["user scripts folder"].ok and by["rushes command"].ok and by["daemon"].ok


def _fake_cli(tmp_path: Path, plan: dict) -> Path:
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    cli = tmp_path / "fake_cli.py"
    cli.write_text("import sys, pathlib\nassert sys.argv[1:3] == ['resolve', 'plan'], sys.argv\n"
                   "print(pathlib.Path(sys.argv[0]).with_name('plan.json').read_text())\n")
    return cli


def test_installed_menus_run_inside_resolve(tmp_path):
    """The installed "Rushes - Sync bins" in both languages, run as Resolve runs it (a `resolve`
    global), against the fakes, with a stand-in for the `rushes` CLI."""
    plan = make_plan(_results(), take(_fake("23.976")))
    cli = _fake_cli(tmp_path, plan.to_dict())
    lua_dir, py_dir = tmp_path / "lua", tmp_path / "py"
    install.install(scripts_dir=lua_dir, command=[sys.executable, str(cli)])
    install.install(scripts_dir=py_dir, python=True, command=[sys.executable, str(cli)])
    menu = lua_dir / "Utility" / "Rushes - Sync bins.lua"
    code = (f'local Fake = dofile({json.dumps(str(FAKE))}) resolve = Fake.new(false) '
            'resolve:GetProjectManager():GetCurrentProject():SetSetting("timelineFrameRate", "23.976") '
            + " ".join(f'resolve.add_media("{p}", "{r}", {n})' for p, r, n in MEDIA) +
            f' dofile({json.dumps(str(menu))})')
    assert "change(s) applied, 0 failed" in run_lua(code)
    fake = _fake("23.976")
    saved = list(sys.path)
    try:
        runpy.run_path(str(py_dir / "Utility" / "Rushes - Sync bins.py"), init_globals={"resolve": fake},
                       run_name="__main__")
    finally:
        sys.path[:] = saved
    assert make_plan(_results(), take(fake)).ops == []          # the Python menu applied the whole plan
    assert isinstance(fake, FakeResolve)


def test_python_menu_says_when_the_daemon_is_not_running(tmp_path, capsys):
    cli = tmp_path / "down.py"
    cli.write_text("import sys\nsys.stderr.write('rushes: the Rushes daemon is not running at 127.0.0.1:9: "
                   "start it with `rushes serve`\\n')\nsys.exit(3)\n")
    install.install(scripts_dir=tmp_path / "py", python=True, command=[sys.executable, str(cli)])
    fake = _fake("23.976")
    saved = list(sys.path)
    try:
        runpy.run_path(str(tmp_path / "py" / "Utility" / "Rushes - Learn from my bins.py"),
                       init_globals={"resolve": fake}, run_name="__main__")
    finally:
        sys.path[:] = saved
    out = capsys.readouterr().out
    assert out.strip() == "Rushes: the Rushes daemon is not running at 127.0.0.1:9: start it with `rushes serve`"
    assert take(fake).clips == ()                      # nothing was changed
