#!/usr/bin/env bash
# Installs the Debian bookworm packages lpusim needs, only those missing, before any test runs (tests
# never install packages). With arguments, installs those packages instead.
set -euo pipefail
pkgs=(cmake g++ make pkg-config clang-format libsystemc-dev libyaml-cpp-dev catch2 nlohmann-json3-dev
  libboost-dev libboost-program-options-dev libfmt-dev
  python3-matplotlib chromium  # reports/plot.py plots; headless Chromium renders report.html in tests
  slurm-wlm munge              # the SLURM job-array sweep test (scripts/slurm-test.sh)
  clang libclang-rt-14-dev)    # libFuzzer harnesses (scripts/fuzz.sh)
[ $# -gt 0 ] && pkgs=("$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
