#!/bin/sh
# Runs inside the image (chroot): builds pjproject and its pjsua2 Python binding into the app's venv.
# PyPI's pjsua2-python has no arm64 wheel. The source tarball is fetched and checked by build.sh.
# Usage: build-pjsua2.sh /tmp/pjproject-VERSION.tar.gz /opt/balie/venv
set -eu
tarball=$1
venv=$2
build_deps="build-essential swig python3.11-dev libssl-dev libasound2-dev"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends $build_deps libssl3 libasound2
workdir=$(mktemp -d)
tar -xzf "$tarball" -C "$workdir" --strip-components=1
cd "$workdir"
./configure --prefix=/usr/local --enable-shared --disable-video --disable-v4l2 --disable-libyuv \
    --disable-libwebrtc CFLAGS="-O2 -fPIC" > /tmp/pjproject-configure.log
make dep > /dev/null
make -j"$(nproc)" > /tmp/pjproject-make.log
make install > /dev/null
ldconfig
cd pjsip-apps/src/swig/python
make PYTHON="$venv/bin/python" > /tmp/pjsua2-make.log
"$venv/bin/pip" install --no-deps --no-build-isolation . > /dev/null
"$venv/bin/python" -c "import pjsua2"
cd /
rm -rf "$workdir" /tmp/pjproject-*.log /tmp/pjsua2-make.log
apt-get purge -y -qq $build_deps > /dev/null
apt-get autoremove -y -qq --purge > /dev/null
