"""What a caller can want, and what the caller's words can do inside a conversation."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    HOURS = "hours"
    PRICES = "prices"
    CONTACT = "contact"
    ORDER_STATUS = "order_status"
    FAQ = "faq"
    APPOINTMENT_NEW = "appointment_new"
    APPOINTMENT_CHANGE = "appointment_change"
    APPOINTMENT_CANCEL = "appointment_cancel"
    URGENT = "urgent"
    QUOTE = "quote"
    SERVICE = "service"
    PERSON = "person"
    MESSAGE = "message"
    CALLBACK = "callback"
    GOODBYE = "goodbye"
    UNCLEAR = "unclear"


INFORMATION_INTENTS = frozenset({Intent.HOURS, Intent.PRICES, Intent.CONTACT, Intent.FAQ, Intent.ORDER_STATUS})
APPOINTMENT_INTENTS = frozenset({Intent.APPOINTMENT_NEW, Intent.APPOINTMENT_CHANGE, Intent.APPOINTMENT_CANCEL})

# What each intent means, as the language model is told (kept short: it is part of the cached prompt).
INTENT_MEANINGS: dict[Intent, str] = {
    Intent.HOURS: "opening hours, when open or closed, holidays",
    Intent.PRICES: "what something costs, rates, tariffs",
    Intent.CONTACT: "address, route, parking, e-mail address or phone number of the business",
    Intent.ORDER_STATUS: "status of an existing order, repair, delivery or case",
    Intent.FAQ: "any other general question about the business or its services",
    Intent.APPOINTMENT_NEW: "make a new appointment or reservation",
    Intent.APPOINTMENT_CHANGE: "move or change an existing appointment or reservation",
    Intent.APPOINTMENT_CANCEL: "cancel an existing appointment or reservation",
    Intent.URGENT: "emergency, acute pain, leak, damage, something that cannot wait",
    Intent.QUOTE: "wants a quote, estimate, valuation or offer for new work",
    Intent.SERVICE: "existing customer with a problem or question about work done or ongoing",
    Intent.PERSON: "wants to speak to a specific person, a colleague or a human",
    Intent.MESSAGE: "wants to leave a message",
    Intent.CALLBACK: "wants to be called back",
    Intent.GOODBYE: "ends the call, thanks, nothing more",
    Intent.UNCLEAR: "noise, nonsense, off-topic or impossible to tell",
}
