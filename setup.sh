#!/usr/bin/env bash
# Installs the system packages LabLoop builds against (Debian/Ubuntu): ZeroMQ with CURVE, SQLite,
# protoc for regenerating the wire code, protobuf-c and valgrind for the C agent library, and the
# Python modules the Python SDK and its tests use (pyzmq, protobuf, numpy for the example model).
# Run as root or with sudo available.
set -euo pipefail
packages=(libzmq3-dev libsqlite3-dev protobuf-compiler libprotobuf-c-dev protobuf-c-compiler valgrind)
python_modules=(pyzmq "protobuf>=4.21,<8" numpy)
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages present: ${packages[*]}"
else
  echo "Installing ${missing[*]} ..."
  run apt-get update -qq
  DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "Installed ${missing[*]}"
fi

if python3 -c 'import zmq, google.protobuf, numpy' 2>/dev/null; then
  echo "Python modules present: ${python_modules[*]}"
elif python3 -m pip install --quiet "${python_modules[@]}" 2>/dev/null; then
  echo "Installed Python modules ${python_modules[*]} with pip"
else
  # A Debian system Python refuses pip installs (PEP 668): use its packages instead.
  echo "pip could not install ${python_modules[*]}; installing Debian's python3-zmq python3-protobuf python3-numpy ..."
  DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends \
    python3-zmq python3-protobuf python3-numpy >/dev/null
fi
python3 -c 'import zmq, google.protobuf, numpy' || { echo "python3 cannot import zmq, google.protobuf and numpy" >&2; exit 1; }
