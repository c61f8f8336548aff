#!/usr/bin/env bash
# Installs the system packages LabLoop builds against (Debian/Ubuntu): ZeroMQ with CURVE, SQLite,
# and protoc for regenerating the wire code. Run as root or with sudo available.
set -euo pipefail
packages=(libzmq3-dev libsqlite3-dev protobuf-compiler)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages present: ${packages[*]}"
  exit 0
fi
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "Installing ${missing[*]} ..."
run apt-get update -qq
DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed ${missing[*]}"
