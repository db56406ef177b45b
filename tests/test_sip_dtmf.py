"""Keys pressed on the caller's phone reach the conversation: RFC 2833 telephone events over real RTP (sipp
playing the DTMF recordings Debian's sip-tester ships), through pjsua2, into the call's record."""

from __future__ import annotations

import pytest

from appliance.bench.box import BoxProcess
from appliance.brain.phrases import say
from appliance.store import read_rows
from appliance.testpeers.sipp_dtmf import press_keys

pytestmark = pytest.mark.sip


def test_keys_pressed_during_a_call_reach_the_conversation(tmp_path):
    with BoxProcess() as box:
        result = press_keys(box.sip_port, "12", tmp_path / "sipp")
        assert result.completed, result.output
        box.wait_for(lambda status: read_rows(box.db_path, "SELECT id FROM calls WHERE status != 'in_progress'"),
                     what="the call's record closed")
        turns = read_rows(box.db_path, "SELECT role, text FROM turns WHERE call_id = 1 ORDER BY seq")
    assert [t["text"] for t in turns if t["role"] == "caller"] == ["[DTMF 1]", "[DTMF 2]"], turns
    # keys mean nothing while the box asks what the caller needs: each gets a spoken hint, not silence
    assert [t["text"] for t in turns[2::2]] == [say("keys_not_needed", "nl")] * 2, turns
