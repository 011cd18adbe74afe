#!/usr/bin/python3
"""Clutch on PostgreSQL + S3, in one run: the page and file rows of a node whose catalog is in
PostgreSQL and whose files are in S3 (moto), against the tuned nginx serving the same bytes, and the
cross-node freshness of two such nodes (a yank on one, seen on the other's page).

    bench/cluster.py [--size small] [--duration 5] [--rounds 3] [--changes 100]

Needs what bench/run.sh made first: the native build (BENCH_CLUTCH) and bench/out/SIZE (repository,
static mirror). Starts its own PostgreSQL (initdb in a temp folder) and moto on loopback ports and
stops them, and every process it starts, by PID when it ends.
"""

import argparse
import base64
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import bench
from bench import get, percentile, row_text, start_nginx, stop, wait_until, HEADER

USER, PASSWORD = "bench", "bench-password-1"


def start_postgres(work):
    binary = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    data = os.path.join(work, "pg")
    os.makedirs(data)
    run = []
    user = "postgres"
    if os.getuid() == 0:
        shutil.chown(work, "postgres")
        shutil.chown(data, "postgres")
        os.chmod(work, 0o755)
        run = ["runuser", "-u", "postgres", "--"]
    else:
        user = os.environ.get("USER", "postgres")
    subprocess.run([*run, f"{binary}/initdb", "-D", data, "-U", user, "-A", "trust", "--no-sync"], check=True, capture_output=True)
    port = bench.free_port()
    log = open(os.path.join(work, "postgres.log"), "ab")
    proc = subprocess.Popen([*run, f"{binary}/postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port), "-k", data,
                             "-c", "max_connections=200"], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    bench.CHILDREN.append(proc)
    wait_until(lambda: port_open(port), 30, 0.1)
    time.sleep(0.5)
    return f"postgresql://{user}@127.0.0.1:{port}/postgres"


def start_moto(work):
    python = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.11*/bin/python")))[-1]
    port = bench.free_port()
    log = open(os.path.join(work, "moto.log"), "ab")
    proc = subprocess.Popen([python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    bench.CHILDREN.append(proc)
    wait_until(lambda: port_open(port), 30, 0.1)
    return f"http://127.0.0.1:{port}"


def port_open(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def clutch(*args, stdin=None):
    return subprocess.run([*bench.CLUTCH_CMD, *args], input=stdin, capture_output=True, text=True, check=True)


def auth():
    return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}


def post(port, path):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, headers=auth())
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def yanked_on(port, project, filename):
    status, _, body = get(port, f"/simple/{project}/", {"Accept": bench.JSON_ACCEPT})
    if status != 200:
        return None
    for f in json.loads(body)["files"]:
        if f["filename"] == filename:
            return f.get("yanked") not in (False, None)
    return None


def freshness(a, b, project, filename, changes):
    """Yank and unyank on A, each timed until B's page shows it; milliseconds per change."""
    times = []
    for i in range(changes):
        want = i % 2 == 0
        action = "yank" if want else "unyank"
        started = time.perf_counter()
        status, body = post(a, f"/api/projects/{project}/files/{filename}/{action}")
        if status != 200:
            raise RuntimeError(f"{action} on A answered {status}: {body[:200]}")
        wait_until(lambda: yanked_on(b, project, filename) == want, 10, 0.001)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="small")
    ap.add_argument("--changes", type=int, default=100, help="yanks timed across nodes")
    bench.add_wrk_arguments(ap, rounds=3)
    args = ap.parse_args()
    out = os.path.join(bench.HERE, "out", args.size)
    repo = os.path.join(out, "repo")
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    work = tempfile.mkdtemp(prefix="clutch-bench-cluster-")
    report = []
    try:
        pg = start_postgres(work)
        s3 = start_moto(work)
        stores = ["--catalog", pg, "--blobs", "s3://bench/repo", "--s3-endpoint", s3]
        env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
        os.environ.update(env)
        t0 = time.perf_counter()
        clutch("migrate", "--root", repo, "--to-catalog", pg, "--to-blobs", "s3://bench/repo", "--to-s3-endpoint", s3)
        migrated = time.perf_counter() - t0
        clutch("user", "add", USER, "--admin", "--password-stdin", *stores, stdin=PASSWORD + "\n")
        print(f"migrated {manifest['files']} files to PostgreSQL + S3 (moto) in {migrated:.1f} s", flush=True)

        nodes = []
        for name in ("a", "b"):
            bench.Clutch.extra_args = [*stores, "--state-dir", os.path.join(work, "state-" + name)]
            nodes.append(bench.Clutch(os.path.join(work, "state-" + name), os.path.join(work, f"clutch-{name}.log"), env=env))
        a, b = (n.wait_port(120) for n in nodes)
        for port in (a, b):
            wait_until(lambda: get(port, "/health/ready")[0] == 200, 120, 0.05)
        nginx, nginx_port = start_nginx(os.path.join(out, "nginx"), os.path.join(out, "static"), repo)

        rows = []
        print(HEADER.splitlines()[0], flush=True)
        for name, paths, headers in bench.workloads(out, manifest):
            if args.only and not __import__("re").search(args.only, name):
                continue
            result = bench.best_of_rounds([("clutch", a), ("nginx", nginx_port)], paths, headers, args)
            rows.append((name, result["clutch"], result["nginx"]))
            print(row_text(name, result["clutch"], result["nginx"]), flush=True)
        stop(nginx)

        project = manifest["projects"][0]
        _, _, body = get(a, f"/simple/{project}/", {"Accept": bench.JSON_ACCEPT})
        filename = json.loads(body)["files"][0]["filename"]
        times = freshness(a, b, project, filename, args.changes)
        fresh = (f"p50 {percentile(times, 50):.1f} ms, p99 {percentile(times, 99):.1f} ms, max {max(times):.1f} ms "
                 f"over {len(times)} yanks/unyanks on A until B's page shows them")
        print("cross-node freshness: " + fresh, flush=True)

        report = [f"### {args.size} repository, node on PostgreSQL + S3 (moto)\n", HEADER]
        report += [row_text(*r) for r in rows]
        report += ["", f"- migrate: {manifest['files']} files in {migrated:.1f} s", f"- cross-node freshness: {fresh}"]
        for n in nodes:
            n.stop()
    finally:
        bench.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    text = "\n".join(report)
    print("\n" + text)
    with open(os.path.join(bench.HERE, "out", "cluster.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
