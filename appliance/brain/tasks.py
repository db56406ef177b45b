"""The requests that end in an action (appointment, message, quote, ...): which details each one needs,
in which order they are asked, and what each one becomes in the lead record."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.brain.intents import Intent
from appliance.profile.schema import BusinessProfile, StaffMember

_ADDRESS_KINDS = {"plumber", "installer", "estate_agent"}

DONE_PHRASE = {
    Intent.APPOINTMENT_NEW: "done_appointment", Intent.APPOINTMENT_CHANGE: "done_appointment_change",
    Intent.APPOINTMENT_CANCEL: "done_appointment_cancel", Intent.URGENT: "done_urgent",
    Intent.QUOTE: "done_quote", Intent.SERVICE: "done_message", Intent.MESSAGE: "done_message",
    Intent.CALLBACK: "done_callback",
}
ACTION = {
    Intent.APPOINTMENT_NEW: "appointment_requested", Intent.APPOINTMENT_CHANGE: "appointment_change_requested",
    Intent.APPOINTMENT_CANCEL: "appointment_cancel_requested", Intent.URGENT: "urgent_message_taken",
    Intent.QUOTE: "quote_requested", Intent.SERVICE: "message_taken", Intent.MESSAGE: "message_taken",
    Intent.CALLBACK: "callback_requested",
}
DESCRIPTION_QUESTION = {
    Intent.URGENT: "ask_description_urgent", Intent.QUOTE: "ask_description_quote",
    Intent.SERVICE: "ask_description_service", Intent.CALLBACK: "ask_description_callback",
}
WHEN_QUESTION = {
    Intent.APPOINTMENT_NEW: "ask_when_appointment", Intent.APPOINTMENT_CHANGE: "ask_when_change",
    Intent.APPOINTMENT_CANCEL: "ask_when_cancel",
}


def required_slots(kind: Intent, profile: BusinessProfile) -> list[str]:
    if kind == Intent.APPOINTMENT_NEW:
        slots = ["appointment_type"] if len(profile.appointment_types) > 1 else []
        if profile.business.kind == "restaurant":
            slots.append("party_size")
        return [*slots, "when", "name", "phone"]
    if kind in (Intent.APPOINTMENT_CHANGE, Intent.APPOINTMENT_CANCEL):
        return ["name", "when", "phone"]
    if kind == Intent.URGENT:
        return ["description", "name", "phone"]
    if kind == Intent.QUOTE:
        address = ["postcode"] if profile.business.kind in _ADDRESS_KINDS else []
        return ["description", *address, "name", "phone", "callback_window"]
    if kind == Intent.SERVICE:
        return ["description", "name", "phone"]
    if kind == Intent.CALLBACK:
        return ["name", "phone", "callback_window", "description"]
    return ["description", "name", "phone", "callback_window"]


@dataclass
class Task:
    kind: Intent
    slots: list[str]
    for_person: StaffMember | None = None
    failures: dict[str, int] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    confirm_attempts: int = 0
    caller_id_offered: bool = False
    routed: bool = False

    def fail(self, slot: str) -> int:
        self.failures[slot] = self.failures.get(slot, 0) + 1
        return self.failures[slot]
