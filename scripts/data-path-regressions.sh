#!/usr/bin/env bash
# Plants one-line regressions in Tap.Core, one at a time, runs the data-path model property against each, and
# reverts it: proof that the property can fail. Prints "name: CAUGHT|SURVIVED (first step that differed)".
# Refuses to run with uncommitted changes in Tap.Core (it restores files with git checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git diff --quiet -- Tap.Core; then
  echo "Tap.Core has uncommitted changes; commit or stash them first" >&2
  exit 2
fi
trap 'git checkout -- Tap.Core' EXIT

# name | file | sed expression (line-anchored where the text occurs more than once)
regressions=$(cat <<'LIST'
strip-skipped|Tap.Core/Backend/TapBackend.DataPath.cs|s/if (HostVnetHdrLen != 0 \&\& !UsingVnetHdr)$/if (HostVnetHdrLen != 0 \&\& UsingVnetHdr)/
pad-off-by-one|Tap.Core/Backend/TapBackend.DataPath.cs|s/frame.Length < NetLimits.EthZLenBytes \&\&/frame.Length < NetLimits.EthZLenBytes - 1 \&\&/
write-drop-uncounted|Tap.Core/Backend/TapBackend.DataPath.cs|/SetWritePoll(true);/,/return -1;/s/Counters.CountDrop(DropReason.WriteError);/;/
prefix-missing|Tap.Core/Backend/TapBackend.DataPath.cs|s/? HostVnetHdrLen : 0/? 0 : 0/
eagain-no-write-poll|Tap.Core/Backend/TapBackend.DataPath.cs|s/SetWritePoll(true)/SetWritePoll(false)/
completion-skipped|Tap.Core/Net/SendQueue.cs|s/Complete(packet, result);/;/
overflow-uncounted|Tap.Core/Net/SendQueue.cs|s/sender.Counters.CountDrop(DropReason.QueueOverflow);/;/
vnet-le-false|Tap.Core/Backend/TapBackend.Control.cs|s/on ? _os.TunSetVnetLe(_fd, true)/on ? _os.TunSetVnetLe(_fd, false)/
queue-limit-9999|Tap.Core/Abi/NetLimits.cs|s/QueueLimitWithoutCallback = 10000/QueueLimitWithoutCallback = 9999/
wakeup-budget-49|Tap.Core/Backend/TapBackend.cs|s/MaxPacketsPerWakeup = 50/MaxPacketsPerWakeup = 49/
read-buffer-short|Tap.Core/Backend/TapBackend.cs|s/_buf = new byte\[NetLimits.NetBufSizeBytes\]/_buf = new byte[NetLimits.NetBufSizeBytes - 1]/
poll-us-dropped|Tap.Core/Init/QueueSetup.cs|s/tap.PollUs ?? 0/0/
hub-oldest-first|Tap.Core/Net/NetHub.cs|s/_ports.Insert(0, port);/_ports.Add(port);/
disable-no-purge|Tap.Core/Backend/TapBackend.Control.cs|/public int Disable/,/UpdateFdHandler/s/PurgeQueuedPackets();/;/
delete-no-completion|Tap.Core/Net/SendQueue.cs|/internal void Destroy/,/^    }/s/Complete(packet, 0);/;/
broken-link-stays-up|Tap.Core/Backend/TapBackend.DataPath.cs|s/LinkDown = true;/LinkDown = false;/
offload-uso-retry-half|Tap.Core/Backend/TapBackend.Control.cs|s/mask \&= ~(TunOffload.Uso4 | TunOffload.Uso6);/mask \&= ~TunOffload.Uso4;/
stopvm-no-purge|Tap.Core/Net/NetClient.cs|s/IncomingQueue.Purge(peer);/;/
poll-write-ignored|Tap.Core/Backend/TapBackend.Control.cs|s/        _writePoll = enable;/        _writePoll = false;/
LIST
)

while IFS='|' read -r name file expr; do
  sed -i "$expr" "$file"
  if git diff --quiet -- "$file"; then
    echo "$name: the regression did not apply (the code moved); fix its pattern"
    continue
  fi
  if ! dotnet build Tap.Tests -c Release > /dev/null 2>&1; then
    echo "$name: build failed"
  elif out=$(dotnet test Tap.Tests -c Release --no-build --filter "FullyQualifiedName~DataPathMatchesModel" 2>&1); then
    echo "$name: SURVIVED"
  else
    echo "$name: CAUGHT ($(grep -m1 -o 'part at .*' <<< "$out" || echo 'see the test output'))"
  fi
  git checkout -- "$file"
done <<< "$regressions"
dotnet build Tap.Tests -c Release > /dev/null 2>&1
