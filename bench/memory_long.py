"""The daemon's memory over a long 1080p ingest with every default step (issue 11).

    PYTHONPATH=daemon:plugins:protos nice python bench/memory_long.py --minutes 20
    ... --minutes 120 --tree /tmp/before     # the same run with another checkout's daemon

Makes (once, cached in --work) a synthetic 1080p24 film that is cheap to make and to decode but
has the structure of real rushes: a 5-minute reel of ~76 real clips from the media folder cut
every 2-6 s, scaled to 1920x1080, with dialogue.wav (speech, so the speech step transcribes)
mixed over bbb's soundtrack; the reel is looped with a stream copy to the asked length. Then it
starts `rushes serve` from --tree on a fresh RUSHES_HOME (models from --models), ingests the
film, and samples every --every seconds, from /proc, the daemon's VmRSS and VmHWM (and the RSS
of any child process) with the job's running step and progress, into a CSV beside the film.
Prints the RSS when the ingest reaches each of 10/30/60/120 media minutes of the decode pass,
the RSS at the start and end of each later step, and the peak.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

MEDIA = Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()
SOURCES = [("bbb.mp4", 590), ("trailer_bbb.mp4", 50), ("talking_head.mp4", 7), ("face_emotions.mp4", 18),
           ("park_cartwheel.mp4", 6.5), ("cockatoo.mp4", 12), ("rocket_launch.webm", 7), ("pedestrians.avi", 75)]
REEL_S = 300


def make_reel(out: Path, seconds: int = REEL_S, seed: int = 11) -> None:
    """A reel of real clips cut every 2-6 s, 1920x1080 at 24 fps, speech over music."""
    rng = random.Random(seed)
    pieces: list[tuple[str, float, float]] = []
    total = 0.0
    while total < seconds:
        name, dur = rng.choice(SOURCES)
        length = min(rng.uniform(2.0, 6.0), seconds - total)
        start = rng.uniform(0, max(0.0, dur - length - 0.2))
        length = min(length, dur - start - 0.1)
        pieces.append((name, start, length))
        total += length
    args = ["ffmpeg", "-y", "-v", "fatal"]
    for name, start, length in pieces:
        args += ["-ss", f"{start:.3f}", "-t", f"{length:.3f}", "-i", str(MEDIA / name)]
    n = len(pieces)
    args += ["-stream_loop", "-1", "-i", str(MEDIA / "dialogue.wav"), "-ss", "30", "-i", str(MEDIA / "bbb.mp4")]
    graph = [f"[{i}:v]fps=24,scale=1920:1080:force_original_aspect_ratio=decrease,"
             f"pad=1920:1080:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v{i}]" for i in range(n)]
    graph.append("".join(f"[v{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]")
    graph.append(f"[{n}:a]aresample=48000[d];[{n + 1}:a]aresample=48000,volume=0.25[b];"
                 f"[d][b]amix=inputs=2:duration=longest:normalize=0,atrim=0:{seconds}[a]")
    args += ["-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]", "-t", str(seconds),
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-g", "48",
             "-c:a", "aac", "-b:a", "128k", "-ac", "2", str(out)]
    subprocess.run(args, check=True)


def make_film(work: Path, minutes: int) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    reel = work / f"reel{REEL_S}.mp4"
    if not reel.exists():
        make_reel(reel.with_suffix(".part.mp4"))
        reel.with_suffix(".part.mp4").rename(reel)
    film = work / f"long{minutes}.mp4"
    if not film.exists():
        loops = -(-minutes * 60 // REEL_S) - 1
        subprocess.run(["ffmpeg", "-y", "-v", "error", "-stream_loop", str(loops), "-i", str(reel), "-c", "copy",
                        "-t", str(minutes * 60), str(film.with_suffix(".part.mp4"))], check=True)
        film.with_suffix(".part.mp4").rename(film)
    return film


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in kB of one process (empty when it is gone)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return out


def children_rss_kb(pid: int) -> int:
    """RSS of the daemon's child processes (ffmpeg and the like), if any."""
    total = 0
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0
    for kid in kids:
        total += proc_status(int(kid)).get("VmRSS", 0) + children_rss_kb(int(kid))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=20)
    ap.add_argument("--work", type=Path, default=Path("/tmp/rushes-memory-long"))
    ap.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1],
                    help="the checkout whose daemon runs (default: this one)")
    ap.add_argument("--models", type=Path, default=Path.home() / ".local/share/rushes/models")
    ap.add_argument("--label", default="run")
    ap.add_argument("--every", type=float, default=5.0)
    ap.add_argument("--idle", type=float, default=0.0, metavar="S",
                    help="after the job, keep sampling for S seconds with models_idle_release_s set to S/2 "
                         "(shows the models being let go)")
    args = ap.parse_args()

    film = make_film(args.work, args.minutes)
    home = args.work / f"home-{args.label}-{args.minutes}"
    if home.exists():
        subprocess.run(["rm", "-rf", str(home)], check=True)
    home.mkdir(parents=True)
    tree = args.tree.resolve()
    env = {**os.environ, "RUSHES_HOME": str(home), "RUSHES_MODELS": str(args.models),
           "PYTHONPATH": os.pathsep.join(str(tree / p) for p in ("daemon", "plugins", "otio_adapters", "protos"))}
    env.pop("RUSHES_ADDRESS", None)
    if args.idle:
        env["RUSHES_MODELS_IDLE_RELEASE_S"] = str(args.idle / 2)
    log = (home / "daemon.log").open("ab")
    daemon = subprocess.Popen([sys.executable, "-m", "rushes.cli.main", "serve"], env=env, stdout=log, stderr=log)
    sys.path[:0] = [str(tree / "plugins"), str(tree / "protos")]
    from rushes_client import DaemonUnavailable, connect  # noqa: E402  (from the tree under test)
    from rushes_client.config import socket_path  # noqa: E402
    from rushes_proto.v1 import rushes_pb2 as pb  # noqa: E402

    address = "unix:" + str(socket_path(home))
    deadline = time.monotonic() + 120
    client = None
    while client is None:
        try:
            client = connect(address, "", timeout=1.0)
        except DaemonUnavailable:
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"daemon did not start: {(home / 'daemon.log').read_text()[-2000:]}")
    client.call("Health", pb.HealthRequest(), timeout=120)
    job = client.stub.Ingest(pb.IngestRequest(project="default", paths=[str(film)]), timeout=120).jobs[0]
    latest = {"job": job}

    def follow() -> None:
        try:
            for j in client.follow(job.id):
                latest["job"] = j
        except Exception:  # noqa: BLE001 - the stream ends with the daemon
            pass

    threading.Thread(target=follow, daemon=True).start()
    out = args.work / f"memory-{args.label}-{args.minutes}min.csv"
    t0 = time.monotonic()
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["wall_s", "step", "step_progress", "job_progress", "rss_mb", "hwm_mb", "children_mb"])
        try:
            while True:
                j = latest["job"]
                running = [s for s in j.steps if s.state == "running"]
                step = running[0] if running else None
                st = proc_status(daemon.pid)
                w.writerow([f"{time.monotonic() - t0:.0f}", step.name if step else j.state,
                            f"{step.progress:.4f}" if step else "", f"{j.progress:.4f}",
                            f"{st.get('VmRSS', 0) / 1024:.0f}", f"{st.get('VmHWM', 0) / 1024:.0f}",
                            f"{children_rss_kb(daemon.pid) / 1024:.0f}"])
                fh.flush()
                if j.state in ("done", "failed", "cancelled") or daemon.poll() is not None:
                    ended = latest.setdefault("ended", time.monotonic())
                    if daemon.poll() is not None or time.monotonic() - ended >= args.idle:
                        break
                time.sleep(args.every)
        finally:
            client.close()
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
                try:
                    daemon.wait(60)
                except subprocess.TimeoutExpired:
                    daemon.kill()
    print(f"job {latest['job'].state}: {latest['job'].error or latest['job'].message}")
    summarise(out, args.minutes)


def summarise(path: Path, minutes: int) -> None:
    """RSS at media minutes of the decode pass, at each later step, and the peak."""
    rows = [r for r in csv.DictReader(path.open()) if int(r["rss_mb"]) > 0]    # not the sample after the daemon left
    print(f"{path.name}: {len(rows)} samples over {rows[-1]['wall_s']} s")
    for mark in (10, 30, 60, 120):
        if mark > minutes:
            break
        # the analyse step reports 0.9 x the decoded fraction while it decodes
        hit = next((r for r in rows if r["step"] == "analyse" and r["step_progress"]
                    and float(r["step_progress"]) / 0.9 * minutes >= mark), None)
        print(f"  analyse at media minute {mark:3d}: " + (f"RSS {hit['rss_mb']} MB (wall {hit['wall_s']} s)" if hit else "not reached"))
    for step in dict.fromkeys(r["step"] for r in rows):
        part = [r for r in rows if r["step"] == step]
        print(f"  {step:10s} RSS {part[0]['rss_mb']:>5} -> {part[-1]['rss_mb']:>5} MB, max {max(int(r['rss_mb']) for r in part)} MB")
    print(f"  peak (VmHWM) {max(int(r['hwm_mb']) for r in rows)} MB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--summarise":
        p = Path(sys.argv[2])
        summarise(p, int(p.stem.split("-")[-1].removesuffix("min")))
    else:
        main()
