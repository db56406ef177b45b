"""One conversation with one caller: an explicit state machine, replies filled from the profile, and the
lead record at the end. The same engine serves live calls (ASR text) and `balie chat` (typed text)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from appliance.brain import answers, rules
from appliance.brain.intents import INFORMATION_INTENTS, Intent
from appliance.brain.interpret import Understanding, interpret
from appliance.brain.language import detect_language
from appliance.brain.matching import content_words, match_appointment_type, match_service, match_staff
from appliance.brain.parsers.numbers import word_value
from appliance.brain.parsers.phone import normalize_phone, partial_digits
from appliance.brain.parsers.when import When
from appliance.brain.phrases import say
from appliance.brain.record import LeadRecord
from appliance.brain.routing import available, choose_colleague
from appliance.brain.slots import Heard, Slots, absorb, hear_slots
from appliance.brain.spoken import digit_groups, say_date, say_ranges, say_time
from appliance.brain.summary import build_record
from appliance.brain.tasks import (
    ACTION,
    DESCRIPTION_QUESTION,
    DONE_PHRASE,
    WHEN_QUESTION,
    Task,
    required_slots,
)
from appliance.brain.text import words
from appliance.brain.understanding import Understander
from appliance.profile.hours import hours_on, is_open
from appliance.profile.schema import BusinessProfile, Service, StaffMember

MAX_UTTERANCE_CHARS = 400
MAX_FIX_ROUNDS = 2
_LIFE_THREATENING = re.compile(r"levensgevaar|bewusteloos|ademt niet|hartaanval|reanim|112|brand|gaslucht|"
                               r"ruik gas|unconscious|not breathing|heart attack|fire|smell gas")
_WANTS_HUMAN = re.compile(r"medewerker|mens|iemand|collega|receptie|human|person|someone|colleague|doorverbind|"
                          r"spreken|speak|talk")


@dataclass
class Reply:
    text: str
    language: str
    end_call: bool = False
    transfer_to: str | None = None
    intent: str | None = None


class Stage(StrEnum):
    NEED = "need"                      # waiting to hear what the caller wants
    SLOT = "slot"                      # asked for one detail of the current task
    CALLER_ID = "caller_id"            # asked whether the number the caller calls from is right
    CONFIRM = "confirm"                # read back the task; waiting for yes/no
    FIX = "fix"                        # asked which detail is wrong
    OFFER = "offer"                    # offered a message (or a colleague) instead of an answer
    WHICH_SERVICE = "which_service"    # asked which service a price question is about
    WHICH_PERSON = "which_person"      # asked whom the caller wants to speak to
    ANYTHING_ELSE = "anything_else"    # asked whether there is anything else
    ENDED = "ended"


def _daypart(now: datetime, language: str) -> str:
    if language == "en":
        return "Good morning" if now.hour < 12 else "Good afternoon" if now.hour < 18 else "Good evening"
    return "Goedemorgen" if now.hour < 12 else "Goedemiddag" if now.hour < 18 else "Goedenavond"


class Conversation:
    """The dialog state of one call. Not thread-safe: one call drives one Conversation."""

    def __init__(self, profile: BusinessProfile, understander: Understander | None, now: datetime,
                 caller_id: str | None = None):
        self.profile = profile
        self.understander = understander
        self.now = now
        self.caller_id = caller_id
        self.language = profile.languages[0]
        self.slots = Slots()
        self.stage = Stage.NEED
        self.understanding_ms: list[float] = []  # per understood utterance, rules and model together
        self.model_ms: list[float] = []          # per language-model forward pass
        self._task: Task | None = None
        self._pending: str | None = None
        self._prepared: dict[str, Understanding] = {}  # text -> understanding worked out ahead (see prepare)
        self._intents: list[Intent] = []
        self._faq_ids: list[str] = []
        self._actions: list[tuple[Intent, str, StaffMember | None]] = []
        self._offer_for: StaffMember | None = None
        self._offer_colleague = False
        self._misunderstood = 0
        self._silences = 0
        self._turns = 0
        self._digits = ""
        self._record: LeadRecord | None = None
        self._started = time.monotonic()

    # ---- the interface used by live calls and `balie chat` -------------------------------------------

    def greeting(self) -> Reply:
        lang = self.language
        return Reply(say("greeting", lang, daypart=_daypart(self.now, lang), business=self.profile.name,
                         greeting=self.profile.greeting.get(lang)), lang)

    def hear(self, text: str) -> Reply:
        """One finished caller utterance (may be empty, garbled, very long)."""
        if self.stage == Stage.ENDED:
            return self._reply(say("goodbye", self.language), end_call=True)
        self._turns += 1
        self._silences = 0
        text = (text or "").strip()[:MAX_UTTERANCE_CHARS]
        self._update_language(text)
        if not words(text):
            return self._misunderstanding(empty=True)
        return self._dispatch(text)

    def hear_dtmf(self, digits: str) -> Reply:
        """Keys typed on the phone: a phone number while one is asked for, 1/2 for yes/no when confirming.

        Digits may arrive one key at a time: while a number is incomplete the reply text is empty (say nothing).
        """
        if self.stage == Stage.ENDED:
            return self._reply(say("goodbye", self.language), end_call=True)
        digits = re.sub(r"[^0-9*#]", "", digits or "")
        if self.stage == Stage.SLOT and self._pending == "phone":
            self._digits += digits.replace("#", "").replace("*", "")
            number = normalize_phone(self._digits)
            if number:
                self.slots.phone, self.slots.phone_source = number, "dtmf"
                self._digits = ""
                return self._next_step()
            if "#" in digits:
                self._digits = ""
                return self._ask_again("phone")
            return self._reply("")
        if self.stage in (Stage.CALLER_ID, Stage.CONFIRM, Stage.OFFER, Stage.ANYTHING_ELSE) and digits[:1] in "12":
            return self.hear("ja" if digits[:1] == "1" else "nee")
        if self.stage in (Stage.SLOT, Stage.CALLER_ID, Stage.CONFIRM):
            return self._repeat_question()
        return self._reply(say("keys_not_needed", self.language))

    def on_silence(self) -> Reply:
        """The caller said nothing for a while: prompt once, then say goodbye."""
        if self.stage == Stage.ENDED:
            return self._reply(say("goodbye", self.language), end_call=True)
        self._silences += 1
        if self._silences >= 2:
            self.stage = Stage.ENDED
            return self._reply(say("silence_goodbye", self.language), end_call=True)
        if self.stage in (Stage.NEED, Stage.ANYTHING_ELSE):
            return self._reply(say("silence_prompt", self.language))
        return self._repeat_question()

    def finish(self, reason: str) -> LeadRecord:
        """The call has ended; returns the lead record (the same one on every later call)."""
        if self._record is None:
            if reason not in ("caller_hung_up", "completed", "transferred", "error"):
                reason = "error"
            self.stage = Stage.ENDED
            self._record = build_record(
                profile=self.profile, slots=self.slots, intents=self._intents, actions=self._actions,
                open_task=self._task, faq_ids=self._faq_ids, caller_id=self.caller_id, language=self.language,
                started_at=self.now, ended_at=self.now + timedelta(seconds=round(time.monotonic() - self._started)),
                end_reason=reason, turns=self._turns)
        return self._record

    # ---- dispatch ----------------------------------------------------------------------------------

    def _dispatch(self, text: str) -> Reply:
        if self.stage == Stage.SLOT:
            return self._on_slot_answer(text)
        if self.stage == Stage.CALLER_ID:
            return self._on_caller_id_answer(text)
        if self.stage == Stage.CONFIRM:
            return self._on_confirm_answer(text)
        if self.stage == Stage.FIX:
            return self._on_fix_answer(text)
        if self.stage == Stage.OFFER:
            return self._on_offer_answer(text)
        if self.stage == Stage.WHICH_SERVICE:
            return self._on_which_service(text)
        if self.stage == Stage.WHICH_PERSON:
            return self._on_which_person(text)
        if self.stage == Stage.ANYTHING_ELSE:
            if rules.is_no(text) or rules.classify(text).intent == Intent.GOODBYE:
                return self._goodbye()
            if rules.is_yes(text) and len(words(text)) <= 3:
                self.stage = Stage.NEED
                return self._reply(self.profile.greeting.get(self.language))
        return self._on_need(text)

    def _update_language(self, text: str) -> None:
        detected = detect_language(text)
        if detected and detected in self.profile.languages and (len(words(text)) >= 2 or self._turns == 1):
            self.language = detected

    def _reply(self, text: str, *, end_call: bool = False, transfer_to: str | None = None,
               intent: Intent | None = None) -> Reply:
        return Reply(text.strip(), self.language, end_call, transfer_to, intent.value if intent else None)

    def prepare(self, text: str) -> None:
        """Understands `text` ahead of `hear(text)`, e.g. while the caller's pause is not yet the end of their
        turn. Changes no dialog state, so it may run on another thread; a later `hear` of other words ignores it."""
        text = (text or "").strip()[:MAX_UTTERANCE_CHARS]
        if words(text):
            self._prepared[text] = interpret(text, self.profile, self.understander)

    def _understand(self, text: str) -> Understanding:
        understanding = self._prepared.pop(text, None) or interpret(text, self.profile, self.understander)
        self._prepared.clear()
        self.understanding_ms.append(understanding.total_ms)
        if understanding.model_ms is not None:
            self.model_ms.append(understanding.model_ms)
        return understanding

    # ---- finding the need --------------------------------------------------------------------------

    def _on_need(self, text: str) -> Reply:
        if rules.is_greeting_only(text):
            return self._reply(f"{_daypart(self.now, self.language)}! {self.profile.greeting.get(self.language)}")
        u = self._understand(text)
        self._intents.append(u.intent)
        if u.injection:
            self._misunderstood += 1
            return self._reply(say("injection", self.language, business=self.profile.name), intent=u.intent)
        if u.intent == Intent.UNCLEAR:
            return self._misunderstanding()
        self._misunderstood = 0
        if u.intent == Intent.GOODBYE:
            return self._goodbye()
        if u.intent in INFORMATION_INTENTS:
            return self._inform(text, u)
        if u.intent == Intent.PERSON:
            return self._person(text, u.staff)
        if u.intent == Intent.URGENT:
            return self._urgent(text)
        for_person = u.staff if u.intent in (Intent.MESSAGE, Intent.CALLBACK) else None
        return self._start_task(u.intent, text, for_person=for_person)

    def _misunderstanding(self, *, empty: bool = False) -> Reply:
        """Clarify once, then offer a message or colleague, then take a message: never a loop."""
        self._misunderstood += 1
        if self._misunderstood >= 3:
            self._misunderstood = 0
            return self._start_task(Intent.MESSAGE, "", prefix=say("repeat_failed", self.language))
        if self._misunderstood == 2:
            return self._offer_help(say("clarify", self.language).split(".")[0] + ".")
        if self.stage in (Stage.SLOT, Stage.CONFIRM, Stage.CALLER_ID):
            return self._repeat_question()
        return self._reply(say("not_heard" if empty else "clarify", self.language), intent=Intent.UNCLEAR)

    def _goodbye(self) -> Reply:
        self.stage = Stage.ENDED
        return self._reply(say("goodbye", self.language), end_call=True, intent=Intent.GOODBYE)

    def _anything_else(self, text: str, intent: Intent | None = None) -> Reply:
        self.stage = Stage.ANYTHING_ELSE
        return self._reply(f"{text} {say('anything_else', self.language)}", intent=intent)

    # ---- information -------------------------------------------------------------------------------

    def _inform(self, text: str, u: Understanding) -> Reply:
        lang = self.language
        self._actions.append((u.intent, "answered", None))
        if u.intent == Intent.HOURS:
            day = hear_slots(text, self.now).when.day
            return self._anything_else(answers.opening_hours_answer(self.profile, self.now, lang, day), u.intent)
        if u.intent == Intent.PRICES:
            if u.service is None:
                if u.faq:
                    return self._answer_faq(u)
                names = [s.name.get(lang) for s in self.profile.services[:4]]
                if not names:
                    return self._unknown(text, u.intent)
                self.stage = Stage.WHICH_SERVICE
                return self._reply(say("which_service_price", lang, services=answers.join(names, lang)),
                                   intent=u.intent)
            return self._price(u.service, text, u.intent)
        if u.intent == Intent.CONTACT:
            return self._anything_else(answers.contact_answer(self.profile, text, lang), u.intent)
        if u.intent == Intent.ORDER_STATUS:
            return self._route_or_offer(Intent.ORDER_STATUS, say("cannot_see_orders", lang), text)
        if u.faq:
            return self._answer_faq(u)
        return self._unknown(text, u.intent)

    def _answer_faq(self, u: Understanding) -> Reply:
        assert u.faq is not None
        self._faq_ids.append(u.faq.entry.id)
        return self._anything_else(answers.faq_answer(u.faq.entry, self.language), Intent.FAQ)

    def _price(self, service: Service, text: str, intent: Intent) -> Reply:
        answer = answers.price_answer(service, self.language)
        if not answer:
            return self._unknown(text, intent, say("no_price", self.language, service=service.name.get(self.language)))
        return self._anything_else(answer, intent)

    def _on_which_service(self, text: str) -> Reply:
        service = match_service(text, self.profile)
        self.stage = Stage.NEED
        if service:
            return self._price(service, text, Intent.PRICES)
        verdict = rules.classify(text, tuple(self.profile.urgency.keywords))
        if verdict.score >= 3 and verdict.intent != Intent.PRICES:
            return self._on_need(text)  # the caller moved on to something else
        return self._unknown(text, Intent.PRICES)

    def _unknown(self, text: str, intent: Intent, lead: str | None = None) -> Reply:
        """The profile does not know: say so, and offer a message or a colleague."""
        self.slots.description = self.slots.description or text or None
        return self._offer_help(lead or say("dont_know", self.language), intent)

    def _offer_help(self, lead: str, intent: Intent | None = None) -> Reply:
        self._offer_for = None
        self._offer_colleague = is_open(self.profile, self.now) and any(
            available(self.profile, m, self.now) for m in self.profile.staff)
        self.stage = Stage.OFFER
        key = "offer_help_open" if self._offer_colleague else "offer_help_closed"
        return self._reply(f"{lead} {say(key, self.language)}", intent=intent or Intent.UNCLEAR)

    def _on_offer_answer(self, text: str) -> Reply:
        normalized = " ".join(words(text))
        wants_colleague = self._offer_colleague and self._offer_for is None and bool(
            re.search(r"collega|doorverbind|spreken|iemand|colleague|speak|talk|person|through", normalized))
        if wants_colleague:
            colleague = choose_colleague(self.profile, Intent.PERSON, self.slots, self.now)
            if colleague:
                return self._transfer(colleague, Intent.PERSON)
        if rules.is_no(text):
            self.stage = Stage.ANYTHING_ELSE
            return self._reply(f"{say('ok_no_message', self.language)} {say('anything_else', self.language)}")
        if rules.is_yes(text) or re.search(r"bericht|message|terugbel|call me back|graag", normalized):
            person = self._offer_for
            return self._start_task(Intent.MESSAGE, text if len(words(text)) > 4 else "", for_person=person)
        self.stage = Stage.NEED
        return self._on_need(text)

    # ---- people ------------------------------------------------------------------------------------

    def _person(self, text: str, staff: StaffMember | None) -> Reply:
        if staff is None:
            if re.search(r"medewerker|mens|human|person|persoon|someone|somebody|anyone|iemand|collega|colleague|"
                         r"receptie|reception|operator", " ".join(words(text))):
                return self._route_or_offer(Intent.PERSON, "", text)
            self.stage = Stage.WHICH_PERSON
            return self._reply(say("which_person", self.language), intent=Intent.PERSON)
        if available(self.profile, staff, self.now):
            return self._transfer(staff, Intent.PERSON)
        self._offer_for = staff
        self._offer_colleague = False
        self.stage = Stage.OFFER
        return self._reply(say("person_unavailable", self.language, name=staff.name), intent=Intent.PERSON)

    def _on_which_person(self, text: str) -> Reply:
        staff = match_staff(text, self.profile)
        if staff or re.search(r"maakt niet uit|doesn'?t matter|anyone|iemand|wie dan ook", " ".join(words(text))):
            return self._person(text, staff) if staff else self._route_or_offer(Intent.PERSON, "", text)
        self.stage = Stage.NEED
        return self._on_need(text)

    def _transfer(self, staff: StaffMember, intent: Intent, *, urgent: bool = False) -> Reply:
        self._actions.append((intent, "transferred", staff))
        self.stage = Stage.ENDED
        key = "urgent_transfer" if urgent else "transfer"
        text = say(key, self.language, name=staff.name, role=staff.role.get(self.language))
        return self._reply(text, transfer_to=staff.extension, intent=intent)

    def _route_or_offer(self, intent: Intent, lead: str, text: str) -> Reply:
        self.slots.description = self.slots.description or (text if len(words(text)) > 3 else None)
        colleague = choose_colleague(self.profile, intent, self.slots, self.now)
        if colleague:
            reply = self._transfer(colleague, intent)
            reply.text = f"{lead} {reply.text}".strip()
            return reply
        self._offer_for = None
        self._offer_colleague = False
        self.stage = Stage.OFFER
        return self._reply(f"{lead} {say('nobody_available', self.language)}", intent=intent)

    # ---- urgent ------------------------------------------------------------------------------------

    def _urgent(self, text: str) -> Reply:
        lang = self.language
        lead = say("life_threatening", lang) + " " if _LIFE_THREATENING.search(" ".join(words(text))) else ""
        self.slots.description = text
        if is_open(self.profile, self.now):
            colleague = choose_colleague(self.profile, Intent.URGENT, self.slots, self.now)
            if colleague:
                reply = self._transfer(colleague, Intent.URGENT, urgent=True)
                reply.text = f"{lead}{reply.text}"
                return reply
            prefix = say("urgent_nobody", lang).rsplit(".", 2)[0] + "."
        else:
            prefix = say("urgent_closed", lang, instructions=self.profile.urgency.out_of_hours.get(lang))
            prefix = prefix.rsplit(".", 2)[0] + "."
        return self._start_task(Intent.URGENT, text, prefix=lead + prefix)

    # ---- tasks: collect details one question at a time ---------------------------------------------

    def _start_task(self, kind: Intent, text: str, *, prefix: str = "",
                    for_person: StaffMember | None = None) -> Reply:
        self._task = Task(kind, required_slots(kind, self.profile), for_person=for_person)
        if for_person:
            self.slots.for_person = for_person.name
        heard = hear_slots(text, self.now)
        absorb(self.slots, heard, take_when=kind in WHEN_QUESTION)
        if kind not in WHEN_QUESTION and not heard.when.empty:
            self.slots.callback = heard.when
        if text and self._describes(text, kind):
            self.slots.description = text
        if kind == Intent.APPOINTMENT_NEW:
            kind_match = match_appointment_type(text, self.profile)
            if kind_match:
                self.slots.appointment_type = kind_match.name.nl
            if self.slots.when.day:
                self.slots.when = self._business_time(self.slots.when)
                problem = self._when_problem(self.slots.when)
                if problem:
                    self.slots.when = When()
                    self._pending = "when"
                    self.stage = Stage.SLOT
                    return self._reply(f"{prefix} {problem}", intent=kind)
        reply = self._next_step(prefix)
        reply.intent = kind.value
        return reply

    def _describes(self, text: str, kind: Intent) -> bool:
        """Whether the opening utterance already says what the request is about."""
        if kind == Intent.URGENT:
            return True
        return len(content_words(text)) >= 4

    def _filled(self, slot: str) -> bool:
        s = self.slots
        if slot in self._task.skipped:
            return True
        if slot == "when":
            return bool(s.when.day or s.when.asap or s.when.anytime)
        if slot == "callback_window":
            return bool(s.callback or s.callback_text)
        return getattr(s, slot) is not None

    def _next_step(self, prefix: str = "") -> Reply:
        task = self._task
        assert task is not None
        if task.kind == Intent.SERVICE and self.slots.description and not task.routed:
            task.routed = True  # an existing customer's question goes to a colleague when one is free
            colleague = choose_colleague(self.profile, Intent.SERVICE, self.slots, self.now)
            if colleague:
                self._task = None
                reply = self._transfer(colleague, Intent.SERVICE)
                reply.text = f"{prefix} {reply.text}".strip()
                return reply
        for slot in task.slots:
            if not self._filled(slot):
                self._pending = slot
                if slot == "phone" and self._can_offer_caller_id():
                    task.caller_id_offered = True
                    self.stage = Stage.CALLER_ID
                    number = digit_groups(normalize_phone(self.caller_id) or "")
                    return self._reply(f"{prefix} {say('confirm_caller_id', self.language, number=number)}")
                self.stage = Stage.SLOT
                return self._reply(f"{prefix} {self._question(slot)}")
        self._pending = None
        self.stage = Stage.CONFIRM
        return self._reply(f"{prefix} {say('confirm', self.language, items=self._readback())}")

    def _can_offer_caller_id(self) -> bool:
        return bool(self.caller_id and normalize_phone(self.caller_id) and not self._task.caller_id_offered)

    def _question(self, slot: str, again: bool = False) -> str:
        lang = self.language
        kind = self._task.kind
        if slot == "appointment_type":
            names = [t.name.get(lang) for t in self.profile.appointment_types]
            return say("ask_appointment_type", lang, types=answers.join(names, lang, last="or"))
        if slot == "when":
            return say("ask_when_again" if again else WHEN_QUESTION.get(kind, "ask_when_appointment"), lang)
        if slot == "description":
            key = "ask_description_again" if again else DESCRIPTION_QUESTION.get(kind, "ask_description_message")
            return say(key, lang)
        if slot == "callback_window":
            return say("ask_callback_window", lang)
        suffix = "_again" if again and slot in ("name", "phone", "postcode", "party_size") else ""
        return say(f"ask_{slot}{suffix}", lang)

    def _repeat_question(self) -> Reply:
        if self.stage == Stage.SLOT and self._pending:
            return self._reply(self._question(self._pending, again=True))
        if self.stage == Stage.CALLER_ID:
            number = digit_groups(normalize_phone(self.caller_id or "") or "")
            return self._reply(say("confirm_caller_id", self.language, number=number))
        if self.stage == Stage.CONFIRM:
            return self._reply(say("confirm", self.language, items=self._readback()))
        return self._reply(say("silence_prompt", self.language))

    def _ask_again(self, slot: str) -> Reply:
        """A detail was not understood: ask once more, then skip it (or fall back) - never loop."""
        task = self._task
        if task.fail(slot) < 2:
            return self._reply(self._question(slot, again=True))
        if slot == "phone" and self.caller_id and normalize_phone(self.caller_id):
            self.slots.phone, self.slots.phone_source = normalize_phone(self.caller_id), "caller_id"
        task.skipped.add(slot)
        return self._next_step()

    def _on_slot_answer(self, text: str) -> Reply:
        slot = self._pending
        heard = hear_slots(text, self.now, expecting_name=slot == "name")
        verdict = rules.classify(text)
        if verdict.intent == Intent.GOODBYE and verdict.score >= 3 and not heard.name:
            return self._goodbye()  # the caller gives up on the request: let them go
        absorb(self.slots, heard, take_when=False)
        filled, problem = self._fill(slot, text, heard)
        if problem:
            return self._reply(problem)
        if filled:
            self._misunderstood = 0
            return self._next_step()
        if rules.is_question(text) and len(words(text)) >= 3:
            u = self._understand(text)
            if u.intent in INFORMATION_INTENTS and u.confidence >= 0.5:
                answer = self._inform(text, u)
                self.stage = Stage.SLOT
                return self._reply(f"{answer.text.replace(say('anything_else', self.language), '')} "
                                   f"{self._question(slot)}")
        return self._ask_again(slot)

    def _fill(self, slot: str, text: str, heard: Heard) -> tuple[bool, str | None]:
        """Tries to take the asked-for detail from the answer; returns (filled, problem to say)."""
        s = self.slots
        if slot == "name":
            return s.name is not None, None
        if slot == "phone":
            if s.phone:
                return True, None
            self._digits += partial_digits(text)
            number = normalize_phone(self._digits)
            if number:
                s.phone, s.phone_source, self._digits = number, "spoken", ""
                return True, None
            if len(self._digits) >= 10 or not self._digits:
                self._digits = ""
            return False, None
        if slot == "when":
            if heard.when.empty:
                return False, None
            merged = self._business_time(s.when.merged(heard.when))
            problem = self._when_problem(merged) if self._task.kind != Intent.APPOINTMENT_CANCEL else None
            if problem:
                return False, problem
            s.when = merged
            return self._filled("when"), None
        if slot == "callback_window":
            if not heard.when.empty:
                s.callback = heard.when
            elif len(words(text)) >= 1 and not rules.is_no(text):
                s.callback_text = text
            return self._filled(slot), None
        if slot == "description":
            if len(words(text)) >= 2 and not rules.is_yes(text) and not rules.is_no(text):
                s.description = text
            return s.description is not None, None
        if slot == "postcode":
            return s.postcode is not None, None
        if slot == "party_size":
            if s.party_size is None:
                values = [word_value(w) for w in words(text)]
                numbers = [v for v in values if v is not None and 0 < v <= 100]
                s.party_size = numbers[0] if len(numbers) == 1 else None
            return s.party_size is not None, None
        if slot == "appointment_type":
            kind = match_appointment_type(text, self.profile)
            if kind:
                s.appointment_type = kind.name.nl
            elif len(words(text)) >= 2:
                s.description = s.description or text
                self._task.skipped.add(slot)
                return True, None
            return s.appointment_type is not None, None
        return False, None

    def _business_time(self, when: When) -> When:
        """ "half acht" at a restaurant is 19:30: a morning time the business is closed at moves to the evening."""
        if not (when.day and when.at) or when.at.hour >= 12:
            return when
        ranges = hours_on(self.profile, when.day).ranges
        evening = when.at.replace(hour=when.at.hour + 12)
        if not any(r.contains(when.at) for r in ranges) and any(r.contains(evening) for r in ranges):
            return When(day=when.day, at=evening, after=when.after, before=when.before, part=when.part,
                        asap=when.asap, anytime=when.anytime)
        return when

    def _when_problem(self, when: When) -> str | None:
        """Why a requested appointment moment cannot be (in the past, closed, outside hours), from the profile."""
        lang = self.language
        if when.day is None:
            return None
        if when.day < self.now.date():
            return say("when_in_past", lang)
        hours = hours_on(self.profile, when.day)
        if hours.closed:
            return say("when_closed", lang, day=say_date(when.day, lang))
        if when.at and not any(r.contains(when.at) for r in hours.ranges):
            return say("when_outside_hours", lang, time=say_time(when.at, lang), day=say_date(when.day, lang),
                       ranges=say_ranges(hours.ranges, lang))
        return None

    def _on_caller_id_answer(self, text: str) -> Reply:
        heard = hear_slots(text, self.now)
        if heard.phone:
            self.slots.phone, self.slots.phone_source = heard.phone, "spoken"
            return self._next_step()
        if rules.is_yes(text):
            self.slots.phone, self.slots.phone_source = normalize_phone(self.caller_id), "caller_id"
            return self._next_step()
        self.stage = Stage.SLOT
        if rules.is_no(text):
            return self._reply(self._question("phone"))
        return self._misunderstanding()

    # ---- confirmation ------------------------------------------------------------------------------

    def _readback(self) -> str:
        lang = self.language
        s = self.slots
        items = []
        if s.name:
            items.append(s.name)
        if s.phone:
            items.append(("phone number " if lang == "en" else "telefoonnummer ") + digit_groups(s.phone))
        kind = self._task.kind
        if kind in WHEN_QUESTION and not s.when.empty:
            label = {"en": "appointment", "nl": "afspraak"}[lang]
            if s.appointment_type:
                label += f" ({self._appointment_type_name()})"
            if s.party_size:
                label += f", {s.party_size} " + ("people" if lang == "en" else "personen")
            items.append(f"{label} {s.when.describe(lang)}")
        if s.for_person:
            items.append(("message for " if lang == "en" else "bericht voor ") + s.for_person)
        if kind not in WHEN_QUESTION and s.postcode:
            items.append(("postcode " if lang == "en" else "postcode ") + s.postcode)
        if s.callback and not s.callback.empty:
            items.append(("reachable " if lang == "en" else "bereikbaar ") + s.callback.describe(lang))
        return ", ".join(items) or ("your request" if lang == "en" else "uw verzoek")

    def _appointment_type_name(self) -> str:
        for kind in self.profile.appointment_types:
            if kind.name.nl == self.slots.appointment_type:
                return kind.name.get(self.language)
        return self.slots.appointment_type or ""

    def _on_confirm_answer(self, text: str) -> Reply:
        if rules.is_yes(text) and not rules.is_no(text):
            return self._complete_task()
        heard = hear_slots(text, self.now)
        corrected = self._apply_corrections(heard)
        task = self._task
        task.confirm_attempts += 1
        if corrected and task.confirm_attempts <= MAX_FIX_ROUNDS:
            return self._next_step()
        if rules.is_no(text) and task.confirm_attempts <= MAX_FIX_ROUNDS:
            self.stage = Stage.FIX
            return self._reply(say("what_to_fix", self.language))
        return self._complete_task()

    def _apply_corrections(self, heard: Heard) -> bool:
        changed = False
        if heard.phone:
            self.slots.phone, self.slots.phone_source, changed = heard.phone, "spoken", True
        if heard.name:
            self.slots.name, changed = heard.name, True
        if not heard.when.empty and self._task.kind in WHEN_QUESTION:
            self.slots.when, changed = self.slots.when.merged(heard.when), True
        return changed

    def _on_fix_answer(self, text: str) -> Reply:
        heard = hear_slots(text, self.now)
        if self._apply_corrections(heard):
            return self._next_step()
        said = " ".join(words(text))
        task = self._task
        if re.search(r"naam|name|spel", said):
            self.slots.name = None
            task.skipped.discard("name")
        elif re.search(r"nummer|telefoon|number|phone", said):
            self.slots.phone = None
            task.caller_id_offered = True
        elif re.search(r"tijd|dag|datum|uur|time|day|date", said) and task.kind in WHEN_QUESTION:
            self.slots.when = When()
        else:
            return self._complete_task()
        return self._next_step()

    def _complete_task(self) -> Reply:
        task = self._task
        assert task is not None
        self._actions.append((task.kind, ACTION[task.kind], task.for_person))
        self._task = None
        self._pending = None
        recipient = ""
        if task.for_person:
            recipient = f" to {task.for_person.name}" if self.language == "en" else f" aan {task.for_person.name}"
        return self._anything_else(say(DONE_PHRASE[task.kind], self.language, recipient=recipient))
