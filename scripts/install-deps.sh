#!/usr/bin/env bash
# Installs the Debian packages of scripts/debian-packages.txt that are missing (as root, or through sudo),
# and any packages named as arguments (what a benchmark or an optional test needs beyond the build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
missing=()
for package in $(grep -v '^#' "$here/debian-packages.txt") "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
