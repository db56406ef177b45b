"""Status LEDs on gpiozero's mock pins: a whole call, every error state, and the pattern logic."""

from __future__ import annotations

import time

import pytest
from gpiozero.pins.mock import MockFactory

from appliance.device.leds import StatusLeds
from appliance.device.patterns import (
    DOUBLE_BLINK,
    FAST_BLINK,
    OFF,
    ON,
    SHORT_FLASH,
    SLOW_BLINK,
    LedPattern,
    blink_code,
    pattern_for,
)
from appliance.device.pins import PinMap, load_pin_map
from appliance.device.state import Attention, BoxState

PI5_REVISION = "c04170"  # Raspberry Pi 5 Model B, 4 GB
READY = BoxState(booting=False, registered=True)


@pytest.fixture()
def factory():
    factory = MockFactory(revision=PI5_REVISION)
    yield factory
    factory.reset()


@pytest.fixture()
def leds(factory):
    leds = StatusLeds(load_pin_map("raspberry-pi-5"), pin_factory=factory)
    yield leds
    leds.close()


def pins(factory):
    return {role: factory.pin(name) for role, name in load_pin_map("raspberry-pi-5").leds.items()}


def settle(pin, state: bool, timeout: float = 2.0) -> None:
    """Waits until the player thread has driven `pin` to `state` and kept it there for 0.3 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pin.state == state:
            pin.clear_states()
            time.sleep(0.3)
            if len(pin.states) == 1 and pin.state == state:
                return
        time.sleep(0.01)
    raise AssertionError(f"{pin!r} did not settle at {state}; states: {pin.states}")


def edges_within(pin, seconds: float) -> int:
    """How many times the pin switched on during `seconds`."""
    pin.clear_states()
    time.sleep(seconds)
    return sum(1 for change in pin.states[1:] if change.state)


def test_a_whole_call_idle_ringing_in_call_idle(leds, factory):
    status, call, alert = pins(factory)["status"], pins(factory)["call"], pins(factory)["alert"]
    leds.show(BoxState())
    assert leds.current.status == SLOW_BLINK
    assert leds.current.meaning == "starting"

    leds.show(READY)
    settle(status, True)
    settle(call, False)
    assert leds.current.meaning == "ready"

    leds.show(BoxState(booting=False, registered=True, ringing=True))
    assert leds.current.call == FAST_BLINK
    assert edges_within(call, 0.9) >= 2  # 0.15 s on / 0.15 s off
    assert status.state  # green stays on while it rings

    leds.show(BoxState(booting=False, registered=True, active_calls=1))
    settle(call, True)
    assert leds.current.meaning == "ready; in a call"

    leds.show(BoxState(booting=False, registered=True, active_calls=2))
    assert leds.current.call == DOUBLE_BLINK
    assert edges_within(call, 1.65) == 2  # two quick blinks in each 1.5 s

    leds.show(READY)
    settle(call, False)
    settle(status, True)
    assert not alert.state


def test_booting_blinks_green_slowly(leds, factory):
    status = pins(factory)["status"]
    leds.show(BoxState())
    assert 1 <= edges_within(status, 2.3) <= 2  # on 1 s, off 1 s


@pytest.mark.parametrize("problem", list(Attention))
def test_each_error_state_blinks_its_code_on_red(leds, factory, problem):
    alert = pins(factory)["alert"]
    leds.show(BoxState(booting=False, registered=problem is Attention.DISK_ALMOST_FULL, attention=(problem,)))
    assert leds.current.alert == blink_code(problem.code)
    assert problem.advice in leds.current.meaning
    pattern_seconds = 0.6 * problem.code - 0.3
    assert edges_within(alert, pattern_seconds + 0.2) == problem.code


def test_the_most_urgent_problem_wins_and_all_are_described():
    state = BoxState(booting=False, attention=(Attention.DISK_ALMOST_FULL, Attention.MODEL_MISSING))
    display = pattern_for(state)
    assert display.alert == blink_code(Attention.MODEL_MISSING.code)
    assert display.meaning.index(Attention.MODEL_MISSING.advice) < display.meaning.index(
        Attention.DISK_ALMOST_FULL.advice)


def test_updating_and_armed_reset_have_their_own_patterns():
    assert pattern_for(BoxState(updating=True)).status == FAST_BLINK
    assert pattern_for(BoxState(booting=False)).status == SHORT_FLASH
    armed = pattern_for(BoxState(booting=False, registered=True, reset_armed=True,
                                 attention=(Attention.SIP_UNREACHABLE,)))
    assert armed.alert == FAST_BLINK
    assert "hold the button again" in armed.meaning


def test_ringing_during_a_call_shows_the_ringing():
    assert pattern_for(BoxState(booting=False, active_calls=1, ringing=True)).call == FAST_BLINK


def test_show_is_idempotent_and_keeps_the_rhythm(leds, factory):
    status = pins(factory)["status"]
    leds.show(BoxState())
    time.sleep(0.2)
    status.clear_states()
    for _ in range(50):
        leds.show(BoxState())
    time.sleep(0.3)
    assert len(status.states) == 1  # no restart of the blink, no flicker


def test_close_switches_everything_off(factory):
    leds = StatusLeds(load_pin_map("raspberry-pi-5"), pin_factory=factory)
    leds.show(BoxState(booting=False, registered=True, active_calls=1))
    settle(pins(factory)["call"], True)
    leds.close()
    assert not any(pin.state for pin in pins(factory).values())
    leds.show(READY)  # after close: ignored, no crash


def test_active_low_wiring_inverts_the_pin(factory):
    pin_map = PinMap(board="raspberry-pi-5", leds={"status": "BOARD11"}, active_high=False)
    leds = StatusLeds(pin_map, pin_factory=factory)
    try:
        leds.show(READY)
        settle(factory.pin("BOARD11"), False)  # lit = driven low
    finally:
        leds.close()


def test_without_leds_it_records_what_it_would_show():
    leds = StatusLeds(load_pin_map("none"))
    leds.show(BoxState(booting=False, registered=True, ringing=True))
    assert leds.current.status == ON
    assert leds.current.call == FAST_BLINK
    assert leds.current.alert == OFF
    leds.close()


def test_bad_state_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="negative"):
        BoxState(active_calls=-1)
    with pytest.raises(TypeError, match="not an Attention"):
        BoxState(attention=("disk full",))
    with pytest.raises(TypeError, match="tuple"):
        BoxState(attention=[Attention.MODEL_MISSING])


def test_pattern_timing():
    code = blink_code(3)
    assert code.steps == (0.3, 0.3, 0.3, 0.3, 0.3, 1.5)
    assert [code.level_at(t) for t in (0.1, 0.4, 0.7, 1.0, 1.3, 2.0, 3.1)] == [
        True, False, True, False, True, False, True]
    assert code.next_change(0.1) == pytest.approx(0.2)
    assert ON.level_at(123.0) and ON.next_change(0) == float("inf")
    with pytest.raises(ValueError):
        blink_code(0)
    with pytest.raises(ValueError):
        LedPattern("odd", (0.1,))


def test_the_installer_guide_explains_every_light():
    from appliance.models.manifest import PROJECT_ROOT

    guide = (PROJECT_ROOT / "docs" / "installer-guide.md").read_text()
    for problem in Attention:
        plural = "blink" if problem.code == 1 else "blinks"
        assert f"| red | {problem.code} {plural}, pause | {problem.advice} |" in guide
    for state, led in ((BoxState(booting=False, registered=True), "green"), (BoxState(), "green"),
                       (BoxState(booting=False), "green"), (BoxState(updating=True), "green")):
        assert f"| {led} | " in guide and pattern_for(state).meaning.split(";")[0] in guide
