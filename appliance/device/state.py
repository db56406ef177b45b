"""What the box should show the people in the office: the state the LEDs and the status page display."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Attention(enum.Enum):
    """A problem someone has to fix. `code` is how many times the red LED blinks for it."""

    SIP_UNREACHABLE = (1, "phone system unreachable: check the network cable and the PBX address")
    REGISTRATION_REFUSED = (2, "phone system refused the extension: check user name and password")
    MODEL_MISSING = (3, "a speech or language model is missing or damaged: reinstall the image")
    DISK_ALMOST_FULL = (4, "storage almost full: old calls or backups need clearing")

    def __init__(self, code: int, advice: str) -> None:
        self.code = code
        self.advice = advice


#: Most urgent first: the red LED shows the first one present; the status page lists them all.
ATTENTION_PRIORITY = (
    Attention.MODEL_MISSING,
    Attention.REGISTRATION_REFUSED,
    Attention.SIP_UNREACHABLE,
    Attention.DISK_ALMOST_FULL,
)


@dataclass(frozen=True)
class BoxState:
    booting: bool = True
    registered: bool = False
    active_calls: int = 0
    ringing: bool = False
    attention: tuple[Attention, ...] = ()
    updating: bool = False
    reset_armed: bool = False  # a long press armed the factory reset; a second one confirms it

    def __post_init__(self) -> None:
        if isinstance(self.active_calls, bool) or not isinstance(self.active_calls, int):
            raise TypeError(f"active_calls must be an int, not {type(self.active_calls).__name__}")
        if self.active_calls < 0:
            raise ValueError(f"active_calls cannot be negative ({self.active_calls})")
        if not isinstance(self.attention, tuple):
            raise TypeError("attention must be a tuple of Attention values")
        for item in self.attention:
            if not isinstance(item, Attention):
                raise TypeError(f"attention holds {item!r}, which is not an Attention value")

    @property
    def most_urgent(self) -> Attention | None:
        for candidate in ATTENTION_PRIORITY:
            if candidate in self.attention:
                return candidate
        return None
