#!/usr/bin/python3
"""Clutch against nginx, in one run: throughput table and the figures of issue 4.

Called by bench/run.sh (which builds Clutch and generates the repositories first). Every process
this script starts is stopped by PID when it ends, however it ends. Load stays on loopback.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DLL = os.path.join(ROOT, "src/Clutch/bin/Release/net10.0/clutch.dll")
# BENCH_CLUTCH=path runs that executable (the native build; bench/run.sh sets it) instead of `dotnet clutch.dll`.
CLUTCH_CMD = [os.environ["BENCH_CLUTCH"]] if os.environ.get("BENCH_CLUTCH") else ["dotnet", DLL]
LUA = os.path.join(HERE, "wrk/random-path.lua")
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
SEED = "4242"
CHILDREN = []


# ---------------------------------------------------------------- processes

def stop(proc, timeout=15):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def stop_all():
    for proc in reversed(CHILDREN):
        stop(proc)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clutch:
    """One `clutch serve` process; its output goes to a log file, the port is read from it."""

    extra_args = []

    def __init__(self, repo, log_path, cmd=None, env=None):
        self.log = open(log_path, "ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([*(cmd or CLUTCH_CMD), "serve", repo, "--host", "127.0.0.1", "--port", "0", *Clutch.extra_args],
                                     stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL, env=env)
        CHILDREN.append(self.proc)
        self.port = None
        self._found = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.log.write(line)
            if self.port is None:
                m = re.search(rb"Clutch listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    self._found.set()
        self._found.set()

    def wait_port(self, timeout):
        if not self._found.wait(timeout) or self.port is None:
            raise RuntimeError(f"clutch did not start (exit {self.proc.poll()}); see {self.log.name}")
        return self.port

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        stop(self.proc)
        self.log.close()


def get(port, path, headers=None, conn=None, timeout=10):
    """(status, headers, body); a fresh connection unless one is given."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        if own:
            conn.close()


def wait_until(check, timeout, interval=0.005):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            if check():
                return time.perf_counter()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(interval)
    raise TimeoutError(f"not reached within {timeout} s")


# ---------------------------------------------------------------- static mirror + nginx

def mirror(port, projects, static):
    """Clutch's own responses, byte for byte, as a static tree (+ .gz copies from Clutch's gzip)."""
    shutil.rmtree(static, ignore_errors=True)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    pages = [("/simple/", "index.html", {}), ("/simple/", "index.json", {"Accept": JSON_ACCEPT}),
             ("/links/", "index.html", {})]
    for p in projects:
        pages += [(f"/simple/{p}/", "index.html", {}), (f"/simple/{p}/", "index.json", {"Accept": JSON_ACCEPT}),
                  (f"/links/{p}/", "index.html", {})]
    for url, name, headers in pages:
        target = os.path.join(static, url.strip("/"), name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        status, _, plain = get(port, url, headers, conn)
        if status != 200:
            raise RuntimeError(f"mirror: {url} answered {status}")
        status, h, packed = get(port, url, dict(headers, **{"Accept-Encoding": "gzip"}), conn)
        if status != 200 or h.get("Content-Encoding") != "gzip" or gzip.decompress(packed) != plain:
            raise RuntimeError(f"mirror: {url} gzip answer is not the plain page compressed")
        with open(target, "wb") as f:
            f.write(plain)
        with open(target + ".gz", "wb") as f:
            f.write(packed)
    conn.close()
    return len(pages)


# The anchor: nginx set up as its experts would for these bytes, answering with the same headers as
# Clutch (Content-Type, Content-Encoding, Vary, Cache-Control; its own ETag and Last-Modified, with
# conditional requests honored). bench/README.md ("The nginx anchor") says how it was chosen.
NGINX_CONF = """\
# One worker per core.
worker_processes auto;
# In the foreground, a child of this script, stopped by its PID; every file under the prefix.
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
# Room for the open-file cache's descriptors (below) besides the connections.
worker_rlimit_nofile 20000;
# The Accept map's regular expression compiled to machine code instead of interpreted per request.
pcre_jit on;
events {{ worker_connections 4096; }}
http {{
    # No log line written per request.
    access_log off;
    # A page of a few KB is read into memory and leaves with its headers in one writev; sendfile
    # (and the TCP_CORK around it that tcp_nopush sets) costs more system calls than it saves
    # copies for a body that small. The large root pages and the files use sendfile (below).
    sendfile off;
    tcp_nopush on;
    # wrk keeps its connections for the whole run.
    keepalive_requests 10000000;
    # Unused (no request bodies, no proxying), but nginx wants them writable: under the prefix.
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    # The charset is part of the HTML type itself, so the charset filter stays off.
    types {{
        "text/html; charset=utf-8" html;
        application/vnd.pypi.simple.v1+json json;
        application/zip whl egg zip;
        application/gzip gz tgz;
    }}
    default_type application/octet-stream;
    # Pre-compressed pages: index.html.gz beside index.html (Clutch's own gzip bytes) is sent to a
    # client that accepts gzip; nothing is compressed per request.
    gzip_static on;
    # Vary is set whole below, as Clutch sets it (gzip_vary would add a second Vary line).
    gzip_vary off;
    # Open descriptors, sizes and mtimes of the pages and files (and the .gz lookups, found or not)
    # kept between requests: no open, fstat and close per request. Room for what one workload of
    # the large repository asks for (its 5,000 project pages and their .gz, or the ~8,000 files a
    # file row cycles through); the mirror does not change during a run.
    open_file_cache max=16000 inactive=60s;
    open_file_cache_valid 60s;
    open_file_cache_errors on;
    # The JSON representation is a second file name beside the HTML one, chosen by Accept.
    map $http_accept $simple_index {{
        default index.html;
        "~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {static};
        # Pages: the URI (always a directory, ending in /) rewritten to its file in place, with no
        # internal redirect of the index module; the headers Clutch sends beside the body.
        location = /simple/ {{
            # The root page is the largest (300 KB at 5,000 projects): sent from the page cache.
            sendfile on;
            rewrite ^ $uri$simple_index break;
            add_header Cache-Control "public, max-age=10";
            add_header Vary "Accept, Accept-Encoding";
        }}
        location /simple/ {{
            rewrite ^ $uri$simple_index break;
            add_header Cache-Control "public, max-age=10";
            add_header Vary "Accept, Accept-Encoding";
        }}
        location = /links/ {{
            sendfile on;
            rewrite ^ ${{uri}}index.html break;
            add_header Cache-Control "public, max-age=10";
            add_header Vary "Accept, Accept-Encoding";
        }}
        location /links/ {{
            rewrite ^ ${{uri}}index.html break;
            add_header Cache-Control "public, max-age=10";
            add_header Vary "Accept, Accept-Encoding";
        }}
        # Package files straight from the repository folder, sent with sendfile.
        location /files/ {{
            alias {repo}/;
            gzip_static off;
            sendfile on;
        }}
    }}
}}
"""


def start_nginx(prefix, static, repo):
    port = free_port()
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(prefix=prefix, port=port, static=static, repo=repo))
    log = open(os.path.join(prefix, "stderr.log"), "ab")
    proc = subprocess.Popen(["nginx", "-p", prefix, "-c", conf], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    CHILDREN.append(proc)
    wait_until(lambda: get(port, "/simple/")[0] == 200, 10)
    return proc, port


# ---------------------------------------------------------------- wrk

def wrk(port, paths_file, headers, duration, args):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration}s", "--latency",
           "--timeout", "10s", "-s", LUA, f"http://127.0.0.1:{port}", "--", paths_file, SEED] + headers
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": to_ms(lat.get("50")), "p99": to_ms(lat.get("99")),
            "bad": int(bad.group(1)) if bad else 0, "errors": errors.group(1) if errors else ""}


def best_of_rounds(order, paths, headers, args):
    """wrk against each (name, port) in ABBA order, best of the rounds per server: the machine is
    shared, and noise only ever slows."""
    result = {}
    for r in range(args.rounds):
        for server, p in (order if r % 2 == 0 else order[::-1]):
            if r == 0:
                wrk(p, paths, headers, args.warmup, args)
            sample = wrk(p, paths, headers, args.duration, args)
            if server not in result or sample["rps"] > result[server]["rps"]:
                result[server] = sample
    return result


def to_ms(text):
    if text is None:
        return float("nan")
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def workloads(out, manifest):
    projects = manifest["projects"]
    lists = {
        "project": [f"/simple/{p}/" for p in projects],
        "root": ["/simple/"],
        "file4k": [f"/files/{k}" for k in manifest["small_files"]],
        "file10m": [f"/files/{manifest['big_file']}"],
        "links": [f"/links/{p}/" for p in projects],
    }
    files = {}
    for name, paths in lists.items():
        files[name] = os.path.join(out, f"paths-{name}.txt")
        with open(files[name], "w") as f:
            f.write("\n".join(paths) + "\n")
    gz = ["Accept-Encoding: gzip"]
    js = [f"Accept: {JSON_ACCEPT}"]
    return [
        ("/simple/{p}/ html", files["project"], []),
        ("/simple/{p}/ json", files["project"], js),
        ("/simple/ root", files["root"], []),
        ("/links/{p}/", files["links"], []),
        ("4 KB file", files["file4k"], []),
        ("10 MB file", files["file10m"], []),
        ("/simple/{p}/ html gzip", files["project"], gz),
        ("/simple/{p}/ json gzip", files["project"], js + gz),
        ("/simple/ root gzip", files["root"], gz),
        ("/links/{p}/ gzip", files["links"], gz),
    ]


# ---------------------------------------------------------------- figures

def warm_files(repo, paths_file):
    """Reads once every file a /files/ workload asks for, so that both servers meet a warm page cache.
    This VM pages out file pages left unread for about a minute (DAMON `pageout`), and the 4 KB row
    reads 40,000 files: whichever server went first paid the disk reads for both (Clutch at 1,600
    req/s and p50 21 ms cold, 35,000 req/s warm, as nginx)."""
    with open(paths_file) as f:
        keys = [line.strip()[len("/files/"):] for line in f if line.startswith("/files/")]
    for key in keys:
        with open(os.path.join(repo, key), "rb") as fh:
            while fh.read(1 << 20):
                pass
    return len(keys)


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def listed(port, conn, key):
    project, filename = key.split("/", 1)
    status, _, body = get(port, f"/simple/{project}/", None, conn)
    return status == 200 and filename.encode() in body


def drop_freshness(port, out, repo, keys):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    for key in keys:
        t0 = time.perf_counter()
        shutil.copyfile(os.path.join(out, "drops/fresh", key), os.path.join(repo, key))
        t1 = wait_until(lambda: listed(port, conn, key), 30, 0.002)
        times.append((t1 - t0) * 1000)
    conn.close()
    return percentile(times, 50), percentile(times, 99), max(times)


def drop_burst(port, out, repo, keys):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    t0 = time.perf_counter()
    for key in keys:
        os.makedirs(os.path.dirname(os.path.join(repo, key)), exist_ok=True)
        shutil.copyfile(os.path.join(out, "drops/burst", key), os.path.join(repo, key))
    copied = time.perf_counter() - t0
    last = t0
    for key in keys:
        last = wait_until(lambda: listed(port, conn, key), 120, 0.01)
    conn.close()
    return copied, last - t0


def remove_drops(repo, manifest):
    for kind in ("fresh", "burst"):
        for key in manifest["drops"].get(kind, []):
            try:
                os.remove(os.path.join(repo, key))
            except FileNotFoundError:
                pass


def upload_figures(size_mb):
    """bench/upload.sh on its own server and folder: the 500 MB upload figures, one line each."""
    done = subprocess.run(["bash", os.path.join(HERE, "upload.sh"), str(size_mb)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return [f"500 MB upload: failed: {(done.stderr or done.stdout).strip()[-300:]}"]
    return [line.strip() for line in done.stdout.splitlines() if line.startswith("upload")]


# ---------------------------------------------------------------- one repository

def run_size(size, args):
    out = os.path.join(HERE, "out", size)
    repo = os.path.join(out, "repo")
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    remove_drops(repo, manifest)
    old_state = None
    if not args.skip_cold and os.path.exists(os.path.join(repo, ".clutch")):
        # Moved aside now and deleted once the import is timed: ext4 avoids reusing inodes freed in
        # the last few seconds and searches its bitmaps for others, so deleting the last run's
        # 40,000 metadata files just before the import made every file the import creates slower
        # to create (a tenth of the import's CPU in `find_inode_bit`) - a cost no first import has.
        old_state = os.path.join(out, f"old-state-{os.getpid()}")
        os.rename(os.path.join(repo, ".clutch"), old_state)
    log = os.path.join(out, "clutch.log")
    if os.path.exists(log):
        os.remove(log)
    figures = {}
    repo_bytes = sum(e.stat().st_size for d in os.scandir(repo) if d.is_dir() and not d.name.startswith(".")
                     for e in os.scandir(d.path))
    print(f"\n== {size}: {manifest['files']} files in {len(manifest['projects'])} projects, "
          f"{repo_bytes / 1e6:.0f} MB", flush=True)

    # Cold import: empty catalog, time from process start to /health/ready.
    clutch = Clutch(repo, log)
    port = clutch.wait_port(900)
    t = wait_until(lambda: get(port, "/health/ready")[0] == 200, 900, 0.01) - clutch.started
    if not args.skip_cold:
        figures["cold import"] = f"{t:.1f} s: {manifest['files'] / t:,.0f} files/s, {repo_bytes / 1e6 / t:.1f} MB/s hashed"
        print(f"cold import: {figures['cold import']}", flush=True)
    clutch.stop()
    if old_state:
        shutil.rmtree(old_state, ignore_errors=True)

    # Warm start: catalog present, time from process start to the first answered /simple/.
    clutch = Clutch(repo, log)
    port = clutch.wait_port(120)
    t = wait_until(lambda: get(port, "/simple/")[0] == 200, 120, 0.002) - clutch.started
    figures["warm start"] = f"{t:.2f} s to first /simple/"
    print(f"warm start: {figures['warm start']}", flush=True)
    wait_until(lambda: get(port, "/health/ready")[0] == 200, 300, 0.05)
    figures["RSS idle"] = f"{clutch.rss_mb():.0f} MB"

    t0 = time.perf_counter()
    count = mirror(port, manifest["projects"], os.path.join(out, "static"))
    print(f"mirrored {count} pages (+ .gz) in {time.perf_counter() - t0:.1f} s", flush=True)
    nginx, nginx_port = start_nginx(os.path.join(out, "nginx"), os.path.join(out, "static"), repo)

    rows = []
    for name, paths, headers in workloads(out, manifest):
        if args.only and not re.search(args.only, name):
            continue
        warm_files(repo, paths)
        result = best_of_rounds([("clutch", port), ("nginx", nginx_port)], paths, headers, args)
        rows.append((name, result["clutch"], result["nginx"]))
        print(row_text(name, result["clutch"], result["nginx"]), flush=True)
    figures["RSS after load"] = f"{clutch.rss_mb():.0f} MB"
    if os.environ.get("BENCH_HOLD"):  # keep Clutch up N s after the load, for dotnet-counters/gcdump
        print(f"holding clutch pid {clutch.proc.pid}", flush=True)
        time.sleep(int(os.environ["BENCH_HOLD"]))
    stop(nginx)

    # Drops go into the largest repository only (the 5,000-project burst), or when asked.
    if not args.skip_drops and manifest["drops"] and (size == args.sizes.split(",")[-1] or args.drops_everywhere):
        p50, p99, worst = drop_freshness(port, out, repo, manifest["drops"]["fresh"])
        figures["drop-in freshness"] = (f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {worst:.0f} ms "
                                        f"over {len(manifest['drops']['fresh'])} drops")
        print(f"drop-in freshness: {figures['drop-in freshness']}", flush=True)
        copied, total = drop_burst(port, out, repo, manifest["drops"]["burst"])
        figures["burst of drops"] = (f"{len(manifest['drops']['burst'])} files: all listed {total:.2f} s "
                                     f"after the first copy (copying took {copied:.2f} s)")
        print(f"burst: {figures['burst of drops']}", flush=True)
        figures["RSS after drops"] = f"{clutch.rss_mb():.0f} MB"

    clutch.stop()
    remove_drops(repo, manifest)
    return rows, figures


def row_text(name, c, n):
    ratio = c["rps"] / n["rps"] if n["rps"] else float("nan")
    p99_ratio = c["p99"] / n["p99"] if n["p99"] else float("nan")
    flags = []
    if c["bad"] or n["bad"]:
        flags.append(f"non-2xx {c['bad']}/{n['bad']}")
    if c["errors"] or n["errors"]:
        flags.append("socket errors")
    return (f"| {name} | {c['rps']:,.0f} | {n['rps']:,.0f} | {ratio:.2f} | {c['p50']:.2f} / {c['p99']:.2f} | "
            f"{n['p50']:.2f} / {n['p99']:.2f} | {p99_ratio:.1f} | {' '.join(flags)} |")


HEADER = ("| workload | Clutch req/s | nginx req/s | ratio | Clutch p50 / p99 ms | nginx p50 / p99 ms "
          "| p99 ratio | notes |\n|---|---:|---:|---:|---:|---:|---:|---|")


def add_wrk_arguments(ap, rounds):
    """The load's shape, shared with bench/ab.py: what wrk() and workloads() read from args."""
    ap.add_argument("--duration", type=int, default=2, help="seconds per measured wrk run")
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--warmup", type=int, default=1, help="seconds of wrk before the first round")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", help="regex: run only matching workloads")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="small,large")
    add_wrk_arguments(ap, rounds=3)
    ap.add_argument("--skip-drops", action="store_true")
    ap.add_argument("--drops-everywhere", action="store_true", help="drop figures for every size, not only the last")
    ap.add_argument("--skip-cold", action="store_true", help="keep the catalog: no cold import figure")
    ap.add_argument("--skip-upload", action="store_true", help="no 500 MB upload figure (bench/upload.sh)")
    ap.add_argument("--clutch-arg", action="append", default=[],
                    help="extra `clutch serve` argument, repeatable (e.g. --clutch-arg=--file-cache-mb=0)")
    args = ap.parse_args()
    Clutch.extra_args = args.clutch_arg
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = [f"wrk: {args.connections} connections, {args.threads} threads, {args.duration} s per workload "
              f"after {args.warmup} s warm-up, best of {args.rounds} rounds in ABBA order; {os.cpu_count()} cores shared by wrk, Clutch and nginx.",
              f"Clutch: {' '.join(os.path.relpath(c, ROOT) if os.path.isabs(c) else c for c in CLUTCH_CMD)}"
              + (" (native build, scripts/publish.sh)" if len(CLUTCH_CMD) == 1 else " (JIT build)")]
    started = time.perf_counter()
    try:
        for size in args.sizes.split(","):
            print(HEADER.splitlines()[0], flush=True)
            rows, figures = run_size(size, args)
            report.append(f"\n### {size} repository\n\n{HEADER}")
            report += [row_text(*r) for r in rows]
            report.append("")
            report += [f"- {k}: {v}" for k, v in figures.items()]
        if not args.skip_upload and not args.only:
            print("500 MB upload (bench/upload.sh 500)", flush=True)
            lines = upload_figures(500)
            print("\n".join(lines), flush=True)
            report.append("\n### 500 MB upload (`bench/upload.sh 500`)\n")
            report += [f"- {line}" for line in lines]
    finally:
        stop_all()
    report.append(f"\nTotal run time {time.perf_counter() - started:.0f} s.")
    text = "\n".join(report)
    print("\n" + text)
    with open(os.path.join(HERE, "out", "latest.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
