"""Which colleague takes a call. A simple default until the routing issue replaces it: a colleague who is
working now, has an extension, and whose topics match what the caller needs."""

from __future__ import annotations

from datetime import datetime

from appliance.brain.intents import Intent
from appliance.brain.slots import Slots
from appliance.brain.text import normalize
from appliance.profile.hours import is_working
from appliance.profile.schema import BusinessProfile, StaffMember

# Topics a profile may use for each kind of request, most specific first.
INTENT_TOPICS: dict[Intent, tuple[str, ...]] = {
    Intent.URGENT: ("spoed", "storing", "noodgeval", "urgent"),
    Intent.APPOINTMENT_NEW: ("afspraak", "afspraken", "reserveringen", "planning"),
    Intent.APPOINTMENT_CHANGE: ("afspraak", "afspraken", "reserveringen", "planning"),
    Intent.APPOINTMENT_CANCEL: ("afspraak", "afspraken", "reserveringen", "planning"),
    Intent.QUOTE: ("offerte", "offertes", "verkoop", "taxatie"),
    Intent.SERVICE: ("service", "klantenservice", "onderhoud", "garantie"),
    Intent.ORDER_STATUS: ("planning", "bestellingen", "status", "service"),
}
GENERAL_TOPICS = ("algemeen", "receptie", "administratie")
# For these, who handles the kind of request matters more than the subject the caller mentions.
INTENT_TOPICS_FIRST = frozenset({Intent.ORDER_STATUS, Intent.APPOINTMENT_NEW, Intent.APPOINTMENT_CHANGE,
                                 Intent.APPOINTMENT_CANCEL})


def available(profile: BusinessProfile, member: StaffMember, now: datetime) -> bool:
    return member.extension is not None and is_working(profile, member, now)


def choose_colleague(profile: BusinessProfile, intent: Intent, slots: Slots, now: datetime) -> StaffMember | None:
    """The colleague to transfer to now, or None when nobody suitable is working."""
    candidates = [m for m in profile.staff if available(profile, m, now)]
    if not candidates:
        return None
    described = f" {normalize(slots.description or '')} "
    mentioned = tuple(t for m in candidates for t in m.topics if f" {normalize(t)} " in described)
    by_intent = INTENT_TOPICS.get(intent, ())
    order = (by_intent, mentioned) if intent in INTENT_TOPICS_FIRST else (mentioned, by_intent)
    for topic_list in (*order, GENERAL_TOPICS):
        for topic in topic_list:
            for member in candidates:
                if topic in member.topics:
                    return member
    return None
