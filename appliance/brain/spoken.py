"""Formats facts the way a receptionist says them: days, dates, times, prices, phone numbers in groups."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from appliance.profile.schema import TimeRange

WEEKDAY_NAMES = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def weekday_name(day: date | int, language: str) -> str:
    index = day if isinstance(day, int) else day.weekday()
    return WEEKDAY_NAMES[language][index]


def say_date(day: date, language: str) -> str:
    """ "dinsdag 8 december" / "Tuesday 8 December"."""
    return f"{weekday_name(day, language)} {day.day} {MONTH_NAMES[language][day.month - 1]}"


def say_time(moment: time, language: str) -> str:
    """ "14:30" in Dutch (read as "veertien uur dertig"); "2:30 pm" in English."""
    if language == "en":
        hour = moment.hour % 12 or 12
        suffix = "am" if moment.hour < 12 else "pm"
        return f"{hour}:{moment.minute:02d} {suffix}" if moment.minute else f"{hour} {suffix}"
    return f"{moment.hour}:{moment.minute:02d} uur" if moment.minute else f"{moment.hour} uur"


def say_range(r: TimeRange, language: str) -> str:
    start, end = say_time(r.start, language), say_time(r.end, language)
    if language == "en":
        return f"from {start} to {end}"
    return f"van {start.removesuffix(' uur')} tot {end}"


def say_ranges(ranges: tuple[TimeRange, ...] | list[TimeRange], language: str) -> str:
    parts = [say_range(r, language) for r in ranges]
    joiner = " and " if language == "en" else " en "
    return joiner.join(parts)


def say_appointment(moment: datetime, language: str) -> str:
    """ "dinsdag 8 december om 14:30 uur" / "Tuesday 8 December at 2:30 pm"."""
    at = "at" if language == "en" else "om"
    return f"{say_date(moment.date(), language)} {at} {say_time(moment.time(), language)}"


def say_price(amount: float, language: str) -> str:
    whole = amount == int(amount)
    if language == "en":
        return f"€{amount:.0f}" if whole else f"€{amount:.2f}"
    return f"€ {amount:.0f}" if whole else f"€ {amount:.2f}".replace(".", ",")


def digit_groups(number: str) -> str:
    """A Dutch phone number in the groups people read back: "06 12 34 56 78", "030 123 45 67"."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        digits = "+" + digits
    if digits.startswith("+31"):
        rest = digits[3:]
        return "+31 " + " ".join([rest[:1], *_pairs(rest[1:])]) if rest.startswith("6") else "+31 " + rest
    if digits.startswith("+"):
        rest = digits[3:]
        return f"{digits[:3]} " + " ".join(rest[i:i + 3] for i in range(0, len(rest), 3))
    if digits.startswith("06") and len(digits) == 10:
        return "06 " + " ".join(_pairs(digits[2:]))
    if digits.startswith(("0800", "0900")) and len(digits) >= 10:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if digits.startswith("0") and len(digits) == 10:
        area = 3 if digits[:3] in _THREE_DIGIT_AREAS else 4
        head, tail = digits[:area], digits[area:]
        return f"{head} {tail[:-4]} {tail[-4:-2]} {tail[-2:]}"
    return " ".join(_pairs(digits)) if digits else number


def _pairs(digits: str) -> list[str]:
    return [digits[i:i + 2] for i in range(0, len(digits), 2)]


_THREE_DIGIT_AREAS = {
    "010", "013", "015", "020", "023", "024", "026", "030", "033", "035", "036", "038", "040", "043",
    "045", "046", "050", "053", "055", "058", "070", "071", "072", "073", "074", "075", "076", "077",
    "078", "079", "085", "088", "091", "097",
}
