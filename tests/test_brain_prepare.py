"""Understanding ahead of time (at the caller's pause) changes nothing but the time the reply takes."""

from datetime import datetime
from zoneinfo import ZoneInfo

from appliance.brain.engine import Conversation
from appliance.config import DEFAULT_PROFILE
from appliance.profile import load_profile

NOW = datetime(2026, 12, 8, 10, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_prepared_understanding_gives_the_same_reply_and_no_state_change():
    profile = load_profile(DEFAULT_PROFILE)
    plain, ahead = Conversation(profile, None, NOW), Conversation(profile, None, NOW)
    ahead.prepare("Wanneer zijn jullie open?")
    assert ahead.stage == plain.stage and ahead.language == plain.language
    assert ahead.hear("Wanneer zijn jullie open?") == plain.hear("Wanneer zijn jullie open?")


def test_prepared_understanding_of_other_words_is_not_used():
    profile = load_profile(DEFAULT_PROFILE)
    plain, ahead = Conversation(profile, None, NOW), Conversation(profile, None, NOW)
    ahead.prepare("Wanneer zijn jullie open?")  # the caller went on talking: the turn became another question
    assert ahead.hear("Waar kan ik parkeren?") == plain.hear("Waar kan ik parkeren?")
    assert ahead.hear("Wat kost een controle?") == plain.hear("Wat kost een controle?")
