"""Dutch and English number words: "vierendertig" -> 34, "vijftienhonderd" -> 1500, "twenty-one" -> 21."""

from __future__ import annotations

import re

_UNITS_NL = {"nul": 0, "een": 1, "eén": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
             "zeven": 7, "acht": 8, "negen": 9}
_TEENS_NL = {"tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
             "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19}
_TENS_NL = {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70,
            "tachtig": 80, "negentig": 90}
_UNITS_EN = {"zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9}
_TEENS_EN = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS_EN = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_BELOW_HUNDRED: dict[str, int] = {**_UNITS_NL, **_TEENS_NL, **_TENS_NL, **_UNITS_EN, **_TEENS_EN, **_TENS_EN}
for _unit, _u in list(_UNITS_NL.items())[1:]:
    if _unit in ("eén", "één"):
        continue
    for _tens, _t in _TENS_NL.items():
        _BELOW_HUNDRED[f"{_unit}en{_tens}"] = _t + _u
        if _unit.endswith("e"):  # "tweeëntwintig" loses its diaeresis when normalized
            _BELOW_HUNDRED[f"{_unit}ën{_tens}"] = _t + _u
for _tens, _t in _TENS_EN.items():
    for _unit, _u in list(_UNITS_EN.items())[1:]:
        _BELOW_HUNDRED[f"{_tens}-{_unit}"] = _t + _u
        _BELOW_HUNDRED[f"{_tens}{_unit}"] = _t + _u

_ORDINALS_NL = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7,
                "achtste": 8, "negende": 9, "tiende": 10, "elfde": 11, "twaalfde": 12, "dertiende": 13,
                "veertiende": 14, "vijftiende": 15, "zestiende": 16, "zeventiende": 17, "achttiende": 18,
                "negentiende": 19, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,2})(e|de|ste|st|nd|rd|th)$")


def word_value(word: str) -> int | None:
    """The value of one number word (or digits), up to 999,999; None if it is not a number."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if "duizend" in word:
        head, _, tail = word.partition("duizend")
        thousands = word_value(head) if head else 1
        rest = word_value(tail) if tail else 0
        if thousands is None or rest is None or rest >= 1000:
            return None
        return thousands * 1000 + rest
    if "honderd" in word:
        head, _, tail = word.partition("honderd")
        hundreds = word_value(head) if head else 1
        rest = word_value(tail.removeprefix("en")) if tail else 0
        if hundreds is None or rest is None or rest >= 100 or hundreds >= 100:
            return None
        return hundreds * 100 + rest
    return _BELOW_HUNDRED.get(word)


def ordinal_value(word: str) -> int | None:
    """ "achtste" -> 8, "eenentwintigste" -> 21, "8e" / "8th" -> 8."""
    word = word.lower().strip()
    if word in _ORDINALS_NL:
        return _ORDINALS_NL[word]
    match = _ORDINAL_SUFFIX.match(word)
    if match:
        return int(match.group(1))
    for suffix in ("ste", "de"):
        if word.endswith(suffix):
            value = word_value(word[: -len(suffix)])
            if value is not None and value >= 20:
                return value
    return None


def digits_of(word: str) -> str | None:
    """The digits a spoken token stands for in a digit string: "twaalf" -> "12", "nul" -> "0", "06-12" -> "0612"."""
    if re.fullmatch(r"[\d\-.]+", word) and any(c.isdigit() for c in word):
        return re.sub(r"\D", "", word)
    value = word_value(word)
    return None if value is None else str(value)
