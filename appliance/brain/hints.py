"""Words from the profile that bias the speech recognizer towards what this business's callers say."""

from __future__ import annotations

from appliance.profile.schema import BusinessProfile

MAX_PROMPT_CHARS = 600  # Whisper's initial prompt holds ~224 tokens; keep well inside it.


def profile_terms(profile: BusinessProfile) -> list[str]:
    """Names, places and services in order of importance, without duplicates."""
    terms = [profile.name, profile.address.street, profile.address.city]
    terms += [s.name for s in profile.staff]
    terms += [a.name.nl for a in profile.appointment_types]
    terms += [s.name.nl for s in profile.services]
    terms += profile.urgency.keywords
    for service in profile.services:
        terms += service.aliases
    seen: set[str] = set()
    unique = []
    for term in terms:
        key = term.lower()
        if key not in seen:
            seen.add(key)
            unique.append(term)
    return unique


def asr_prompt(profile: BusinessProfile) -> str:
    """A short Dutch context sentence plus the profile's own words, for Whisper's initial prompt."""
    prompt = f"Telefoongesprek met {profile.name}."
    for term in profile_terms(profile)[1:]:
        candidate = f"{prompt} {term},"
        if len(candidate) > MAX_PROMPT_CHARS:
            break
        prompt = candidate
    return prompt.rstrip(",") + "."


def english_asr_prompt(profile: BusinessProfile) -> str:
    """Whisper's initial prompt for English callers: the business's names in an English sentence."""
    names = ", ".join([member.name for member in profile.staff][:6])
    services = ", ".join(service.name.en for service in profile.services[:6] if service.name.en)
    return (f"Phone call with {profile.name}. Opening hours, appointment, address, parking, prices, "
            f"urgent, message, call back. {names}. {services}.")
