#!/usr/bin/env bash
# Upload throughput and memory of one large upload, on loopback only.
#
#   bash bench/upload.sh [SIZE_MB]      (default 500)
#
# Runs clutch (BENCH_CLUTCH, else the Release JIT build), serves a temp folder on 127.0.0.1, uploads two generated wheels of SIZE_MB
# (one stored member of random bytes, so inspection reads a real zip) with curl, and prints MB/s and
# the server's RSS growth for each: its peak RSS during the upload (VmHWM, reset just before) minus
# its RSS just before. Everything it starts is stopped by PID; the temp folder is removed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SIZE_MB=${1:-500}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clutch-bench-upload.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# BENCH_CLUTCH: the native build to measure (bench/run.sh sets it); else the JIT build, built here.
if [[ -n ${BENCH_CLUTCH:-} ]]; then
  CLUTCH=("$BENCH_CLUTCH")
else
  dotnet build src/Clutch -c Release -v quiet -nologo >/dev/null
  CLUTCH=(dotnet "$PWD/src/Clutch/bin/Release/net10.0/clutch.dll")
fi

# The request bodies are built up front, as twine builds them (the fields, then the file part), and
# streamed by curl from disk (-T): `curl -F` spends more CPU than the server on this 2-core machine
# and caps at ~250 MB/s even against a null sink. Two uploads: sha256 only (curl, most CI scripts),
# and all three digests as twine sends them (md5 and blake2b are then checked before acceptance).
BOUNDARY=clutchbench7f3a9e
build_body() { # build_body VERSION WITH_ALL_DIGESTS [SIZE_MB]: writes $WORK/body-VERSION.bin, prints "BYTES SHA256"
  /usr/bin/python3 - "$WORK" "${3:-$SIZE_MB}" "$BOUNDARY" "$1" "$2" <<'PY'
import hashlib, os, sys, zipfile
work, size_mb, b, version, all_digests = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
name = "bigpkg"
filename = f"{name}-{version}-py3-none-any.whl"
wheel = os.path.join(work, filename)
with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as z:
    z.writestr(f"{name}-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    z.writestr(f"{name}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr(f"{name}-{version}.dist-info/RECORD", "")
    with z.open(f"{name}/blob.bin", "w", force_zip64=True) as f:
        chunk = os.urandom(1 << 20)
        for i in range(size_mb):
            f.write(chunk[i % 7:] + chunk[:i % 7])
hashes = [hashlib.sha256(), hashlib.md5(), hashlib.blake2b(digest_size=32)]
with open(wheel, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        for h in hashes:
            h.update(chunk)
fields = {":action": "file_upload", "protocol_version": "1", "name": name, "version": version,
          "filetype": "bdist_wheel", "pyversion": "py3", "metadata_version": "2.1",
          "sha256_digest": hashes[0].hexdigest()}
if all_digests == "1":
    fields["md5_digest"] = hashes[1].hexdigest()
    fields["blake2_256_digest"] = hashes[2].hexdigest()
with open(os.path.join(work, f"body-{version}.bin"), "wb") as w:
    for k, v in fields.items():
        w.write(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    w.write(f'--{b}\r\nContent-Disposition: form-data; name="content"; filename="{filename}"\r\n'
            f'Content-Type: application/octet-stream\r\n\r\n'.encode())
    with open(wheel, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            w.write(chunk)
    w.write(f"\r\n--{b}--\r\n".encode())
print(os.path.getsize(wheel), hashes[0].hexdigest())
os.remove(wheel)
PY
}
read -r _ SHA_WARM < <(build_body 0.1 1 64)
read -r BYTES SHA_1 < <(build_body 1.0 0)
read -r _ SHA_2 < <(build_body 2.0 1)
sync # the bodies' dirty pages must not be written back while an upload is timed

PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${CLUTCH[@]}" serve "$WORK/packages" --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
# The user is added once serve has created the index (admin commands refuse a folder without one).
echo "bench-password" | "${CLUTCH[@]}" user add bench --password-stdin --root "$WORK/packages" >/dev/null

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$SERVER_PID/status"; }
measure() { # measure LABEL VERSION EXPECTED_SHA256
  local body="$WORK/body-$2.bin"
  local rss_before result status seconds peak
  # The kernel's peak-RSS mark (VmHWM) is reset to the current RSS before the upload and read after
  # it: the true peak, with nothing sampling /proc (a polling loop cost ~10% of the CPU the upload needs).
  echo 5 >"/proc/$SERVER_PID/clear_refs" || { echo "cannot reset the server's VmHWM (/proc/PID/clear_refs)" >&2; exit 1; }
  rss_before=$(kib VmRSS)
  result=$(curl -s -o "$WORK/response" -w '%{http_code} %{time_total}' -u bench:bench-password -H 'Expect:' \
    -H "Content-Type: multipart/form-data; boundary=$BOUNDARY" -X POST -T "$body" "http://127.0.0.1:$PORT/legacy")
  peak=$(kib VmHWM)
  read -r status seconds <<<"$result"
  [[ $status == 200 ]] || { echo "upload failed: HTTP $status: $(cat "$WORK/response")" >&2; exit 1; }
  [[ $(sha256sum "$WORK/packages/bigpkg/bigpkg-$2-py3-none-any.whl" | cut -d' ' -f1) == "$3" ]] || { echo "stored bytes differ" >&2; exit 1; }
  rm -f "$body"
  awk -v l="$1" -v b="$BYTES" -v s="$seconds" -v r0="$rss_before" -v p="$peak" 'BEGIN {
    printf "upload (%s): %.0f MB in %.2f s = %.0f MB/s (HTTP 200, stored bytes verified); server peak RSS growth %.1f MB\n", l, b / 1e6, s, b / 1e6 / s, (p - r0) / 1024
  }'
}

# A warm-up upload of 64 MB brings the upload path's code to its optimized tier, as in a server
# that has been taking uploads for a while.
measure "warm-up, all digests" 0.1 "$SHA_WARM" >/dev/null
measure "sha256 sent" 1.0 "$SHA_1"
sleep 2 # let the first upload's md5/blake2b backfill finish before the next is timed
measure "sha256, md5 and blake2b sent, as twine does" 2.0 "$SHA_2"
