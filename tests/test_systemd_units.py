"""The systemd units: `systemd-analyze verify` in a scratch root, their key settings, and the service user."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from appliance.models.manifest import PROJECT_ROOT

UNITS_DIR = PROJECT_ROOT / "systemd"
UNITS = sorted(p.name for p in UNITS_DIR.iterdir() if p.suffix in (".service", ".timer"))
HOST_UNITS = Path("/usr/lib/systemd/system")
EXECUTABLES = ("opt/balie/venv/bin/balie", "usr/local/sbin/balie-grow-rootfs")

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None or not HOST_UNITS.is_dir(),
                                reason="needs systemd-analyze and the host's unit files")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A scratch root with the host's standard units (targets etc.), ours, and stand-in executables."""
    root = tmp_path_factory.mktemp("root")
    units = root / "usr/lib/systemd/system"
    shutil.copytree(HOST_UNITS, units, symlinks=True)
    for name in UNITS:
        shutil.copy(UNITS_DIR / name, units / name)
    for executable in EXECUTABLES:
        path = root / executable
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    return root


def verify(root: Path, unit: str) -> str:
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", f"/usr/lib/systemd/system/{unit}"],
        capture_output=True, text=True, timeout=60,
    )
    return (result.stdout + result.stderr).strip()


def settings(unit: str) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in (UNITS_DIR / unit).read_text().splitlines():
        if match := re.fullmatch(r"\[(\w+)\]", line.strip()):
            current = sections.setdefault(match[1], {})
        elif line.strip() and not line.startswith("#") and current is not None:
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_units_are_found():
    assert {"balie.service", "balie-firstboot.service", "balie-cleanup.timer", "balie-backup.timer"} <= set(UNITS)


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_is_clean(root, unit):
    assert verify(root, unit) == ""


def test_verify_would_catch_a_mistake(root):
    broken = (UNITS_DIR / "balie.service").read_text().replace("WatchdogSec=30s", "WatchdogSec=half a minute")
    (root / "usr/lib/systemd/system/broken.service").write_text(broken)
    assert "Failed to parse" in verify(root, "broken.service")


def test_the_app_is_a_watched_notify_service_with_its_own_user():
    service = settings("balie.service")["Service"]
    assert service["ExecStart"] == [
        "/opt/balie/venv/bin/balie run --config /etc/balie/config.yaml --data-dir /var/lib/balie"]
    assert service["Type"] == ["notify"] and service["NotifyAccess"] == ["main"]
    assert service["WatchdogSec"] == ["30s"] and service["Restart"] == ["on-failure"]
    assert service["User"] == ["balie"] and service["StateDirectory"] == ["balie"]
    assert service["ProtectSystem"] == ["strict"] and service["NoNewPrivileges"] == ["yes"]
    assert "ReadWritePaths" not in service  # only the state directory is writable
    for limit in ("MemoryMax", "TasksMax", "LimitNOFILE"):
        assert limit in service


def test_timers_catch_up_after_downtime():
    for timer in ("balie-cleanup.timer", "balie-backup.timer"):
        assert settings(timer)["Timer"]["Persistent"] == ["true"]
        service = settings(timer.replace(".timer", ".service"))["Service"]
        assert service["User"] == ["balie"]
        assert service["ExecStart"][0].startswith("/opt/balie/venv/bin/balie maintenance ")


def test_first_boot_runs_once_before_the_app_and_avahi():
    unit = settings("balie-firstboot.service")["Unit"]
    assert unit["ConditionPathExists"] == ["!/var/lib/balie/.firstboot-done"]
    assert set(unit["Before"][0].split()) == {"avahi-daemon.service", "balie.service"}


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="needs systemd-sysusers")
def test_sysusers_creates_a_locked_service_user_in_the_gpio_group(tmp_path):
    (tmp_path / "etc").mkdir()
    for name in ("passwd", "group", "shadow", "gshadow"):
        (tmp_path / "etc" / name).write_text("root:x:0:0:root:/root:/bin/sh\n" if name == "passwd" else
                                             "root:x:0:\n" if name == "group" else "")
    subprocess.run(["systemd-sysusers", f"--root={tmp_path}", str(UNITS_DIR / "sysusers.d/balie.conf")],
                   check=True, capture_output=True, timeout=60)
    passwd = {line.split(":")[0]: line.split(":") for line in (tmp_path / "etc/passwd").read_text().splitlines()}
    assert passwd["balie"][5:] == ["/var/lib/balie", "/usr/sbin/nologin"]
    assert int(passwd["balie"][2]) < 1000  # a system user
    groups = {line.split(":")[0]: line.split(":") for line in (tmp_path / "etc/group").read_text().splitlines()}
    assert "balie" in groups["gpio"][3].split(",")
