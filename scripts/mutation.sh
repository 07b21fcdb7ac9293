#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local tool, .config/dotnet-tools.json) over Tap.Core, judged by the fast part
# of the suite (stryker-config.json: everything but the real-kernel Linux, Conformance and Cli tests).
# Prints the surviving mutants, the score per folder and, last, `mutation score: N%`.
#
#   bash scripts/mutation.sh                      # all of Tap.Core (the figure in README)
#   bash scripts/mutation.sh --since main         # only the Tap.Core files changed since main (day to day)
#   bash scripts/mutation.sh --mutate '**/Net/*.cs' [--mutate ...]   # chosen files (Stryker globs)
#   bash scripts/mutation.sh --sim                # Tap.Sim's kernel model instead of Tap.Core
#   bash scripts/mutation.sh --trace-layer        # Tap.Trace (recording, replay, the file format) instead
#   bash scripts/mutation.sh --cli --mutate '**/MetricsHttp.cs'   # Tap.Cli's files (those the fast suite covers)
#   bash scripts/mutation.sh --break 90           # exit 1 below 90%
#
# Stryker copies the mutated assembly into Tap.Tests/bin/Release: run no Release build or test beside it.
set -euo pipefail
cd "$(dirname "$0")/.."

project=Tap.Core.csproj
project_dir=Tap.Core
globs=()
since=
break_at=0
while [ $# -gt 0 ]; do
  case "$1" in
    --since) since=${2:?--since needs a git ref}; shift 2 ;;
    --mutate) globs+=("${2:?--mutate needs a glob}"); shift 2 ;;
    --sim) project=Tap.Sim.csproj; project_dir=Tap.Sim; shift ;;
    --trace-layer) project=Tap.Trace.csproj; project_dir=Tap.Trace; shift ;;
    --cli) project=Tap.Cli.csproj; project_dir=Tap.Cli; shift ;;
    --break) break_at=${2:?--break needs a percentage}; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mutation.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [ -n "$since" ]; then
  git rev-parse --verify --quiet "$since^{commit}" >/dev/null || { echo "mutation.sh: '$since' is not a commit" >&2; exit 2; }
  # What this change touched, committed or not, since it left REF (not what REF gained meanwhile).
  base=$(git merge-base "$since" HEAD)
  mapfile -t changed < <(git diff --name-only --diff-filter=AMR "$base" -- "$project_dir" | grep '\.cs$' || true)
  if [ ${#changed[@]} -eq 0 ]; then
    echo "mutation.sh: no $project_dir source file changed since $since; nothing to mutate"
    exit 0
  fi
  for f in "${changed[@]}"; do globs+=("**/${f#"$project_dir"/}"); done
  echo "mutation.sh: mutating ${#changed[@]} file(s) changed since $since"
fi
if [ "$project" = Tap.Sim.csproj ] && [ ${#globs[@]} -eq 0 ]; then
  # The kernel model: tun devices and queues, fds, the data path, programs and vhost (not the scenarios).
  globs=('**/SimKernel*.cs' '**/SimTun*.cs' '**/SimFile.cs' '**/SimBufferPool.cs')
fi

out=${TAPNET_MUTATION_OUT:-StrykerOutput/latest}
rm -rf "$out"
args=(stryker --config-file stryker-config.json --project "$project" --output "$out")
for g in "${globs[@]}"; do args+=(--mutate "$g"); done

dotnet tool restore >/dev/null
start=$(date +%s)
dotnet "${args[@]}"
elapsed=$(( $(date +%s) - start ))

report="$out/reports/mutation-report.json"
[ -f "$report" ] || { echo "mutation.sh: Stryker wrote no report ($report)" >&2; exit 1; }
echo "mutation.sh: $((elapsed / 60)) min $((elapsed % 60)) s; report $out/reports/mutation-report.html"
python3 scripts/mutation_score.py "$report" --break "$break_at"
