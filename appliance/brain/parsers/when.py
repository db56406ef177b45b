"""Dates and times relative to the moment of the call, as Dutch and English callers say them.

"morgen", "volgende week dinsdag", "8 december", "om half drie" (14:30), "kwart voor vier", "na vijven",
"tussen twee en vier", "'s ochtends", "tomorrow at 3 pm", "as soon as possible".
Bare hours from 1 to 7 are taken as afternoon (business hours) unless the caller says morning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from appliance.brain.parsers.numbers import ordinal_value, word_value
from appliance.brain.spoken import MONTH_NAMES, say_date, say_time
from appliance.brain.text import normalize

PartOfDay = Literal["morning", "afternoon", "evening"]

_WEEKDAYS = {"maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5,
             "zondag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6, "maandags": 0, "dinsdags": 1, "woensdags": 2, "donderdags": 3,
             "vrijdags": 4, "zaterdags": 5, "zondags": 6}
_MONTHS = {name.lower(): i + 1 for names in MONTH_NAMES.values() for i, name in enumerate(names)}
_MONTHS.update({"jan": 1, "feb": 2, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                "okt": 10, "oct": 10, "nov": 11, "dec": 12, "maart": 3})
_RELATIVE_DAYS = {"vandaag": 0, "today": 0, "vanochtend": 0, "vanmorgen": 0, "vanmiddag": 0, "vanavond": 0,
                  "tonight": 0, "morgen": 1, "tomorrow": 1, "morgenochtend": 1, "morgenvroeg": 1,
                  "morgenmiddag": 1, "morgenavond": 1, "overmorgen": 2}
_DAY_PARTS: dict[str, PartOfDay] = {
    "ochtend": "morning", "ochtends": "morning", "morgens": "morning", "vanochtend": "morning",
    "vanmorgen": "morning", "morgenochtend": "morning", "morgenvroeg": "morning", "morning": "morning",
    "voormiddag": "morning", "middag": "afternoon", "middags": "afternoon", "vanmiddag": "afternoon",
    "morgenmiddag": "afternoon", "afternoon": "afternoon", "namiddag": "afternoon", "avond": "evening",
    "avonds": "evening", "vanavond": "evening", "morgenavond": "evening", "evening": "evening",
    "tonight": "evening",
}
_HOUR_WORDS = {"eenen": 1, "tweeen": 2, "drieen": 3, "vieren": 4, "vijven": 5, "zessen": 6, "zevenen": 7,
               "achten": 8, "negenen": 9, "tienen": 10, "elven": 11, "twaalven": 12, "enen": 1}
_ASAP = re.compile(r"zo snel mogelijk|zo spoedig mogelijk|zsm|zo vroeg mogelijk|as soon as possible|asap|"
                   r"zo gauw mogelijk|meteen|direct|right away|eerste (de beste )?plek")
_ANYTIME = re.compile(r"maakt (mij )?niet uit|om het even|maakt niks uit|any ?time|doesn'?t matter|whenever|"
                      r"hele dag|de hele dag|all day|altijd")


@dataclass(frozen=True)
class When:
    """What a caller said about a moment: a day, an exact time, a window, a part of the day."""

    day: date | None = None
    at: time | None = None
    after: time | None = None
    before: time | None = None
    part: PartOfDay | None = None
    asap: bool = False
    anytime: bool = False

    @property
    def moment(self) -> datetime | None:
        return datetime.combine(self.day, self.at) if self.day and self.at else None

    @property
    def empty(self) -> bool:
        return self == When()

    def merged(self, newer: When) -> When:
        """This moment refined by a later answer (a day now, the time in the next utterance)."""
        return When(day=newer.day or self.day, at=newer.at or self.at, after=newer.after or self.after,
                    before=newer.before or self.before, part=newer.part or self.part,
                    asap=newer.asap or self.asap, anytime=newer.anytime or self.anytime)

    def describe(self, language: str) -> str:
        """ "morgen na 17 uur" style text for the record and read-backs."""
        parts: list[str] = []
        if self.asap:
            parts.append("as soon as possible" if language == "en" else "zo snel mogelijk")
        if self.day:
            parts.append(say_date(self.day, language))
        if self.part and not (self.at or self.after or self.before):
            parts.append(_PART_NAMES[language][self.part])
        if self.at:
            parts.append(("at " if language == "en" else "om ") + say_time(self.at, language))
        if self.after and self.before:
            parts.append(f"between {say_time(self.after, language)} and {say_time(self.before, language)}"
                         if language == "en" else
                         f"tussen {say_time(self.after, language).removesuffix(' uur')} en "
                         f"{say_time(self.before, language)}")
        elif self.after:
            parts.append(("after " if language == "en" else "na ") + say_time(self.after, language))
        elif self.before:
            parts.append(("before " if language == "en" else "voor ") + say_time(self.before, language))
        if self.anytime and not parts:
            parts.append("any time" if language == "en" else "de hele dag")
        return " ".join(parts)


_PART_NAMES = {"nl": {"morning": "'s ochtends", "afternoon": "'s middags", "evening": "'s avonds"},
               "en": {"morning": "in the morning", "afternoon": "in the afternoon", "evening": "in the evening"}}


def _hour(token: str) -> int | None:
    if token in _HOUR_WORDS:
        return _HOUR_WORDS[token]
    value = word_value(token)
    return value if value is not None and 0 <= value <= 24 else None


def _business_hour(hour: int, part: PartOfDay | None, explicit_24h: bool) -> int:
    """ "drie uur" is 15:00 at an office; "'s ochtends zeven uur" stays 7:00."""
    if explicit_24h or hour >= 13 or hour == 0:
        return hour % 24
    if part == "morning":
        return hour % 12
    if part in ("afternoon", "evening"):
        return hour + 12 if hour < 12 else hour
    return hour + 12 if 1 <= hour <= 7 else hour


def _am_pm(text: str) -> PartOfDay | None:
    if re.search(r"\b(am|a\.m\.)\b", text):
        return "morning"
    if re.search(r"\b(pm|p\.m\.)\b", text):
        return "afternoon"
    return None


_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
_HALF = re.compile(r"\b(?:(\w+) (over|voor) )?half (\w+)\b")
_QUARTER = re.compile(r"\bkwart (over|voor) (\w+)\b")
_MINUTES_PAST = re.compile(r"\b(\w+) (over|voor) (\w+)\b")
_EN_HALF = re.compile(r"\bhalf past (\w+)\b")
_EN_QUARTER = re.compile(r"\bquarter (past|to) (\w+)\b")
_HOUR_UUR = re.compile(r"\b(\w+) (?:uur|o'?clock|u)\b")
_EN_HOUR = re.compile(r"\b(?:at|around|by) (\w+)(?: ?(am|pm))?\b")
_OM_HOUR = re.compile(r"\b(?:om|rond|rond de|tegen|vanaf) (\w+)\b")
# A window bound must look like a time: "na vijven", "na 5 uur", "na 17:00", "na de lunch", "after 5".
_BOUND = r"(\d{1,2}:\d\d|\w+en(?= |$)|lunch|\w+(?= uur| ?am| ?pm| o'?clock))"
_AFTER = re.compile(rf"\b(?:na|vanaf|later dan|niet voor) (?:de )?{_BOUND}|\b(?:after|from) (\w+(?::\d\d)?)")
_BEFORE = re.compile(rf"\b(?:voor|uiterlijk|niet na) (?:de )?{_BOUND}|\b(?:before|until) (\w+(?::\d\d)?)")
_BETWEEN = re.compile(r"\b(?:tussen|between) (\w+(?::\d\d)?)(?: uur)? (?:en|and) (\w+(?::\d\d)?)")


def _parse_hour_expression(token: str, part: PartOfDay | None) -> time | None:
    clock = _CLOCK.fullmatch(token)
    if clock:
        return time(int(clock.group(1)), int(clock.group(2)))
    hour = _hour(token)
    if hour is None:
        return None
    return time(_business_hour(hour, part, explicit_24h=False), 0)


def parse_time(text: str, part: PartOfDay | None = None) -> time | None:
    """The exact time of day in the utterance, or None."""
    t = normalize(text).replace("'s ", "s ")
    part = _am_pm(t) or part
    clock = _CLOCK.search(t)
    if clock and not re.search(rf"\b{clock.group(0)}\s*(euro|eur|procent|%)", t):
        hour, minute = int(clock.group(1)), int(clock.group(2))
        return time(_business_hour(hour, part, explicit_24h=hour >= 13 or clock.group(1).startswith("0")), minute)
    if m := _QUARTER.search(t):
        hour = _hour(m.group(2))
        if hour is not None:
            hour = _business_hour(hour, part, False)
            return (datetime(2000, 1, 1, hour) + timedelta(minutes=15 if m.group(1) == "over" else -15)).time()
    if m := _HALF.search(t):
        hour = _hour(m.group(3))
        if hour is not None:
            base = datetime(2000, 1, 1, _business_hour(hour, part, False)) - timedelta(minutes=30)
            if m.group(1):
                minutes = word_value(m.group(1))
                if minutes is not None and minutes < 30:
                    base += timedelta(minutes=minutes if m.group(2) == "over" else -minutes)
            return base.time()
    if m := _EN_HALF.search(t):
        hour = _hour(m.group(1))
        if hour is not None:
            return time(_business_hour(hour, part, False), 30)
    if m := _EN_QUARTER.search(t):
        hour = _hour(m.group(2))
        if hour is not None:
            base = datetime(2000, 1, 1, _business_hour(hour, part, False))
            return (base + timedelta(minutes=15 if m.group(1) == "past" else -15)).time()
    if m := _MINUTES_PAST.search(t):
        minutes, hour = word_value(m.group(1)), _hour(m.group(3))
        if minutes is not None and hour is not None and 0 < minutes < 30 and m.group(3) != "half":
            base = datetime(2000, 1, 1, _business_hour(hour, part, False))
            return (base + timedelta(minutes=minutes if m.group(2) == "over" else -minutes)).time()
    for pattern in (_HOUR_UUR, _EN_HOUR, _OM_HOUR):
        for m in pattern.finditer(t):
            hour = _hour(m.group(1))
            if hour is not None and hour <= 24:
                return time(_business_hour(hour, part, explicit_24h=hour >= 13), 0)
    return None


_COMPOUND_DAY = re.compile(r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)(ochtend|morgen|middag|"
                           r"avond|nacht)\b")


def _split_compounds(text: str) -> str:
    """ "donderdagochtend" -> "donderdag ochtend"."""
    return _COMPOUND_DAY.sub(r"\1 \2", text)


def parse_day(text: str, now: datetime) -> date | None:
    """The date the caller means, relative to `now` ("volgende week dinsdag", "de achtste", "8 december")."""
    t = _split_compounds(normalize(text))
    tokens = t.split()
    for token in tokens:
        if token in _RELATIVE_DAYS:
            return now.date() + timedelta(days=_RELATIVE_DAYS[token])
    if m := re.search(r"\b(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2,4}))?\b", t):
        day = _safe_date(now, int(m.group(1)), int(m.group(2)), m.group(3))
        if day:
            return day
    for i, token in enumerate(tokens):
        if token in _MONTHS and i > 0:
            number = ordinal_value(tokens[i - 1]) or word_value(tokens[i - 1])
            if number:
                day = _safe_date(now, number, _MONTHS[token], None)
                if day:
                    return day
    for token in tokens:
        if token in _WEEKDAYS:
            target = _WEEKDAYS[token]
            ahead = (target - now.weekday()) % 7 or 7
            if "volgende week" in t or "next week" in t:
                start_of_next_week = now.date() + timedelta(days=7 - now.weekday())
                return start_of_next_week + timedelta(days=target)
            if re.search(r"\b(deze|this|vandaag)\b", t) and target == now.weekday():
                return now.date()
            return now.date() + timedelta(days=ahead)
    if m := re.search(r"\bde (\w+)\b", t):
        number = ordinal_value(m.group(1))
        if number and 1 <= number <= 31:
            return _next_day_of_month(now, number)
    return None


def _safe_date(now: datetime, day: int, month: int, year: str | None) -> date | None:
    try:
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, month, day)
        candidate = date(now.year, month, day)
        return candidate if candidate >= now.date() else date(now.year + 1, month, day)
    except ValueError:
        return None


def _next_day_of_month(now: datetime, number: int) -> date | None:
    year, month = now.year, now.month
    for _ in range(3):
        try:
            candidate = date(year, month, number)
        except ValueError:
            candidate = None
        if candidate and candidate >= now.date():
            return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _part_of_day(text: str) -> PartOfDay | None:
    for token in _split_compounds(normalize(text)).replace("'s ", "s ").split():
        if token in _DAY_PARTS:
            return _DAY_PARTS[token]
        if token in ("sochtends", "smorgens"):
            return "morning"
        if token == "smiddags":
            return "afternoon"
        if token == "savonds":
            return "evening"
    return None


def _window_time(token: str, part: PartOfDay | None) -> time | None:
    if token in _HOUR_WORDS:
        return time(_business_hour(_HOUR_WORDS[token], part, False), 0)
    if token == "noon":
        return time(12, 0)
    if token == "lunch":
        return time(13, 0)
    return _parse_hour_expression(token, part)


def parse_when(text: str, now: datetime) -> When:
    """Everything the utterance says about when; an empty When if nothing."""
    t = normalize(text).replace("'s ", "s ")
    part = _am_pm(t) or _part_of_day(text)
    after = before = None
    if m := _BETWEEN.search(t):
        after, before = _window_time(m.group(1), part), _window_time(m.group(2), part)
        if after and before and before <= after and before.hour < 12:
            before = time(before.hour + 12, before.minute)
    else:
        exact_times_removed = _MINUTES_PAST.sub(" ", _QUARTER.sub(" ", _HALF.sub(" ", t)))
        if m := _AFTER.search(exact_times_removed):
            after = _window_time(m.group(1) or m.group(2), part)
        if m := _BEFORE.search(exact_times_removed):
            before = _window_time(m.group(1) or m.group(2), part)
    at = None if (after or before) else parse_time(text, part)
    return When(day=parse_day(text, now), at=at, after=after, before=before, part=part,
                asap=bool(_ASAP.search(t)), anytime=bool(_ANYTIME.search(t)))
