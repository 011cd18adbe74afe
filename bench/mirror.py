#!/usr/bin/python3
"""A mirror index against the upstream it mirrors: cached pages at the rate of local ones, and what
the first fetch of a page or file adds.

    bench/mirror.py [--projects 200] [--files 10] [--first 50] [--rounds 3] [--duration 2]

Generates a repository with bench/gen.py (200 projects x 10 files by default, plus gen.py's one
10 MB wheel; deterministic, kept under bench/out/mirror/ once made) and starts two servers on
loopback (BENCH_CLUTCH=path for the native build, as bench/run.sh sets it; else `dotnet
src/Clutch/bin/Release/net10.0/clutch.dll`):

- the UPSTREAM: `clutch serve` on the repository;
- the MEASURED one: `clutch serve` on a fresh folder holding a copy of the same files (so its default
  index has the same projects as local pages), with an index `upstream-mirror` created through the
  CLI (`clutch index create upstream-mirror --upstream http://127.0.0.1:PORT/simple/ --ttl 10m
  --root FOLDER`) while it runs.

Then:

1. first fetch: for --first projects never asked for before (the last ones of the repository), the
   first `GET /upstream-mirror/simple/{p}/` (upstream fetch, parse, store, render) against a second
   one (cached) and the same page straight from the upstream; then one wheel of each, first and
   second `GET /upstream-mirror/files/{p}/{file}` (upstream download, sha256 check, store) against
   the upstream's own answer; and once the 10 MB wheel. Sequential, one keep-alive connection per
   server. The upstream's pages are built beforehand (asked for once, HTML and JSON), so its part
   is a cached answer, as a real index's would be;
2. cached pages: wrk (bench/wrk/random-path.lua, fixed seed; 32 connections, 2 threads) on every
   mirrored project page `/upstream-mirror/simple/{p}/` and on the same projects' local pages
   `/simple/{p}/` of the same server, after each page was asked for once; 1 s of warm-up each,
   then --rounds rounds of --duration s in ABBA order, best round each (noise only ever slows),
   and the median of the per-round ratios (each round's two runs back to back), and the measured
   server's CPU time per request (user + system, from /proc; steadier than rates on a shared machine).

Prints markdown tables. A minute or two in all (one generation, two imports, ~1 min of wrk). Every
process started is stopped by PID when the script ends.
"""

import argparse
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

import bench

HERE = os.path.dirname(os.path.abspath(__file__))
INDEX = "upstream-mirror"
WORKLOADS = [("html", []), ("json", [f"Accept: {bench.JSON_ACCEPT}"]),
             ("html gzip", ["Accept-Encoding: gzip"]), ("json gzip", [f"Accept: {bench.JSON_ACCEPT}", "Accept-Encoding: gzip"])]


def timed_get(port, conn, path, headers=None):
    """(ms, status, body) of one GET over the given keep-alive connection."""
    start = time.perf_counter()
    status, _, body = bench.get(port, path, headers, conn=conn, timeout=60)
    return (time.perf_counter() - start) * 1000, status, body


def expect(status, body, what):
    if status != 200:
        raise RuntimeError(f"{what}: {status} {body[:300]!r}")


def summary(values):
    """p50 / p90 / max in ms (nearest rank, as bench.percentile)."""
    return bench.percentile(values, 50), bench.percentile(values, 90), max(values)


def copy_repository(repo, folder):
    """The repository's package files, without its server state: the measured server's local pages."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(repo, folder, ignore=shutil.ignore_patterns(".clutch"))


def create_mirror(folder, upstream_port, log):
    """`clutch index create` against the running server's folder, as an operator would."""
    cmd = [*bench.CLUTCH_CMD, "index", "create", INDEX, "--upstream", f"http://127.0.0.1:{upstream_port}/simple/",
           "--ttl", "10m", "--root", folder]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    with open(log, "a") as f:
        f.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"clutch index create failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")
    return done.stdout.strip()


def first_fetch(port, upstream_port, projects, wheels, big):
    """Latency table rows: (label, [ms per request]); the pages first, then one file per project."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    up = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
    rows = {k: [] for k in ("page upstream", "page first", "page second", "file upstream", "file first", "file second")}
    added_page, added_file = [], []
    try:
        for p in projects:
            ms, status, body = timed_get(upstream_port, up, f"/simple/{p}/")
            expect(status, body, f"upstream /simple/{p}/")
            rows["page upstream"].append(ms)
            first, status, body = timed_get(port, conn, f"/{INDEX}/simple/{p}/")
            expect(status, body, f"first /{INDEX}/simple/{p}/")
            if wheels[p].encode() not in body:
                raise RuntimeError(f"/{INDEX}/simple/{p}/ does not list {wheels[p]}")
            second, status, body = timed_get(port, conn, f"/{INDEX}/simple/{p}/")
            expect(status, body, f"second /{INDEX}/simple/{p}/")
            rows["page first"].append(first)
            rows["page second"].append(second)
            added_page.append(first - second)
        for p in projects:
            ms, status, original = timed_get(upstream_port, up, f"/files/{p}/{wheels[p]}")
            expect(status, original, f"upstream /files/{p}/{wheels[p]}")
            rows["file upstream"].append(ms)
            first, status, body = timed_get(port, conn, f"/{INDEX}/files/{p}/{wheels[p]}")
            expect(status, body, f"first /{INDEX}/files/{p}/{wheels[p]}")
            second, status, again = timed_get(port, conn, f"/{INDEX}/files/{p}/{wheels[p]}")
            expect(status, again, f"second /{INDEX}/files/{p}/{wheels[p]}")
            if body != original or again != original:
                raise RuntimeError(f"/{INDEX}/files/{p}/{wheels[p]}: not the upstream's bytes")
            rows["file first"].append(first)
            rows["file second"].append(second)
            added_file.append(first - second)

        # The 10 MB wheel, once: its page first (the mirror lists a file before it serves it).
        project = big.split("/", 1)[0]
        _, status, body = timed_get(port, conn, f"/{INDEX}/simple/{project}/")
        expect(status, body, f"/{INDEX}/simple/{project}/")
        up_ms, status, original = timed_get(upstream_port, up, f"/files/{big}")
        expect(status, original, f"upstream /files/{big}")
        first, status, body = timed_get(port, conn, f"/{INDEX}/files/{big}")
        second, status2, again = timed_get(port, conn, f"/{INDEX}/files/{big}")
        if status != 200 or status2 != 200 or body != original or again != original:
            raise RuntimeError(f"/{INDEX}/files/{big}: {status}/{status2}, not the upstream's bytes")
        big_row = (len(original), up_ms, first, second)
    finally:
        conn.close()
        up.close()
    return rows, added_page, added_file, big_row


def warm(port, paths, headers):
    """Asks for every path once (a 200 each); returns the mean body size in bytes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sizes = []
    try:
        for path in paths:
            status, _, body = bench.get(port, path, headers, conn=conn)
            expect(status, body, path)
            sizes.append(len(body))
    finally:
        conn.close()
    return sum(sizes) / len(sizes)


def cached_rates(port, pid, out, projects, args):
    """Best-of-rounds wrk rates of the mirrored and the local project pages, per workload."""
    lists = {"mirror": [f"/{INDEX}/simple/{p}/" for p in projects], "local": [f"/simple/{p}/" for p in projects]}
    files = {}
    for name, paths in lists.items():
        files[name] = os.path.join(out, f"paths-{name}.txt")
        with open(files[name], "w") as f:
            f.write("\n".join(paths) + "\n")
    rows = []
    for label, headers in WORKLOADS:
        if args.only and not re.search(args.only, label):
            continue
        plain = dict(h.split(": ", 1) for h in headers)
        sizes = {name: warm(port, paths, plain) for name, paths in lists.items()}
        best, ratios, cpu = {}, [], {"mirror": [], "local": []}
        order = [("mirror", files["mirror"]), ("local", files["local"])]
        for r in range(args.rounds):
            this_round = {}
            for name, paths in (order if r % 2 == 0 else order[::-1]):
                if r == 0:
                    bench.wrk(port, paths, headers, args.warmup, args)
                before = cpu_seconds(pid)
                sample = bench.wrk(port, paths, headers, args.duration, args)
                cpu[name].append((cpu_seconds(pid) - before) * 1e6 / (sample["rps"] * args.duration))
                if sample["bad"] or sample["errors"]:
                    raise RuntimeError(f"{label} {name}: non-2xx {sample['bad']}, socket errors {sample['errors']}")
                this_round[name] = sample["rps"]
                if name not in best or sample["rps"] > best[name]["rps"]:
                    best[name] = sample
            ratios.append(this_round["mirror"] / this_round["local"])
        row = (label, best["mirror"], best["local"], sizes, ratios, statistics.median(cpu["mirror"]), statistics.median(cpu["local"]))
        print(rate_row(*row), flush=True)
        rows.append(row)
    return rows


def cpu_seconds(pid):
    """User + system CPU time of a process so far (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rate_row(label, m, loc, sizes, ratios, cpu_mirror, cpu_local):
    return (f"| /simple/{{p}}/ {label} | {m['rps']:,.0f} | {loc['rps']:,.0f} | {m['rps'] / loc['rps']:.2f} | "
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) | {cpu_mirror:.1f} / {cpu_local:.1f} | "
            f"{m['p50']:.2f} / {m['p99']:.2f} | {loc['p50']:.2f} / {loc['p99']:.2f} | {sizes['mirror']:,.0f} / {sizes['local']:,.0f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--files", type=int, default=10, help="files per project (bench/gen.py)")
    ap.add_argument("--first", type=int, default=50, help="projects whose first fetch is timed")
    ap.add_argument("--skip-rates", action="store_true", help="first-fetch latency only, no wrk")
    bench.add_wrk_arguments(ap, rounds=3)
    args = ap.parse_args()
    if args.first >= args.projects:
        ap.error("--first must be below --projects")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    atexit.register(bench.stop_all)

    out = os.path.join(HERE, "out", "mirror")
    gen_out = os.path.join(out, "gen")
    t = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), gen_out, str(args.projects), str(args.files)], check=True)
    with open(os.path.join(gen_out, "manifest.json")) as f:
        manifest = json.load(f)
    repo = os.path.join(gen_out, "repo")
    measured = os.path.join(out, "measured")
    copy_repository(repo, measured)
    print(f"repository: {manifest['files']} files in {len(manifest['projects'])} projects ({time.perf_counter() - t:.1f} s)")
    wheels = {}
    for key in manifest["small_files"]:
        project, filename = key.split("/", 1)
        wheels.setdefault(project, filename)

    for log in ("upstream.log", "measured.log"):
        if os.path.exists(os.path.join(out, log)):
            os.remove(os.path.join(out, log))
    upstream = bench.Clutch(repo, os.path.join(out, "upstream.log"))
    server = bench.Clutch(measured, os.path.join(out, "measured.log"))
    upstream_port, port = upstream.wait_port(120), server.wait_port(120)
    for p in (upstream_port, port):
        bench.wait_until(lambda: bench.get(p, "/health/ready")[0] == 200, 600, 0.05)
    print(f"clutch: {' '.join(bench.CLUTCH_CMD)}; upstream :{upstream_port}, measured :{port}")
    t = time.perf_counter()
    print(create_mirror(measured, upstream_port, os.path.join(out, "measured.log")))
    bench.wait_until(lambda: bench.get(port, f"/{INDEX}/simple/")[0] == 200, 30, 0.05)
    print(f"/{INDEX}/simple/ answered {time.perf_counter() - t:.1f} s after `clutch index create` began")

    # The upstream's pages built (HTML and JSON, as the mirror asks) and its files read once: its part is a cached answer.
    named = [p for p in manifest["projects"] if p in wheels]
    for headers in ({}, {"Accept": bench.JSON_ACCEPT}):
        warm(upstream_port, [f"/simple/{p}/" for p in manifest["projects"]], headers)
    bench.warm_files(repo, _write(out, "paths-files.txt", [f"/files/{k}" for k in manifest["small_files"]] + [f"/files/{manifest['big_file']}"]))

    firsts = named[-args.first:]
    rows, added_page, added_file, big = first_fetch(port, upstream_port, firsts, wheels, manifest["big_file"])
    print(f"\nFirst fetch: {len(firsts)} projects never asked for before; sequential, one keep-alive connection per server.\n")
    print("| request | p50 ms | p90 ms | max ms |")
    print("|---|---:|---:|---:|")
    labels = [("page upstream", "upstream `/simple/{p}/` (cached there)"),
              ("page first", f"`/{INDEX}/simple/{{p}}/` first (fetch + store + render)"),
              ("page second", f"`/{INDEX}/simple/{{p}}/` second (cached)"),
              ("file upstream", "upstream `/files/{p}/{wheel}`"),
              ("file first", f"`/{INDEX}/files/{{p}}/{{wheel}}` first (download + verify + store)"),
              ("file second", f"`/{INDEX}/files/{{p}}/{{wheel}}` second (kept)")]
    for key, label in labels:
        print("| {} | {:.2f} | {:.2f} | {:.2f} |".format(label, *summary(rows[key])))
        if key == "page second":
            print("| page: first − second, per project | {:.2f} | {:.2f} | {:.2f} |".format(*summary(added_page)))
        if key == "file second":
            print("| file: first − second, per project | {:.2f} | {:.2f} | {:.2f} |".format(*summary(added_file)))
    size, up_ms, first_ms, second_ms = big
    wheel_sizes = [os.path.getsize(os.path.join(repo, p, wheels[p])) for p in firsts]
    print(f"\nWheels {min(wheel_sizes):,}–{max(wheel_sizes):,} bytes. The {size / 1e6:.1f} MB wheel, once: upstream {up_ms:.1f} ms, "
          f"mirror first {first_ms:.1f} ms, second {second_ms:.1f} ms.")

    if not args.skip_rates:
        print(f"\nCached pages, {len(manifest['projects'])} projects: wrk {args.connections} connections, {args.threads} threads, "
              f"{args.warmup} s warm-up, best of {args.rounds} rounds of {args.duration} s, ABBA; {os.cpu_count()} cores shared by wrk and the servers.\n")
        print("| workload | mirror req/s | local req/s | mirror / local (best rounds) | per round: median (min–max) "
              "| server CPU µs per request mirror / local (median of rounds) | mirror p50 / p99 ms | local p50 / p99 ms | body bytes mirror / local |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        cached_rates(port, server.proc.pid, out, manifest["projects"], args)
        print(f"\nRSS of the measured server after the load: {server.rss_mb():.0f} MB")
    server.stop()
    upstream.stop()


def _write(out, name, lines):
    """A paths file (one per line) under out/; returns its path."""
    path = os.path.join(out, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


if __name__ == "__main__":
    main()
