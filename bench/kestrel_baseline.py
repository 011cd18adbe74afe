#!/usr/bin/python3
"""A page against a bare Kestrel server and nginx, in one run: how far Kestrel itself gets.

By default the root page (306 KB on the large repository); with --page project, the first
project's page (a few KB), every request for that one page. This puts a third server beside the two, bench/KestrelBaseline: the same page's bytes, held in memory,
written to every request with Kestrel's defaults (no routing, no negotiation, no ETag). All three
take turns in each round on the same wrk load as bench.py's root rows; the table gives each one's
best round and the ratios to nginx.

    bench/kestrel_baseline.py [--size large] [--page root|project] [--rounds 4]

Needs bench/run.sh's repository and nginx tree (bench/out/SIZE) and a Clutch executable
(BENCH_CLUTCH, else bench/out/clutch/clutch as bench/run.sh publishes it). Publishes
bench/KestrelBaseline (native, like Clutch) into bench/out/kestrel-baseline. Every process started
is stopped by PID when the script ends.
"""

import argparse
import atexit
import os
import re
import subprocess
import sys

import bench

HERE = os.path.dirname(os.path.abspath(__file__))


def publish_baseline():
    out = os.path.join(HERE, "out", "kestrel-baseline")
    subprocess.run(["dotnet", "publish", os.path.join(HERE, "KestrelBaseline", "KestrelBaseline.csproj"),
                    "-c", "Release", "-r", "linux-x64", "-o", out, "--nologo", "-v", "quiet"], check=True)
    return os.path.join(out, "KestrelBaseline")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="large", help="bench/out/SIZE repository (default large)")
    ap.add_argument("--page", choices=("root", "project"), default="root", help="the root page, or the first project's page")
    bench.add_wrk_arguments(ap, rounds=4)
    args = ap.parse_args()

    out = os.path.join(HERE, "out", args.size)
    static = os.path.join(out, "static")
    if args.page == "root":
        url = "/simple/"
        paths = os.path.join(out, "paths-root.txt")
    else:
        with open(os.path.join(out, "paths-project.txt")) as f:
            url = f.readline().strip()
        paths = os.path.join(out, "paths-one-project.txt")
        with open(paths, "w") as f:
            f.write(url + "\n")
    page = os.path.join(static, url.strip("/"), "index.html")
    clutch_exe = os.environ.get("BENCH_CLUTCH") or os.path.join(HERE, "out", "clutch", "clutch")
    for needed in (page, paths, clutch_exe):
        if not os.path.exists(needed):
            sys.exit(f"kestrel_baseline: {needed} is missing; run bench/run.sh first")

    baseline_exe = publish_baseline()
    atexit.register(bench.stop_all)
    _, nginx_port = bench.start_nginx(os.path.join(out, "nginx"), static, os.path.join(out, "repo"))
    baseline_port = bench.free_port()
    log = open(os.path.join(out, "kestrel-baseline.log"), "ab")
    baseline = subprocess.Popen([baseline_exe, page, page + ".gz", str(baseline_port)],
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    bench.CHILDREN.append(baseline)
    clutch = bench.Clutch(os.path.join(out, "repo"), os.path.join(out, "clutch.log"), cmd=[clutch_exe])
    clutch_port = clutch.wait_port(120)
    bench.wait_until(lambda: bench.get(clutch_port, "/health/ready")[0] == 200, 900, 0.05)
    bench.wait_until(lambda: bench.get(baseline_port, "/simple/")[0] == 200, 30, 0.05)

    # All three answer the same bytes (the nginx tree is Clutch's own answers, written by bench.py).
    with open(page, "rb") as f:
        expected = f.read()
    for name, port in (("nginx", nginx_port), ("Kestrel baseline", baseline_port), ("Clutch", clutch_port)):
        status, _, body = bench.get(port, url)
        if status != 200 or body != expected:
            sys.exit(f"kestrel_baseline: {name} does not answer {url}'s {len(expected):,} bytes")

    servers = [("nginx", nginx_port), ("Kestrel baseline", baseline_port), ("Clutch", clutch_port)]
    print(f"{url}: {len(expected):,} bytes plain, {os.path.getsize(page + '.gz'):,} gzip; wrk: "
          f"{args.connections} connections, {args.threads} threads, best of {args.rounds} rounds of "
          f"{args.duration} s, servers in turn (order reversed every other round)\n")
    print("| workload | nginx req/s | Kestrel baseline req/s | Clutch req/s | baseline / nginx | Clutch / nginx | Clutch / baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    label = "/simple/ root" if args.page == "root" else "/simple/{p}/ html"
    for name, headers in ((label, []), (label + " gzip", ["Accept-Encoding: gzip"])):
        if args.only and not re.search(args.only, name):
            continue
        best = {}
        for _, port in servers:
            bench.wrk(port, paths, headers, args.warmup, args)
        for r in range(args.rounds):
            for server, port in (servers if r % 2 == 0 else servers[::-1]):
                best[server] = max(best.get(server, 0), bench.wrk(port, paths, headers, args.duration, args)["rps"])
        n, k, c = best["nginx"], best["Kestrel baseline"], best["Clutch"]
        print(f"| {name} | {n:,.0f} | {k:,.0f} | {c:,.0f} | {k / n:.2f} | {c / n:.2f} | {c / k:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
