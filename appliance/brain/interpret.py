"""One utterance -> what the caller wants.

Rules decide when they are unambiguous (a strong cue for exactly one intent): they are precise and cost no
model time. Otherwise the language model's intent scores decide, nudged by whatever rule evidence there is.
Some facts the model cannot know override it: the owner's own urgent words, a near-literal FAQ question,
an attempt to instruct the assistant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from appliance.brain import rules
from appliance.brain.intents import INFORMATION_INTENTS, Intent
from appliance.brain.matching import (
    FaqMatch,
    faq_coverage,
    match_appointment_type,
    match_faq,
    match_role,
    match_service,
    match_staff,
)
from appliance.brain.understanding import Understander
from appliance.profile.schema import BusinessProfile, Service, StaffMember

# How much one point of rule evidence moves the model's probability. Calibrated on held-out phrasings: the
# 1.5B model alone overrode weak but right cues (one cue, 2.0 points) too often at 0.12.
RULE_WEIGHT = 0.3
CONFIDENT_RULE = 3.0    # a rule score this high ...
CONFIDENT_MARGIN = 1.5  # ... and this far ahead of the runner-up decides without the model
FAQ_CERTAIN = 80.0
FAQ_LIKELY = 70.0
FAQ_COVERAGE = 0.4  # against rule evidence for another intent, the FAQ must account for this share of the words
# Intents that an owner-defined urgent word does not turn into an emergency (questions, asking for someone).
_NOT_MADE_URGENT = INFORMATION_INTENTS | {Intent.PERSON, Intent.GOODBYE, Intent.APPOINTMENT_CANCEL,
                                         Intent.APPOINTMENT_CHANGE}
_FAQ_OVERRIDES = INFORMATION_INTENTS | {Intent.UNCLEAR, Intent.SERVICE, Intent.APPOINTMENT_NEW, Intent.QUOTE}


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    confidence: float
    staff: StaffMember | None = None
    service: Service | None = None
    faq: FaqMatch | None = None
    urgent_words: bool = False
    injection: bool = False
    model_ms: float | None = None
    total_ms: float = 0.0
    source: str = "rules"


def _rule_scores(text: str, profile: BusinessProfile, staff: StaffMember | None) -> dict[Intent, float]:
    verdict = rules.classify(text, tuple(profile.urgency.keywords))
    scores = dict(verdict.scores)
    if staff and Intent.PERSON in scores:
        scores[Intent.PERSON] += 1.0  # asking for someone, and naming someone who works here
    elif staff and verdict.intent in (Intent.UNCLEAR, Intent.MESSAGE):
        scores[Intent.PERSON] = 1.0
    competing = {Intent.APPOINTMENT_CHANGE, Intent.APPOINTMENT_CANCEL, Intent.PRICES, Intent.QUOTE} & scores.keys()
    if Intent.APPOINTMENT_NEW in scores and not competing and match_appointment_type(text, profile):
        scores[Intent.APPOINTMENT_NEW] += 1.5  # "onderhoudsbeurt inplannen": the owner's own appointment type
    return scores


def _confident(scores: dict[Intent, float]) -> Intent | None:
    ranked = sorted(scores.values(), reverse=True)
    if not ranked or ranked[0] < CONFIDENT_RULE:
        return None
    if len(ranked) > 1 and ranked[0] - ranked[1] < CONFIDENT_MARGIN:
        return None
    return max(scores, key=scores.__getitem__)


def interpret(text: str, profile: BusinessProfile, understander: Understander | None) -> Understanding:
    started = time.perf_counter()
    staff = match_staff(text, profile) or match_role(text, profile)
    faq = match_faq(text, profile)
    service = match_service(text, profile)
    urgent_words = rules.has_any(text, tuple(profile.urgency.keywords))
    injection = rules.is_injection(text)
    scores = _rule_scores(text, profile, staff)
    model_ms = None
    source = "rules"
    decided = _confident(scores)
    if decided is not None:
        intent, confidence = decided, 1.0
    elif understander is not None:
        model = understander.score(text)
        model_ms, source = model.latency_ms, "model"
        combined = {i: p + RULE_WEIGHT * min(scores.get(i, 0.0), 5.0) for i, p in model.probabilities.items()}
        intent = max(combined, key=combined.__getitem__)
        confidence = model.probabilities[intent]
        if intent == Intent.SERVICE and not scores and rules.is_question(text):
            intent = Intent.FAQ  # a general question without any sign of an existing customer
    elif scores:
        intent = max(scores, key=lambda i: (scores[i], -list(Intent).index(i)))
        confidence = min(1.0, scores[intent] / 4)
    else:
        intent, confidence = Intent.UNCLEAR, 0.0
    if urgent_words and intent not in _NOT_MADE_URGENT:
        intent = Intent.URGENT  # the owner decides what counts as urgent for this business
    if faq and intent in _FAQ_OVERRIDES and (
            (faq.score >= FAQ_CERTAIN and (intent not in scores or faq_coverage(text, faq.entry) >= FAQ_COVERAGE))
            or (faq.score >= FAQ_LIKELY and intent not in scores)):
        intent = Intent.FAQ
    if intent == Intent.UNCLEAR and rules.is_question(text) and len(text.split()) >= 4:
        intent = Intent.FAQ  # a real question the profile may not answer: say so rather than "pardon?"
    if injection:
        intent = Intent.UNCLEAR
    total_ms = (time.perf_counter() - started) * 1000
    return Understanding(intent, confidence, staff, service, faq, urgent_words, injection, model_ms, total_ms, source)
