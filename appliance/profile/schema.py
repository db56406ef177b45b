"""The business profile: everything the receptionist may say about the business, as the owner wrote it.

Facts spoken to callers come only from here. Free texts can be given in Dutch only (a plain string) or in
both languages (`{nl: ..., en: ...}`).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema

Language = Literal["nl", "en"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BUSINESS_KINDS = ("dental", "plumber", "estate_agent", "restaurant", "law_firm", "installer", "other")
_RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")
_CLOSED_WORDS = {"gesloten", "closed", "dicht", ""}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text in Dutch, optionally with an English version."""

    nl: str = Field(min_length=1)
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: object) -> object:
        return {"nl": value} if isinstance(value, str) else value

    def get(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.nl

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        """Published schema: a plain string (Dutch) or the {nl, en} object."""
        return {"anyOf": [{"type": "string", "minLength": 1, "description": "Dutch only"},
                          handler(core_schema)]}


class TimeRange(Strict):
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


_ONE_RANGE = r"\s*\d{1,2}[:.]\d{2}\s*-\s*\d{1,2}[:.]\d{2}\s*"
_RANGE_PATTERN = f"^{_ONE_RANGE}(,{_ONE_RANGE})*$"
Hours = Annotated[list[TimeRange], WithJsonSchema({
    "description": 'e.g. "08:00-12:30, 13:30-17:00", a list of ranges, or "gesloten"',
    "anyOf": [{"type": "string", "pattern": _RANGE_PATTERN}, {"enum": ["gesloten", "closed"]},
              {"type": "array", "items": {"type": "string", "pattern": _RANGE_PATTERN}}, {"type": "null"}],
})]


def parse_ranges(value: object) -> list[TimeRange]:
    """Accepts "08:00-12:00, 13:00-17:00", a list of such strings, or "gesloten" / null for closed."""
    if value is None:
        return []
    if isinstance(value, str):
        if value.strip().lower() in _CLOSED_WORDS:
            return []
        value = value.split(",")
    if not isinstance(value, list):
        raise ValueError('expected opening hours like "08:00-17:00", a list of them, or "gesloten"')
    ranges: list[TimeRange] = []
    for item in value:
        if isinstance(item, TimeRange):
            ranges.append(item)
            continue
        match = _RANGE.match(str(item))
        if not match:
            raise ValueError(f'{item!r} is not a time range like "08:30-17:00"')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f"{item!r} has an impossible time")
        end = time(23, 59) if h2 == 24 else time(h2, m2)
        if (h1, m1) >= (h2, m2):
            raise ValueError(f"{item!r}: the range must end after it starts")
        ranges.append(TimeRange(start=time(h1, m1), end=end))
    ranges.sort(key=lambda r: r.start)
    for earlier, later in zip(ranges, ranges[1:], strict=False):
        if later.start < earlier.end:
            raise ValueError(f"ranges {earlier} and {later} overlap")
    return ranges


class WeeklyHours(Strict):
    """Opening (or working) hours per weekday; a missing day is closed."""

    monday: Hours = []
    tuesday: Hours = []
    wednesday: Hours = []
    thursday: Hours = []
    friday: Hours = []
    saturday: Hours = []
    sunday: Hours = []

    @field_validator(*WEEKDAYS, mode="before")
    @classmethod
    def _parse(cls, value: object) -> list[TimeRange]:
        return parse_ranges(value)

    def on_weekday(self, weekday: int) -> list[TimeRange]:
        return getattr(self, WEEKDAYS[weekday])


class Business(Strict):
    name: str = Field(min_length=1)
    kind: Literal[BUSINESS_KINDS] = Field(description="what sort of business this is")  # type: ignore[valid-type]
    description: Localized = Field(description='what callers call it, e.g. "tandartspraktijk"')


class Address(Strict):
    street: str = Field(min_length=1, description="street and house number")
    postcode: str
    city: str = Field(min_length=1)

    @field_validator("postcode")
    @classmethod
    def _dutch_postcode(cls, value: str) -> str:
        match = re.fullmatch(r"\s*(\d{4})\s*([A-Za-z]{2})\s*", value)
        if not match or match.group(1).startswith("0"):
            raise ValueError(f'{value!r} is not a Dutch postcode like "3511 AB"')
        return f"{match.group(1)} {match.group(2).upper()}"


class Contact(Strict):
    phone: str = Field(min_length=6)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    website: str | None = None


class HoursException(Strict):
    """A day or period with other hours than usual (no hours = closed)."""

    date: date
    until: date | None = Field(default=None, description="last day of the period (inclusive)")
    hours: Hours = []
    note: Localized | None = Field(default=None, description='e.g. "kerstvakantie"')

    @field_validator("hours", mode="before")
    @classmethod
    def _parse(cls, value: object) -> list[TimeRange]:
        return parse_ranges(value)

    @model_validator(mode="after")
    def _ordered(self) -> HoursException:
        if self.until is not None and self.until < self.date:
            raise ValueError(f"until ({self.until}) is before date ({self.date})")
        return self

    def covers(self, day: date) -> bool:
        return self.date <= day <= (self.until or self.date)


class PublicHolidays(Strict):
    closed: bool = Field(default=True, description="closed on Dutch public holidays")
    open_on: list[str] = Field(default=[], description='holidays on which the business is open, e.g. "Goede vrijdag"')


class Service(Strict):
    name: Localized
    aliases: list[str] = Field(default=[], description="other words callers use for it")
    price_eur: float | None = Field(default=None, ge=0)
    price_from: bool = Field(default=False, description='the price is a starting price ("vanaf")')
    price_unit: Localized | None = Field(default=None, description='e.g. "per uur"')
    price_note: Localized | None = Field(default=None, description="said instead of, or after, the price")
    duration_minutes: int | None = Field(default=None, gt=0, le=24 * 60)


class FaqEntry(Strict):
    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    questions: list[str] = Field(min_length=1, description="ways callers ask it (Dutch or English)")
    answer: Localized


class StaffMember(Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default=[], description="first name, surname, or how callers mishear it")
    role: Localized
    extension: str | None = Field(default=None, pattern=r"^[0-9*#]{1,8}$")
    topics: list[str] = []
    hours: WeeklyHours | None = Field(default=None, description="working hours; none = the opening hours")
    languages: list[Language] = ["nl"]


class Urgency(Strict):
    keywords: list[str] = Field(min_length=1, description='what counts as urgent here, e.g. "kiespijn"')
    out_of_hours: Localized = Field(description="what the caller should do when urgent and closed")
    emergency_phone: str | None = None


class AppointmentType(Strict):
    name: Localized
    aliases: list[str] = []
    duration_minutes: int = Field(gt=0, le=24 * 60)
    topic: str | None = Field(default=None, description="staff topic that handles it")


class BusinessProfile(Strict):
    business: Business
    address: Address
    directions: Localized | None = None
    parking: Localized | None = None
    contact: Contact
    opening_hours: WeeklyHours
    public_holidays: PublicHolidays = PublicHolidays()
    exceptions: list[HoursException] = []
    services: list[Service] = []
    faq: list[FaqEntry] = []
    staff: list[StaffMember] = []
    urgency: Urgency
    appointment_types: list[AppointmentType] = []
    languages: list[Language] = Field(default=["nl", "en"], min_length=1)
    greeting: Localized = Field(
        default=Localized(nl="Waarmee kan ik u helpen?", en="How can I help you?"),
        description="said after the fixed disclosure that the caller speaks with a digital assistant",
    )

    @model_validator(mode="after")
    def _unique_keys(self) -> BusinessProfile:
        for label, keys in (
            ("faq id", [f.id for f in self.faq]),
            ("staff name", [s.name for s in self.staff]),
            ("staff extension", [s.extension for s in self.staff if s.extension]),
        ):
            duplicates = sorted({k for k in keys if keys.count(k) > 1})
            if duplicates:
                raise ValueError(f"{label} used more than once: {', '.join(duplicates)}")
        return self

    @property
    def name(self) -> str:
        return self.business.name
