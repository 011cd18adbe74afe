#!/usr/bin/env bash
# Builds the distributed Clutch: one native executable (ahead-of-time compiled, no .NET runtime
# needed where it runs) plus the SQLite library beside it, in dist/<rid>/ (or the folder given).
#
#   scripts/publish.sh [OUTPUT_DIR]        then: dist/linux-x64/clutch serve ./packages
#
# Needs the .NET 10 SDK and a C toolchain to link (gcc and libc headers; installed with apt-get
# when missing and run as root). Prints the executable's path last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(uname -s) != Linux ]]; then
  echo "publish.sh: the native build is made for Linux here; elsewhere run the JIT build (dotnet run)" >&2
  exit 1
fi
case $(uname -m) in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "publish.sh: no native build for $(uname -m); run the JIT build (dotnet run)" >&2; exit 1 ;;
esac
out=${1:-dist/$rid}

missing=()
command -v gcc >/dev/null || missing+=(gcc)
dpkg -s libc6-dev >/dev/null 2>&1 || missing+=(libc6-dev)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "publish.sh: the native link needs ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -qq update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet publish src/Clutch/Clutch.csproj -c Release -r "$rid" -o "$out" -nologo -v quiet \
  -clp:"NoSummary;ErrorsOnly" -p:DebugType=none -p:CopyOutputSymbolsToPublishDirectory=false -p:GenerateDocumentationFile=false </dev/null >&2
echo "$out/clutch"
