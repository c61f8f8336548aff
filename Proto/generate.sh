#!/usr/bin/env bash
# Regenerates Sources/LabLoopProtocol/Generated from Proto/labloop/v1/*.proto with Debian's protoc
# and protoc-gen-swift built from the swift-protobuf version pinned in Package.swift, and the Python
# and C peers' code through Proto/generate-peers.sh.
#   Proto/generate.sh          rewrite the committed code
#   Proto/generate.sh --check  fail (exit 1) if the committed code is not what the generator makes
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/LabLoopProtocol/Generated
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 2; }
Proto/generate-peers.sh "$@"

swift build -c release --product protoc-gen-swift --scratch-path .build-protoc >/dev/null
plugin=$(swift build -c release --product protoc-gen-swift --scratch-path .build-protoc --show-bin-path)/protoc-gen-swift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
protoc --plugin=protoc-gen-swift="$plugin" -I Proto \
  --swift_out="$tmp" \
  --swift_opt=Visibility=Public \
  --swift_opt=UseAccessLevelOnImports=true \
  --swift_opt=FileNaming=DropPath \
  Proto/labloop/v1/*.proto

if [ "${1:-}" = "--check" ]; then
  if ! diff -ru "$out" "$tmp" >/dev/null; then
    diff -ru "$out" "$tmp" | head -40 >&2
    echo "Generated protobuf code is stale: run Proto/generate.sh and commit the result." >&2
    exit 1
  fi
  echo "Generated protobuf code is current."
else
  rm -rf "$out"
  mkdir -p "$out"
  cp "$tmp"/*.swift "$out"/
  echo "Wrote $(ls "$out" | wc -l) files to $out"
fi
