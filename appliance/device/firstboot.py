"""`balie firstboot`: run once by balie-firstboot.service before the app's first start.

Sets the host name (so the box answers as <name>.local), issues the admin password reset token the admin
page shows on its first visit, checks every model file against the manifest, and leaves a stamp so it
does not run again. Runs as root; what it writes into the data directory is handed to the data
directory's owner (the service user).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

from appliance.atomic import atomic_write_text
from appliance.device.reset_token import HASH_FILE, SETTINGS_DIR, UNSEEN_FILE, issue_reset_token
from appliance.models.manifest import ManifestError, load_manifest
from appliance.models.store import verify

DEFAULT_DATA_DIR = Path("/var/lib/balie")
DEFAULT_HOSTNAME = "balie"
DONE_STAMP = ".firstboot-done"
MODEL_REPORT = "model-check.json"
HOSTNAME_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--hostname", default=DEFAULT_HOSTNAME, help="announced on the LAN as NAME.local")
    parser.add_argument("--model-profile", default="production", choices=["dev", "production"],
                        help="which models of the manifest must be present")
    parser.add_argument("--root", type=Path, default=Path("/"), help="system root (for image builds, tests)")


def set_hostname(root: Path, hostname: str) -> None:
    """Writes /etc/hostname and the 127.0.1.1 line of /etc/hosts under `root`; on the live system (root
    "/") also sets the running kernel's name, so avahi announces it from the start."""
    if not HOSTNAME_PATTERN.fullmatch(hostname):
        raise ValueError(f"{hostname!r} is not a valid host name (a-z, 0-9 and '-', at most 63)")
    etc = root / "etc"
    atomic_write_text(etc / "hostname", hostname + "\n", mode=0o644)
    hosts = etc / "hosts"
    lines = hosts.read_text().splitlines() if hosts.is_file() else ["127.0.0.1\tlocalhost"]
    lines = [line for line in lines if not line.startswith("127.0.1.1")]
    lines.append(f"127.0.1.1\t{hostname}")
    atomic_write_text(hosts, "\n".join(lines) + "\n", mode=0o644)
    if root.resolve() == Path("/") and socket.gethostname() != hostname:
        socket.sethostname(hostname)


def check_models(profile: str) -> list[str]:
    """Every problem with the models of `profile`, checked in full (sizes and sha256)."""
    try:
        manifest = load_manifest()
    except ManifestError as exc:
        return [str(exc)]
    problems = []
    for model in manifest.models:
        if model.profile == profile:
            problems.extend(str(problem) for problem in verify(manifest, model, full=True))
    return problems


def _hand_to_owner(data_dir: Path, paths: list[Path]) -> None:
    if os.geteuid() != 0:
        return
    owner = data_dir.stat()
    for path in paths:
        os.chown(path, owner.st_uid, owner.st_gid)


def main(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir
    if not data_dir.is_dir():
        print(f"firstboot: data directory {data_dir} does not exist", file=sys.stderr)
        return 2
    try:
        set_hostname(args.root, args.hostname)
    except (ValueError, OSError) as exc:
        print(f"firstboot: cannot set the host name: {exc}", file=sys.stderr)
        return 1
    print(f"firstboot: host name {args.hostname} (reachable as {args.hostname}.local)")

    issue_reset_token(data_dir)
    print("firstboot: admin password reset token issued; the admin page shows it on its first visit")

    problems = check_models(args.model_profile)
    report = {"checked_at": datetime.now(UTC).isoformat(timespec="seconds"), "profile": args.model_profile,
              "problems": problems}
    atomic_write_text(data_dir / MODEL_REPORT, json.dumps(report, indent=2) + "\n", mode=0o640)
    for problem in problems:
        print(f"firstboot: model problem: {problem}", file=sys.stderr)
    print(f"firstboot: models {'NOT ready' if problems else 'ready'} ({args.model_profile})")

    stamp = data_dir / DONE_STAMP
    atomic_write_text(stamp, report["checked_at"] + "\n", mode=0o644)
    settings = data_dir / SETTINGS_DIR
    _hand_to_owner(data_dir, [settings, settings / HASH_FILE, settings / UNSEEN_FILE,
                              data_dir / MODEL_REPORT, stamp])
    return 0
