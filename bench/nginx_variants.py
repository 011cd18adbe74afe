#!/usr/bin/python3
"""nginx configurations against each other on the same bytes: how bench.py's anchor was chosen.

    bench/nginx_variants.py [--size small] [--variants before,anchor] [--rows REGEX] [--rounds 4]
                            [--duration 3] [--clutch] [--check-only]

Needs bench/run.sh's repository (bench/out/SIZE) and a Clutch executable (BENCH_CLUTCH, as
bench.py). Starts Clutch, writes the static mirror (bench.py's `mirror`), then one nginx per
variant on its own port; checks that each answers the same bodies and headers as Clutch (the
headers of `KEEP`; an ETag, honored by If-None-Match); then runs wrk against every server in turns
(ABBA: the order reverses every round) and prints, per server, the median and best request rate
and the median CPU time its processes spent per request (from /proc: steadier than the rate when
other work shares the cores). "anchor" is bench.py's own configuration; the others are generated
here from `BASE` with one or more changes.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys

import bench

# The anchor before issue 17, and the changes tried on it.
BASE = dict(workers="auto", charset=True, open_file_cache=False, index="variable", sendfile=True, nopush=True,
            clutch_headers=False, reuseport=False, affinity=False, pcre_jit=False, large_pages_sendfile=False)
WITH_HEADERS = dict(charset=False, open_file_cache=True, clutch_headers=True)
VARIANTS = {
    "before": {},
    # The issue's: open_file_cache, no charset filter (the charset in the type instead).
    "issue": dict(charset=False, open_file_cache=True),
    # The issue's, with Clutch's Vary and Cache-Control headers (the one compared from here on).
    "headers": WITH_HEADERS,
    "1-worker": dict(WITH_HEADERS, workers="1"),
    "try-files": dict(WITH_HEADERS, index="try_files"),
    "rewrite": dict(WITH_HEADERS, index="rewrite"),
    "sendfile-off": dict(WITH_HEADERS, sendfile=False, nopush=False),
    "nopush-off": dict(WITH_HEADERS, nopush=False),
    "reuseport": dict(WITH_HEADERS, reuseport=True),
    "affinity": dict(WITH_HEADERS, affinity=True),
    "pcre-jit": dict(WITH_HEADERS, pcre_jit=True),
    # sendfile off but for the root pages and files, pcre_jit, with the index module or a rewrite.
    "combined-index": dict(WITH_HEADERS, pcre_jit=True, large_pages_sendfile=True),
    "combined-rewrite": dict(WITH_HEADERS, pcre_jit=True, large_pages_sendfile=True, index="rewrite"),
    "combined-rewrite-reuseport": dict(WITH_HEADERS, pcre_jit=True, large_pages_sendfile=True, index="rewrite",
                                       reuseport=True),
    "anchor": None,
}

# Headers compared with Clutch's, besides the body and the status.
KEEP = ("Content-Type", "Content-Encoding", "Vary", "Cache-Control", "Content-Length")


def generated(o, prefix, port, static, repo):
    html_type = "text/html" if o["charset"] else '"text/html; charset=utf-8"'
    main = [f"worker_processes {o['workers']};", "daemon off;", "master_process on;",
            f"pid {prefix}/nginx.pid;", f"error_log {prefix}/error.log warn;"]
    if o["affinity"]:
        main.append("worker_cpu_affinity auto;")
    if o["pcre_jit"]:
        main.append("pcre_jit on;")
    main.append("events { worker_connections 4096; }")
    http = ["access_log off;", f"sendfile {'on' if o['sendfile'] and not o['large_pages_sendfile'] else 'off'};",
            f"tcp_nopush {'on' if o['nopush'] else 'off'};", "keepalive_requests 10000000;"]
    http += [f"{t}_temp_path {prefix}/tmp/{t};" for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")]
    http.append(f"types {{ {html_type} html; application/vnd.pypi.simple.v1+json json; "
                "application/zip whl egg zip; application/gzip gz tgz; }")
    http.append("default_type application/octet-stream;")
    if o["charset"]:
        http += ["charset utf-8;", "charset_types text/html;"]
    http += ["gzip_static on;", f"gzip_vary {'off' if o['clutch_headers'] else 'on'};"]
    if o["open_file_cache"]:
        http += ["open_file_cache max=16000 inactive=60s;", "open_file_cache_valid 60s;", "open_file_cache_errors on;"]
    http.append('map $http_accept $simple_index { default index.html; '
                '"~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json; }')
    headers = ('add_header Cache-Control "public, max-age=10"; add_header Vary "Accept, Accept-Encoding";'
               if o["clutch_headers"] else "")
    simple, links = {
        "variable": ("index $simple_index;", "index index.html;"),
        "try_files": ("try_files $uri$simple_index =404;", "try_files ${uri}index.html =404;"),
        "rewrite": ("rewrite ^ $uri$simple_index break;", "rewrite ^ ${uri}index.html break;"),
    }[o["index"]]
    server = [f"listen 127.0.0.1:{port}{' reuseport' if o['reuseport'] else ''};", f"root {static};"]
    large = "sendfile on;" if o["large_pages_sendfile"] else ""
    server += [f"location = /simple/ {{ {large} {simple} {headers} }}",
               f"location /simple/ {{ {simple} {headers} }}",
               f"location = /links/ {{ {large} {links} {headers} }}",
               f"location /links/ {{ {links} {headers} }}",
               f"location /files/ {{ alias {repo}/; gzip_static off; {large} }}"]
    return "\n".join(main + ["http {"] + http + ["server {"] + server + ["}", "}"]) + "\n"


def start(name, prefix, static, repo):
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    port = bench.free_port()
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        if VARIANTS[name] is None:
            f.write(bench.NGINX_CONF.format(prefix=prefix, port=port, static=static, repo=repo))
        else:
            f.write(generated(dict(BASE, **VARIANTS[name]), prefix, port, static, repo))
    log = open(os.path.join(prefix, "stderr.log"), "ab")
    proc = subprocess.Popen(["nginx", "-p", prefix, "-c", path], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    bench.CHILDREN.append(proc)
    bench.wait_until(lambda: bench.get(port, "/simple/")[0] == 200, 10)
    return proc, port


def cpu_seconds(pid):
    """User + system CPU time of a process and its child processes (nginx's workers)."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    ticks = 0
    for p in pids:
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def differences(port, clutch_port, projects):
    """What this server answers differently from Clutch, on pages and Accept/Accept-Encoding combinations."""
    pip_accept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.2, text/html; q=0.01"
    found = []
    for url in ["/simple/", "/links/", f"/simple/{projects[0]}/", f"/simple/{projects[7]}/", f"/links/{projects[3]}/"]:
        for headers in ({}, {"Accept": bench.JSON_ACCEPT}, {"Accept-Encoding": "gzip"},
                        {"Accept": bench.JSON_ACCEPT, "Accept-Encoding": "gzip"}, {"Accept": pip_accept}):
            if url.startswith("/links/") and "Accept" in headers:
                continue
            s1, h1, b1 = bench.get(clutch_port, url, headers)
            s2, h2, b2 = bench.get(port, url, headers)
            if (s1, b1) != (s2, b2):
                found.append(f"{url} {headers}: status or body differs ({s1}, {len(b1)} B against {s2}, {len(b2)} B)")
            found += [f"{url} {headers}: {k}: {h1.get(k)!r} against {h2.get(k)!r}" for k in KEEP if h1.get(k) != h2.get(k)]
            if not h2.get("ETag"):
                found.append(f"{url} {headers}: no ETag")
            elif bench.get(port, url, dict(headers, **{"If-None-Match": h2["ETag"]}))[0] != 304:
                found.append(f"{url} {headers}: If-None-Match not answered 304")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="small")
    ap.add_argument("--variants", default="before,anchor", help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--rows", default=r"^/simple/\{p\}/ (html|json)$", help="regex over bench.py's workload names")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--duration", type=int, default=3, help="seconds per measured wrk run")
    ap.add_argument("--clutch", action="store_true", help="measure Clutch in the same turns")
    ap.add_argument("--check-only", action="store_true", help="only compare the answers with Clutch's")
    args = ap.parse_args()
    args.threads, args.connections = 2, 32
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = os.path.join(bench.HERE, "out", args.size)
    repo, static = os.path.join(out, "repo"), os.path.join(out, "static")
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    try:
        clutch = bench.Clutch(repo, os.path.join(out, "clutch-variants.log"))
        clutch_port = clutch.wait_port(120)
        bench.wait_until(lambda: bench.get(clutch_port, "/health/ready")[0] == 200, 300, 0.05)
        bench.mirror(clutch_port, manifest["projects"], static)
        servers, pids = {}, {}
        for name in args.variants.split(","):
            proc, servers[name] = start(name, os.path.join(out, "nginx-variants", name), static, repo)
            pids[name] = proc.pid
            found = differences(servers[name], clutch_port, manifest["projects"])
            print(f"{name}: {'same answers as Clutch' if not found else 'differs from Clutch:'}")
            for line in found:
                print(f"    {line}")
        if args.check_only:
            return
        if args.clutch:
            servers["clutch"], pids["clutch"] = clutch_port, clutch.proc.pid
        names = list(servers)
        print(f"load average before: {open('/proc/loadavg').read().strip()}", flush=True)
        for row, paths, headers in bench.workloads(out, manifest):
            if not re.search(args.rows, row):
                continue
            bench.warm_files(repo, paths)  # a file row meets a warm page cache, as in bench.py
            rates = {n: [] for n in names}
            costs = {n: [] for n in names}
            for n in names:
                bench.wrk(servers[n], paths, headers, 1, args)
            for r in range(args.rounds):
                for n in (names if r % 2 == 0 else names[::-1]):
                    cpu = cpu_seconds(pids[n])
                    rps = bench.wrk(servers[n], paths, headers, args.duration, args)["rps"]
                    rates[n].append(rps)
                    costs[n].append((cpu_seconds(pids[n]) - cpu) / (rps * args.duration) * 1e6)
            print(f"{row} (load average {open('/proc/loadavg').read().split()[0]})", flush=True)
            for n in names:
                print(f"    {n:28} median {statistics.median(rates[n]):7,.0f} req/s, best {max(rates[n]):7,.0f}, "
                      f"CPU per request {statistics.median(costs[n]):5.1f} µs   "
                      f"[{', '.join(f'{x:,.0f}' for x in rates[n])}]", flush=True)
        print(f"load average after: {open('/proc/loadavg').read().strip()}", flush=True)
    finally:
        bench.stop_all()


if __name__ == "__main__":
    main()
