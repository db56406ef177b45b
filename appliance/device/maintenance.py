"""Nightly jobs: delete call records past their retention period, and back up the database and settings.

Both run while the app is answering calls: the database is in WAL mode, so readers never block the app, and
the clean-up waits for the app's write lock instead of failing.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

DB_NAME = "balie.db"
SETTINGS_DIR = "settings"
BACKUPS_DIR = "backups"
CALL_TIME_COLUMN = "started_at"  # ISO-8601 text (with offset, or UTC without) or unix seconds
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
BUSY_TIMEOUT_MS = 10_000


class MaintenanceError(RuntimeError):
    """The database is not what the job expects; the message says what is wrong."""


@dataclass(frozen=True)
class CleanupReport:
    cutoff: datetime
    calls: int
    turns: int


def _connect(db_path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def cleanup(data_dir: Path, retention_days: int = 90, now: datetime | None = None) -> CleanupReport:
    """Deletes calls that started more than `retention_days` ago, with their turns, in one transaction."""
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1, not {retention_days}")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    db_path = data_dir / DB_NAME
    if not db_path.is_file():
        return CleanupReport(cutoff, 0, 0)
    connection = _connect(db_path)
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(calls)")}
        if CALL_TIME_COLUMN not in columns or "id" not in columns:
            raise MaintenanceError(f"{db_path}: table calls needs columns id and {CALL_TIME_COLUMN}")
        old_calls = (
            f"SELECT id FROM calls WHERE CASE typeof({CALL_TIME_COLUMN})"
            f" WHEN 'text' THEN julianday({CALL_TIME_COLUMN}) < julianday(:iso)"
            f" WHEN 'integer' THEN {CALL_TIME_COLUMN} < :epoch WHEN 'real' THEN {CALL_TIME_COLUMN} < :epoch"
            " ELSE 0 END"
        )
        values = {"iso": cutoff.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"), "epoch": cutoff.timestamp()}
        connection.execute("BEGIN IMMEDIATE")
        try:
            turns = connection.execute(f"DELETE FROM turns WHERE call_id IN ({old_calls})", values).rowcount
            calls = connection.execute(f"DELETE FROM calls WHERE id IN ({old_calls})", values).rowcount
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        raise MaintenanceError(f"{db_path}: {exc}") from exc
    finally:
        connection.close()
    return CleanupReport(cutoff, calls, turns)


def backup(data_dir: Path, keep: int = 7, now: datetime | None = None) -> Path | None:
    """Copies the database (SQLite online backup, a consistent snapshot) and the settings into
    `backups/<UTC time>/`, then keeps only the newest `keep` backups. None when there is no database yet."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    db_path = data_dir / DB_NAME
    if not db_path.is_file():
        return None
    backups = data_dir / BACKUPS_DIR
    backups.mkdir(mode=0o700, exist_ok=True)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(STAMP_FORMAT)
    target = backups / stamp
    partial = backups / f".{stamp}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        _copy_database(db_path, partial / DB_NAME)
        settings = data_dir / SETTINGS_DIR
        if settings.is_dir():
            shutil.copytree(settings, partial / SETTINGS_DIR)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _rotate(backups, keep)
    return target


def _copy_database(source: Path, destination: Path) -> None:
    src, dst = _connect(source), sqlite3.connect(destination)
    try:
        src.backup(dst)  # all pages in one step: one read snapshot, never restarted by the app's writes
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise MaintenanceError(f"backup of {source} failed its check: {verdict}")
    except sqlite3.DatabaseError as exc:
        raise MaintenanceError(f"cannot back up {source}: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _rotate(backups: Path, keep: int) -> None:
    finished = sorted(p for p in backups.iterdir() if p.is_dir() and _is_stamp(p.name))
    for old in finished[:-keep]:
        shutil.rmtree(old)
    for leftover in backups.glob(".*.partial"):  # from a run that was cut off
        shutil.rmtree(leftover, ignore_errors=True)


def _is_stamp(name: str) -> bool:
    try:
        datetime.strptime(name, STAMP_FORMAT)
    except ValueError:
        return False
    return True


def _data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None):
        return args.data_dir
    from appliance.config import load_config

    return load_config(getattr(args, "config", None)).data_dir


def cleanup_command(args: argparse.Namespace) -> int:
    """`balie maintenance cleanup [--data-dir D] [--config C] [--retention-days N]`."""
    try:
        report = cleanup(_data_dir(args), retention_days=getattr(args, "retention_days", 90))
    except (MaintenanceError, ValueError, OSError) as exc:
        print(f"cleanup failed: {exc}", file=sys.stderr)
        return 1
    print(f"deleted {report.calls} call(s) and {report.turns} turn(s) from before {report.cutoff:%Y-%m-%d}")
    return 0


def backup_command(args: argparse.Namespace) -> int:
    """`balie maintenance backup [--data-dir D] [--config C] [--keep N]`."""
    try:
        target = backup(_data_dir(args), keep=getattr(args, "keep", 7))
    except (MaintenanceError, ValueError, OSError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {target}" if target else "no database yet: nothing to back up")
    return 0
