"""Turns what happened in a conversation into the lead record, with a short Dutch summary for the owner."""

from __future__ import annotations

from datetime import datetime

from appliance.brain.intents import APPOINTMENT_INTENTS, INFORMATION_INTENTS, Intent
from appliance.brain.record import Action, CallerDetails, LeadRecord
from appliance.brain.slots import Slots
from appliance.brain.spoken import digit_groups
from appliance.brain.tasks import ACTION, Task
from appliance.profile.schema import BusinessProfile, StaffMember

_REQUEST_TYPE = {
    Intent.URGENT: "urgent", Intent.QUOTE: "quote", Intent.SERVICE: "service", Intent.ORDER_STATUS: "service",
    Intent.MESSAGE: "message", Intent.CALLBACK: "message", Intent.PERSON: "message",
    **{i: "appointment" for i in APPOINTMENT_INTENTS},
    **{i: "information" for i in INFORMATION_INTENTS - {Intent.ORDER_STATUS}},
}
# When one call holds several requests, the record is typed by the weightiest.
_WEIGHT = ("urgent", "appointment", "quote", "service", "message", "information", "other")
_LABELS_NL = {
    "urgent_message_taken": "Spoedbericht", "appointment_requested": "Afspraakverzoek",
    "appointment_change_requested": "Verzoek om afspraak te verzetten",
    "appointment_cancel_requested": "Afspraak afgezegd", "quote_requested": "Offerteaanvraag",
    "message_taken": "Bericht", "callback_requested": "Terugbelverzoek",
}
_TOPICS_NL = {Intent.HOURS: "openingstijden", Intent.PRICES: "prijzen", Intent.CONTACT: "adres/bereikbaarheid",
              Intent.FAQ: "veelgestelde vraag", Intent.ORDER_STATUS: "status van een opdracht"}


def _request_type(intents: list[Intent], actions: list[tuple[Intent, str, StaffMember | None]],
                  open_task: Task | None) -> str:
    candidates = [_REQUEST_TYPE.get(intent, "other") for intent, action, _ in actions]
    if open_task:
        candidates.append(_REQUEST_TYPE.get(open_task.kind, "other"))
    if not candidates:
        candidates = [_REQUEST_TYPE.get(i, "other") for i in intents]
    return min(candidates, key=_WEIGHT.index) if candidates else "other"


def _main_action(actions: list[tuple[Intent, str, StaffMember | None]]) -> Action:
    """The action that matters most: a transfer or a taken request beats an answered question."""
    taken = [a for a in actions if a[1] != "answered"]
    if not taken:
        return Action(type="answered" if actions else "none")
    intent, kind, person = taken[-1]
    if kind == "transferred":
        return Action(type="transferred", transfer_to=person.name, extension=person.extension)
    return Action(type=kind, for_person=person.name if person else None)


def _summary(request_type: str, action: Action, slots: Slots, intents: list[Intent], open_task: Task | None) -> str:
    who = slots.name or "onbekende beller"
    phone = f" ({digit_groups(slots.phone)})" if slots.phone else ""
    if action.type == "transferred":
        text = f"{who}{phone} doorverbonden met {action.transfer_to}"
        if slots.description:
            text += f": {slots.description}"
    elif action.type in _LABELS_NL:
        text = f"{_LABELS_NL[action.type]} van {who}{phone}"
        if action.for_person:
            text += f" voor {action.for_person}"
        if slots.appointment_type:
            text += f", {slots.appointment_type}"
        if not slots.when.empty and request_type == "appointment":
            text += f", {slots.when.describe('nl')}"
        if slots.description:
            text += f": {slots.description}"
        if slots.callback and not slots.callback.empty:
            text += f"; bereikbaar {slots.callback.describe('nl')}"
        elif slots.callback_text:
            text += f"; bereikbaar: {slots.callback_text}"
    elif open_task is not None:
        text = f"Gesprek afgebroken tijdens {_LABELS_NL.get(_action_of(open_task), 'verzoek').lower()} van {who}{phone}"
        if slots.description:
            text += f": {slots.description}"
    elif action.type == "answered":
        topics = sorted({_TOPICS_NL[i] for i in intents if i in _TOPICS_NL})
        text = "Vraag beantwoord uit het profiel: " + ", ".join(topics)
        if slots.description:
            text += f". Niet beantwoord: {slots.description}"
    else:
        text = "Geen verzoek vastgelegd"
        if slots.description:
            text += f"; beller zei: {slots.description}"
    return (text.rstrip(".") + ".")[:400]


def _action_of(task: Task) -> str:
    return ACTION[task.kind]


def build_record(*, profile: BusinessProfile, slots: Slots, intents: list[Intent],
                 actions: list[tuple[Intent, str, StaffMember | None]], open_task: Task | None,
                 faq_ids: list[str], caller_id: str | None, language: str, started_at: datetime,
                 ended_at: datetime, end_reason: str, turns: int) -> LeadRecord:
    request_type = _request_type(intents, actions, open_task)
    action = _main_action(actions)
    urgent = request_type == "urgent"
    urgency = "high" if urgent else "normal" if request_type in ("appointment", "quote", "service", "message") \
        else "none"
    return LeadRecord(
        request_type=request_type, intents=[i.value for i in intents], urgency=urgency, budget_eur=slots.budget,
        caller=CallerDetails(name=slots.name, phone=slots.phone, phone_source=slots.phone_source,
                             email=slots.email, address=slots.address, postcode=slots.postcode),
        caller_id=caller_id,
        callback_window=(slots.callback.describe("nl") if slots.callback and not slots.callback.empty
                         else slots.callback_text),
        preferred_time=(slots.when.moment.replace(tzinfo=started_at.tzinfo)
                        if slots.when.moment and request_type == "appointment" else None),
        preferred_day=slots.when.describe("nl") if request_type == "appointment" and not slots.when.empty else None,
        appointment_type=slots.appointment_type, party_size=slots.party_size, description=slots.description,
        faq_ids=faq_ids, summary=_summary(request_type, action, slots, intents, open_task), action=action,
        language=language, started_at=started_at, ended_at=ended_at, end_reason=end_reason,
        turns=turns,
    )
