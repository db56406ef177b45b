"""Picks the gpiozero pin factory a pin map needs."""

from __future__ import annotations

from functools import cache

from gpiozero import Factory

from appliance.device.pins import PinMap


def pin_factory_for(pin_map: PinMap, given: Factory | None = None) -> Factory | None:
    """`given` if any (tests pass a MockFactory); None lets gpiozero choose (lgpio on a Raspberry Pi 5)."""
    if given is not None or pin_map.pin_factory == "gpiozero":
        return given
    return _jetson_factory(pin_map.gpio_chip or "tegra234-gpio")


@cache
def _jetson_factory(chip_label: str) -> Factory:
    """One factory per chip, shared by the LEDs and the button."""
    from appliance.device.jetson import JetsonOrinNanoFactory  # needs the lgpio package and a Jetson

    return JetsonOrinNanoFactory(chip_label)
