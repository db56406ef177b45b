"""When the business (or a colleague) is open: weekly hours, exceptions and Dutch public holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from appliance.profile.schema import BusinessProfile, Localized, StaffMember, TimeRange

SEARCH_DAYS = 21


@lru_cache(maxsize=8)
def _dutch_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("NL", years=year, language="nl"))


def public_holiday(day: date) -> str | None:
    """The Dutch name of the public holiday on `day`, if any."""
    return _dutch_holidays(day.year).get(day)


@dataclass(frozen=True)
class DayHours:
    day: date
    ranges: tuple[TimeRange, ...]
    holiday: str | None = None
    note: Localized | None = None

    @property
    def closed(self) -> bool:
        return not self.ranges


def hours_on(profile: BusinessProfile, day: date) -> DayHours:
    """The business's hours on one date; an exception beats a holiday, a holiday beats the week."""
    for exception in profile.exceptions:
        if exception.covers(day):
            return DayHours(day, tuple(exception.hours), note=exception.note)
    holiday = public_holiday(day)
    rules = profile.public_holidays
    if holiday and rules.closed and holiday.lower() not in {h.lower() for h in rules.open_on}:
        return DayHours(day, (), holiday=holiday)
    return DayHours(day, tuple(profile.opening_hours.on_weekday(day.weekday())), holiday=holiday)


def is_open(profile: BusinessProfile, moment: datetime) -> bool:
    return any(r.contains(moment.time()) for r in hours_on(profile, moment.date()).ranges)


def next_opening(profile: BusinessProfile, moment: datetime) -> datetime | None:
    """The next moment the business opens after `moment` (None if closed for three weeks)."""
    for offset in range(SEARCH_DAYS):
        day = moment.date() + timedelta(days=offset)
        for r in hours_on(profile, day).ranges:
            start = datetime.combine(day, r.start, tzinfo=moment.tzinfo)
            if start > moment:
                return start
    return None


def staff_hours_on(profile: BusinessProfile, staff: StaffMember, day: date) -> tuple[TimeRange, ...]:
    """A colleague works within their own hours and only when the business is open that day."""
    business = hours_on(profile, day)
    if business.closed or staff.hours is None:
        return business.ranges
    return tuple(staff.hours.on_weekday(day.weekday()))


def is_working(profile: BusinessProfile, staff: StaffMember, moment: datetime) -> bool:
    return any(r.contains(moment.time()) for r in staff_hours_on(profile, staff, moment.date()))
