"""The status button on gpiozero's mock pins: short press, and the two-step factory reset."""

from __future__ import annotations

import time

import pytest
from gpiozero.pins.mock import MockFactory

from appliance.device.button import ResetConfirmation, StatusButton
from appliance.device.pins import load_pin_map

HOLD = 0.15
CONFIRM = 0.8


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    def __getattr__(self, name: str):
        return lambda: self.events.append(name)


@pytest.fixture()
def factory():
    factory = MockFactory(revision="c04170")
    yield factory
    factory.reset()


@pytest.fixture()
def rig(factory):
    recorder = Recorder()
    button = StatusButton(
        load_pin_map("raspberry-pi-5"), recorder.short, recorder.reset, pin_factory=factory,
        on_reset_armed=recorder.armed, on_reset_disarmed=recorder.disarmed,
        hold_seconds=HOLD, confirm_seconds=CONFIRM, bounce_seconds=None,
    )
    yield button, factory.pin("BOARD16"), recorder
    button.close()


def press(pin, seconds: float) -> None:
    pin.drive_low()  # the button shorts the pulled-up pin to ground
    time.sleep(seconds)
    pin.drive_high()
    time.sleep(0.05)


def test_short_press_asks_for_the_status(rig):
    button, pin, recorder = rig
    press(pin, 0.02)
    assert recorder.events == ["short"]
    assert not button.reset_armed


def test_long_press_only_arms_and_a_second_confirms(rig):
    button, pin, recorder = rig
    press(pin, HOLD + 0.15)
    assert recorder.events == ["armed"]
    assert button.reset_armed
    press(pin, HOLD + 0.15)
    assert recorder.events == ["armed", "disarmed", "reset"]
    assert not button.reset_armed


def test_arming_expires(rig):
    button, pin, recorder = rig
    press(pin, HOLD + 0.15)
    time.sleep(CONFIRM + 0.3)
    assert recorder.events == ["armed", "disarmed"]
    press(pin, HOLD + 0.15)
    assert recorder.events == ["armed", "disarmed", "armed"]  # arms again, no reset


def test_short_press_cancels_an_armed_reset(rig):
    button, pin, recorder = rig
    press(pin, HOLD + 0.15)
    press(pin, 0.02)
    assert recorder.events == ["armed", "disarmed"]
    press(pin, HOLD + 0.15)
    assert "reset" not in recorder.events
    time.sleep(CONFIRM + 0.3)  # the old expiry timer must not disarm the new arming early
    assert recorder.events == ["armed", "disarmed", "armed", "disarmed"]


def test_external_pull_up_board(factory):
    recorder = Recorder()
    pin_map = load_pin_map("jetson-orin-nano")
    assert pin_map.button_pull == "external"
    # The Jetson's own pin factory needs the board; its pin names are the same, so mock them like a Pi.
    pin = factory.pin("BOARD16")
    pin.drive_high()  # the panel's resistor
    button = StatusButton(pin_map, recorder.short, recorder.reset, pin_factory=factory, bounce_seconds=None)
    try:
        press(pin, 0.02)
        assert recorder.events == ["short"]
    finally:
        button.close()


def test_no_button_on_a_pc():
    button = StatusButton(load_pin_map("none"), lambda: None, lambda: None)
    assert not button.reset_armed
    button.close()


def test_confirmation_logic_with_a_fake_clock():
    now = [100.0]
    confirmation = ResetConfirmation(10.0, clock=lambda: now[0])
    assert confirmation.long_press() is False
    now[0] += 9.9
    assert confirmation.long_press() is True
    assert confirmation.long_press() is False  # a third press starts over
    now[0] += 10.1
    assert not confirmation.armed
    assert confirmation.long_press() is False
    with pytest.raises(ValueError):
        ResetConfirmation(0)
