#!/usr/bin/env bash
# Packs tapnet as a .NET tool into ./nupkg (docs/service.md):
#   tapnet.VERSION.nupkg            the pointer package `dotnet tool install tapnet` resolves first
#   tapnet.linux-x64.VERSION.nupkg  NativeAOT, what linux-x64 machines get
#   tapnet.any.VERSION.nupkg        framework-dependent (needs the .NET 10 runtime), every other platform
# NativeAOT links with gcc (-p:CppCompilerAndLinker=gcc; the ILCompiler's default is clang, which Debian lacks).
# TAPNET_PACK_JIT=1 packs one plain framework-dependent tool instead, for machines without a C toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${TAPNET_NUPKG_DIR:-nupkg}
mkdir -p "$out"
# A stale package of the same version would be installed in place of this one.
rm -f "$out"/tapnet.*nupkg
# Pack takes every file in the publish folder, also those an earlier publish with other settings left there.
rm -rf Tap.Cli/bin/Release/net10.0/publish Tap.Cli/bin/Release/net10.0/*/publish

if [ "${TAPNET_PACK_JIT:-0}" = 1 ]; then
  dotnet pack Tap.Cli -c Release -o "$out" -nologo -v q -p:PublishAot=false -p:ToolPackageRuntimeIdentifiers= \
    -p:PublishDocumentationFiles=false
else
  # With PublishAot the SDK's plain pack makes only the pointer package; each RID package is its own pack.
  dotnet pack Tap.Cli -c Release -o "$out" -nologo -v q
  dotnet pack Tap.Cli -c Release -r any -o "$out" -nologo -v q -p:PublishDocumentationFiles=false
  # The native debug symbols (tapnet.dbg, 7.5 MB) would more than double the download; a crash needs none of them
  # for its stack trace.
  dotnet pack Tap.Cli -c Release -r linux-x64 -o "$out" -nologo -v q -p:CppCompilerAndLinker=gcc \
    -p:PublishDocumentationFiles=false -p:CopyOutputSymbolsToPublishDirectory=false
fi
ls -l "$out"/tapnet.*nupkg
