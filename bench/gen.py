#!/usr/bin/python3
"""Deterministic benchmark repository: wheels, sdists and eggs with real (small) archive contents.

    gen.py OUT PROJECTS FILES_PER_PROJECT [--drops N] [--seed S]

Writes OUT/repo/{project}/{file} (per-project subfolders, as an operator would lay them out),
one 10 MB wheel in project ``bench-bigfile``, and OUT/drops/{fresh,burst}/{project}/{file}: files
for existing projects that are not in the repository (dropped in while the server runs).
Everything is derived from the seed: same arguments, same bytes. OUT/manifest.json lists what was
made. A stamp makes a second call with the same arguments a no-op.
"""

import gzip
import io
import json
import multiprocessing
import os
import random
import shutil
import sys
import tarfile
import zipfile

GENERATOR_VERSION = "4"
EPOCH = (2020, 1, 1, 0, 0, 0)
EPOCH_TS = 1577836800
WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "flint", "grove", "harbor", "iris", "juniper",
         "kestrel", "lumen", "maple", "nimbus", "onyx", "pylon", "quartz", "raven", "sable", "tundra"]


def dist_name(project):
    return project.replace("-", "_")


def metadata(project, version, requires_python):
    lines = ["Metadata-Version: 2.1", f"Name: {project}", f"Version: {version}",
             f"Summary: Benchmark package {project}", "License: MIT"]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines.append("Requires-Dist: requests (>=2.0)")
    return ("\n".join(lines) + "\n\nGenerated for the Clutch benchmark.\n").encode()


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, compress in members:
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def wheel(project, version, rng, payload_size, requires_python):
    d = dist_name(project)
    info = f"{d}-{version}.dist-info"
    meta = metadata(project, version, requires_python)
    wheel_txt = b"Wheel-Version: 1.0\nGenerator: clutch-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    payload = rng.randbytes(payload_size)
    record = f"{d}/__init__.py,,\n{d}/data.bin,,\n{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n".encode()
    return zip_bytes([(f"{d}/__init__.py", b"VERSION = '" + version.encode() + b"'\n", True),
                      (f"{d}/data.bin", payload, False),
                      (f"{info}/METADATA", meta, True), (f"{info}/WHEEL", wheel_txt, True),
                      (f"{info}/RECORD", record, True)])


def sdist(project, version, rng, payload_size, requires_python):
    d = dist_name(project)
    top = f"{d}-{version}"
    members = [(f"{top}/PKG-INFO", metadata(project, version, requires_python)),
               (f"{top}/setup.py", f"from setuptools import setup\nsetup(name={project!r}, version={version!r})\n".encode()),
               (f"{top}/{d}/data.bin", rng.randbytes(payload_size))]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode, ti.uname, ti.gname = len(data), EPOCH_TS, 0o644, "bench", "bench"
            tar.addfile(ti, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def egg(project, version, rng, payload_size, requires_python):
    d = dist_name(project)
    return zip_bytes([(f"{d}/__init__.py", b"VERSION = '" + version.encode() + b"'\n", True),
                      (f"{d}/data.bin", rng.randbytes(payload_size), False),
                      ("EGG-INFO/PKG-INFO", metadata(project, version, requires_python), True),
                      ("EGG-INFO/requires.txt", b"requests>=2.0\n", True),
                      ("EGG-INFO/top_level.txt", d.encode() + b"\n", True)])


def version_for(j, rng):
    base = f"{j // 6}.{(j // 2) % 3}.{rng.randrange(10)}"
    return base + rng.choice(["", "", "", ".post1", "rc1", "b2", ".dev3"])


def files_for(project, count, rng, offset=0):
    """(filename, bytes) for `count` files: version pairs of wheel + sdist, every fifth an egg."""
    d = dist_name(project)
    out = []
    version = None
    for j in range(offset, offset + count):
        if j % 2 == 0 or version is None:
            version = version_for(j, rng)
        rp = ">=3.8" if j % 3 == 0 else None
        size = 3000 + rng.randrange(1000)
        if j % 5 == 4:
            out.append((f"{d}-{version}-py3.11.egg", egg(project, version, rng, size, rp)))
        elif j % 2 == 0:
            out.append((f"{d}-{version}-py3-none-any.whl", wheel(project, version, rng, size, rp)))
        else:
            out.append((f"{d}-{version}.tar.gz", sdist(project, version, rng, size, rp)))
    # Distinct filenames only (random patch numbers can repeat a version).
    seen, unique = set(), []
    for name, data in out:
        if name not in seen:
            seen.add(name)
            unique.append((name, data))
    return unique


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (EPOCH_TS, EPOCH_TS))


def write_project(job):
    repo, project, per, seed = job
    rng = random.Random(f"{seed}:{project}")
    filenames = []
    for filename, data in files_for(project, per, rng):
        write(os.path.join(repo, project, filename), data)
        filenames.append(filename)
    return filenames


def main():
    args = sys.argv[1:]
    seed, drops = 20240601, 0
    if "--seed" in args:
        i = args.index("--seed"); seed = int(args[i + 1]); del args[i:i + 2]
    if "--drops" in args:
        i = args.index("--drops"); drops = int(args[i + 1]); del args[i:i + 2]
    out, projects, per = args[0], int(args[1]), int(args[2])
    stamp = f"{GENERATOR_VERSION} {projects} {per} {drops} {seed}"
    stamp_path = os.path.join(out, "stamp")
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        return
    shutil.rmtree(out, ignore_errors=True)
    rng = random.Random(seed)
    names = [f"{WORDS[i % 20]}-{WORDS[(i // 20) % 20]}-{i:05d}" for i in range(projects)]
    repo = os.path.join(out, "repo")
    # One generator per project, seeded by its name: the same bytes however the work is split.
    with multiprocessing.Pool(os.cpu_count()) as pool:
        made = pool.map(write_project, [(repo, p, per, seed) for p in names], chunksize=50)
    total, small = 0, []
    for p, filenames in zip(names, made):
        total += len(filenames)
        small.extend(f"{p}/{f}" for f in filenames if f.endswith(".whl"))
    big = "bench-bigfile/bench_bigfile-1.0-py3-none-any.whl"
    write(os.path.join(repo, big), wheel("bench-bigfile", "1.0", rng, 10 * 1024 * 1024, None))
    total += 1
    drop_sets = {}
    for kind, count in (("fresh", drops // 11), ("burst", drops - drops // 11)) if drops else ():
        keys = []
        for k in range(count):
            p = names[(k * 7919 + (0 if kind == "fresh" else 13)) % projects]
            # Offsets far past the repository's own files: new versions, never a clash.
            for filename, data in files_for(p, 1, rng, offset=1000 + k * 2 + (0 if kind == "fresh" else 100000))[:1]:
                write(os.path.join(out, "drops", kind, p, filename), data)
                keys.append(f"{p}/{filename}")
        drop_sets[kind] = keys
    manifest = {"projects": names + ["bench-bigfile"], "files": total, "small_files": small,
                "big_file": big, "drops": drop_sets}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    with open(stamp_path, "w") as f:
        f.write(stamp)


if __name__ == "__main__":
    main()
