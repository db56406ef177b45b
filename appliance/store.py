"""The call record: calls, turns with per-stage latencies, and leads, in SQLite (WAL).

Written as the call goes, so a crash or power cut mid-call leaves a record; at the next start calls still marked
`in_progress` are marked `interrupted`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

CALL_STATUSES = ("in_progress", "completed", "interrupted", "rejected_busy", "failed")


class CallNotFoundError(KeyError):
    """No call with that id in the store."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class CallStore:
    """Thread-safe access to the appliance database (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        self._db = Database(connection)
        self._lock = threading.Lock()
        self._create_schema()

    def _create_schema(self) -> None:
        with self._lock:
            self._db["calls"].create({
                "id": int, "caller_id": str, "caller_name": str, "called": str, "sip_call_id": str,
                "started_at": str, "answered_at": str, "ended_at": str, "status": str, "outcome": str,
                "end_reason": str, "language": str, "lead": str,
            }, pk="id", if_not_exists=True)
            self._db["turns"].create({
                "id": int, "call_id": int, "seq": int, "role": str, "text": str, "intent": str,
                "started_at": str, "ended_at": str, "interrupted": int,
                "speech_end_ms": float, "transcript_ms": float, "reply_text_ms": float, "first_audio_ms": float,
                "asr_ms": float, "brain_ms": float, "tts_ms": float,
            }, pk="id", foreign_keys=[("call_id", "calls", "id")], if_not_exists=True)
            self._db["turns"].create_index(["call_id", "seq"], if_not_exists=True)
            self._db["calls"].create_index(["started_at"], if_not_exists=True)

    def recover_interrupted(self) -> int:
        """Marks calls left in progress by a crash or power cut; returns how many."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE calls SET status = 'interrupted', end_reason = COALESCE(end_reason, 'appliance_restart'),"
                " ended_at = COALESCE(ended_at, ?) WHERE status = 'in_progress'", [now_iso()])
            return cursor.rowcount

    def start_call(self, caller_id: str, caller_name: str = "", called: str = "", sip_call_id: str = "",
                   status: str = "in_progress") -> int:
        _check_status(status)
        with self._lock:
            return self._db["calls"].insert({
                "caller_id": caller_id, "caller_name": caller_name, "called": called,
                "sip_call_id": sip_call_id, "started_at": now_iso(), "status": status,
            }).last_pk

    def update_call(self, call_id: int, **fields: Any) -> None:
        if "lead" in fields and not isinstance(fields["lead"], str | None):
            fields["lead"] = json.dumps(fields["lead"], ensure_ascii=False)
        with self._lock:
            self._db["calls"].update(call_id, fields)

    def end_call(self, call_id: int, status: str, end_reason: str, outcome: str = "",
                 lead: dict | None = None, language: str = "") -> None:
        _check_status(status)
        self.update_call(call_id, status=status, end_reason=end_reason, outcome=outcome, ended_at=now_iso(),
                         lead=lead, language=language)

    def add_turn(self, call_id: int, role: str, text: str, **fields: Any) -> int:
        with self._lock:
            seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE call_id = ?",
                                   [call_id]).fetchone()[0]
            return self._db["turns"].insert({
                "call_id": call_id, "seq": seq, "role": role, "text": text,
                "started_at": fields.pop("started_at", now_iso()), **fields,
            }).last_pk

    def update_turn(self, turn_id: int, **fields: Any) -> None:
        with self._lock:
            self._db["turns"].update(turn_id, fields)

    def call(self, call_id: int) -> dict:
        with self._lock:
            try:
                row = self._db["calls"].get(call_id)
            except NotFoundError:
                raise CallNotFoundError(call_id) from None
        return _with_lead_decoded(row)

    def turns(self, call_id: int) -> list[dict]:
        with self._lock:
            return list(self._db["turns"].rows_where("call_id = ?", [call_id], order_by="seq"))

    def recent_calls(self, limit: int = 50) -> list[dict]:
        with self._lock:
            rows = list(self._db["calls"].rows_where(order_by="id desc", limit=limit))
        return [_with_lead_decoded(row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.conn.close()


def _with_lead_decoded(row: dict) -> dict:
    if row.get("lead"):
        row["lead"] = json.loads(row["lead"])
    return row


def _check_status(status: str) -> None:
    if status not in CALL_STATUSES:
        raise ValueError(f"unknown call status {status!r}; expected one of {', '.join(CALL_STATUSES)}")


def read_rows(db_path: Path, sql: str, *args: Any) -> list[dict]:
    """Rows as another process sees them (the web page, a benchmark, the next start): its own read-only
    connection, closed again at once."""
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, args)]
    finally:
        connection.close()
