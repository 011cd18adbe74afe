"""Prints the sort keys of setuptools' historic LegacyVersion (pip 19 on Python 2.7).

Input: one JSON list of version strings on stdin. Output: one JSON list of key tuples.
"""
import json
import sys

from pip._vendor.packaging.version import LegacyVersion


def main():
    items = json.loads(sys.stdin.readline())
    keys = [list(LegacyVersion(s)._key[1]) for s in items]
    sys.stdout.write(json.dumps(keys) + "\n")


if __name__ == "__main__":
    main()
