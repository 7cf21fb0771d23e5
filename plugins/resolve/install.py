"""Put the menu scripts where Resolve looks, take exactly them away again, and say what is wrong.

Folders (Blackmagic's scripting README, API-FACTS.md "Where scripts go"): menu scripts go in
`<Fusion/Scripts>/Utility` (shown on every page; created when missing). Support files (the Lua
JSON and applier modules, the pure Python plugin modules, and where the `rushes` command and the
daemon are) go in `<Fusion/Scripts>/Modules/Rushes`, which the menu does not list. No token is
ever written there: a `--system` install is readable by every user; the CLI finds the token in
the user's own settings (RUSHES_TOKEN or ~/.config/rushes/config.toml).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from rushes_client import DaemonUnavailable
from rushes_client import connect as _connect

PLATFORMS = ("darwin", "windows", "linux")
HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
MENUS = {  # menu entry -> (Lua file, Python file) under scripts/
    "Rushes - Sync bins": "sync",
    "Rushes - Highlights": "highlights",
    "Rushes - Compound clip from highlights": "compound",
    "Rushes - Learn from my bins": "learn",
    "Rushes - Search to timeline": "search",      # the newest saved search (`rushes search ... --save NAME`)
}
LUA_SUPPORT = ("rushes_json.lua", "rushes_resolve.lua")
PY_SUPPORT = ("__init__.py", "frames.py", "ops.py", "snapshot.py", "apply.py")
PLACEHOLDER = "@@RUSHES_SUPPORT@@"
MANIFEST = "install-manifest.json"


def current_platform() -> str:
    return {"darwin": "darwin", "win32": "windows"}.get(sys.platform, "linux")


def scripts_folder(scope: str = "user", platform: str | None = None, env: Mapping[str, str] | None = None,
                   home: Path | None = None) -> Path:
    """Resolve's Fusion/Scripts folder for one user or for all (README paths)."""
    platform = platform or current_platform()
    env = os.environ if env is None else env
    home = Path(home or Path.home())
    if platform == "darwin":
        base = Path("/Library") if scope == "system" else home / "Library"
        return base / "Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts"
    if platform == "windows":
        if scope == "system":
            return Path(env.get("PROGRAMDATA", r"C:\ProgramData")) / "Blackmagic Design/DaVinci Resolve/Fusion/Scripts"
        appdata = env.get("APPDATA") or str(home / "AppData/Roaming")
        return Path(appdata) / "Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts"
    if scope == "system":
        return Path("/opt/resolve/Fusion/Scripts")
    return home / ".local/share/DaVinciResolve/Fusion/Scripts"


def rushes_command() -> list[str]:
    """How a menu script runs the CLI: the `rushes` next to this Python, else this Python -m."""
    exe = Path(sys.executable).with_name("rushes.exe" if os.name == "nt" else "rushes")
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("rushes")
    return [found] if found else [sys.executable, "-m", "rushes.cli.main"]


def _lua_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " ./:-_\\" and c != "\\" else f"\\{ord(c):03d}" for c in text) + '"'


@dataclass
class Installed:
    folder: Path
    manifest: Path
    files: list[Path] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)


def install(scope: str = "user", platform: str | None = None, scripts_dir: str | Path | None = None,
            python: bool = False, address: str | None = None, command: list[str] | None = None,
            env: Mapping[str, str] | None = None, home: Path | None = None) -> Installed:
    root = Path(scripts_dir) if scripts_dir else scripts_folder(scope, platform, env, home)
    support = root / "Modules" / "Rushes"
    previous = _read_manifest(support)
    done = Installed(root, support / MANIFEST)
    done.dirs = list(previous.get("dirs", []))
    for folder in (root, root / "Utility", root / "Modules", support, support / "python", support / "python" / "resolve"):
        if not folder.is_dir():
            folder.mkdir(parents=True)
            done.dirs.append(str(folder))

    def put(dest: Path, text: str) -> None:
        dest.write_text(text, encoding="utf-8")
        done.files.append(dest)

    for entry, stem in MENUS.items():
        src = SCRIPTS / ("python" if python else "lua") / (f"menu_{stem}.py" if python else f"menu_{stem}.lua")
        put(root / "Utility" / (entry + (".py" if python else ".lua")),
            src.read_text(encoding="utf-8").replace(PLACEHOLDER, str(support).replace("\\", "/")))
    for name in LUA_SUPPORT:
        put(support / name, (SCRIPTS / "lua" / name).read_text(encoding="utf-8"))
    for name in PY_SUPPORT:
        put(support / "python" / "resolve" / name, (HERE / name).read_text(encoding="utf-8"))
    put(support / "rushes_menu.py", (SCRIPTS / "python" / "rushes_menu.py").read_text(encoding="utf-8"))
    run = command or rushes_command()
    dial = address or os.environ.get("RUSHES_ADDRESS", "")
    put(support / "config.json", json.dumps({"command": run, "address": dial}, indent=1))
    put(support / "config.lua", "return { command = {" + ", ".join(_lua_string(c) for c in run)
        + "}, address = " + _lua_string(dial) + " }\n")
    files = sorted({str(f) for f in done.files} | set(previous.get("files", [])) - _stale(previous, done))
    done.manifest.write_text(json.dumps({"files": files + [str(done.manifest)], "dirs": done.dirs}, indent=1))
    return done


def _stale(previous: dict, done: Installed) -> set[str]:
    """Menu files of the other language from an earlier install: removed, not left behind."""
    now = {str(f) for f in done.files}
    gone = set()
    for f in previous.get("files", []):
        if f not in now and f.endswith((".lua", ".py")) and Path(f).parent.name == "Utility":
            Path(f).unlink(missing_ok=True)
            gone.add(f)
    return gone


def _read_manifest(support: Path) -> dict:
    try:
        return json.loads((support / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def uninstall(scope: str = "user", platform: str | None = None, scripts_dir: str | Path | None = None,
              env: Mapping[str, str] | None = None, home: Path | None = None) -> list[Path]:
    """Remove the files the manifest lists, then the folders install created, if empty."""
    root = Path(scripts_dir) if scripts_dir else scripts_folder(scope, platform, env, home)
    manifest = _read_manifest(root / "Modules" / "Rushes")
    removed = []
    for f in manifest.get("files", []):
        path = Path(f)
        if path.is_file():
            path.unlink()
            removed.append(path)
    for d in sorted(manifest.get("dirs", []), key=len, reverse=True):
        path = Path(d)
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            removed.append(path)
    return removed


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    detail: str


def _fusionscript(platform: str, env: Mapping[str, str]) -> Path | None:
    lib = env.get("RESOLVE_SCRIPT_LIB")
    candidates = [Path(lib)] if lib else []
    candidates += {
        "darwin": [Path("/Applications/DaVinci Resolve/DaVinci Resolve.app/Contents/Libraries/Fusion/fusionscript.so")],
        "windows": [Path(r"C:\Program Files\Blackmagic Design\DaVinci Resolve\fusionscript.dll")],
        "linux": [Path("/opt/resolve/libs/Fusion/fusionscript.so")],
    }[platform]
    return next((c for c in candidates if c.is_file()), None)


def doctor(platform: str | None = None, address: str | None = None, env: Mapping[str, str] | None = None,
           home: Path | None = None, connect: Callable[[str | None], str | None] | None = None) -> list[Check]:
    """The usual reasons a Rushes script does not show up or cannot work, each checked.
    `connect(address)` answers None when the daemon answers, else why not."""
    platform = platform or current_platform()
    env = os.environ if env is None else env
    checks = []
    found = []
    for scope in ("user", "system"):
        folder = scripts_folder(scope, platform, env, home)
        menus = sorted(p.name for p in (folder / "Utility").glob("Rushes - *")) if (folder / "Utility").is_dir() else []
        if menus:
            found.append(folder)
        checks.append(Check(f"{scope} scripts folder", bool(menus) or scope == "system" and bool(found),
                            f"{len(menus)} Rushes menu scripts in {folder / 'Utility'}" if menus else
                            f"no Rushes scripts in {folder / 'Utility'}: run `rushes resolve install --{scope}`"))
    for folder in found:
        cfg_path = folder / "Modules" / "Rushes" / "config.json"
        try:
            command = json.loads(cfg_path.read_text())["command"]
            ok = Path(command[0]).is_file() or shutil.which(command[0]) is not None
            checks.append(Check("rushes command", ok, " ".join(command) if ok else
                                f"{command[0]} is gone: run `rushes resolve install` again"))
        except (OSError, ValueError, KeyError):
            checks.append(Check("rushes command", False, f"{cfg_path} unreadable: run `rushes resolve install` again"))
    lib = _fusionscript(platform, env)
    checks.append(Check("fusionscript", lib is not None, str(lib) if lib else
                        "fusionscript library not found (needed only for external scripts, Studio): set "
                        "RESOLVE_SCRIPT_LIB to it; menu scripts inside Resolve do not need it"))
    pythons = sorted({str(Path(p).resolve()) for name in ("python3", "python")
                      for p in [shutil.which(name, path=env.get("PATH"))] if p})
    checks.append(Check("pythons", len(pythons) <= 1,
                        ", ".join(pythons) + (" (several: Resolve uses the one it finds first; the Lua scripts "
                                              "avoid the question)" if len(pythons) > 1 else "")))
    if connect is None:
        def connect(addr: str | None) -> str | None:  # the real check: dial the daemon
            try:
                _connect(addr).close()
                return None
            except DaemonUnavailable as exc:
                return str(exc)
    problem = connect(address)
    checks.append(Check("daemon", problem is None, problem or f"reachable at {address or env.get('RUSHES_ADDRESS') or '127.0.0.1:50051'}"))
    return checks
