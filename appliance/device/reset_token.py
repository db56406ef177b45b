"""The admin password reset token: issued at first boot (and by a factory reset), shown once on the admin
page's first visit so the owner can write it down, and later accepted to set a new admin password.

Only its hash is kept for checking; the readable copy is deleted once the page has shown it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from appliance.atomic import atomic_write_text

SETTINGS_DIR = "settings"
HASH_FILE = "admin-reset-token.json"
UNSEEN_FILE = "admin-reset-token.unseen"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen, typed in later
GROUPS, GROUP_LENGTH = 4, 4  # 16 characters of 5 bits: 80 bits


def _hash(token: str) -> str:
    return hashlib.sha256(normalise(token).encode()).hexdigest()


def normalise(token: str) -> str:
    """Upper case, without spaces or dashes: what people type back is forgiven its formatting."""
    return "".join(ch for ch in token.upper() if ch.isalnum())


def issue_reset_token(data_dir: Path) -> str:
    """Creates a new token (replacing any earlier one) and returns it, formatted like ABCD-EFGH-JKLM-NPQR."""
    settings = data_dir / SETTINGS_DIR
    settings.mkdir(mode=0o700, parents=True, exist_ok=True)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    token = "-".join(raw[i:i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))
    record = {"sha256": _hash(token), "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
    atomic_write_text(settings / HASH_FILE, json.dumps(record) + "\n", mode=0o600)
    atomic_write_text(settings / UNSEEN_FILE, token + "\n", mode=0o600)
    return token


def take_unseen_reset_token(data_dir: Path) -> str | None:
    """The token if it has never been shown, and forgets it: call when the admin page shows it."""
    path = data_dir / SETTINGS_DIR / UNSEEN_FILE
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    return token or None


def verify_reset_token(data_dir: Path, token: str) -> bool:
    try:
        record = json.loads((data_dir / SETTINGS_DIR / HASH_FILE).read_text())
        expected = record["sha256"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return False
    return isinstance(expected, str) and hmac.compare_digest(expected, _hash(token))
