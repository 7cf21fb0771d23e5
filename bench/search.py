"""Search benchmarks (issue 16): speech accuracy and speed, OCR cost, vector query latency.

    python bench/search.py --part asr    [--whisper NAME=DIR ...]   word error rate + real-time factor
    python bench/search.py --part ocr                                 OCR CPU per frame and per footage minute
    python bench/search.py --part ingest [--file bbb.mp4]              speech + OCR cost against plain decode
    python bench/search.py --part vectors [--sizes 10000,100000,1000000] [--data text|random]
                                                                      p50/p99 latency + recall@10, 384-d

Models come from the registry (`rushes models list`) unless --whisper names a folder. Real
footage from ${RUSHES_MEDIA:-~/.cache/rushes-media}. Prints Markdown rows for bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("daemon", "protos", "plugins")]

MEDIA = Path(os.environ.get("RUSHES_MEDIA") or Path.home() / ".cache" / "rushes-media").expanduser()
SPELL = {"mr": "mister", "mrs": "missus", "dr": "doctor", "ok": "okay"}


def normalise(text: str) -> list[str]:
    """Lower case, punctuation dropped, a few abbreviations spelled as the references spell them."""
    words = re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))
    return [SPELL.get(w, w) for w in words]


def wer(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(edits, reference words): word-level Levenshtein distance."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1], len(ref)


def references() -> dict[str, str]:
    refs = {}
    for line in (MEDIA / "speech_transcription.txt").read_text().splitlines():
        m = re.match(r"<s>(.*)</s>\s*\(.*-(\d+)\)", line)
        if m and (MEDIA / f"speech_{m.group(2)}.wav").is_file():
            refs[f"speech_{m.group(2)}.wav"] = m.group(1).strip()
    stm = [l.split(maxsplit=5) for l in (MEDIA / "dialogue.stm").read_text().splitlines() if l.strip()]
    refs["dialogue.wav"] = " ".join(parts[5] for parts in stm if len(parts) == 6)
    return refs


def part_asr(args: argparse.Namespace) -> None:
    from rushes.models import registry
    from rushes.settings import load_settings
    from rushes.speech.engine import SpeechEngine

    settings = load_settings()
    folders = dict(w.split("=", 1) for w in args.whisper)
    refs = references()
    print("| model | file | audio s | wall s | CPU s | x real time (CPU) | language | WER |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("whisper-tiny-en", "whisper-base"):
        folder = folders.get(name)
        if folder is None:
            try:
                folder = str(registry.locate(name, settings))
            except Exception as exc:
                print(f"| {name} | - | unavailable: {exc} |")
                continue
        engine = SpeechEngine(Path(folder), threads=2, english_only=name.endswith("-en"))
        total_e = total_n = 0
        for fname, ref in refs.items():
            c0, t0 = time.process_time(), time.perf_counter()
            out = engine.transcribe(MEDIA / fname)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            hyp = " ".join(s.text for s in out.segments)
            e, n = wer(normalise(ref), normalise(hyp))
            total_e, total_n = total_e + e, total_n + n
            print(f"| {name} | {fname} | {out.duration_s:.1f} | {wall:.2f} | {cpu:.2f} | "
                  f"{out.duration_s / max(cpu, 1e-9):.1f} | {out.language} ({out.language_probability:.2f}) | "
                  f"{e / n:.3f} ({e}/{n}) |")
            if args.verbose:
                print("   ", hyp)
        print(f"| {name} | **all** | | | | | | **{total_e / total_n:.3f}** ({total_e}/{total_n}) |")


def part_ocr(args: argparse.Namespace) -> None:

    from rushes.decode.seek import read_frames
    from rushes.models import registry
    from rushes.ocr.engine import OcrEngine, merge_rows
    from rushes.settings import load_settings

    engine = OcrEngine(registry.locate("ppocr-v4", load_settings()), threads=1)
    film = MEDIA / "trailer_bbb.mp4"
    frames = list(range(12, 1300, 48))          # one frame every 2 s of the 24 fps trailer
    cpu = []
    found = 0
    for frame, picture in read_frames(film, frames, width=1280, threads=2):
        c0 = time.process_time()
        lines = merge_rows(engine.read(picture))
        cpu.append(time.process_time() - c0)
        found += bool(lines)
        if args.verbose and lines:
            print(f"    frame {frame}: {[l.text for l in lines]}")
    per = statistics.mean(cpu)
    print(f"| trailer_bbb.mp4, 1280x720 | {len(cpu)} frames (every 2 s) | {found} with text | "
          f"CPU mean {per * 1000:.0f} ms, p90 {sorted(cpu)[int(0.9 * len(cpu))] * 1000:.0f} ms, "
          f"max {max(cpu) * 1000:.0f} ms |")
    print(f"OCR CPU per footage minute at N frames read per minute: {per:.2f} s x N "
          f"(bbb keyframes: see the ingest run)")


@contextlib.contextmanager
def _paused(pids: list[int]):
    """Other processes stopped for the duration (and always resumed)."""
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def _latency(search, queries, warm) -> tuple[float, float, float, float, list[list[int]]]:
    """Wall p50 and p99, CPU p50 and p99 (process CPU, every thread: what a query costs whatever
    the load), in ms over the queries after unmeasured warm-up queries; and the ids found."""
    for q in warm:
        search(q)
    times, cpu, found = [], [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        hits = search(q)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        found.append([int(h.id) for h in hits])

    def pct(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000
    return pct(times, 0.5), pct(times, 0.99), pct(cpu, 0.5), pct(cpu, 0.99), found


class VectorData:
    """Deterministic 384-d unit vectors, made in batches so 1M never sits in Python lists at once.

    "text": like sentence embeddings -- 20,000 topics, each point at cosine ~0.6-0.8 to its
    topic, so a query has real near neighbours (MiniLM vectors of captions and transcript lines
    cluster the same way). "random": independent Gaussian directions, the worst case for any
    approximate search (the true top 10 are barely closer than the rest: cosine ~0.24 vs 0).
    """

    def __init__(self, kind: str, dim: int = 384, seed: int = 16) -> None:
        import numpy as np

        self.kind, self.dim = kind, dim
        self.rng = np.random.default_rng(seed)
        self.centres = None
        if kind == "text":
            c = self.rng.standard_normal((20_000, dim)).astype(np.float32)
            self.centres = c / np.linalg.norm(c, axis=1, keepdims=True)

    def batch(self, n: int):
        import numpy as np

        if self.centres is None:
            v = self.rng.standard_normal((n, self.dim)).astype(np.float32)
        else:
            v = self.centres[self.rng.integers(0, len(self.centres), n)]
            v = v + 0.75 * self.rng.standard_normal((n, self.dim)).astype(np.float32) / np.sqrt(self.dim)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


class ExactTop:
    """The exact top-k of every query by cosine, kept up to date batch by batch (numpy)."""

    def __init__(self, queries, k: int = 10) -> None:
        import numpy as np

        self.q, self.k = queries, k
        self.scores = np.full((len(queries), k), -9.0, np.float32)
        self.ids = np.zeros((len(queries), k), np.int64)

    def add(self, first_id: int, vectors) -> None:
        import numpy as np

        s = np.concatenate([self.scores, self.q @ vectors.T], axis=1)
        i = np.concatenate([self.ids, np.broadcast_to(np.arange(first_id, first_id + len(vectors)),
                                                      (len(self.q), len(vectors)))], axis=1)
        order = np.argsort(-s, axis=1, kind="stable")[:, :self.k]
        self.scores, self.ids = np.take_along_axis(s, order, 1), np.take_along_axis(i, order, 1)

    def recall(self, found: list[list[int]]) -> float:
        return sum(len(set(f) & set(t)) for f, t in zip(found, self.ids.tolist())) / (self.k * len(found))


def part_vectors(args: argparse.Namespace) -> None:
    """Each engine built through Rushes' own VectorStore (the store the daemon opens), batched
    upserts of 10k; latency of store.search (limit 10, payload returned, as the search room
    asks); recall@10 against exact numpy cosine. The edge store is also timed with its
    quantization ignored: that float32 scan is what the store did before quantized search."""
    import qdrant_edge as qe

    from rushes.vectors import Point
    from rushes.vectors.edge import EdgeStore
    from rushes.vectors.server import ClientStore

    print(f"data: {args.data}, {args.queries} queries, limit 10, threads {args.threads}")
    print("| vectors (384-d) | engine | build s | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | recall@10 | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        engines = ["qdrant-edge"] + (["qdrant-client local"] if size <= args.local_max else [])
        for engine in engines:
            data = VectorData(args.data)
            queries = data.batch(args.queries + 10)
            exact = ExactTop(queries[10:])
            with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
                store = (EdgeStore(Path(tmp) / "v", threads=args.threads) if engine == "qdrant-edge"
                         else ClientStore(":memory:"))
                store.ensure_collection("text", data.dim)
                t0 = time.perf_counter()
                for start in range(0, size, 10_000):
                    vecs = data.batch(min(10_000, size - start))
                    exact.add(start + 1, vecs)
                    store.upsert("text", [Point(id=start + i + 1, vector=v, payload={"media_id": (start + i) % 500})
                                          for i, v in enumerate(vecs)])
                build = time.perf_counter() - t0
                rows = [(engine, lambda q: store.search("text", q, limit=10))]
                if engine == "qdrant-edge":
                    shard = store._shards["text"]
                    exact_params = qe.SearchParams(quantization=qe.QuantizationSearchParams(ignore=True))

                    def float_scan(q, shard=shard, params=exact_params):
                        return shard.query(qe.QueryRequest(limit=10, query=qe.Query.Nearest(q.tolist()),
                                                           with_payload=True, params=params))
                    rows.append(("qdrant-edge, float32 scan (before)", float_scan))
                if engine == "qdrant-edge":
                    info = store._shards["text"].info()
                    print(f"  ({info.segments_count} segments, {info.indexed_vectors_count:,} of "
                          f"{info.points_count:,} points sealed)", flush=True)
                for label, search in rows:
                    with _paused(args.quiet_pid):
                        p50, p99, c50, c99, found = _latency(search, queries[10:], queries[:10])
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                    print(f"| {size:,} | {label} | {build:.1f} | {p50:.2f} | {p99:.2f} | {c50:.2f} | {c99:.2f} | "
                          f"{exact.recall(found):.3f} | {rss:.0f} |",
                          flush=True)
                store.close()


def part_ingest(args: argparse.Namespace) -> None:
    """What speech and on-screen text add to an ingest of bbb.mp4, against plain decode, in one
    process and one run: the plain decode pass (no consumer), then the analyse step (the one
    decode pass: shots and keyframes) with the speech ear and the text watch riding on it, then
    the speech and ocr steps as the pipeline runs them. CPU is process CPU (all threads), the
    measure that holds on a shared box; the text watch's own CPU is its worker thread's."""
    import importlib

    from rushes.catalog import Catalog, media_rows, projects
    from rushes.decode.decode import decode_pass
    from rushes.ingest.fingerprint import fingerprint
    from rushes.ingest.probe import probe
    from rushes.ocr import step as ocr_step
    from rushes.settings import load_settings
    from rushes.speech import step as speech_step
    from rushes.steps.context import StepContext
    from rushes.vectors import open_store

    src = MEDIA / args.file
    tmp = Path(tempfile.mkdtemp(prefix="rushes-bench-search-", dir=args.tmp))
    os.environ["RUSHES_HOME"] = str(tmp / "home")
    settings = load_settings()
    rows: list[tuple[str, float, float, str]] = []

    def clock(name: str, fn, note: str = ""):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        rows.append((name, time.perf_counter() - w0, time.process_time() - c0, note))
        print(f"  {name}: wall {rows[-1][1]:.1f} s, CPU {rows[-1][2]:.1f} s {note}", file=sys.stderr, flush=True)
        return out

    info = clock("plain decode pass (no consumer)", lambda: decode_pass(src, [], threads=2))
    cat = Catalog.open(settings.catalog_path)
    store = open_store(settings)
    result = probe(src)
    d = result.to_dict()
    with cat.transaction() as conn:
        pid = projects.ensure_project(conn, "default")
        mid = media_rows.upsert_media(conn, fingerprint=fingerprint(src), path=str(src), size=src.stat().st_size,
                                      mtime=src.stat().st_mtime, probe={k: d.get(k) for k in media_rows.MEDIA_FIELDS},
                                      status="analysing", probe_json=json.dumps(d, default=str))
        projects.link_media(conn, pid, mid)
    media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    ctx = StepContext(catalog=cat, vectors=store, settings=settings, media=media, project_id=pid, job_id=1)
    consumers = [*speech_step.make_consumers(ctx), *ocr_step.make_consumers(ctx)]
    watch = ctx.scratch.get(ocr_step.SCRATCH_KEY)
    ctx.scratch["frame_consumers"] = consumers
    shots_step = importlib.import_module("rushes.shots.step")
    clock("analyse step (the decode pass: shots, keyframes) + speech ear + text watch",
          lambda: shots_step.run(ctx))
    ctx.media = cat.query_one("SELECT * FROM media WHERE id=?", (mid,))
    kf = cat.query_one("SELECT COUNT(*) FROM keyframes k JOIN shots s ON s.id=k.shot_id WHERE s.media_id=?", (mid,))[0]
    seen = len(watch.sightings()) if watch is not None else 0
    looked = watch.looked if watch is not None else 0
    wcpu = watch.cpu_s if watch is not None else 0.0
    clock("speech step (Whisper on the VAD's speech)", lambda: speech_step.run(ctx))
    n_read = len(ocr_step.samples(ctx, watch.sightings() if watch is not None else []))
    clock("ocr step (read keyframes, sightings, head)", lambda: ocr_step.run(ctx),
          f"({n_read} frames: {kf} keyframes, {seen} sightings from {looked} looks, head)")
    spans = cat.query("SELECT start_frame, end_frame, text FROM text_spans WHERE media_id=? AND source='screen' "
                      "ORDER BY start_frame", (mid,))
    speech = cat.query_one("SELECT COUNT(*) FROM text_spans WHERE media_id=? AND source='speech'", (mid,))[0]
    store.close()
    cat.close()
    plain_wall, plain_cpu = rows[0][1], rows[0][2]
    print(f"{args.file}: {info.frame_count} frames, {info.duration_s:.0f} s; load average {os.getloadavg()[0]:.1f}")
    print("| stage | wall s | CPU s | CPU x plain decode | note |")
    print("|---|---|---|---|---|")
    for name, wall, cpu, note in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / plain_cpu:.2f} | {note} |")
    print(f"| of which the text watch's detector (worker thread) | | {wcpu:.1f} | {wcpu / plain_cpu:.2f} | "
          f"{looked} looks, {wcpu / max(1, looked) * 1000:.0f} ms each |")
    added = rows[2][2] + rows[3][2] + wcpu
    print(f"speech + OCR add {added:.1f} s CPU = {added / plain_cpu:.2f}x the plain decode's CPU "
          f"({plain_cpu:.1f} s; wall {plain_wall:.1f} s); {speech} transcript segments, {len(spans)} screen lines")
    for r in spans if args.verbose else []:
        print(f"    {r['start_frame']}-{r['end_frame']}: {r['text']}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--part", choices=("asr", "ocr", "vectors", "ingest"), required=True)
    p.add_argument("--file", default="bbb.mp4", help="--part ingest: the footage file")
    p.add_argument("--whisper", action="append", default=[], metavar="NAME=DIR")
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--data", choices=("text", "random"), default="text")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--threads", type=int, default=2, help="the store's search threads (RUSHES_THREADS)")
    p.add_argument("--local-max", type=int, default=100_000, help="largest size run in qdrant-client local mode")
    p.add_argument("--tmp", default=None, help="folder for the shards (default: the system temp dir)")
    p.add_argument("--quiet-pid", type=int, action="append", default=[], metavar="PID",
                   help="--part vectors: stop this process (SIGSTOP) while queries are timed and resume it "
                        "after (a background job on a shared box; its own clock just pauses)")
    p.add_argument("--glibc-defaults", action="store_true",
                   help="--part ingest: keep glibc's allocator defaults instead of the daemon's settings "
                        "(rushes.native_memory.tune_allocator, applied by `rushes serve`)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    if args.part == "ingest" and not args.glibc_defaults:
        from rushes.native_memory import tune_allocator

        print(f"allocator: {tune_allocator() or 'glibc defaults (set in the environment)'}", file=sys.stderr)
    {"asr": part_asr, "ocr": part_ocr, "vectors": part_vectors, "ingest": part_ingest}[args.part](args)


if __name__ == "__main__":
    main()
