"""What the caller has told us so far, and harvesting it from every utterance with the parsers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from appliance.brain.parsers.amounts import parse_amount, parse_party_size
from appliance.brain.parsers.contact import parse_email, parse_postcode, parse_street_address
from appliance.brain.parsers.names import parse_name
from appliance.brain.parsers.phone import parse_phone
from appliance.brain.parsers.when import When, parse_when

PhoneSource = str  # "caller_id" | "spoken" | "dtmf"


@dataclass
class Slots:
    name: str | None = None
    phone: str | None = None
    phone_source: PhoneSource | None = None
    email: str | None = None
    address: str | None = None
    postcode: str | None = None
    when: When = field(default_factory=When)
    callback: When | None = None
    callback_text: str | None = None
    budget: float | None = None
    party_size: int | None = None
    description: str | None = None
    appointment_type: str | None = None
    for_person: str | None = None


@dataclass(frozen=True)
class Heard:
    """The slot values one utterance contains (None where it says nothing)."""

    name: str | None
    phone: str | None
    email: str | None
    postcode: str | None
    address: str | None
    when: When
    budget: float | None
    party_size: int | None


def hear_slots(text: str, now: datetime, *, expecting_name: bool = False) -> Heard:
    return Heard(
        name=parse_name(text, answer_to_question=expecting_name),
        phone=parse_phone(text),
        email=parse_email(text),
        postcode=parse_postcode(text),
        address=parse_street_address(text),
        when=parse_when(text, now),
        budget=parse_amount(text),
        party_size=parse_party_size(text),
    )


def absorb(slots: Slots, heard: Heard, *, take_when: bool) -> None:
    """Keeps what the caller volunteered (a later statement replaces an earlier one)."""
    if heard.name:
        slots.name = heard.name
    if heard.phone:
        slots.phone, slots.phone_source = heard.phone, "spoken"
    for name in ("email", "postcode", "address", "budget", "party_size"):
        value = getattr(heard, name)
        if value is not None:
            setattr(slots, name, value)
    if take_when and not heard.when.empty:
        slots.when = slots.when.merged(heard.when)
