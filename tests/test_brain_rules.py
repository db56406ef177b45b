"""Rule understanding of noisy, indirect caller speech (no model)."""

from appliance.bench.brain import PROFILE_DIR
from appliance.brain import rules
from appliance.brain.intents import Intent
from appliance.brain.interpret import interpret
from appliance.brain.matching import faq_coverage, match_faq
from appliance.brain.text import clean_speech
from appliance.profile import load_profile


def test_fillers_and_stutters_are_dropped_before_matching():
    assert clean_speech("Eh, de kraan lekt eh lekt een beetje") == "de kraan lekt een beetje"
    assert clean_speech("kan ik uhm kan ik de de chef spreken") == "kan ik de chef spreken"
    assert clean_speech("ehm") == ""
    assert clean_speech("Zijn jullie om 14:30 open?") == "zijn jullie om 14:30 open"


def test_a_question_after_a_filler_is_still_a_question():
    assert rules.is_question("eh wanneer zijn jullie open")


def test_a_goodbye_cue_inside_a_longer_request_is_not_a_goodbye():
    assert rules.classify("dat was het, bedankt").intent == Intent.GOODBYE
    verdict = rules.classify("de ketel doet helemaal niks meer sinds jullie monteur er was")
    assert Intent.GOODBYE not in verdict.scores
    assert verdict.intent == Intent.SERVICE


def test_owner_urgent_words_do_not_turn_a_price_question_into_an_emergency():
    profile = load_profile(PROFILE_DIR / "loodgieter.yaml")
    keywords = tuple(profile.urgency.keywords)
    assert rules.classify("wat kost het om een lekkende kraan te vervangen", keywords).intent == Intent.PRICES
    assert rules.classify("help, de kraan lekt en ik krijg hem niet dicht", keywords).intent == Intent.URGENT


def test_a_faq_that_shares_one_word_with_a_longer_request_does_not_take_it_over():
    profile = load_profile(PROFILE_DIR / "tandarts.yaml")
    text = "wat moet ik ongeveer betalen voor zo'n witte vulling"
    faq = match_faq(text, profile)
    assert faq is not None and faq_coverage(text, faq.entry) < 0.4
    assert interpret(text, profile, None).intent == Intent.PRICES
    assert interpret("Hoe kan ik betalen?", profile, None).intent == Intent.FAQ


def test_naming_a_colleague_while_asking_for_them_is_decisive():
    profile = load_profile(PROFILE_DIR / "loodgieter.yaml")
    understanding = interpret("is mark er ook vandaag", profile, None)
    assert understanding.intent == Intent.PERSON and understanding.confidence == 1.0
    assert understanding.staff is not None and understanding.staff.name == "Mark de Boer"
