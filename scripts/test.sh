#!/usr/bin/env bash
# Runs every Clutch test on a fresh Debian machine: installs what is missing, starts the real
# services later issues need, builds the solution once and the native executable (scripts/publish.sh),
# runs each test project (those that do not need the native build first, while it is published;
# the end-to-end one twice: against the JIT build and against the native
# one; the server one twice: on the folder and SQLite, and on PostgreSQL and S3; the browser one once,
# in Debian's Chromium against the native build), and ends with one line: "N passed, N failed, N skipped".
#
#   bash scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Pip]
#
# Environment:
#   CLUTCH_TEST_PROJECTS   only test projects whose name contains one of these words (space separated)
#   CLUTCH_TEST_SERVICES   services to start (default "postgres s3", exported as CLUTCH_TEST_PG /
#                          CLUTCH_TEST_S3); the tests that need a service not started are skipped,
#                          saying why, and fail instead while every service is started (the default)
#   CLUTCH_TEST_TIMEOUT    seconds one test project may run (default 840)
#   CLUTCH_TEST_ARTIFACTS  where the browser tests' screenshots go, one folder per test (default
#                          .artifacts/test/browser; kept after the run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
START=$SECONDS

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

# What the tests use: real clients, the tools that build test packages, and the PostgreSQL server
# (the S3 endpoint is moto from pyenv's Python 3.11); nginx and wrk belong to bench/run.sh, which
# installs them. (scripts/publish.sh installs what links the native build itself.)
CLUTCH_TEST_SERVICES=${CLUTCH_TEST_SERVICES-postgres s3}
APT_PACKAGES=(twine python3-build python3-wheel python3-setuptools python3-hatchling python3-poetry
  python3-virtualenv git chromium)
[[ " $CLUTCH_TEST_SERVICES " == *" postgres "* || " $CLUTCH_TEST_SERVICES " == *" pg "* ]] && APT_PACKAGES+=(postgresql)

install_missing() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "not root; tests that need these will fail or skip: ${missing[*]}"
    return 0
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ---- services (started on demand, stopped by PID on exit) ---------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clutch-test.XXXXXX")
SERVICE_PIDS=()
STOP_COMMANDS=()

cleanup() {
  local pid command
  # A background publish still running (the run stopped early) goes with it.
  if [[ -n ${PUBLISH_PID:-} ]]; then
    pkill -P "$PUBLISH_PID" 2>/dev/null || true
    kill "$PUBLISH_PID" 2>/dev/null || true
    wait "$PUBLISH_PID" 2>/dev/null || true
  fi
  for command in "${STOP_COMMANDS[@]}"; do
    $command >/dev/null 2>&1 || true
  done
  for pid in "${SERVICE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVICE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT NAME LOG: up to 30 s for something to accept connections on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 name=$2 logfile=$3 i
  for ((i = 0; i < 300; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  cat "$logfile" >&2 || true
  die "$name did not listen on 127.0.0.1:$port within 30 s"
}

pyenv_root() { echo "${PYENV_ROOT:-$HOME/.pyenv}"; }

start_s3() {
  local python port
  python=$(ls -d "$(pyenv_root)"/versions/3.11*/bin/python 2>/dev/null | sort -V | tail -n 1)
  [[ -x $python ]] || die "no pyenv Python 3.11 with moto for the S3 server"
  port=$(free_port)
  "$python" -m moto.server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
  SERVICE_PIDS+=($!)
  wait_for_port "$port" "moto S3 server" "$WORK/moto.log"
  export CLUTCH_TEST_S3="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
  log "S3 (moto) at $CLUTCH_TEST_S3"
}

start_postgres() {
  local bin port data run=() user=postgres
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -x $bin/initdb ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  port=$(free_port)
  data="$WORK/pg"
  mkdir -p "$data"
  # PostgreSQL refuses to run as root: run the throwaway cluster as the postgres user.
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$WORK" "$data"
    chmod 755 "$WORK"
    run=(runuser -u postgres --)
  else
    user=$(id -un)
  fi
  "${run[@]}" "$bin/initdb" -D "$data" -U "$user" -A trust --no-sync >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
  # Controlled through pg_ctl (wrapped in $WORK/pg-ctl, exported for the tests that restart the
  # server under load): stopped by it on exit, whatever PID a restart left.
  cat >"$WORK/pg-ctl" <<EOF
#!/usr/bin/env bash
exec ${run[*]} "$bin/pg_ctl" -D "$data" -l "$WORK/postgres.log" -o "-h 127.0.0.1 -p $port -k $data -F -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" -w -t 30 "\$@"
EOF
  chmod +x "$WORK/pg-ctl"
  "$WORK/pg-ctl" start >/dev/null || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }
  STOP_COMMANDS+=("$WORK/pg-ctl stop -m immediate")
  wait_for_port "$port" "PostgreSQL" "$WORK/postgres.log"
  export CLUTCH_TEST_PG="postgres://$user@127.0.0.1:$port/postgres" CLUTCH_TEST_PG_CTL="$WORK/pg-ctl"
  log "PostgreSQL at $CLUTCH_TEST_PG"
}

start_services() {
  local service
  for service in $CLUTCH_TEST_SERVICES; do
    case $service in
      postgres | pg) start_postgres ;;
      s3 | moto) start_s3 ;;
      *) die "unknown service in CLUTCH_TEST_SERVICES: $service" ;;
    esac
  done
  # Both services up: a test that needs one and finds it missing fails rather than skips.
  if [[ -n ${CLUTCH_TEST_PG:-} && -n ${CLUTCH_TEST_S3:-} ]]; then
    export CLUTCH_TEST_REQUIRE_SERVICES=1
  fi
}

# ---- results ------------------------------------------------------------------------------------
# Prints "passed failed skipped" summed over the trx files given.
sum_trx() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in sys.argv[1:]:
    counters = next(e for e in ET.parse(path).iter() if e.tag.endswith("Counters"))
    get = lambda name: int(counters.get(name, 0))
    passed += get("passed")
    failed += get("failed") + get("error") + get("timeout") + get("aborted")
    # xunit's trx leaves notExecuted at 0 and counts a skipped test only in total, not in executed.
    skipped += max(get("notExecuted"), get("total") - get("executed"))
print(passed, failed, skipped)
PY
}

# ---- main ---------------------------------------------------------------------------------------
install_missing
command -v dotnet >/dev/null || die "dotnet SDK not found on PATH"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log "building (Release)"
if ! dotnet build "$ROOT/Clutch.slnx" -c Release -nologo -v quiet -clp:"NoSummary;ErrorsOnly" </dev/null; then
  log "build failed"
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi

# The distributed program is the native build: the end-to-end tests run a second time against it,
# the browser tests only against it.
NATIVE=""
# wanted NAME: whether CLUTCH_TEST_PROJECTS (if set) selects the test project NAME.
wanted() {
  local word
  [[ -z ${CLUTCH_TEST_PROJECTS:-} ]] && return 0
  for word in $CLUTCH_TEST_PROJECTS; do [[ $1 == *"$word"* ]] && return 0; done
  return 1
}

# The native build is published in the background, at a lower priority, while the suites that do
# not need it run (the PostgreSQL + S3 pass mostly waits on its services); the suites that need it
# wait for it afterwards.
PUBLISH_PID=""
if wanted Clutch.EndToEnd.Tests || wanted Clutch.Browser.Tests; then
  log "publishing the native build (in the background)"
  nice -n 10 scripts/publish.sh "$WORK/native" >"$WORK/publish.out" 2>"$WORK/publish.err" </dev/null &
  PUBLISH_PID=$!
fi

# await_native: waits for the background publish; false (and says why) when it failed.
await_native() {
  [[ -n $NATIVE ]] && return 0
  [[ -z $PUBLISH_PID ]] && return 1
  if wait "$PUBLISH_PID"; then
    NATIVE=$(tail -n 1 "$WORK/publish.out")
    PUBLISH_PID=""
    return 0
  fi
  cat "$WORK/publish.err" >&2
  log "native build failed"
  PUBLISH_PID=""
  return 1
}

# From here on no client may reach the internet: proxies point at a closed loopback port,
# loopback itself is exempt, and pip without an explicit --index-url hits the same dead end.
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export HTTP_PROXY=$http_proxy HTTPS_PROXY=$https_proxy
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset all_proxy ALL_PROXY
export PIP_INDEX_URL=http://127.0.0.1:9/simple/ PIP_CONFIG_FILE=/dev/null
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring

start_services

# Every temp file of the run (servers' folders, built packages, venvs) lives under $WORK and goes with it.
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

mapfile -t PROJECTS < <(find "$ROOT/tests" -mindepth 2 -maxdepth 2 -name '*.Tests.csproj' | sort)
((${#PROJECTS[@]} > 0)) || die "no test projects under tests/"

RESULTS="$WORK/results"
TRX=()
BROKEN=()

# run_project PROJECT NAME [VAR=VALUE...]: one dotnet test run, its trx kept under NAME.
run_project() {
  local project=$1 name=$2 rc=0 trx
  shift 2
  log "testing $name"
  timeout --kill-after=30 "${CLUTCH_TEST_TIMEOUT:-840}" \
    env "$@" dotnet test "$project" -c Release --no-build -nologo \
    --results-directory "$RESULTS/$name" \
    --logger "trx;LogFileName=$name.trx" \
    --logger "console;verbosity=normal" \
    --blame-hang-timeout 5m --blame-hang-dump-type none \
    "${EXTRA_ARGS[@]}" </dev/null || rc=$?
  trx="$RESULTS/$name/$name.trx"
  if [[ -f $trx ]]; then
    TRX+=("$trx")
    grep -q 'total="0"' "$trx" && log "note: $name has no tests"
  fi
  # A non-zero exit fails the run even when the trx looks clean (a crashed or killed test host).
  if [[ $rc -ne 0 ]]; then
    BROKEN+=("$name (exit $rc$([[ -f $trx ]] || echo ', no results'))")
  fi
}

# Screenshots of every page the browser tests visit: outside $WORK, so they outlive the run.
export CLUTCH_TEST_ARTIFACTS=${CLUTCH_TEST_ARTIFACTS:-$ROOT/.artifacts/test/browser}

EXTRA_ARGS=("$@")
# needs_native NAME: the suites that run the native build (they go last, after the publish).
needs_native() { [[ $1 == Clutch.Browser.Tests || $1 == *EndToEnd* ]]; }
ORDERED=()
for project in "${PROJECTS[@]}"; do needs_native "$(basename "$project" .csproj)" || ORDERED+=("$project"); done
for project in "${PROJECTS[@]}"; do needs_native "$(basename "$project" .csproj)" && ORDERED+=("$project"); done
for project in "${ORDERED[@]}"; do
  name=$(basename "$project" .csproj)
  wanted "$name" || continue
  if needs_native "$name" && ! await_native; then
    BROKEN+=("$name (no native build)")
    continue
  fi
  # The browser suite runs once, against what ships (the native build's templates are compiled ahead of time).
  if [[ $name == Clutch.Browser.Tests ]]; then
    mkdir -p "$CLUTCH_TEST_ARTIFACTS"
    run_project "$project" "$name" "CLUTCH_EXE=$NATIVE"
    log "browser screenshots in $CLUTCH_TEST_ARTIFACTS"
    continue
  fi
  run_project "$project" "$name"
  if [[ $name == *EndToEnd* && -n $NATIVE ]]; then
    run_project "$project" "$name.native" "CLUTCH_EXE=$NATIVE"
  fi
  # The server suite again, every in-process server on its own PostgreSQL database and S3 bucket.
  if [[ $name == Clutch.Server.Tests ]]; then
    if [[ -n ${CLUTCH_TEST_REQUIRE_SERVICES:-} ]]; then
      run_project "$project" "$name.postgres-s3" "CLUTCH_TEST_STORES=postgres-s3"
    else
      log "not running $name on PostgreSQL + S3: CLUTCH_TEST_SERVICES did not start both"
    fi
  fi
done

read -r passed failed skipped < <(if ((${#TRX[@]} > 0)); then sum_trx "${TRX[@]}"; else echo 0 0 0; fi)
status=0
if ((${#BROKEN[@]} > 0)); then
  log "failed or did not run: ${BROKEN[*]}"
  status=1
fi
if ((failed > 0)); then status=1; fi
if ((passed + failed == 0)); then
  log "no test ran"
  status=1
fi
log "done in $((SECONDS - START)) s"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
