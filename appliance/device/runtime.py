"""The box's body while the app runs: LEDs and button on GPIO, and systemd's readiness and watchdog.

The app's health loop calls `update(status)` every few seconds; this turns the status into a `BoxState` for the
LEDs and feeds systemd's watchdog only while the SIP thread and the web server are alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from appliance.device.button import StatusButton
from appliance.device.factory_reset import factory_reset
from appliance.device.leds import StatusLeds
from appliance.device.notify import SystemdNotifier
from appliance.device.pins import NO_BOARD, PinMap, PinMapError, load_pin_map
from appliance.device.state import Attention, BoxState

log = logging.getLogger(__name__)

FACTORY_RESET_EXIT_CODE = 3


def box_state(status: dict, reset_armed: bool = False) -> BoxState:
    """What the LEDs show for the app's /api/status."""
    registration = status.get("registration") or {}
    state = registration.get("state", "disabled")
    attention = []
    if state == "refused":
        attention.append(Attention.REGISTRATION_REFUSED)
    elif state == "unreachable":
        attention.append(Attention.SIP_UNREACHABLE)
    if any(problem.startswith("disk almost full") for problem in status.get("problems", [])):
        attention.append(Attention.DISK_ALMOST_FULL)
    if any(problem.startswith("model") for problem in status.get("problems", [])):
        attention.append(Attention.MODEL_MISSING)
    return BoxState(booting=False, registered=state in ("registered", "disabled"),
                    active_calls=status.get("active_calls", 0), ringing=status.get("ringing_calls", 0) > 0,
                    attention=tuple(attention), reset_armed=reset_armed)


class DeviceRuntime:
    """LEDs, button and systemd notifications for one run of the app."""

    def __init__(self, data_dir: Path, request_exit: Callable[[int], None]) -> None:
        self.data_dir = data_dir
        self._request_exit = request_exit
        self.notifier = SystemdNotifier.from_environment()
        try:
            pin_map = load_pin_map()
        except PinMapError as exc:
            log.warning("status LEDs disabled: %s", exc)
            pin_map = PinMap(board=NO_BOARD)
        self.leds = StatusLeds(pin_map)
        self.leds.show(BoxState(booting=True))
        self._reset_armed = threading.Event()
        self._last_status: dict = {}
        self.button = StatusButton(pin_map, on_short_press=self._tell_status, on_long_press=self._factory_reset,
                                   on_reset_armed=self._reset_armed.set, on_reset_disarmed=self._reset_armed.clear)

    def ready(self, summary: str) -> None:
        self.notifier.status(summary)
        self.notifier.ready()

    def update(self, status: dict, healthy: bool) -> None:
        """Shows the status; pats the watchdog only when `healthy` (a stuck SIP thread gets the app restarted)."""
        self._last_status = status
        self.leds.show(box_state(status, self._reset_armed.is_set()))
        if healthy:
            self.notifier.watchdog()
        summary = status.get("registration_summary", "")
        self.notifier.status(f"{status.get('active_calls', 0)} call(s); {summary}")

    def _tell_status(self) -> None:
        display = self.leds.current
        log.info("status button: %s", display.meaning if display else "starting")

    def _factory_reset(self) -> None:
        log.warning("factory reset confirmed on the device: clearing %s", self.data_dir)
        removed = factory_reset(self.data_dir)
        log.warning("factory reset removed: %s", ", ".join(removed) or "nothing")
        self._request_exit(FACTORY_RESET_EXIT_CODE)

    def close(self) -> None:
        self.notifier.stopping()
        self.button.close()
        self.leds.close()
        self.notifier.close()
