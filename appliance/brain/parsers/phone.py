"""Phone numbers as callers say or type them: "nul zes twaalf vierendertig ...", "06-12345678", "+31 6 ...".

Numbers are returned as digits in national form for the Netherlands ("0612345678"); other countries keep
their "+" prefix ("+3225551234").
"""

from __future__ import annotations

import re

from appliance.brain.parsers.numbers import digits_of
from appliance.brain.text import normalize

_PLUS = {"plus", "+"}
_FILLERS = {"en", "eh", "uh", "uhm", "ehm", "-", "streepje", "and"}
_DOUBLE = {"dubbel", "double"}


def _digit_runs(text: str) -> list[str]:
    """Consecutive spoken or written digits, joined; other words break a run."""
    runs: list[str] = []
    current = ""
    doubling = False
    tokens = re.split(r"[\s,;:()/]+", normalize(text).replace("+", " + "))
    for token in tokens:
        if not token:
            continue
        if token in _PLUS:
            if current:
                runs.append(current)
            current = "+"
            continue
        if token in _DOUBLE:
            doubling = True
            continue
        digits = digits_of(token)
        if digits is not None:
            current += digits * 2 if doubling and len(digits) == 1 else digits
            doubling = False
            continue
        if token in _FILLERS and current:
            continue
        if current:
            runs.append(current)
        current = ""
    if current:
        runs.append(current)
    return runs


def normalize_phone(digits: str) -> str | None:
    """National form of a plausible phone number, or None."""
    digits = re.sub(r"[^\d+]", "", digits)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+31"):
        rest = digits[3:].removeprefix("0")
        return "0" + rest if len(rest) == 9 else None
    if digits.startswith("+"):
        return digits if 9 <= len(digits) - 1 <= 15 else None
    if digits.startswith("0") and len(digits) == 10 and digits[1] != "0":
        return digits
    return None


def parse_phone(text: str) -> str | None:
    """The first complete phone number in the utterance, or None."""
    for run in _digit_runs(text):
        number = normalize_phone(run)
        if number:
            return number
        # a run may hold extra words read as numbers ("ik ben 06 ..."); try its tail
        for start in range(1, max(1, len(run) - 9)):
            number = normalize_phone(run[start:])
            if number and run[start] == "0":
                return number
    return None


def partial_digits(text: str) -> str:
    """All digits heard, for a number that arrives in pieces over several utterances."""
    return "".join(_digit_runs(text)).replace("+", "")
