#!/usr/bin/env bash
# Regenerates the protobuf code of the peers in other languages from Proto/labloop/v1/*.proto:
#   Python (protoc --python_out/--pyi_out) into Instruments/python/src/labloop/v1
#   C      (protoc-c, libprotobuf-c)       into Instruments/c/generated/labloop/v1
# with Debian's protoc 3.21.12 and protoc-c 1.4.1. Called by Proto/generate.sh.
#   Proto/generate-peers.sh          rewrite the committed code
#   Proto/generate-peers.sh --check  fail (exit 1) if the committed code is not what the generators make
set -euo pipefail
cd "$(dirname "$0")/.."
python_out=Instruments/python/src/labloop/v1
c_out=Instruments/c/generated/labloop/v1
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 2; }
command -v protoc-c >/dev/null || { echo "protoc-c not found: apt-get install protobuf-c-compiler" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/python" "$tmp/c" "$tmp/proto-c"

protoc -I Proto --python_out="$tmp/python" --pyi_out="$tmp/python" Proto/labloop/v1/*.proto
cat >"$tmp/python/labloop/v1/__init__.py" <<'EOF'
"""The LabLoop wire protocol v1, generated from Proto/labloop/v1 by Proto/generate-peers.sh. Do not edit."""
EOF

# protoc-c 1.4 does not support proto3 `optional`. Each such field is rewritten as the one-field
# oneof that protoc itself makes of it (named `_<field>`): the same on the wire, presence kept.
cp -r Proto/labloop "$tmp/proto-c/"
sed -i -E 's/^([[:space:]]*)optional[[:space:]]+([A-Za-z0-9_.]+)[[:space:]]+([A-Za-z0-9_]+)[[:space:]]*=[[:space:]]*([0-9]+);/\1oneof _\3 { \2 \3 = \4; }/' \
  "$tmp/proto-c"/labloop/v1/*.proto
if grep -n '^[[:space:]]*optional ' "$tmp/proto-c"/labloop/v1/*.proto >&2; then
  echo "An optional field above is not in the form 'optional TYPE NAME = N;': extend the rewrite." >&2
  exit 2
fi
protoc-c -I "$tmp/proto-c" --c_out="$tmp/c" "$tmp/proto-c"/labloop/v1/*.proto

stale=0
sync_dir() { # generated committed
  if [ "$mode" = check ]; then
    if ! diff -ru -x __pycache__ "$2" "$1" >/dev/null 2>&1; then
      diff -ru -x __pycache__ "$2" "$1" 2>&1 | head -40 >&2 || true
      stale=1
    fi
  else
    rm -rf "$2"
    mkdir -p "$2"
    cp "$1"/* "$2"/
    echo "Wrote $(ls "$2" | wc -l) files to $2"
  fi
}
mode=write
[ "${1:-}" = "--check" ] && mode=check
sync_dir "$tmp/python/labloop/v1" "$python_out"
sync_dir "$tmp/c/labloop/v1" "$c_out"
if [ "$stale" -ne 0 ]; then
  echo "Generated Python/C protobuf code is stale: run Proto/generate.sh (or Proto/generate-peers.sh) and commit the result." >&2
  exit 1
fi
[ "$mode" = check ] && echo "Generated Python and C protobuf code is current."
exit 0
