#!/usr/bin/env bash
# Upload throughput and memory of one large upload, on loopback only.
#
#   bash bench/upload.sh [SIZE_MB]      (default 500)
#
# Builds clutch (Release), serves a temp folder on 127.0.0.1, uploads a generated wheel of SIZE_MB
# (one stored member of random bytes, so inspection reads a real zip) with curl, and prints MB/s and
# the server's RSS growth: peak RSS sampled during the upload minus RSS just before it, and the
# change of VmHWM. Everything it starts is stopped by PID; the temp folder is removed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SIZE_MB=${1:-500}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clutch-bench-upload.XXXXXX")
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null || true
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

dotnet build src/Clutch -c Release -v quiet -nologo >/dev/null
CLUTCH=(dotnet "$PWD/src/Clutch/bin/Release/net10.0/clutch.dll")

echo "bench-password" | "${CLUTCH[@]}" user add bench --password-stdin --root "$WORK/packages" >/dev/null

WHEEL="$WORK/bigpkg-1.0-py3-none-any.whl"
/usr/bin/python3 - "$WHEEL" "$SIZE_MB" <<'PY'
import os, sys, zipfile
path, size_mb = sys.argv[1], int(sys.argv[2])
with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
    z.writestr("bigpkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: bigpkg\nVersion: 1.0\n")
    z.writestr("bigpkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr("bigpkg-1.0.dist-info/RECORD", "")
    with z.open("bigpkg/blob.bin", "w", force_zip64=True) as f:
        chunk = os.urandom(1 << 20)
        for i in range(size_mb):
            f.write(chunk[i % 7:] + chunk[:i % 7])
PY
BYTES=$(stat -c %s "$WHEEL")
SHA=$(sha256sum "$WHEEL" | cut -d' ' -f1)

PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${CLUTCH[@]}" serve "$WORK/packages" --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$SERVER_PID/status"; }
# Warm up the upload path (JIT, pools) with a small upload so the big one measures steady state.
/usr/bin/python3 - "$WORK/warm-1.0-py3-none-any.whl" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("warm-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: warm\nVersion: 1.0\n")
PY
curl -s -o /dev/null -u bench:bench-password -F ":action=file_upload" -F name=warm -F version=1.0 \
  -F "content=@$WORK/warm-1.0-py3-none-any.whl" "http://127.0.0.1:$PORT/legacy/"

RSS_BEFORE=$(kib VmRSS)
HWM_BEFORE=$(kib VmHWM)
( peak=0; while kill -0 "$SERVER_PID" 2>/dev/null; do
    r=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    (( r > peak )) && peak=$r && echo "$peak" >"$WORK/peak"
    sleep 0.05
  done ) &
SAMPLER_PID=$!

RESULT=$(curl -s -o "$WORK/response" -w '%{http_code} %{time_total}' -u bench:bench-password \
  -F ":action=file_upload" -F name=bigpkg -F version=1.0 -F filetype=bdist_wheel -F "sha256_digest=$SHA" \
  -F "content=@$WHEEL;type=application/octet-stream" "http://127.0.0.1:$PORT/legacy/")
sleep 0.2
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
read -r STATUS SECONDS_TOTAL <<<"$RESULT"
[[ $STATUS == 200 ]] || { echo "upload failed: HTTP $STATUS: $(cat "$WORK/response")" >&2; exit 1; }
PEAK=$(cat "$WORK/peak" 2>/dev/null || echo "$RSS_BEFORE")
HWM_AFTER=$(kib VmHWM)
[[ $(sha256sum "$WORK/packages/bigpkg/bigpkg-1.0-py3-none-any.whl" | cut -d' ' -f1) == "$SHA" ]] || { echo "stored bytes differ" >&2; exit 1; }

awk -v b="$BYTES" -v s="$SECONDS_TOTAL" -v r0="$RSS_BEFORE" -v p="$PEAK" -v h0="$HWM_BEFORE" -v h1="$HWM_AFTER" 'BEGIN {
  printf "upload: %.0f MB in %.2f s = %.0f MB/s (HTTP 200, stored bytes verified)\n", b / 1e6, s, b / 1e6 / s
  printf "server RSS: %.1f MB before, %.1f MB peak during upload: growth %.1f MB (VmHWM %+.1f MB)\n", r0 / 1024, p / 1024, (p - r0) / 1024, (h1 - h0) / 1024
}'
