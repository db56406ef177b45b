"""The call record in SQLite: written as the call goes, recovered after a crash, safe from several threads."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from appliance.store import CallNotFoundError, CallStore, read_rows


@pytest.fixture
def store(tmp_path):
    opened = CallStore(tmp_path / "balie.db")
    yield opened
    opened.close()




def test_each_write_is_visible_at_once_to_another_connection(store):
    call_id = store.start_call("0612345678", "J. Jansen", "sip:200@127.0.0.1", "abc@host")
    [call] = read_rows(store.path, "SELECT * FROM calls WHERE id = ?", call_id)
    assert call["status"] == "in_progress" and call["caller_id"] == "0612345678" and call["started_at"]

    store.add_turn(call_id, "assistant", "Goedemorgen, waarmee kan ik u helpen?", intent="greeting")
    store.add_turn(call_id, "caller", "Wanneer zijn jullie open?", asr_ms=210.5)
    turns = read_rows(store.path, "SELECT seq, role, asr_ms FROM turns WHERE call_id = ? ORDER BY seq", call_id)
    assert [(t["seq"], t["role"]) for t in turns] == [(1, "assistant"), (2, "caller")]
    assert turns[1]["asr_ms"] == 210.5

    store.end_call(call_id, status="completed", end_reason="caller_hung_up", outcome="message",
                   lead={"name": "Jansen", "reden": "kies"}, language="nl")
    [ended] = read_rows(store.path, "SELECT status, ended_at, lead FROM calls WHERE id = ?", call_id)
    assert ended["status"] == "completed" and ended["ended_at"] >= call["started_at"]
    assert store.call(call_id)["lead"] == {"name": "Jansen", "reden": "kies"}
    assert store.recent_calls()[0]["lead"] == {"name": "Jansen", "reden": "kies"}


def test_turn_numbers_count_per_call(store):
    first, second = store.start_call("100"), store.start_call("101")
    for text in ("a", "b", "c"):
        store.add_turn(first, "caller", text)
    store.add_turn(second, "caller", "x")
    assert [t["seq"] for t in store.turns(first)] == [1, 2, 3]
    assert [t["seq"] for t in store.turns(second)] == [1]


def test_update_turn_marks_an_interrupted_reply(store):
    call_id = store.start_call("100")
    turn_id = store.add_turn(call_id, "assistant", "We are open from ...")
    store.update_turn(turn_id, interrupted=1, first_audio_ms=412.0)
    [turn] = store.turns(call_id)
    assert turn["interrupted"] == 1 and turn["first_audio_ms"] == 412.0


def test_recover_interrupted_marks_only_calls_left_in_progress(tmp_path):
    db = tmp_path / "balie.db"
    before = CallStore(db)
    finished = before.start_call("100")
    before.end_call(finished, status="completed", end_reason="caller_hung_up")
    left_open = [before.start_call("101"), before.start_call("102")]
    before.add_turn(left_open[0], "caller", "Mijn kies doet pijn")
    before.close()  # (a crash leaves the same file: every write was already committed)

    after = CallStore(db)
    try:
        assert after.recover_interrupted() == 2
        assert after.recover_interrupted() == 0
        for call_id in left_open:
            call = after.call(call_id)
            assert call["status"] == "interrupted"
            assert call["end_reason"] == "appliance_restart" and call["ended_at"]
        assert after.call(finished)["status"] == "completed"
        assert after.call(finished)["end_reason"] == "caller_hung_up"
        assert [t["text"] for t in after.turns(left_open[0])] == ["Mijn kies doet pijn"]
    finally:
        after.close()


def test_database_is_in_wal_mode(store):
    store.start_call("100")
    assert read_rows(store.path, "PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert store.path.with_name("balie.db-wal").exists()


def test_concurrent_writes_from_threads_lose_nothing(store):
    calls = [store.start_call(f"10{i}") for i in range(4)]
    shared = store.start_call("999")
    errors: list[Exception] = []

    def write(call_id: int, worker: int) -> None:
        try:
            for n in range(40):
                store.add_turn(call_id, "caller", f"{worker}-{n}")
                turn = store.add_turn(shared, "assistant", f"{worker}-{n}")
                store.update_turn(turn, tts_ms=float(n))
                store.update_call(call_id, outcome=f"turn {n}")
        except Exception as exc:  # reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(call_id, i)) for i, call_id in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    for call_id in calls:
        assert [t["seq"] for t in store.turns(call_id)] == list(range(1, 41))
        assert store.call(call_id)["outcome"] == "turn 39"
    shared_turns = store.turns(shared)
    assert [t["seq"] for t in shared_turns] == list(range(1, 161))
    assert len({t["text"] for t in shared_turns}) == 160
    assert read_rows(store.path, "PRAGMA integrity_check")[0]["integrity_check"] == "ok"


def test_unknown_call_and_bad_status_give_clear_errors(store):
    with pytest.raises(CallNotFoundError):
        store.call(12345)
    call_id = store.start_call("100")
    with pytest.raises(ValueError, match="unknown call status 'done'"):
        store.end_call(call_id, status="done", end_reason="x")
    with pytest.raises(ValueError, match="unknown call status"):
        store.start_call("100", status="ringing")
    with pytest.raises(sqlite3.IntegrityError):
        store.add_turn(9999, "caller", "a turn of a call that does not exist")
