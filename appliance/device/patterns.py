"""Which pattern each status LED shows for a given box state. Pure logic, no hardware.

Three LEDs: `status` (green) says whether the box works, `call` (blue) what the phone is doing, and `alert`
(red) what needs fixing, as a count of blinks followed by a pause (the code of an `Attention`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from appliance.device.state import ATTENTION_PRIORITY, BoxState

LED_ROLES = ("status", "call", "alert")


@dataclass(frozen=True)
class LedPattern:
    """Steady at `level` when `steps` is empty; otherwise on/off durations in seconds, repeated from 'on'."""

    name: str
    steps: tuple[float, ...] = ()
    level: bool = False

    def __post_init__(self) -> None:
        if self.steps and (len(self.steps) % 2 or min(self.steps) <= 0):
            raise ValueError(f"{self.name}: steps must be an even number of positive durations")

    @property
    def period(self) -> float:
        return sum(self.steps)

    def level_at(self, elapsed: float) -> bool:
        """Whether the LED is lit `elapsed` seconds after the pattern started."""
        if not self.steps:
            return self.level
        position = elapsed % self.period
        for index, duration in enumerate(self.steps):
            if position < duration:
                return index % 2 == 0
            position -= duration
        return False

    def next_change(self, elapsed: float) -> float:
        """Seconds from `elapsed` until the level changes (infinite for a steady pattern)."""
        if not self.steps:
            return math.inf
        position = elapsed % self.period
        for duration in self.steps:
            if position < duration:
                return duration - position
            position -= duration
        return self.steps[0]


OFF = LedPattern("off")
ON = LedPattern("on", level=True)
SLOW_BLINK = LedPattern("slow blink", (1.0, 1.0))
FAST_BLINK = LedPattern("fast blink", (0.15, 0.15))
DOUBLE_BLINK = LedPattern("double blink", (0.15, 0.15, 0.15, 1.05))
SHORT_FLASH = LedPattern("short flash every 2 s", (0.1, 1.9))


def blink_code(count: int) -> LedPattern:
    """`count` blinks, then a pause: the red LED's way of saying which problem it means."""
    if count < 1:
        raise ValueError("a blink code needs at least one blink")
    return LedPattern(f"{count}x blink, pause", (0.3, 0.3) * (count - 1) + (0.3, 1.5))


@dataclass(frozen=True)
class Display:
    """What all LEDs show, with the plain-language meaning for the status page."""

    meaning: str
    status: LedPattern
    call: LedPattern
    alert: LedPattern

    def led(self, role: str) -> LedPattern:
        if role not in LED_ROLES:
            raise KeyError(f"unknown LED role {role!r} (known: {', '.join(LED_ROLES)})")
        return getattr(self, role)


def pattern_for(state: BoxState) -> Display:
    meanings: list[str] = []
    if state.updating:
        status, meaning = FAST_BLINK, "updating: do not unplug"
    elif state.booting:
        status, meaning = SLOW_BLINK, "starting"
    elif state.registered:
        status, meaning = ON, "ready"
    else:
        status, meaning = SHORT_FLASH, "not registered with the phone system"
    meanings.append(meaning)

    if state.ringing:
        call = FAST_BLINK
        meanings.append("ringing")
    elif state.active_calls == 1:
        call = ON
        meanings.append("in a call")
    elif state.active_calls > 1:
        call = DOUBLE_BLINK
        meanings.append(f"in {state.active_calls} calls")
    else:
        call = OFF

    urgent = state.most_urgent
    if state.reset_armed:
        alert = FAST_BLINK
        meanings.append("factory reset armed: hold the button again to confirm")
    elif urgent is not None:
        alert = blink_code(urgent.code)
        meanings.extend(f"attention: {item.advice}" for item in ATTENTION_PRIORITY if item in state.attention)
    else:
        alert = OFF
    return Display(meaning="; ".join(meanings), status=status, call=call, alert=alert)
