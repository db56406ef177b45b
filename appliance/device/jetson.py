"""gpiozero on a Jetson Orin Nano: its lgpio backend on the Tegra gpiochip, with the 40-pin header's map.

gpiozero only knows Raspberry Pi boards. The Orin Nano developer kit's header is wired like a Pi's, so the
same `BOARD<n>` names work; each resolves to a line offset of the `tegra234-gpio` chip.
"""

from __future__ import annotations

import glob

import lgpio
from gpiozero.compat import frozendict
from gpiozero.pins import BoardInfo, HeaderInfo, PinInfo
from gpiozero.pins.lgpio import LGPIOFactory, LGPIOPin
from gpiozero.pins.local import LocalPiFactory

HEADER = "J12"

#: Header pin -> line offset in the `tegra234-gpio` chip (NVIDIA Jetson.GPIO, JETSON_ORIN_NX_PIN_DEFS,
#: which covers the Orin Nano too). Pins 7 and 11-40 that can be GPIOs once jetson-io has set their pinmux.
ORIN_NANO_HEADER_LINES = {
    7: 144, 11: 112, 12: 50, 13: 122, 15: 85, 16: 126, 18: 125, 19: 135, 21: 134, 22: 123, 23: 133,
    24: 136, 26: 137, 29: 105, 31: 106, 32: 41, 33: 43, 35: 53, 36: 113, 37: 124, 38: 52, 40: 51,
}


class GpioChipNotFoundError(RuntimeError):
    """No gpiochip device carries the expected label (wrong board, or no access to /dev/gpiochip*)."""


def orin_nano_board_info() -> BoardInfo:
    pins = {}
    for number, line in ORIN_NANO_HEADER_LINES.items():
        row, col = divmod(number - 1, 2)
        name = f"GPIO{line}"  # gpiozero's pins take their line offset from the digits after "GPIO"
        pins[number] = PinInfo(
            number=number, name=name, names=frozenset({name, f"BOARD{number}", f"{HEADER}:{number}"}),
            pull="", row=row + 1, col=col + 1, interfaces=frozenset({"gpio"}),
        )
    header = HeaderInfo(name=HEADER, rows=20, columns=2, pins=frozendict(pins))
    return BoardInfo(
        revision="p3767", model="Jetson Orin Nano", pcb_revision="", released="2023", soc="T234",
        manufacturer="NVIDIA", memory=8192, storage="NVMe", usb=4, usb3=4, ethernet=1, eth_speed=1000,
        wifi=True, bluetooth=True, csi=2, dsi=0, headers=frozendict({HEADER: header}), board="",
    )


def find_gpiochip(label: str) -> int:
    """The number N of the /dev/gpiochipN whose label is `label`."""
    seen = []
    for device in sorted(glob.glob("/dev/gpiochip*")):
        number = int(device.removeprefix("/dev/gpiochip"))
        try:
            handle = lgpio.gpiochip_open(number)
        except lgpio.error as exc:
            seen.append(f"{device} ({exc})")
            continue
        try:
            _, _, _, chip_label = lgpio.gpio_get_chip_info(handle)
        finally:
            lgpio.gpiochip_close(handle)
        if chip_label == label:
            return number
        seen.append(f"{device} ({chip_label})")
    raise GpioChipNotFoundError(
        f"no gpiochip labelled {label!r}; found: {', '.join(seen) or 'none'} "
        f"(is this a Jetson, and is the service user in the gpio group?)"
    )


class JetsonOrinNanoFactory(LGPIOFactory):
    def __init__(self, chip_label: str = "tegra234-gpio") -> None:
        LocalPiFactory.__init__(self)  # LGPIOFactory.__init__ would look for a Raspberry Pi revision code
        self._chip = find_gpiochip(chip_label)
        self._handle = lgpio.gpiochip_open(self._chip)
        self.pin_class = LGPIOPin

    def _get_board_info(self) -> BoardInfo:
        if self._info is None:
            self._info = orin_nano_board_info()
        return self._info
