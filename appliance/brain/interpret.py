"""One utterance -> what the caller wants.

With the language model loaded, its probe decides (appliance/brain/understanding.py), nudged by rule evidence;
unambiguous rules (a strong cue for exactly one intent) decide alone and save the model's time. Without the
model, the rules decide. Some facts the model cannot know override it when it leaves room for them: the owner's
own urgent words, a near-literal FAQ question. An attempt to instruct the assistant is never obeyed.
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

# How much one point of rule evidence adds to the model's probability.
RULE_WEIGHT = 0.3
CONFIDENT_RULE = 4.0    # a rule score this high ...
CONFIDENT_MARGIN = 1.5  # ... and this far ahead of the runner-up decides without the model
URGENT_PLAUSIBLE = 0.2  # the owner's urgent words count when the model gives an emergency at least this chance
MODEL_SURE = 0.9        # a model this sure is not overridden by a fuzzy FAQ match
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
    injection: bool = False
    model_ms: float | None = None
    total_ms: float = 0.0
    source: str = "rules"


def _rule_scores(text: str, profile: BusinessProfile, staff: StaffMember | None) -> dict[Intent, float]:
    verdict = rules.classify(text, tuple(profile.urgency.keywords))
    scores = dict(verdict.scores)
    if staff and Intent.PERSON in scores:
        scores[Intent.PERSON] += 1.5  # asking for someone, and naming someone who works here: decisive
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


@dataclass(frozen=True)
class _Evidence:
    """What the words say before any intent is chosen."""

    text: str
    faq: FaqMatch | None
    urgent_phrase: str | None  # the owner's urgent word or phrase that was heard
    scores: dict[Intent, float]
    service: Service | None


def _asks_a_listed_price(evidence: _Evidence) -> bool:
    """ "Wat kost het om mijn huis te verkopen?": a price question about a service whose price the profile
    states is answered with that price, not turned into a request for a quote."""
    service = evidence.service
    return (service is not None and (service.price_eur is not None or service.price_note is not None)
            and rules.asks_cost(evidence.text))


def _owner_says_urgent(evidence: _Evidence, intent: Intent) -> bool:
    """The owner decides what counts as urgent for this business; questions and asking for someone stay."""
    return evidence.urgent_phrase is not None and intent not in _NOT_MADE_URGENT


def _faq_fits(evidence: _Evidence, intent: Intent) -> bool:
    """Whether a matched FAQ question explains the utterance better than the chosen intent."""
    faq, scores = evidence.faq, evidence.scores
    if not faq or intent not in _FAQ_OVERRIDES:
        return False
    if faq.score >= FAQ_CERTAIN:
        return intent not in scores or faq_coverage(evidence.text, faq.entry) >= FAQ_COVERAGE
    return faq.score >= FAQ_LIKELY and intent not in scores


def _by_rules(evidence: _Evidence) -> tuple[Intent, float]:
    scores = evidence.scores
    if scores:
        intent = max(scores, key=lambda i: (scores[i], -list(Intent).index(i)))
        confidence = min(1.0, scores[intent] / 4)
    else:
        intent, confidence = Intent.UNCLEAR, 0.0
    if _owner_says_urgent(evidence, intent):
        intent = Intent.URGENT
    if _faq_fits(evidence, intent):
        intent = Intent.FAQ
    if intent == Intent.UNCLEAR and rules.is_question(evidence.text) and len(evidence.text.split()) >= 4:
        intent = Intent.FAQ  # a real question the profile may not answer: say so rather than "pardon?"
    return intent, confidence


def _by_model(evidence: _Evidence, probabilities: dict[Intent, float]) -> tuple[Intent, float]:
    scores = evidence.scores
    combined = {i: p + RULE_WEIGHT * min(scores.get(i, 0.0), 5.0) for i, p in probabilities.items()}
    intent = max(combined, key=combined.__getitem__)
    if _owner_says_urgent(evidence, intent) and (
            len(evidence.urgent_phrase.split()) > 1 or probabilities[Intent.URGENT] >= URGENT_PLAUSIBLE):
        intent = Intent.URGENT  # a situation the owner described ("geen verwarming"), or a word that fits one
    if probabilities[intent] < MODEL_SURE and _faq_fits(evidence, intent):
        intent = Intent.FAQ
    return intent, probabilities[intent]


def interpret(text: str, profile: BusinessProfile, understander: Understander | None) -> Understanding:
    started = time.perf_counter()
    staff = match_staff(text, profile) or match_role(text, profile)
    urgent_phrase = rules.find_phrase(text, tuple(profile.urgency.keywords))
    evidence = _Evidence(text, match_faq(text, profile), urgent_phrase, _rule_scores(text, profile, staff),
                         match_service(text, profile))
    model_ms = None
    source = "rules"
    decided = _confident(evidence.scores)
    if decided is not None:
        intent, confidence = decided, 1.0
        if _owner_says_urgent(evidence, intent):
            intent = Intent.URGENT
    elif understander is not None:
        model = understander.score(text)
        model_ms, source = model.latency_ms, "model"
        intent, confidence = _by_model(evidence, model.probabilities)
    else:
        intent, confidence = _by_rules(evidence)
    if intent == Intent.QUOTE and _asks_a_listed_price(evidence):
        intent = Intent.PRICES
    injection = rules.is_injection(text)
    if injection:
        intent = Intent.UNCLEAR
    total_ms = (time.perf_counter() - started) * 1000
    return Understanding(intent, confidence, staff, evidence.service, evidence.faq,
                         injection, model_ms, total_ms, source)
