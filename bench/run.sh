#!/usr/bin/env bash
# Clutch against nginx, in one run. Usage: bench/run.sh [--sizes small,large] [--duration 5] [--only REGEX]
# Installs wrk and nginx if missing, publishes Clutch's native build, generates the deterministic
# repositories under bench/out/ (kept between runs), then runs bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
[ -x "$PY" ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -qq update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

# The distributed program is the native build (scripts/publish.sh); BENCH_JIT=1 measures the JIT
# build (dotnet clutch.dll) instead.
if [ -n "${BENCH_JIT:-}" ]; then
  echo "building Clutch (Release, JIT)"
  dotnet build -c Release src/Clutch/Clutch.csproj -nologo -v quiet -clp:ErrorsOnly
  unset BENCH_CLUTCH
else
  echo "publishing Clutch (native build)"
  BENCH_CLUTCH=$PWD/$(scripts/publish.sh bench/out/clutch)
  export BENCH_CLUTCH
fi

sizes=small,large
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--sizes" ] && sizes="${args[$((i + 1))]}"
done
for size in ${sizes//,/ }; do
  case "$size" in
    small) shape="200 10" ;;       # 2,000 files (+ one 10 MB wheel)
    large) shape="5000 20" ;;      # 100,000 files in 5,000 projects (+ one 10 MB wheel)
    *) echo "unknown size $size" >&2; exit 2 ;;
  esac
  echo "generating the $size repository (skipped when already there)"
  # shellcheck disable=SC2086
  "$PY" bench/gen.py "bench/out/$size" $shape --drops 1100
done

"$PY" bench/bench.py "$@" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT INT TERM
wait "$pid"
