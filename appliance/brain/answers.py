"""Answers to information questions, filled only from the profile (never from a model's text)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from appliance.brain.spoken import digit_groups, say_date, say_price, say_ranges, say_time, weekday_name
from appliance.brain.text import normalize
from appliance.profile.hours import hours_on, is_open, next_opening
from appliance.profile.schema import WEEKDAYS, BusinessProfile, FaqEntry, Service


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def weekly_hours(profile: BusinessProfile, language: str) -> str:
    """The regular week, with days of equal hours grouped: "Maandag en dinsdag van 8 tot 17 uur, ..."."""
    groups: list[tuple[list[int], tuple]] = []
    for index, day in enumerate(WEEKDAYS):
        ranges = tuple(getattr(profile.opening_hours, day))
        for days, existing in groups:
            if existing == ranges:
                days.append(index)
                break
        else:
            groups.append(([index], ranges))
    open_parts, closed_days = [], []
    for days, ranges in groups:
        names = join([weekday_name(d, language) for d in days], language)
        if ranges:
            open_parts.append(f"{names} {say_ranges(ranges, language)}")
        else:
            closed_days = days
    text = _sentence(", ".join(open_parts)) + "."
    if closed_days:
        names = join([weekday_name(d, language) for d in closed_days], language)
        text += f" On {names} we are closed." if language == "en" else f" Op {names} zijn we gesloten."
    return text


def join(items: list[str], language: str, last: str = "and") -> str:
    """ "a, b en c" / "a, b or c"."""
    if len(items) < 2:
        return "".join(items)
    word = {"and": {"nl": "en", "en": "and"}, "or": {"nl": "of", "en": "or"}}[last][language]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def day_hours(profile: BusinessProfile, day: date, language: str, today: date) -> str:
    """Hours on one specific date, naming a holiday or exception when that is the reason."""
    hours = hours_on(profile, day)
    label = _day_label(day, today, language)
    reason = ""
    if hours.note:
        reason = f" ({hours.note.get(language)})"
    elif hours.holiday and hours.closed:
        reason = f" ({hours.holiday})"
    if hours.closed:
        return f"{_sentence(label)}{reason} we are closed." if language == "en" else \
            f"{_sentence(label)}{reason} zijn we gesloten."
    ranges = say_ranges(hours.ranges, language)
    return f"{_sentence(label)}{reason} we are open {ranges}." if language == "en" else \
        f"{_sentence(label)}{reason} zijn we open {ranges}."


def _day_label(day: date, today: date, language: str) -> str:
    spoken = say_date(day, language)
    if day == today:
        return f"today, {spoken}," if language == "en" else f"vandaag, {spoken},"
    if day == today + timedelta(days=1):
        return f"tomorrow, {spoken}," if language == "en" else f"morgen, {spoken},"
    return f"on {spoken}" if language == "en" else f"op {spoken}"


def current_status(profile: BusinessProfile, now: datetime, language: str) -> str:
    """ "We zijn nu open tot 17 uur." or "We zijn nu gesloten; we zijn weer open op ... vanaf 8 uur." """
    if is_open(profile, now):
        closing = next(r.end for r in hours_on(profile, now.date()).ranges if r.contains(now.time()))
        return f"We are open now until {say_time(closing, language)}." if language == "en" else \
            f"We zijn nu open tot {say_time(closing, language)}."
    reopening = next_opening(profile, now)
    if reopening is None:
        return "We are closed for the coming weeks." if language == "en" else \
            "We zijn de komende weken gesloten."
    when = _day_label(reopening.date(), now.date(), language).rstrip(",")
    at = say_time(reopening.time(), language)
    if language == "en":
        return f"We are closed right now; we open again {when} at {at}."
    return f"We zijn nu gesloten; we zijn weer open {when} vanaf {at}."


def opening_hours_answer(profile: BusinessProfile, now: datetime, language: str, day: date | None = None) -> str:
    if day is not None:
        return day_hours(profile, day, language, now.date())
    return f"{current_status(profile, now, language)} {weekly_hours(profile, language)}"


def price_answer(service: Service, language: str) -> str:
    name = service.name.get(language)
    if service.price_eur is None:
        if service.price_note:
            return service.price_note.get(language)
        return ""
    if service.price_eur == 0:
        if service.price_note:
            return service.price_note.get(language)
        return _sentence(f"{name} is {'free' if language == 'en' else 'gratis'}.")
    amount = say_price(service.price_eur, language)
    unit = f" {service.price_unit.get(language)}" if service.price_unit else ""
    if language == "en":
        article = "An" if name[:1].lower() in "aeiou" else "A"
        text = f"{article} {name} costs {'from ' if service.price_from else ''}{amount}{unit}."
    else:
        text = f"Een {name} kost {'vanaf ' if service.price_from else ''}{amount}{unit}."
    if service.price_note:
        text += f" {service.price_note.get(language)}"
    return text


def faq_answer(entry: FaqEntry, language: str) -> str:
    return entry.answer.get(language)


_CONTACT_TOPICS = (
    ("parking", r"parkeer|parkeren|parking|park\b|auto|car\b"),
    ("email", r"e-?mail|mailadres|mail\b"),
    ("phone", r"telefoonnummer|nummer|phone number|number"),
    ("website", r"website|site|internet"),
    ("directions", r"route|hoe kom ik|bereikbaar|vinden|directions|get there|find you|ingang|verdieping"),
)


def contact_answer(profile: BusinessProfile, text: str, language: str) -> str:
    """Address, directions, parking, e-mail or phone, whichever the caller asked about."""
    said = normalize(text)
    address = profile.address
    where = (f"Our address is {address.street}, {address.postcode} {address.city}." if language == "en" else
             f"Ons adres is {address.street}, {address.postcode} {address.city}.")
    for topic, pattern in _CONTACT_TOPICS:
        if not re.search(pattern, said):
            continue
        if topic == "parking" and profile.parking:
            return profile.parking.get(language)
        if topic == "email" and profile.contact.email:
            return (f"Our e-mail address is {profile.contact.email}." if language == "en" else
                    f"Ons e-mailadres is {profile.contact.email}.")
        if topic == "phone":
            number = digit_groups(profile.contact.phone)
            return f"Our phone number is {number}." if language == "en" else f"Ons telefoonnummer is {number}."
        if topic == "website" and profile.contact.website:
            return (f"Our website is {profile.contact.website}." if language == "en" else
                    f"Onze website is {profile.contact.website}.")
        if topic == "directions" and profile.directions:
            return f"{where} {profile.directions.get(language)}"
    return where
