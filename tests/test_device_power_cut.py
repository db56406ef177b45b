"""Power cut during a call or a settings save: the process is killed (SIGKILL) at random moments while it
records calls in SQLite (WAL) and saves settings with atomic_write_text; afterwards the database is intact
with every acknowledged call complete, and the settings file is one whole version, old or new.

SIGKILL keeps the kernel's page cache, so this proves the ordering (transactions, rename), not the
fsyncs; those are what make the same hold when the power goes.
"""

from __future__ import annotations

import hashlib
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from appliance.models.manifest import PROJECT_ROOT

TURNS_PER_CALL = 5
WRITER = """
import hashlib, sqlite3, sys
from pathlib import Path
from appliance.atomic import atomic_write_text

data = Path(sys.argv[1])
connection = sqlite3.connect(data / "balie.db", isolation_level=None)
connection.execute("PRAGMA journal_mode = WAL")
connection.execute("PRAGMA synchronous = NORMAL")
connection.execute("CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, started_at TEXT, caller TEXT)")
connection.execute("CREATE TABLE IF NOT EXISTS turns (id INTEGER PRIMARY KEY, call_id INTEGER, text TEXT)")
number = connection.execute("SELECT coalesce(max(id), 0) FROM calls").fetchone()[0]
while True:
    number += 1
    connection.execute("BEGIN")
    connection.execute("INSERT INTO calls VALUES (?, datetime('now'), '0612345678')", (number,))
    for turn in range(int(sys.argv[2])):
        connection.execute("INSERT INTO turns (call_id, text) VALUES (?, ?)", (number, "woord " * 200))
    connection.execute("COMMIT")
    print("call", number, flush=True)
    body = "".join(f"faq_{i}: antwoord {number} " + "x" * 300 + "\\n" for i in range(200))
    text = f"version: {number}\\n{body}sha256: {hashlib.sha256(body.encode()).hexdigest()}\\n"
    atomic_write_text(data / "settings.yaml", text)
    print("settings", number, flush=True)
"""


def settings_version(path) -> int:
    """The version in a settings file, after checking it is complete (its own checksum matches)."""
    lines = path.read_text().splitlines(keepends=True)
    body = "".join(lines[1:-1])
    assert lines[-1] == f"sha256: {hashlib.sha256(body.encode()).hexdigest()}\n", "torn settings file"
    return int(lines[0].split()[1])


@pytest.mark.slow
def test_killed_at_random_points_nothing_is_torn(tmp_path):
    rng = random.Random(20261204)
    acknowledged_calls = acknowledged_settings = 0
    for _ in range(12):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(TURNS_PER_CALL)],
                                  cwd=PROJECT_ROOT,
                                  stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.15, 0.6))
        writer.send_signal(signal.SIGKILL)
        output, _ = writer.communicate(timeout=10)
        for line in output.splitlines():
            kind, number = line.split()
            if kind == "call":
                acknowledged_calls = int(number)
            else:
                acknowledged_settings = int(number)

        connection = sqlite3.connect(tmp_path / "balie.db")
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        turns = dict(connection.execute("SELECT call_id, count(*) FROM turns GROUP BY call_id"))
        calls = [row[0] for row in connection.execute("SELECT id FROM calls ORDER BY id")]
        connection.close()
        assert calls == list(range(1, len(calls) + 1))
        assert len(calls) in (acknowledged_calls, acknowledged_calls + 1)  # the last one may have committed
        assert set(turns) == set(calls) and set(turns.values()) == {TURNS_PER_CALL}  # no half calls

        if acknowledged_settings:
            version = settings_version(tmp_path / "settings.yaml")
            assert version in (acknowledged_settings, acknowledged_settings + 1)
    assert acknowledged_calls >= 12  # the writer really got going between the kills
