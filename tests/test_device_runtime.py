"""The app's status as the LEDs show it."""

from appliance.device.runtime import box_state
from appliance.device.state import Attention


def status(state="registered", calls=0, ringing=0, problems=()):
    return {"registration": {"state": state}, "active_calls": calls, "ringing_calls": ringing,
            "problems": list(problems)}


def test_ready_and_in_calls():
    assert box_state(status()).registered and not box_state(status()).booting
    assert box_state(status("disabled")).registered  # direct calls: ready without a registrar
    assert box_state(status(calls=2)).active_calls == 2
    assert box_state(status(calls=1, ringing=1)).ringing


def test_attention_states():
    assert box_state(status("refused")).attention == (Attention.REGISTRATION_REFUSED,)
    assert box_state(status("unreachable")).attention == (Attention.SIP_UNREACHABLE,)
    assert not box_state(status("refused")).registered
    full = box_state(status(problems=["disk almost full: 120 MB free"]))
    assert full.attention == (Attention.DISK_ALMOST_FULL,)
    assert box_state(status(), reset_armed=True).reset_armed
