"""The push button: a short press asks for the status; a factory reset takes two long presses.

The first long press only arms the reset (the LEDs and voice can say "hold again to confirm"); a second long
press within `confirm_seconds` confirms it. A short press while armed cancels, as does waiting.
Callbacks run on gpiozero's thread: hand them to the event loop (`loop.call_soon_threadsafe`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from gpiozero import Button, Factory

from appliance.device.gpio import pin_factory_for
from appliance.device.pins import PinMap

Callback = Callable[[], None]


class ResetConfirmation:
    """The arm-then-confirm logic on its own, so it can be reasoned about without a pin."""

    def __init__(self, confirm_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if confirm_seconds <= 0:
            raise ValueError("confirm_seconds must be positive")
        self.confirm_seconds = confirm_seconds
        self._clock = clock
        self._armed_at: float | None = None

    @property
    def armed(self) -> bool:
        return self._armed_at is not None and self._clock() - self._armed_at <= self.confirm_seconds

    def long_press(self) -> bool:
        """Arms the reset, or returns True when this press confirms an armed one."""
        if self.armed:
            self._armed_at = None
            return True
        self._armed_at = self._clock()
        return False

    def cancel(self) -> bool:
        """Disarms; returns whether it was armed."""
        was_armed = self.armed
        self._armed_at = None
        return was_armed


class StatusButton:
    def __init__(
        self,
        pin_map: PinMap,
        on_short_press: Callback,
        on_long_press: Callback,
        pin_factory: Factory | None = None,
        *,
        on_reset_armed: Callback | None = None,
        on_reset_disarmed: Callback | None = None,
        hold_seconds: float = 3.0,
        confirm_seconds: float = 10.0,
        bounce_seconds: float | None = 0.05,
    ) -> None:
        """`on_long_press` is the confirmed factory reset; the `on_reset_*` callbacks update the display."""
        self._on_short_press = on_short_press
        self._on_long_press = on_long_press
        self._on_reset_armed = on_reset_armed
        self._on_reset_disarmed = on_reset_disarmed
        self._confirmation = ResetConfirmation(confirm_seconds)
        self._lock = threading.Lock()
        self._held = False
        self._expiry: threading.Timer | None = None
        self._button: Button | None = None
        if not (pin_map.has_hardware and pin_map.button):
            return
        internal_pull = pin_map.button_pull == "up"
        self._button = Button(
            pin_map.button, pull_up=True if internal_pull else None,
            active_state=None if internal_pull else False, bounce_time=bounce_seconds,
            hold_time=hold_seconds, pin_factory=pin_factory_for(pin_map, pin_factory),
        )
        self._button.when_held = self._held_long
        self._button.when_released = self._released

    @property
    def reset_armed(self) -> bool:
        return self._confirmation.armed

    def close(self) -> None:
        self._stop_expiry()
        if self._button is not None:
            self._button.close()
            self._button = None

    def _held_long(self) -> None:
        with self._lock:
            self._held = True

    def _released(self) -> None:
        with self._lock:
            held, self._held = self._held, False
            if not held:
                disarmed = self._confirmation.cancel()
                confirmed = armed = False
            else:
                confirmed = self._confirmation.long_press()
                armed, disarmed = not confirmed, False
            self._stop_expiry()
            if armed:
                self._expiry = threading.Timer(self._confirmation.confirm_seconds, self._expire)
                self._expiry.daemon = True
                self._expiry.start()
        if confirmed:
            self._call(self._on_reset_disarmed)
            self._on_long_press()
        elif armed:
            self._call(self._on_reset_armed)
        elif disarmed:
            self._call(self._on_reset_disarmed)
        else:
            self._on_short_press()

    def _expire(self) -> None:
        with self._lock:
            if threading.current_thread() is not self._expiry:
                return  # a press already confirmed or cancelled this arming
            self._expiry = None
            self._confirmation.cancel()
        self._call(self._on_reset_disarmed)

    def _stop_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None

    @staticmethod
    def _call(callback: Callback | None) -> None:
        if callback is not None:
            callback()
