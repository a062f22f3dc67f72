#!/usr/bin/env bash
# Installs, from Debian's packages, whatever gradflow needs that is missing.
# Works as root or through sudo; does nothing when everything is there.
set -euo pipefail

packages=(
  g++ cmake make                        # toolchain
  libeigen3-dev libcli11-dev libfmt-dev  # core library
  libopenblas-dev                       # matrix products (GRADFLOW_OPENBLAS, default on)
  libgtest-dev                          # tests
  nlohmann-json3-dev                    # safetensors headers (interop)
  python3 python3-numpy python3-pandas python3-matplotlib  # plotting scripts
  parallel                              # the GNU parallel sweep recipe and its test
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install_deps: installing ${#missing[@]} Debian packages (a few minutes on a fresh machine): ${missing[*]}" >&2
echo "install_deps: apt-get update" >&2
$sudo apt-get update -qq
# apt's own progress, one line per package unpacked and set up, so a long
# install is never silent.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends \
  -o Dpkg::Use-Pty=0 "${missing[@]}" |
  grep --line-buffered -E '^(Unpacking|Setting up) ' | sed -u 's/^/install_deps: /' >&2 || true
# The pipeline hides apt's exit status: check that everything is there now.
for package in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || {
    echo "install_deps: failed to install $package (run: apt-get install $package)" >&2
    exit 1
  }
done
echo "install_deps: done" >&2
