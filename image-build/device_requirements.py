"""Prints the pip requirements of the device's virtualenv, one per line, from the project's pyproject.toml.

pjsua2-python has no arm64 wheel: build-pjsua2.sh builds pjsua2 from pjproject inside the image instead.
lgpio is what gpiozero needs to drive the Raspberry Pi 5's and the Jetson's GPIO.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

BUILT_IN_IMAGE = {"pjsua2-python"}
DEVICE_ONLY = ("lgpio==0.2.2.0",)


def requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def device_requirements(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    kept = [r for r in project["dependencies"] if requirement_name(r) not in BUILT_IN_IMAGE]
    names = {requirement_name(r) for r in kept}
    return kept + [r for r in DEVICE_ONLY if requirement_name(r) not in names]


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "pyproject.toml"
    print("\n".join(device_requirements(source)))
