"""image-build/build.sh: the tree it assembles, the image it writes, and (slow) a real Debian bootstrap."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from appliance.config import load_config
from appliance.models.manifest import PROJECT_ROOT

BUILD = PROJECT_ROOT / "image-build" / "build.sh"
ENABLED = {
    "multi-user.target.wants": {"balie.service", "balie-firstboot.service", "balie-grow-rootfs.service",
                                "avahi-daemon.service", "systemd-networkd.service", "systemd-resolved.service"},
    "timers.target.wants": {"balie-cleanup.timer", "balie-backup.timer"},
    "sysinit.target.wants": {"systemd-timesyncd.service"},
}
STUB_UNITS = {
    "avahi-daemon.service": "multi-user.target", "systemd-networkd.service": "multi-user.target",
    "systemd-resolved.service": "multi-user.target", "systemd-timesyncd.service": "sysinit.target",
}

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the build runs as root (chroot, file ownership)")


def run_build(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(["bash", str(BUILD), *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def fake_rootfs(root: Path) -> Path:
    """The few files of a Debian root the app and enable stages touch."""
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\n")
    (root / "etc/shadow").write_text("root:*:19000:0:99999:7:::\n")
    (root / "etc/gshadow").write_text("root:*::\n")
    units = root / "usr/lib/systemd/system"
    units.mkdir(parents=True)
    for target in ("multi-user.target", "timers.target", "sysinit.target"):
        (units / target).write_text("[Unit]\nDescription=stub\n")
    for unit, wanted_by in STUB_UNITS.items():
        (units / unit).write_text(f"[Service]\nExecStart=/bin/true\n[Install]\nWantedBy={wanted_by}\n")
    return root


def image_ids(root: Path, name: str) -> tuple[int, int]:
    entry = next(line.split(":") for line in (root / "etc/passwd").read_text().splitlines()
                 if line.startswith(name + ":"))
    return int(entry[2]), int(entry[3])


def load_device_requirements():
    spec = importlib.util.spec_from_file_location("device_requirements",
                                                  PROJECT_ROOT / "image-build/device_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_device_requirements_drop_pjsua2_and_add_lgpio(tmp_path):
    module = load_device_requirements()
    requirements = module.device_requirements(PROJECT_ROOT / "pyproject.toml")
    names = {module.requirement_name(r) for r in requirements}
    assert "pjsua2-python" not in names
    assert {"lgpio", "gpiozero", "llama-cpp-python", "sherpa-onnx"} <= names
    assert all("pytest" not in r for r in requirements)  # no dev extras on the device


def test_bad_options_are_refused():
    result = subprocess.run(["bash", str(BUILD), "--board", "pi-zero"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown board" in result.stderr
    result = subprocess.run(["bash", str(BUILD), "--stages", "bake", "--rootfs", "/nonexistent"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "unknown stage bake" in result.stderr


@pytest.fixture(scope="module")
def assembled(tmp_path_factory):
    if os.geteuid() != 0 or shutil.which("systemd-sysusers") is None:
        pytest.skip("needs root and systemd-sysusers")
    root = fake_rootfs(tmp_path_factory.mktemp("image") / "rootfs")
    output = run_build("--board", "raspberry-pi-5", "--rootfs", str(root), "--stages", "app,enable").stdout
    return root, output


@needs_root
def test_progress_is_shown_per_stage(assembled):
    _, output = assembled
    assert "==> [1/2] app:" in output and "==> [2/2] enable:" in output
    assert output.count("done in") == 2


@needs_root
def test_tree_holds_the_app_without_local_clutter(assembled):
    root, _ = assembled
    app = root / "opt/balie/app"
    assert (app / "appliance/device/leds.py").is_file()
    assert (app / "firmware/pins.toml").is_file() and (app / "models/manifest.toml").is_file()
    for clutter in (".venv", ".git", "models/store", "tests", "image-build/work"):
        assert not (app / clutter).exists(), clutter
    assert not list(app.rglob("__pycache__"))
    assert {(p.stat().st_uid, p.stat().st_gid) for p in app.rglob("*")} == {(0, 0)}


@needs_root
def test_services_are_enabled(assembled):
    root, _ = assembled
    system = root / "etc/systemd/system"
    for wants, units in ENABLED.items():
        present = {p.name for p in (system / wants).iterdir()}
        assert units <= present, (wants, units - present)
    assert os.readlink(system / "multi-user.target.wants/balie.service") == "/usr/lib/systemd/system/balie.service"
    assert os.readlink(system / "default.target").endswith("multi-user.target")
    assert (root / "usr/lib/systemd/system/balie.service").read_bytes() == \
        (PROJECT_ROOT / "systemd/balie.service").read_bytes()


@needs_root
def test_data_directory_is_writable_only_by_the_service_user(assembled):
    root, _ = assembled
    uid, gid = image_ids(root, "balie")
    assert uid != 0 and uid < 1000
    data = (root / "var/lib/balie").stat()
    assert (data.st_uid, data.st_gid) == (uid, gid)
    assert stat.S_IMODE(data.st_mode) == 0o750
    parent = (root / "var/lib").stat()
    assert parent.st_uid == 0 and not parent.st_mode & 0o022
    group = next(line for line in (root / "etc/group").read_text().splitlines() if line.startswith("gpio:"))
    assert "balie" in group.split(":")[3].split(",")


@needs_root
def test_configuration_and_firmware_files(assembled):
    root, _ = assembled
    config = load_config(root / "etc/balie/config.yaml")
    assert config.web.port == 80 and config.data_dir == Path("/var/lib/balie")
    boot = (root / "boot/firmware/config.txt").read_text()
    assert "dtparam=watchdog=on" in boot and "dtoverlay=disable-wifi" in boot
    assert (root / "etc/hostname").read_text() == "balie\n"
    assert (root / "etc/machine-id").read_text() == ""
    assert (root / "etc/systemd/system.conf.d/balie-watchdog.conf").is_file()
    assert (root / "etc/udev/rules.d/60-balie-gpio.rules").is_file()
    assert stat.S_IMODE((root / "etc").stat().st_mode) == 0o755
    grow = root / "usr/local/sbin/balie-grow-rootfs"
    assert grow.stat().st_mode & 0o111 and grow.stat().st_uid == 0


@pytest.mark.slow
@needs_root
@pytest.mark.skipif(any(shutil.which(tool) is None for tool in ("mkfs.vfat", "mcopy", "sfdisk", "debugfs")),
                    reason="needs dosfstools, mtools, fdisk and e2fsprogs")
def test_image_stage_writes_a_bootable_layout(assembled, tmp_path):
    root, _ = assembled
    (root / "boot/firmware/kernel_2712.img").write_bytes(b"\0" * 4096)  # stands in for the kernel
    out = tmp_path / "out"
    run_build("--board", "raspberry-pi-5", "--rootfs", str(root), "--stages", "image", "--out", str(out),
              "--work", str(tmp_path / "work"), timeout=600)
    (image_xz,) = out.glob("balie-*-raspberry-pi-5-arm64.img.xz")
    assert (out / (image_xz.name + ".sha256")).read_text().split()[0] == \
        subprocess.run(["sha256sum", str(image_xz)], capture_output=True, text=True).stdout.split()[0]
    image = tmp_path / "balie.img"
    with image.open("wb") as handle:
        subprocess.run(["xz", "-dc", str(image_xz)], stdout=handle, check=True)
    layout = subprocess.run(["sfdisk", "--json", str(image)], capture_output=True, text=True, check=True).stdout
    assert '"type": "c"' in layout and '"type": "83"' in layout
    disk_id = subprocess.run(["sfdisk", "--disk-id", str(image)], capture_output=True, text=True).stdout.strip()
    boot = f"{image}@@{8192 * 512}"
    cmdline = subprocess.run(["mtype", "-i", boot, "::cmdline.txt"], capture_output=True, text=True).stdout
    assert f"root=PARTUUID={disk_id.removeprefix('0x')}-02" in cmdline
    files = subprocess.run(["mdir", "-b", "-i", boot, "::"], capture_output=True, text=True).stdout
    assert "config.txt" in files and "kernel_2712.img" in files
    root_part = tmp_path / "root.ext4"
    subprocess.run(["dd", f"if={image}", f"of={root_part}", "bs=512", f"skip={8192 + 512 * 2048}",
                    "status=none"], check=True)
    data = subprocess.run(["debugfs", "-R", "stat /var/lib/balie", str(root_part)],
                          capture_output=True, text=True).stdout
    owner = re.search(r"User:\s+(\d+)\s+Group:\s+(\d+)", data)
    assert owner and tuple(map(int, owner.groups())) == image_ids(root, "balie")
    assert re.search(r"Mode:\s+0750", data)
    fstab = subprocess.run(["debugfs", "-R", "cat /etc/fstab", str(root_part)],
                           capture_output=True, text=True).stdout
    assert f"PARTUUID={disk_id.removeprefix('0x')}-01" in fstab


@pytest.mark.slow
@needs_root
@pytest.mark.skipif(shutil.which("mmdebstrap") is None, reason="needs mmdebstrap (apt-get install mmdebstrap)")
def test_host_architecture_rootfs_from_debian_packages(tmp_path):
    """The real bootstrap, app, venv and enable stages on this machine's architecture (about 1 minute)."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    root = tmp_path / "rootfs"
    run_build("--arch", arch, "--board", "none", "--no-pip", "--rootfs", str(root),
              "--stages", "bootstrap,app,venv,enable", timeout=900)
    check = subprocess.run(
        ["chroot", str(root), "/opt/balie/venv/bin/python", "-c",
         "from appliance.device.state import BoxState; from appliance.device.patterns import pattern_for; "
         "print(pattern_for(BoxState(booting=False, registered=True)).meaning)"],
        capture_output=True, text=True, timeout=60)
    assert check.stdout.strip() == "ready", check.stderr
    help_text = subprocess.run(["chroot", str(root), "/opt/balie/venv/bin/balie", "--help"],
                               capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and "offline AI receptionist" in help_text.stdout
    avahi = root / "etc/systemd/system/multi-user.target.wants/avahi-daemon.service"
    assert avahi.is_symlink() and (root / os.readlink(avahi).lstrip("/")).is_file()
    assert (root / "usr/sbin/avahi-daemon").exists() and (root / "usr/lib/systemd/systemd-timesyncd").exists()
    uid, _ = image_ids(root, "balie")
    assert (root / "var/lib/balie").stat().st_uid == uid
    assert not (root / "proc/self").exists()  # the build's mounts are gone
