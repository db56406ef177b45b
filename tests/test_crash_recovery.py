"""A power cut in the middle of a real SIP call: the record survives; the next start marks it interrupted."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from appliance.bench.box import BoxProcess
from appliance.bench.calls import Line, first_sound_after, prepare_script
from appliance.store import read_rows
from appliance.testpeers.baresip import BaresipCaller, CallResult
from appliance.testpeers.ports import LOOPBACK

pytestmark = pytest.mark.sip

QUESTION = "Hello, what are your opening hours?"
# the reply comes 1-3 s after the question ends (at ~10 s); the box dies while the call goes on
CALL_SECONDS = 18




def wait_for_answer(db: Path, timeout: float) -> list[dict]:
    """The turns of the first call, once the box has written its reply to the caller (whatever it heard: phone
    audio at 8 kHz is sometimes misrecognised, and this test is about the record, not the understanding)."""
    deadline = time.monotonic() + timeout
    turns: list[dict] = []
    while time.monotonic() < deadline:
        if db.exists():
            turns = read_rows(db, "SELECT * FROM turns WHERE call_id = 1 ORDER BY seq")
            if [t["role"] for t in turns[:3]] == ["assistant", "caller", "assistant"]:
                return turns
        time.sleep(0.1)
    raise AssertionError(f"the box wrote no answer within {timeout} s; turns so far: {turns}")


def test_power_cut_mid_call_leaves_an_interrupted_record_with_its_turns(tmp_path):
    data_dir = tmp_path / "data"
    script = prepare_script([Line(QUESTION)], tmp_path / "script", seconds=CALL_SECONDS)
    caller = BaresipCaller(tmp_path / "caller", "100")
    results: list[CallResult] = []

    def place_call(uri: str) -> None:
        results.append(caller.call(uri, script.wav, script.seconds))

    thread: threading.Thread | None = None
    try:
        with BoxProcess(data_dir=data_dir) as first:
            thread = threading.Thread(target=place_call, args=(first.uri,))
            thread.start()
            before = wait_for_answer(first.db_path, timeout=CALL_SECONDS)
            assert first.status()["active_calls"] == 1
            [in_call] = read_rows(first.db_path, "SELECT * FROM calls")
            assert in_call["status"] == "in_progress" and in_call["answered_at"]
            first.kill()
            assert first.process.returncode == -9
        # the caller is still on the line (it hears nothing now) while the box comes back
        with BoxProcess(data_dir=data_dir) as second:
            assert second.status()["recovered_interrupted_calls"] == 1
            call = httpx.get(f"http://{LOOPBACK}:{second.web_port}/api/calls/1", timeout=5).json()
    finally:
        if thread is not None:
            thread.join(timeout=CALL_SECONDS + 30)
    [result] = results
    assert result.answered, result.log[-2000:]
    assert first_sound_after(result, 0.0), "the caller heard no greeting before the power cut"
    assert "digitale assistent" in before[0]["text"] and before[1]["text"].strip(), before
    assert call["status"] == "interrupted" and call["end_reason"] == "appliance_restart", call
    assert call["caller_id"] == "100" and call["ended_at"] >= call["answered_at"]
    kept = [(t["seq"], t["role"], t["text"]) for t in call["turns"]]
    assert kept[:len(before)] == [(t["seq"], t["role"], t["text"]) for t in before], "turns were lost"
    assert read_rows(data_dir / "balie.db", "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
