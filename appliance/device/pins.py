"""The pin map (`firmware/pins.toml`): which GPIO each status LED and the button use on this board."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from appliance.device.patterns import LED_ROLES
from appliance.models.manifest import PROJECT_ROOT

DEFAULT_PIN_MAP = PROJECT_ROOT / "firmware" / "pins.toml"
DEVICE_TREE_MODEL = Path("/proc/device-tree/model")
NO_BOARD = "none"
PIN_FACTORIES = ("gpiozero", "jetson")
BUTTON_PULLS = ("up", "external")


class PinMapError(ValueError):
    """The pin map file is missing, malformed or has no entry for the requested board."""


@dataclass(frozen=True)
class PinMap:
    board: str
    leds: dict[str, str] = field(default_factory=dict)
    button: str | None = None
    button_pull: Literal["up", "external"] = "up"
    active_high: bool = True
    pin_factory: Literal["gpiozero", "jetson"] = "gpiozero"
    gpio_chip: str | None = None

    @property
    def has_hardware(self) -> bool:
        return self.board != NO_BOARD and bool(self.leds or self.button)


def pin_map_path() -> Path:
    return Path(os.environ.get("BALIE_PIN_MAP", DEFAULT_PIN_MAP))


def read_board_model(model_file: Path = DEVICE_TREE_MODEL) -> str:
    """The board's model string from the device tree, or "" on machines without one (PCs)."""
    try:
        return model_file.read_bytes().rstrip(b"\0").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def detect_board(boards: dict[str, dict], model: str) -> str:
    """The name of the pin map entry whose `model` occurs in the device tree's model string."""
    for name, entry in boards.items():
        wanted = entry.get("model", "")
        if wanted and wanted in model:
            return name
    return NO_BOARD


def load_pin_map(board: str | None = None, path: Path | None = None,
                 model_file: Path = DEVICE_TREE_MODEL) -> PinMap:
    """Reads the pin map for `board`, or for the board this runs on when `board` is None."""
    path = path or pin_map_path()
    try:
        boards = tomllib.loads(path.read_text()).get("boards", {})
    except FileNotFoundError as exc:
        raise PinMapError(f"pin map not found at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PinMapError(f"{path}: {exc}") from exc
    if board is None:
        board = detect_board(boards, read_board_model(model_file))
    if board == NO_BOARD and NO_BOARD not in boards:
        return PinMap(board=NO_BOARD)
    if board not in boards:
        raise PinMapError(f"{path}: no board {board!r} (known: {', '.join(sorted(boards))})")
    return _parse_board(board, boards[board], path)


def _parse_board(board: str, entry: dict, path: Path) -> PinMap:
    where = f"{path}: board {board!r}"
    leds = entry.get("leds", {})
    if not isinstance(leds, dict) or not all(isinstance(pin, str) for pin in leds.values()):
        raise PinMapError(f"{where}: leds must map a role to a pin name like \"BOARD11\"")
    unknown = sorted(set(leds) - set(LED_ROLES))
    if unknown:
        raise PinMapError(f"{where}: unknown LED role(s) {', '.join(unknown)} (known: {', '.join(LED_ROLES)})")
    button = entry.get("button")
    if button is not None and not isinstance(button, str):
        raise PinMapError(f"{where}: button must be a pin name like \"BOARD16\"")
    used = [*leds.values(), *([button] if button else [])]
    if len(set(used)) != len(used):
        raise PinMapError(f"{where}: a pin is used twice ({', '.join(used)})")
    factory = entry.get("pin_factory", "gpiozero")
    if factory not in PIN_FACTORIES:
        raise PinMapError(f"{where}: pin_factory {factory!r} is not one of {', '.join(PIN_FACTORIES)}")
    if factory == "jetson" and not entry.get("gpio_chip"):
        raise PinMapError(f"{where}: the jetson pin factory needs gpio_chip (e.g. \"tegra234-gpio\")")
    pull = entry.get("button_pull", "up")
    if pull not in BUTTON_PULLS:
        raise PinMapError(f"{where}: button_pull {pull!r} is not one of {', '.join(BUTTON_PULLS)}")
    active_high = entry.get("active_high", True)
    if not isinstance(active_high, bool):
        raise PinMapError(f"{where}: active_high must be true or false")
    return PinMap(board=board, leds=dict(leds), button=button, button_pull=pull, active_high=active_high,
                  pin_factory=factory, gpio_chip=entry.get("gpio_chip"))
