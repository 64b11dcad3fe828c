"""WhatsApp extract throughput and memory, the current code against a baseline commit, in one run.

    python -m bench.whatsapp_extract [--scales 1,10] [--baseline REV] [--workdir DIR] [--profile]

1. Writes a realistic spool per scale: every event of the simulated year (the
   stand-in's world, ``simulators.whatsapp.feed.build``: 13 months, about 268k
   messages and statuses; cached in ``~/.cache/djpk/whatsapp-world``) posted as
   webhook deliveries the way ``feed.deliveries`` groups them (1 to 50 changes
   per delivery), in spool lines as the receiver writes them (``sha256``,
   ``received_at``, ``body``). Scale ``k`` writes the year ``k`` times, each copy
   with its own wamids (``wamid.`` -> ``wamid.c<copy>.``), so distinct keys grow
   with the scale, as history does. About 2 % of deliveries carry an event
   again (duplicates the extract must drop), one body in 5,000 is not JSON and
   one message in 5,000 has no id (quarantined), one text in 1,000 carries a NUL.
   Not timed.
2. Per scale and implementation, ONE child process runs ``run_extract`` (full
   refresh) on that spool into a landing folder of its own:
   - ``new``: the code of this working tree;
   - ``old``: the same function from ``--baseline`` (default: the merge base of
     HEAD and ``main``), its ``extractors/`` exported with ``git archive`` into a
     temporary folder put first on the child's ``PYTHONPATH``.
   The child reports the CPU seconds (user + sys) of the extract alone, the
   records it read and its ``VmHWM`` (/proc); the parent takes the child's peak
   RSS from ``os.wait4`` (``ru_maxrss`` of that process only). Spools are written
   by a process of their own, so the parent stays small: Linux starts a child's
   ``ru_maxrss`` at its parent's high-water mark, exec or not.
3. Prints, per run, records read, CPU seconds, records per CPU second, wall seconds
   and peak RSS, then the ratios new/old of the same scale (records/CPU-s, RSS) and
   the RSS growth from the smallest to the largest scale per implementation. Both
   implementations must produce the same batch: the number of records, rejects and
   duplicates per stream are compared, and any difference is printed.

Ratios measured in one run carry over between machines; absolute figures do not
(the machine is shared). ``--profile`` runs the ``new`` extract of the first scale
under cProfile and prints the top functions. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WABA = "102030405060708"
BODIES_PER_FILE = 2_000  # spool day files of about a day's deliveries at 10x


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def year_changes() -> list[bytes]:
    """Every event of the simulated year as one Cloud API change (bytes, one JSON object each)."""
    from simulators.whatsapp.feed import build

    export, _ = build()
    with open(export, "rb") as fh:
        return [line.rstrip(b"\n") for line in fh if line.strip()]


def write_spool(spool: Path, changes: list[bytes], scale: int, seed: int = 15) -> dict[str, int]:
    """``scale`` copies of the year as spool files; returns what was written."""
    rng = random.Random(seed)
    spool.mkdir(parents=True, exist_ok=True, mode=0o700)
    counts = {"deliveries": 0, "changes": 0, "again": 0, "not_json": 0, "no_id": 0, "nul": 0}
    head = f'{{"object":"whatsapp_business_account","entry":[{{"id":"{WABA}","changes":['.encode()
    file_no, in_file, fh = 0, 0, None
    received = 1_700_000_000.0
    for copy in range(scale):
        i = 0
        while i < len(changes):
            size = rng.choice([1, 2, 3, 5, 8, 13, 20, 30, 50])
            group = changes[i : i + size]
            i += size
            if rng.random() < 0.02 and i > 60:  # an event again, inside another delivery
                group = [*group, changes[rng.randrange(i - 60, i - size)]]
                counts["again"] += 1
            if rng.random() < 1 / 5000:  # a message without an id: quarantined
                group = [*group, b'{"field":"messages","value":{"messages":[{"from":"6281","type":"text"}]}}']
                counts["no_id"] += 1
            body = head + b",".join(group) + b"]}]}"
            if copy:
                body = body.replace(b'"wamid.', f'"wamid.c{copy}.'.encode())
            if rng.random() < 1 / 1000 and b'"body":"' in body:
                body = body.replace(b'"body":"', b'"body":"\\u0000', 1)
                counts["nul"] += 1
            if rng.random() < 1 / 5000:
                body = b"<html>502 Bad Gateway</html>"
                counts["not_json"] += 1
            counts["deliveries"] += 1
            counts["changes"] += len(group)
            if fh is None or in_file >= BODIES_PER_FILE:
                if fh is not None:
                    fh.close()
                day = time.strftime("%Y%m%d", time.gmtime(1_600_000_000 + file_no * 86400))
                fh = open(spool / f"webhooks-{day}.jsonl", "w", encoding="utf-8")  # noqa: SIM115
                file_no, in_file = file_no + 1, 0
            received += 0.5
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(received))
            line = {"sha256": hashlib.sha256(body).hexdigest(), "received_at": stamp, "body": body.decode()}
            fh.write(_dumps(line) + "\n")
            in_file += 1
    if fh is not None:
        fh.close()
    return counts


# --------------------------------------------------------------------------- child


def child(spool: str, landing: str, profile: bool) -> None:
    """One extract, in this process: prints its figures as one JSON line."""
    import extractors
    from extractors.whatsapp import WhatsappConfig, run_extract

    print(f"extract from {Path(extractors.__file__).parent}", file=sys.stderr)

    config = WhatsappConfig(Path(spool))
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        batch = prof.runcall(run_extract, config, landing, full_refresh=True)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    else:
        batch = run_extract(config, landing, full_refresh=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = json.loads((batch.folder / "manifest.json").read_text())
    streams = {
        n: {"records": s["records"], "rejected": s["rejected"], "cleaned": s["cleaned"]}
        for n, s in m["streams"].items()
    }
    dup = m["window"]["duplicates"]
    read = sum(s["records"] + s["rejected"] for s in streams.values()) + sum(dup.values())
    hwm = next(int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM"))
    print(json.dumps({"cpu": cpu, "wall": wall, "read": read, "streams": streams, "duplicates": dup, "hwm": hwm}))


def spool_child(spool: str, scale: str) -> None:
    """Writes one spool, in a process of its own: the parent stays small, and a child's
    ``ru_maxrss`` starts from its parent's high-water mark (Linux keeps it across exec)."""
    t = time.perf_counter()
    changes = year_changes()
    c = write_spool(Path(spool), changes, int(scale))
    size = sum(f.stat().st_size for f in Path(spool).iterdir()) / 2**20
    print(
        f"spool {scale}x: {len(changes):,} changes a year; {c}; {size:,.0f} MiB; "
        f"written in {time.perf_counter() - t:.1f} s (not timed)"
    )


# --------------------------------------------------------------------------- parent


def baseline_tree(rev: str, into: Path) -> Path:
    """``extractors/`` of ``rev``, exported into ``into`` (first on the old child's PYTHONPATH)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "extractors"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    # this benchmark beside it: ``python -m`` puts the working directory first on sys.path,
    # so the old child runs from ``into`` (its extractors/) and finds bench/ there too
    (into / "bench").mkdir(exist_ok=True)
    for name in ("__init__.py", "whatsapp_extract.py"):
        shutil.copy(ROOT / "bench" / name, into / "bench" / name)
    return into


def run_child(impl: str, spool: Path, landing: Path, old_tree: Path | None, profile: bool = False) -> dict:
    env = dict(os.environ)
    path = [str(old_tree)] if impl == "old" and old_tree else []
    env["PYTHONPATH"] = os.pathsep.join([*path, str(ROOT)])
    cmd = [sys.executable, "-m", "bench.whatsapp_extract", "--child", str(spool), str(landing)]
    if profile:
        cmd.append("--profile")
    cwd = old_tree if impl == "old" and old_tree else ROOT
    proc = subprocess.Popen(cmd, env=env, cwd=str(cwd), stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{impl} extract failed (exit {proc.returncode})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["rss_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["hwm_mib"] = result["hwm"] / 1024
    shutil.rmtree(landing, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scales", default="1,10", help="copies of the simulated year, comma-separated (default 1,10)")
    p.add_argument("--baseline", default=None, help="git revision of the old code (default: merge base with main)")
    p.add_argument("--impls", default="old,new")
    p.add_argument("--workdir", default=None, help="where spools and batches go (default: a temporary folder)")
    p.add_argument("--repeat", type=int, default=3, help="runs per implementation at the first scale (median)")
    p.add_argument("--profile", action="store_true", help="cProfile the new extract at the first scale")
    p.add_argument("--child", nargs=2, metavar=("SPOOL", "LANDING"), help=argparse.SUPPRESS)
    p.add_argument("--write-spool", nargs=2, metavar=("SPOOL", "SCALE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(*args.child, profile=args.profile)
        return
    if args.write_spool:
        spool_child(*args.write_spool)
        return
    scales = [int(s) for s in args.scales.split(",")]
    impls = args.impls.split(",")
    rev = (
        args.baseline
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-whatsapp-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"bench.whatsapp_extract: scales {scales}, baseline {rev[:10]}, workdir {work}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()}")
    old_tree = baseline_tree(rev, work / "baseline") if "old" in impls else None
    results: dict[tuple[str, int], dict] = {}
    try:
        for scale in scales:
            spool = work / f"spool-{scale}x"
            if not spool.exists():
                cmd = [sys.executable, "-m", "bench.whatsapp_extract", "--write-spool", str(spool), str(scale)]
                subprocess.run(cmd, check=True, cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)})
            if args.profile and scale == scales[0]:
                run_child("new", spool, work / "landing-profile", old_tree, profile=True)
            runs: dict[str, list[dict]] = {impl: [] for impl in impls}
            for _ in range(args.repeat if scale == scales[0] else 1):
                for impl in impls:  # alternating, so both see the same moments of a shared machine
                    r = run_child(impl, spool, work / f"landing-{impl}-{scale}x", old_tree)
                    runs[impl].append(r)
                    print(
                        f"  {impl:>3} {scale:>3}x: {r['read']:>10,} records read, cpu {r['cpu']:7.1f} s, "
                        f"{r['read'] / r['cpu']:>9,.0f} records/cpu-s, wall {r['wall']:7.1f} s, "
                        f"peak RSS {r['rss_mib']:6.0f} MiB (VmHWM {r['hwm_mib']:.0f} MiB)",
                        flush=True,
                    )
            for impl in impls:
                rs = sorted(runs[impl], key=lambda r: r["cpu"])
                results[impl, scale] = {**rs[len(rs) // 2], "cpus": [r["cpu"] for r in runs[impl]]}
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{'impl':>4} {'scale':>5} {'records read':>13} {'cpu s':>8} {'records/cpu-s':>14} {'peak RSS MiB':>13}  cpu s per run"
    )
    for (impl, scale), r in results.items():
        print(
            f"{impl:>4} {scale:>4}x {r['read']:>13,} {r['cpu']:>8.1f} {r['read'] / r['cpu']:>14,.0f} {r['rss_mib']:>13.0f}  "
            + ", ".join(f"{c:.1f}" for c in r["cpus"])
        )
    print()
    for scale in scales:
        if ("old", scale) in results and ("new", scale) in results:
            o, n = results["old", scale], results["new", scale]
            same = (o["streams"], o["duplicates"]) == (n["streams"], n["duplicates"])
            print(
                f"{scale}x: new/old records per cpu-s = {(n['read'] / n['cpu']) / (o['read'] / o['cpu']):.2f}, "
                f"peak RSS new/old = {n['rss_mib'] / o['rss_mib']:.2f}; same batch counts: {same}"
            )
            if not same:
                print(f"   old {o['streams']} {o['duplicates']}\n   new {n['streams']} {n['duplicates']}")
    if len(scales) > 1:
        lo, hi = scales[0], scales[-1]
        for impl in impls:
            if (impl, lo) in results and (impl, hi) in results:
                a, b = results[impl, lo]["rss_mib"], results[impl, hi]["rss_mib"]
                print(
                    f"{impl}: peak RSS {a:.0f} MiB at {lo}x -> {b:.0f} MiB at {hi}x ({b / a:.2f}x for {hi / lo:g}x the records)"
                )


if __name__ == "__main__":
    main()
