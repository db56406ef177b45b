"""The pin map in firmware/pins.toml and board detection."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockFactory

from appliance.device.jetson import ORIN_NANO_HEADER_LINES, orin_nano_board_info
from appliance.device.pins import PinMapError, load_pin_map


def model_file(tmp_path, text: str):
    path = tmp_path / "model"
    path.write_bytes(text.encode() + b"\0")
    return path


@pytest.mark.parametrize(("model", "board"), [
    ("Raspberry Pi 5 Model B Rev 1.0", "raspberry-pi-5"),
    ("NVIDIA Jetson Orin Nano Developer Kit", "jetson-orin-nano"),
    ("Raspberry Pi 4 Model B Rev 1.4", "none"),
])
def test_board_is_detected_from_the_device_tree(tmp_path, model, board):
    assert load_pin_map(model_file=model_file(tmp_path, model)).board == board


def test_a_pc_without_device_tree_has_no_hardware(tmp_path):
    pin_map = load_pin_map(model_file=tmp_path / "absent")
    assert pin_map.board == "none"
    assert not pin_map.has_hardware


def test_both_boards_use_the_same_header_pins():
    pi, jetson = load_pin_map("raspberry-pi-5"), load_pin_map("jetson-orin-nano")
    assert pi.leds == jetson.leds == {"status": "BOARD11", "call": "BOARD13", "alert": "BOARD15"}
    assert pi.button == jetson.button == "BOARD16"
    assert jetson.pin_factory == "jetson" and jetson.gpio_chip == "tegra234-gpio"


def test_pi5_pin_names_resolve_to_gpios():
    factory = MockFactory(revision="c04170")
    try:
        names = {role: repr(factory.pin(pin)) for role, pin in load_pin_map("raspberry-pi-5").leds.items()}
        assert names == {"status": "GPIO17", "call": "GPIO27", "alert": "GPIO22"}
    finally:
        factory.reset()


def test_jetson_header_pins_resolve_to_tegra_lines():
    info = orin_nano_board_info()
    for pin in load_pin_map("jetson-orin-nano").leds.values():
        (header, found), = info.find_pin(pin)
        assert found.name == f"GPIO{ORIN_NANO_HEADER_LINES[found.number]}"
    (_, status), = info.find_pin("BOARD11")
    assert status.name == "GPIO112"  # PR.04


def test_jetson_factory_says_which_chip_it_missed():
    from appliance.device.jetson import GpioChipNotFoundError, JetsonOrinNanoFactory

    with pytest.raises(GpioChipNotFoundError, match="tegra234-gpio"):
        JetsonOrinNanoFactory("tegra234-gpio")


@pytest.mark.parametrize(("body", "message"), [
    ('[boards.x]\nleds = { green = "BOARD11" }', "unknown LED role"),
    ('[boards.x]\nleds = { status = "BOARD11" }\nbutton = "BOARD11"', "used twice"),
    ('[boards.x]\npin_factory = "jetson"', "gpio_chip"),
    ('[boards.x]\npin_factory = "wiringpi"', "pin_factory"),
    ('[boards.x]\nbutton_pull = "down"', "button_pull"),
    ('[boards.x]\nactive_high = "yes"', "active_high"),
    ('[boards.x]\nleds = { status = 17 }', "pin name"),
    ("[boards.x\n", "pins.toml"),
])
def test_malformed_pin_maps_are_refused_clearly(tmp_path, body, message):
    path = tmp_path / "pins.toml"
    path.write_text(body)
    with pytest.raises(PinMapError, match=message):
        load_pin_map("x", path=path)


def test_unknown_board_and_missing_file(tmp_path):
    with pytest.raises(PinMapError, match="no board 'pi-zero'"):
        load_pin_map("pi-zero")
    with pytest.raises(PinMapError, match="not found"):
        load_pin_map("none", path=tmp_path / "nothing.toml")
