"""Retention clean-up and backups on a real SQLite database in WAL mode, with the app's connection open."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from appliance.device.maintenance import (
    MaintenanceError,
    backup,
    backup_command,
    cleanup,
    cleanup_command,
)

NOW = datetime(2026, 12, 4, 3, 30, tzinfo=UTC)


@pytest.fixture()
def data_dir(tmp_path):
    connection = sqlite3.connect(tmp_path / "balie.db")
    connection.executescript("""
        PRAGMA journal_mode = WAL;
        CREATE TABLE calls (id INTEGER PRIMARY KEY, started_at, caller TEXT);
        CREATE TABLE turns (id INTEGER PRIMARY KEY, call_id INTEGER REFERENCES calls(id), text TEXT);
    """)
    rows = [
        (1, (NOW - timedelta(days=200)).isoformat(), "old, ISO with offset"),
        (2, (NOW - timedelta(days=91)).astimezone().isoformat(), "old, local offset"),
        (3, (NOW - timedelta(days=95)).timestamp(), "old, unix seconds"),
        (4, (NOW - timedelta(days=89)).isoformat(), "recent"),
        (5, int((NOW - timedelta(days=1)).timestamp()), "recent, unix seconds"),
        (6, None, "never started"),
    ]
    connection.executemany("INSERT INTO calls VALUES (?, ?, ?)", rows)
    connection.executemany("INSERT INTO turns (call_id, text) VALUES (?, ?)",
                           [(call_id, f"turn {n}") for call_id, *_ in rows for n in range(3)])
    connection.commit()
    connection.close()
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "profile.yaml").write_text("name: Tandarts\n")
    return tmp_path


def remaining(data_dir, sql: str) -> list:
    with sqlite3.connect(data_dir / "balie.db") as connection:
        return [row[0] for row in connection.execute(sql)]


def test_cleanup_deletes_old_calls_and_their_turns_only(data_dir):
    app = sqlite3.connect(data_dir / "balie.db")  # the running app keeps its connection open
    app.execute("SELECT count(*) FROM calls").fetchone()
    report = cleanup(data_dir, retention_days=90, now=NOW)
    app.close()
    assert (report.calls, report.turns) == (3, 9)
    assert remaining(data_dir, "SELECT id FROM calls ORDER BY id") == [4, 5, 6]
    assert sorted(set(remaining(data_dir, "SELECT call_id FROM turns"))) == [4, 5, 6]
    assert cleanup(data_dir, retention_days=90, now=NOW).calls == 0  # idempotent


def test_cleanup_without_database_or_with_a_foreign_one(tmp_path):
    assert cleanup(tmp_path, now=NOW).calls == 0
    sqlite3.connect(tmp_path / "balie.db").execute("CREATE TABLE calls (id INTEGER)").connection.close()
    with pytest.raises(MaintenanceError, match="started_at"):
        cleanup(tmp_path, now=NOW)
    with pytest.raises(ValueError):
        cleanup(tmp_path, retention_days=0)


def test_cleanup_of_a_corrupt_database_is_a_clear_error(tmp_path):
    (tmp_path / "balie.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(MaintenanceError, match="balie.db"):
        cleanup(tmp_path, now=NOW)


def test_backup_is_a_consistent_copy_with_settings(data_dir):
    writer = sqlite3.connect(data_dir / "balie.db")
    writer.execute("INSERT INTO calls VALUES (7, ?, 'uncommitted')", (NOW.isoformat(),))  # open transaction
    target = backup(data_dir, now=NOW)
    writer.rollback()
    writer.close()
    assert target == data_dir / "backups" / "20261204T033000Z"
    assert (target / "settings" / "profile.yaml").read_text() == "name: Tandarts\n"
    copy = sqlite3.connect(target / "balie.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in copy.execute("SELECT id FROM calls ORDER BY id")] == [1, 2, 3, 4, 5, 6]
    copy.close()


def test_backup_rotation_keeps_the_newest(data_dir):
    for day in range(5):
        backup(data_dir, keep=3, now=NOW + timedelta(days=day))
    (data_dir / "backups" / ".20200101T000000Z.partial").mkdir()  # left by a power cut
    backup(data_dir, keep=3, now=NOW + timedelta(days=5))
    assert sorted(p.name for p in (data_dir / "backups").iterdir()) == [
        "20261207T033000Z", "20261208T033000Z", "20261209T033000Z"]


def test_backup_without_database(tmp_path):
    assert backup(tmp_path) is None
    with pytest.raises(ValueError):
        backup(tmp_path, keep=0)


def test_commands_report_and_fail_cleanly(data_dir, capsys):
    assert cleanup_command(argparse.Namespace(data_dir=data_dir, retention_days=90)) == 0
    assert "deleted" in capsys.readouterr().out
    assert backup_command(argparse.Namespace(data_dir=data_dir, keep=2)) == 0
    assert "backup written" in capsys.readouterr().out
    (data_dir / "balie.db").write_bytes(b"garbage" * 1000)
    for name in ("balie.db-wal", "balie.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    assert backup_command(argparse.Namespace(data_dir=data_dir, keep=2)) == 1
    assert "backup failed" in capsys.readouterr().err
