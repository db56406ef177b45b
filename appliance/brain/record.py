"""The lead record: the one structured outcome of every conversation, live or text (see docs/lead-record.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RequestType = Literal["urgent", "quote", "information", "appointment", "service", "message", "other"]
Urgency = Literal["none", "normal", "high"]
ActionType = Literal[
    "none", "answered", "transferred", "message_taken", "callback_requested", "appointment_requested",
    "appointment_change_requested", "appointment_cancel_requested", "urgent_message_taken", "quote_requested",
]
EndReason = Literal["caller_hung_up", "completed", "transferred", "error"]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallerDetails(Frozen):
    name: str | None = None
    phone: str | None = Field(default=None, description="digits, e.g. 0612345678 or +3220000000")
    phone_source: Literal["caller_id", "spoken", "dtmf"] | None = None
    email: str | None = None
    address: str | None = Field(default=None, description="street and house number")
    postcode: str | None = Field(default=None, description='"3511 AB"')


class Action(Frozen):
    type: ActionType
    transfer_to: str | None = Field(default=None, description="colleague's name, when transferred")
    extension: str | None = None
    for_person: str | None = Field(default=None, description="colleague a message or callback is meant for")


class LeadRecord(Frozen):
    request_type: RequestType
    intents: list[str] = Field(description="the intents recognised during the call, in order")
    urgency: Urgency
    budget_eur: float | None = None
    caller: CallerDetails
    caller_id: str | None = Field(default=None, description="the number the phone system showed")
    callback_window: str | None = Field(default=None, description='when the caller can be reached, e.g. "na 17:00"')
    preferred_time: datetime | None = Field(default=None, description="requested appointment moment, if exact")
    preferred_day: str | None = Field(default=None, description='the request in words, e.g. "dinsdag 15 december '
                                                                "'s ochtends\"")
    appointment_type: str | None = None
    party_size: int | None = None
    description: str | None = Field(default=None, description="the caller's request in their own words")
    faq_ids: list[str] = []
    summary: str = Field(description="a short Dutch summary for the owner")
    action: Action
    language: Literal["nl", "en"]
    started_at: datetime
    ended_at: datetime
    end_reason: EndReason
    turns: int = Field(description="caller utterances heard")

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")
