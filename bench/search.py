#!/usr/bin/python3
"""Search latency at 5,000 projects: /search/?q=… answered from the in-memory project index.

    bench/search.py [--projects 5000] [--requests 300]

Writes 5,000 small wheels (one per project, summaries from a word list; deterministic, kept under
bench/out/search/ once made), starts `clutch serve` on them (BENCH_CLUTCH=path for the native
build, as bench/run.sh sets it; else `dotnet src/Clutch/bin/Release/net10.0/clutch.dll`), waits
for the import, then sends a bounded number of sequential requests per query over one keep-alive
connection and prints p50 / p99 / max latency per query (and the first search, which builds the
index). A few seconds of load; every process started is stopped by PID when the script ends.
"""

import argparse
import atexit
import http.client
import os
import random
import re
import shutil
import statistics
import time

import bench
import gen

HERE = os.path.dirname(os.path.abspath(__file__))
WORDS = gen.WORDS + ["cipher", "vault", "stream", "parser", "client", "server", "async", "cache",
                     "graph", "schema", "token", "queue", "proxy", "bridge", "signal", "matrix"]
# (label, query): what ranks on an exact name, a prefix, a substring, summaries only, and no match.
QUERIES = [
    ("exact name", None),  # a name the repository has: name_for(4242)
    ("name prefix", "cipher"),
    ("name contains", "vault-0"),
    ("summary word", "asynchronous"),
    ("summary, any case", "MATRIX"),
    ("no match", "zzzz-nothing"),
    ("one character", "a"),
]
PAGES = [("/projects/ page 1", "/projects/"), ("/projects/ page 60", "/projects/?page=60"), ("/ home", "/")]


def name_for(i):
    return f"{WORDS[i % len(WORDS)]}-{WORDS[(i // len(WORDS)) % len(WORDS)]}-{i:05d}"


def make_repository(root, projects):
    stamp = os.path.join(root, "stamp")
    if os.path.exists(stamp) and open(stamp).read() == str(projects):
        return
    rng = random.Random(5000)
    repo = os.path.join(root, "repo")
    os.makedirs(repo, exist_ok=True)
    for i in range(projects):
        name = name_for(i)
        summary = " ".join(rng.choice(WORDS + ["asynchronous", "fast", "small", "typed"]) for _ in range(6)).capitalize()
        d = gen.dist_name(name)
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nSummary: {summary}\n\nReadme.\n".encode()
        info = f"{d}-1.0.dist-info"
        data = gen.zip_bytes([(f"{d}/__init__.py", b"", True), (f"{info}/METADATA", meta, True),
                              (f"{info}/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n", True),
                              (f"{info}/RECORD", b"", True)])
        gen.write(os.path.join(repo, f"{d}-1.0-py3-none-any.whl"), data)
    with open(stamp, "w") as f:
        f.write(str(projects))


def measure(port, path, requests):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    try:
        for _ in range(requests):
            start = time.perf_counter()
            status, _, body = bench.get(port, path, conn=conn)
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"{path}: {status} {body[:200]!r}")
    finally:
        conn.close()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], times[-1], body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=5000)
    ap.add_argument("--requests", type=int, default=300, help="requests per query (sequential, one connection)")
    args = ap.parse_args()

    root = os.path.join(HERE, "out", "search")
    t = time.perf_counter()
    make_repository(root, args.projects)
    print(f"repository: {args.projects} projects in {root}/repo ({time.perf_counter() - t:.1f} s)")
    atexit.register(bench.stop_all)
    state = os.path.join(root, "repo", ".clutch")
    if os.path.isdir(state):
        # A cold import each run: the index is built from what the catalog lists.
        shutil.rmtree(state)
    server = bench.Clutch(os.path.join(root, "repo"), os.path.join(root, "clutch.log"))
    port = server.wait_port(120)
    t = time.perf_counter()
    bench.wait_until(lambda: bench.get(port, "/health/ready")[0] == 200, 600, 0.05)
    print(f"clutch: {' '.join(bench.CLUTCH_CMD)}; import to ready {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    status, _, _ = bench.get(port, "/search/?q=warm")
    print(f"first search (builds the index of {args.projects} projects): {(time.perf_counter() - t) * 1000:.1f} ms, status {status}\n")

    print(f"{args.requests} sequential requests per row, one keep-alive connection:\n")
    print("| request | results | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for label, query in QUERIES:
        query = query or name_for(min(4242, args.projects - 1))
        p50, p99, worst, body = measure(port, f"/search/?q={query}", args.requests)
        found = re.search(rb"(\d+) projects? match", body)
        results = int(found.group(1)) if found else 0
        print(f"| search: {label} (`{query}`) | {results} | {p50:.2f} | {p99:.2f} | {worst:.2f} |")
    for label, path in PAGES:
        p50, p99, worst, _ = measure(port, path, args.requests)
        print(f"| {label} | | {p50:.2f} | {p99:.2f} | {worst:.2f} |")
    print(f"\nRSS after: {server.rss_mb():.0f} MB")
    server.stop()


if __name__ == "__main__":
    main()
