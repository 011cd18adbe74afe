"""Answers questions about versions, names and filenames with pip's own vendored packaging.

Protocol: one JSON request per stdin line, one JSON answer per stdout line, same order.
"""
import json
import sys
from functools import cmp_to_key

from pip._vendor.packaging.utils import (
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from pip._vendor.packaging.version import InvalidVersion, Version


def version(s):
    try:
        v = Version(s)
    except InvalidVersion:
        return {"valid": False}
    return {"valid": True, "norm": str(v), "pre": v.is_prerelease, "dev": v.is_devrelease}


def sort(items):
    parsed = [Version(s) for s in items]
    return {"order": sorted(range(len(items)), key=lambda i: parsed[i])}


def cmp(items, pairs):
    parsed = [Version(s) for s in items]
    out = []
    for a, b in pairs:
        x, y = parsed[a], parsed[b]
        out.append(-1 if x < y else (1 if x > y else 0))
    return {"r": out}


def valid_name(s):
    try:
        canonicalize_name(s, validate=True)
    except Exception:  # noqa: BLE001
        return False
    return True


def wheel(s):
    try:
        name, ver, build, tags = parse_wheel_filename(s)
    except Exception as e:  # noqa: BLE001 - every refusal is an answer
        return {"ok": False, "err": str(e)}
    return {
        "ok": True,
        "name": name,
        "version": str(ver),
        "build": [str(build[0]), build[1]] if build else None,
        "tags": sorted(str(t) for t in tags),
    }


def sdist(s):
    try:
        name, ver = parse_sdist_filename(s)
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "err": str(e)}
    return {"ok": True, "name": name, "version": str(ver)}


def main():
    sys.set_int_max_str_digits(0)
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "version":
            res = [version(s) for s in req["items"]]
        elif op == "sort":
            res = sort(req["items"])
        elif op == "cmp":
            res = cmp(req["items"], req["pairs"])
        elif op == "name":
            res = [[canonicalize_name(s), valid_name(s)] for s in req["items"]]
        elif op == "wheel":
            res = [wheel(s) for s in req["items"]]
        elif op == "sdist":
            res = [sdist(s) for s in req["items"]]
        else:
            res = {"error": "unknown op " + op}
        out.write(json.dumps(res) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
