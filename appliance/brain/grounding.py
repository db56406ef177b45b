"""Checks that a reply states no facts the business profile (or the caller) did not provide: prices,
clock times, phone numbers, percentages and names. Used by the scenario bench to count invented facts."""

from __future__ import annotations

import re
from datetime import datetime

from appliance.brain.parsers.phone import parse_phone
from appliance.brain.parsers.when import parse_when
from appliance.brain.phrases import PHRASES
from appliance.brain.spoken import MONTH_NAMES, WEEKDAY_NAMES
from appliance.profile.schema import BusinessProfile, TimeRange

_PRICE = re.compile(r"€\s?(\d+(?:[.,]\d{1,2})?)")
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(uur|am|pm)\b|\b(?:van|from|tot|to|vanaf|until|na|after|voor|before|"
                    r"om|at) (\d{1,2})(?::(\d{2}))?\b")
_PHONE = re.compile(r"(?:\+\d{2}[\s-]?)?\d[\d\s-]{7,}\d")  # also "+44 770 090 012 3"
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|procent|percent)")
_CAPITALISED = re.compile(
    r"(?<![.!?:]\s)(?<!^)\b([A-Z][a-zà-ÿ'-]{2,}(?:\s(?:van|de|der|den|el|la)?\s?[A-Z][a-zà-ÿ'-]+)*)")


def _profile_text(profile: BusinessProfile) -> str:
    return profile.model_dump_json()


def _allowed_times(profile: BusinessProfile, caller_texts: list[str], now: datetime) -> set[tuple[int, int]]:
    ranges: list[TimeRange] = []
    weeks = [profile.opening_hours] + [s.hours for s in profile.staff if s.hours]
    for week in weeks:
        for day in range(7):
            ranges += week.on_weekday(day)
    for exception in profile.exceptions:
        ranges += exception.hours
    allowed = set()
    for r in ranges:
        for moment in (r.start, r.end):
            allowed |= {(moment.hour, moment.minute), (moment.hour % 12 or 12, moment.minute)}
    for text in caller_texts:
        when = parse_when(text, now)
        for moment in (when.at, when.after, when.before):
            if moment:
                allowed |= {(moment.hour, moment.minute), (moment.hour % 12 or 12, moment.minute),
                            ((moment.hour + 12) % 24, moment.minute)}
    return allowed


def invented_facts(reply: str, profile: BusinessProfile, caller_texts: list[str], now: datetime,
                   caller_id: str | None = None) -> list[str]:
    """The facts in `reply` that come from neither the profile nor the caller."""
    source = _profile_text(profile)
    caller = " ".join(caller_texts)
    invented: list[str] = []
    prices = {round(s.price_eur, 2) for s in profile.services if s.price_eur is not None}
    for match in _PRICE.finditer(reply):
        if round(float(match.group(1).replace(",", ".")), 2) not in prices:
            invented.append(match.group(0))
    times = _allowed_times(profile, caller_texts, now)
    for match in _CLOCK.finditer(reply):
        hour, minute = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(5))
        if (int(hour), int(minute or 0)) not in times and not re.search(rf"\b{hour}\s+({_MONTHS})", reply):
            invented.append(match.group(0))
    phones = {re.sub(r"\D", "", p) for p in re.findall(r"\d[\d\s]{7,}\d", source)}
    phones |= {re.sub(r"\D", "", p) for p in (parse_phone(t) for t in caller_texts) if p}
    if caller_id:
        phones.add(re.sub(r"\D", "", parse_phone(caller_id) or caller_id))
    for match in _PHONE.finditer(reply):
        digits = re.sub(r"\D", "", match.group(0))
        if digits.startswith("31") and len(digits) == 11:
            digits = "0" + digits[2:]
        if len(digits) >= 9 and digits not in phones:
            invented.append(match.group(0).strip())
    stated_percentages = {m.group(1) for m in re.finditer(r"(\d+(?:[.,]\d+)?)\s?(?:%|procent|percent)", source)}
    for match in _PERCENT.finditer(reply):
        if re.match(r"\d+(?:[.,]\d+)?", match.group(0)).group(0) not in stated_percentages:
            invented.append(match.group(0))
    known_words = set(re.findall(r"[a-zà-ÿ'-]+", (source + " " + caller + " " + _TEMPLATE_TEXT).lower()))
    for match in _CAPITALISED.finditer(reply):
        for word in match.group(1).split():
            if word[0].isupper() and word.lower() not in known_words and word not in _CALENDAR_WORDS:
                invented.append(word)
    return invented


_MONTHS = "|".join(m for names in MONTH_NAMES.values() for m in names)
# Weekday and month names, and the words of Dutch public holidays' names as the holidays package spells them.
_CALENDAR_WORDS = {w for names in (*MONTH_NAMES.values(), *WEEKDAY_NAMES.values()) for w in names} | {
    "Nieuwjaarsdag", "Goede", "Eerste", "Tweede", "Koningsdag", "Bevrijdingsdag", "Hemelvaartsdag", "Christmas"}
_TEMPLATE_TEXT = " ".join(text for texts in PHRASES.values() for text in texts.values())
