#!/usr/bin/env bash
# Packs tapnet (scripts/pack.sh) and installs it as README says, from clean places, then runs what a user runs first:
#   1. --tool-path into an empty directory: the linux-x64 NativeAOT package must be the one installed;
#   2. README's line as written, --global, with HOME and DOTNET_CLI_HOME in an empty directory;
#   3. the framework-dependent fallback package (tapnet.any), run with `dotnet` from its own files, since this
#      linux-x64 machine always resolves to the AOT one.
# Each runs `tapnet --version` (must print the packed version) and `tapnet demo --sim` (must end in "demo: ok").
# NUGET_PACKAGES is a fresh directory too: a cached tapnet of the same version would be installed instead of this
# build. TAPNET_SKIP_PACK=1 tests the packages already in ./nupkg.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if [ "${TAPNET_SKIP_PACK:-0}" != 1 ]; then
  bash scripts/pack.sh
fi
pointer=$(ls nupkg/tapnet.[0-9]*.nupkg 2>/dev/null | head -n 1 || true)
if [ -z "$pointer" ]; then
  echo "tool-install-test: no nupkg/tapnet.VERSION.nupkg (run scripts/pack.sh)" >&2
  exit 1
fi
version=${pointer#nupkg/tapnet.}
version=${version%.nupkg}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/nuget"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

failures=0
fail() { echo "tool-install-test: FAIL: $*" >&2; failures=$((failures + 1)); }

# check LABEL COMMAND...: --version and demo --sim through COMMAND.
check() {
  local label=$1; shift
  local out status
  status=0; out=$("$@" --version 2>&1) || status=$?
  if [ "$status" != 0 ] || [ "$out" != "tapnet $version" ]; then
    fail "$label: '$* --version' exited $status and printed '$out', expected 'tapnet $version'"
  fi
  status=0; out=$(cd "$work" && "$@" demo --sim 2>&1) || status=$?
  if [ "$status" != 0 ] || [ "$(printf '%s\n' "$out" | tail -n 1)" != "demo: ok (simulated)" ]; then
    fail "$label: '$* demo --sim' exited $status; last lines:"
    printf '%s\n' "$out" | tail -n 5 >&2
  else
    echo "tool-install-test: $label: tapnet $version, demo --sim ok"
  fi
}

# 1. A clean tool path.
dotnet tool install --tool-path "$work/tools" --add-source "$repo/nupkg" tapnet
if [ -d "$work/tools/.store/tapnet/$version/tapnet.linux-x64" ]; then
  file_kind=$(head -c 4 "$work/tools/tapnet" | od -An -c | tr -d ' ')
  [ "$file_kind" = '177ELF' ] || fail "tool path: $work/tools/tapnet is not a native executable"
else
  fail "tool path: the linux-x64 NativeAOT package was not the one installed"
fi
check "tool path" "$work/tools/tapnet"

# 2. README's line, --global, for a user with an empty home.
mkdir -p "$work/home"
(cd "$repo" && HOME="$work/home" DOTNET_CLI_HOME="$work/home" \
  dotnet tool install --global --add-source ./nupkg tapnet)
HOME="$work/home" DOTNET_CLI_HOME="$work/home" check "--global" "$work/home/.dotnet/tools/tapnet"

# 3. The framework-dependent fallback.
anypkg="nupkg/tapnet.any.$version.nupkg"
if [ -f "$anypkg" ]; then
  mkdir -p "$work/any"
  python3 -m zipfile -e "$anypkg" "$work/any"
  check "any (framework-dependent)" dotnet "$work/any/tools/net10.0/any/tapnet.dll"
else
  fail "no $anypkg"
fi

if [ "$failures" -gt 0 ]; then
  echo "tool-install-test: $failures failure(s)" >&2
  exit 1
fi
echo "tool-install-test: ok"
