"""The daemon as an editor meets it: `rushes serve` on loopback, status, token, errors, SIGTERM."""
from __future__ import annotations

import json
import signal
import time

import grpc
import pytest
from rushes_testkit import DaemonProcess, free_address, real_media

from rushes_proto.v1 import rushes_pb2 as pb


def test_status_json_reports_version_data_folder_and_stores(tmp_path):
    with DaemonProcess(tmp_path / "home") as d:
        out = d.cli("status", "--json").stdout
        health = json.loads(out)
        import rushes

        assert health["version"] == rushes.__version__
        assert health["data_folder"] == str(tmp_path / "home")
        names = {s["name"]: s for s in health["stores"]}
        assert names["catalog"]["engine"] == "sqlite" and names["catalog"]["ok"] is True
        assert names["vectors"]["engine"] == "qdrant-edge" and names["vectors"]["ok"] is True
        assert isinstance(health["queue_depth"], int)
        assert (tmp_path / "home" / "catalog.sqlite3").is_file()
        # memory and what is kept loaded (issue 11): nothing before the first job or search
        assert int(health["memory_bytes"]) > 20_000_000
        assert health.get("loaded_models", []) == [] and health["models_idle_release_s"] == 600
        assert "memory: " in d.cli("status").stdout


def test_cli_says_clearly_when_no_daemon_runs(tmp_path):
    d = DaemonProcess(tmp_path / "home")       # never started
    proc = d.cli("status", check=False)
    assert proc.returncode == 3
    assert "not running" in proc.stderr and d.address in proc.stderr and "rushes serve" in proc.stderr


def test_cli_dials_the_address_and_token_of_config_toml_like_the_daemon(tmp_path):
    """`[rushes] address/token` in config.toml move the daemon and the CLI together (the CLI used
    to dial the default and say "not running" while `rushes serve` listened where the file said)."""
    port = free_address().rsplit(":", 1)[1]
    config = tmp_path / "config"
    (config / "rushes").mkdir(parents=True)
    (config / "rushes" / "config.toml").write_text(f'[rushes]\naddress = "0.0.0.0:{port}"\ntoken = "t0ken"\n')
    env = {"XDG_CONFIG_HOME": str(config), "RUSHES_ADDRESS": "", "RUSHES_TOKEN": ""}   # empty: not set
    with DaemonProcess(tmp_path / "home", address=f"127.0.0.1:{port}", env=env) as d:   # both know only the file
        health = json.loads(d.cli("status", "--json").stdout)
        assert health["data_folder"] == str(tmp_path / "home")
        # And the token really is checked: a client without it is refused.
        from rushes_client import RushesClient

        with pytest.raises(grpc.RpcError) as err:
            RushesClient(f"127.0.0.1:{port}", token="").stub.Health(pb.HealthRequest())
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_errors_use_status_codes_with_actionable_messages(tmp_path):
    with DaemonProcess(tmp_path / "home") as d:
        stub = d.client().stub
        with pytest.raises(grpc.RpcError) as err:
            stub.GetJob(pb.GetJobRequest(id="nope"))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.RpcError) as err:
            stub.GetJob(pb.GetJobRequest(id="999"))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND and "rushes jobs" in err.value.details()
        with pytest.raises(grpc.RpcError) as err:
            stub.GetMedia(pb.GetMediaRequest(media="/no/such/file.mov"))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND and "rushes ingest" in err.value.details()
        with pytest.raises(grpc.RpcError) as err:
            stub.Ingest(pb.IngestRequest(paths=[str(tmp_path / "missing")]))
        assert err.value.code() == grpc.StatusCode.NOT_FOUND and "missing" in err.value.details()
        # The daemon is still up after all that.
        assert stub.Health(pb.HealthRequest()).version


def test_binding_beyond_loopback_needs_a_token(tmp_path):
    port = free_address().rsplit(":", 1)[1]
    d = DaemonProcess(tmp_path / "home", address=f"0.0.0.0:{port}")
    proc = d.cli("serve", check=False, timeout=60)
    assert proc.returncode == 2 and "RUSHES_TOKEN" in proc.stderr


def test_token_is_required_on_every_call_when_set(tmp_path):
    port = free_address().rsplit(":", 1)[1]
    with DaemonProcess(tmp_path / "home", address=f"0.0.0.0:{port}", env={"RUSHES_TOKEN": "s3cret"}):
        from rushes_client import RushesClient

        good = RushesClient(f"127.0.0.1:{port}", token="s3cret")
        assert good.health().version
        bad = RushesClient(f"127.0.0.1:{port}", token="wrong")
        with pytest.raises(grpc.RpcError) as err:
            bad.stub.Health(pb.HealthRequest())
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        none = RushesClient(f"127.0.0.1:{port}", token="")
        with pytest.raises(grpc.RpcError) as err:
            list(none.stub.FollowJob(pb.FollowJobRequest(id="1")))
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_sigterm_stops_cleanly(tmp_path):
    d = DaemonProcess(tmp_path / "home").start()
    assert d.proc is not None
    d.proc.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    assert d.proc.wait(30) == 0
    assert time.monotonic() - t0 < 20
    # The catalog is intact and reopens.
    from rushes.catalog import Catalog

    cat = Catalog.open(tmp_path / "home" / "catalog.sqlite3")
    assert cat.query_one("PRAGMA integrity_check")[0] == "ok"


def test_projects_are_created_on_ingest_and_listed(tmp_path):
    with DaemonProcess(tmp_path / "home") as d:
        empty = tmp_path / "empty"
        empty.mkdir()
        d.cli("ingest", "--project", "feature", str(empty))
        names = [p["name"] for p in json.loads(d.cli("projects", "--json").stdout)["projects"]]
        assert "feature" in names


def test_rpcs_whose_feature_has_not_landed_answer_unimplemented_naming_it():
    from rushes.server.handlers._stub import unimplemented
    from rushes.server.service import _guard

    class Aborted(Exception):
        pass

    class Context:
        def abort(self, code, details):
            self.code, self.details = code, details
            raise Aborted()

    class Later:
        Search = unimplemented("Search: visual search (a later issue)")

    ctx = Context()
    with pytest.raises(Aborted):
        _guard("Search", Later.Search)(Later(), None, ctx)
    assert ctx.code == grpc.StatusCode.UNIMPLEMENTED and "visual search" in ctx.details


def test_every_rpc_of_the_contract_has_a_handler():
    from rushes.server.service import RPC_NAMES, RushesServicer

    for name in RPC_NAMES:
        assert getattr(RushesServicer, name) is not getattr(__import__("rushes_proto.v1.rushes_pb2_grpc", fromlist=["x"]).RushesServicer, name)


def test_thread_cap_is_set_before_numpy_loads(tmp_path):
    """RUSHES_THREADS caps BLAS/OpenMP pools only if the cap is in the environment when numpy is
    first imported; `rushes serve` used to import the server (and numpy with it) first."""
    import os
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent('''
        import argparse, importlib.abc, json, os, sys
        seen = {}
        class Hook(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "numpy" and name not in seen:
                    seen[name] = os.environ.get("OMP_NUM_THREADS")
                return None
        sys.meta_path.insert(0, Hook())
        from rushes.cli.commands.serve import start_daemon
        daemon = start_daemon(argparse.Namespace(address=None), "serve")
        daemon.stop()
        print(json.dumps(seen))
    ''')
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    env.update(RUSHES_HOME=str(tmp_path / "home"), RUSHES_THREADS="1", RUSHES_ADDRESS=free_address())
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"numpy": "1"}


def test_daemon_survives_the_folder_it_was_started_in_being_deleted(tmp_path, rushes_home):
    """A daemon runs for weeks; the folder it was started from may go (a temp folder, a drive).
    It used to keep that folder as its working directory, and the speech engine's MKL then died
    at its first transcription ("Intel oneMKL FATAL ERROR: Cannot load libctranslate2"), taking
    the daemon and the job with it. It now works from RUSHES_HOME: the media ends ready, with words."""
    clip = real_media("speech_0880.wav")
    started_in = tmp_path / "started-here"
    started_in.mkdir()
    with DaemonProcess(rushes_home, cwd=started_in) as d:
        started_in.rmdir()
        d.cli("ingest", "--wait", str(clip))
        shown = json.loads(d.cli("media", "show", str(clip), "--json").stdout)
        assert shown["status"] == "ready", shown
        words = d.cli("transcript", str(clip), "--format", "json").stdout
        assert json.loads(words), words
        assert d.proc.poll() is None
