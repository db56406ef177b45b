"""Drives the status LEDs: `show(state)` picks the patterns, one background thread plays them.

On a board without LEDs (a PC) nothing is driven, but `current` still tells the status page what the LEDs
would show.
"""

from __future__ import annotations

import math
import threading
import time

from gpiozero import LED, Factory

from appliance.device.gpio import pin_factory_for
from appliance.device.patterns import Display, LedPattern, pattern_for
from appliance.device.pins import PinMap
from appliance.device.state import BoxState


class StatusLeds:
    def __init__(self, pin_map: PinMap, pin_factory: Factory | None = None) -> None:
        self._leds: dict[str, LED] = {}
        if pin_map.has_hardware and pin_map.leds:
            factory = pin_factory_for(pin_map, pin_factory)
            try:
                for role, pin in pin_map.leds.items():
                    self._leds[role] = LED(pin, active_high=pin_map.active_high, initial_value=False,
                                           pin_factory=factory)
            except Exception:
                self._close_leds()
                raise
        self._display: Display | None = None
        self._patterns: dict[str, tuple[LedPattern, float]] = {}  # role -> (pattern, when it started)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._player: threading.Thread | None = None

    @property
    def current(self) -> Display | None:
        """What the LEDs show now (None before the first `show`)."""
        return self._display

    def show(self, state: BoxState) -> None:
        """Shows `state`; cheap and idempotent, so call it on every change. Safe from any thread."""
        display = pattern_for(state)
        with self._lock:
            if self._closed or display == self._display:
                return
            self._display = display
            now = time.monotonic()
            for role in self._leds:
                pattern = display.led(role)
                if role not in self._patterns or self._patterns[role][0] != pattern:
                    self._patterns[role] = (pattern, now)  # an unchanged LED keeps its rhythm
            if self._leds and self._player is None:
                self._player = threading.Thread(target=self._play, name="status-leds", daemon=True)
                self._player.start()
        self._wake.set()

    def close(self) -> None:
        """Stops the player and switches every LED off."""
        with self._lock:
            self._closed = True
            player = self._player
        self._wake.set()
        if player is not None:
            player.join(timeout=2)
        self._close_leds()

    def _close_leds(self) -> None:
        for led in self._leds.values():
            led.off()
            led.close()
        self._leds.clear()

    def _play(self) -> None:
        """Sets each LED to its pattern's level, then sleeps until the next change or a new state."""
        while True:
            self._wake.clear()
            with self._lock:
                if self._closed:
                    return
                now = time.monotonic()
                wait = math.inf
                for role, (pattern, since) in self._patterns.items():
                    elapsed = now - since
                    self._leds[role].value = pattern.level_at(elapsed)
                    wait = min(wait, pattern.next_change(elapsed))
            self._wake.wait(None if wait == math.inf else wait)
