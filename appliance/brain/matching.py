"""Matches what was heard against what the business knows: staff, services, FAQ entries, appointment types.

Transcripts of phone audio contain errors, so names are compared fuzzily and by a Dutch phonetic key
("Jansen" ~ "Janssen" ~ "Jantsen"), and FAQ questions by the overlap of their content words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from appliance.brain.text import normalize, words
from appliance.profile.schema import AppointmentType, BusinessProfile, FaqEntry, Service, StaffMember

_PHONETIC_RULES = (
    (r"sch", "s"), (r"ch", "g"), (r"ph", "f"), (r"th", "t"), (r"ck", "k"), (r"c(?=[eiy])", "s"), (r"c", "k"),
    (r"qu", "kw"), (r"x", "ks"), (r"ij|ei|y", "ei"), (r"au|ou", "au"), (r"ae", "aa"), (r"uy", "ui"),
    (r"dt\b|d\b|ts|tz", "t"), (r"v", "f"), (r"z", "s"), (r"w", "v"), (r"h(?![aeiou])", ""),
    (r"(.)\1+", r"\1"),
)
_STOPWORD_TEXT = """
de het een en van in op om te is zijn ben bent was wat wie waar wanneer hoe hoeveel welke kan kunt kunnen
mag moet wil wilt zou graag ik u je jij we wij jullie mijn uw er ook nog al dan of met voor naar bij aan
dat die dit deze hebben heeft heb doen doet even eens nou ja nee hoor the a an and of to in on for
is are am do does can could would i you we your my it this that there with at be have has what how when
where which who please me
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def phonetic_key(text: str) -> str:
    key = normalize(text)
    for pattern, replacement in _PHONETIC_RULES:
        key = re.sub(pattern, replacement, key)
    return key


def _windows(tokens: list[str], size: int) -> list[str]:
    return [" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]


def name_similarity(heard: str, name: str) -> float:
    """0..100: how well some words of `heard` match `name`, by spelling or by sound."""
    target = normalize(name)
    tokens = normalize(heard).split()
    size = len(target.split())
    best = 0.0
    for window in _windows(tokens, size):
        if window == target:
            return 100.0
        if len(target) < 4:
            continue
        score = fuzz.ratio(window, target)
        if phonetic_key(window) == phonetic_key(target):
            score = max(score, 92.0)
        best = max(best, score)
    return best


def _staff_names(staff: StaffMember) -> list[str]:
    return [staff.name, *staff.aliases, staff.name.split()[-1]]


def match_staff(text: str, profile: BusinessProfile, threshold: float = 86.0) -> StaffMember | None:
    """The colleague the caller names, if any (full name, alias, surname; fuzzy)."""
    best: tuple[float, StaffMember] | None = None
    for member in profile.staff:
        score = max(name_similarity(text, name) for name in _staff_names(member))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, member)
    return best[1] if best else None


def match_role(text: str, profile: BusinessProfile) -> StaffMember | None:
    """A colleague asked for by role ("de mondhygiënist", "the dentist"), when exactly one has that role."""
    normalized = f" {normalize(text)} "
    found = [s for s in profile.staff
             if any(f" {normalize(r)} " in normalized for r in (s.role.nl, s.role.en or s.role.nl))]
    return found[0] if len({s.role.nl for s in found}) == 1 and len(found) == 1 else None


def _phrase_score(text: str, phrase: str) -> float:
    target = normalize(phrase)
    normalized = f" {normalize(text)} "
    if f" {target} " in normalized:
        return 100.0
    if len(target) < 5:
        return 0.0
    return max((fuzz.ratio(w, target) for w in _windows(normalized.split(), len(target.split()))), default=0.0)


def match_service(text: str, profile: BusinessProfile, threshold: float = 85.0) -> Service | None:
    best: tuple[float, int, Service] | None = None
    for service in profile.services:
        names = [service.name.nl, service.name.en or "", *service.aliases]
        score = max(_phrase_score(text, n) for n in names if n)
        length = max(len(n) for n in names if n and _phrase_score(text, n) == score)
        if score >= threshold and (best is None or (score, length) > best[:2]):
            best = (score, length, service)
    return best[2] if best else None


def match_appointment_type(text: str, profile: BusinessProfile, threshold: float = 85.0) -> AppointmentType | None:
    best: tuple[float, AppointmentType] | None = None
    for kind in profile.appointment_types:
        names = [kind.name.nl, kind.name.en or "", *kind.aliases]
        score = max(_phrase_score(text, n) for n in names if n)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, kind)
    return best[1] if best else None


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in _STOPWORDS and len(w) > 2}


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float  # 0..100


def match_faq(text: str, profile: BusinessProfile, threshold: float = 62.0) -> FaqMatch | None:
    """The FAQ entry whose question variants share the most meaning-bearing words with the utterance."""
    heard = content_words(text)
    if not heard:
        return None
    best: FaqMatch | None = None
    distinctive = _distinctive_words(profile)
    for entry in profile.faq:
        shared = heard & distinctive.get(entry.id, set())
        if shared and (best is None or best.score < DISTINCTIVE_SCORE):
            best = FaqMatch(entry, DISTINCTIVE_SCORE)
        for question in entry.questions:
            asked = content_words(question)
            if not asked:
                continue
            overlap = _fuzzy_overlap(heard, asked)
            score = 100.0 * overlap / len(asked) * 0.6 + fuzz.token_set_ratio(
                " ".join(sorted(heard)), " ".join(sorted(asked))) * 0.4
            if overlap and (best is None or score > best.score):
                best = FaqMatch(entry, score)
    return best if best and best.score >= threshold else None


DISTINCTIVE_SCORE = 70.0


def faq_coverage(text: str, entry: FaqEntry) -> float:
    """The share of the caller's meaning-bearing words that the FAQ's questions account for (0..1): a long
    request that merely mentions "betalen" or "bod" is not the FAQ question "Hoe kan ik betalen?"."""
    heard = content_words(text)
    if not heard:
        return 0.0
    asked = set().union(*(content_words(q) for q in entry.questions))
    return min(1.0, _fuzzy_overlap(asked, heard) / len(heard))


def _distinctive_words(profile: BusinessProfile) -> dict[str, set[str]]:
    """Per FAQ entry, the long words of its questions that no other entry (and no service) uses: "Funda"."""
    per_entry = {e.id: set().union(*(content_words(q) for q in e.questions)) for e in profile.faq}
    common = {w for s in profile.services for n in (s.name.nl, s.name.en or "", *s.aliases) for w in content_words(n)}
    distinctive = {}
    for entry_id, entry_words in per_entry.items():
        others = set().union(*(w for other, w in per_entry.items() if other != entry_id))
        distinctive[entry_id] = {w for w in entry_words - others - common if len(w) >= 5}
    return distinctive


def _fuzzy_overlap(heard: set[str], asked: set[str]) -> float:
    """How many of the FAQ's words were heard, allowing inflection ("patiënten" ~ "patiënt")."""
    total = 0.0
    for word in asked:
        if word in heard:
            total += 1
        elif any(h[:5] == word[:5] and len(word) >= 5 and len(h) >= 5 for h in heard):
            total += 0.8
        elif any(fuzz.ratio(h, word) >= 85 for h in heard):
            total += 0.7
    return total
