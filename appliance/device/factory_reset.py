"""Factory reset: forget everything the office entered or recorded, and issue a new reset token.

The app calls this after the button's confirmed long press, then exits with a failure status so that
systemd starts it again on an empty data directory. The host name and the models stay.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from appliance.device.firstboot import DONE_STAMP
from appliance.device.reset_token import issue_reset_token


def factory_reset(data_dir: Path) -> list[str]:
    """Deletes the data directory's contents (calls database, settings, backups); returns what went."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"data directory {data_dir} does not exist")
    removed = []
    for entry in sorted(data_dir.iterdir()):
        if entry.name == DONE_STAMP:
            continue  # first boot's work (host name) stays done
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(entry.name)
    issue_reset_token(data_dir)
    return removed
