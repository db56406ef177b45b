"""The business profile: the six examples load, bad files fail with errors naming the field, and opening
hours follow the week, exceptions and Dutch public holidays."""

import argparse
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from appliance.profile import BusinessProfile, ProfileError, load_profile, parse_profile
from appliance.profile.cli import check, schema
from appliance.profile.hours import hours_on, is_open, is_working, next_opening

PROFILES = Path(__file__).resolve().parents[1] / "appliance" / "data" / "profiles"
KINDS = {"tandarts": "dental", "loodgieter": "plumber", "makelaar": "estate_agent", "restaurant": "restaurant",
         "advocaat": "law_firm", "installateur": "installer"}


@pytest.fixture(scope="module")
def dentist() -> BusinessProfile:
    return load_profile(PROFILES / "tandarts.yaml")


def _raw() -> dict:
    return yaml.safe_load((PROFILES / "tandarts.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "kind"), sorted(KINDS.items()))
def test_every_example_profile_is_complete(name, kind):
    profile = load_profile(PROFILES / f"{name}.yaml")
    assert profile.business.kind == kind
    assert profile.services and profile.faq and profile.staff and profile.urgency.keywords
    assert profile.appointment_types and profile.directions and profile.parking
    assert all(entry.answer.en for entry in profile.faq), "English callers need English answers"


@pytest.mark.parametrize(("change", "field"), [
    (lambda p: p["opening_hours"].update(monday="9-5"), "opening_hours.monday"),
    (lambda p: p["opening_hours"].update(tuesday="08:00-12:00, 11:00-17:00"), "opening_hours.tuesday"),
    (lambda p: p["opening_hours"].update(friday="17:00-08:00"), "opening_hours.friday"),
    (lambda p: p["address"].update(postcode="0123 AB"), "address.postcode"),
    (lambda p: p["contact"].update(email="not-an-address"), "contact.email"),
    (lambda p: p["staff"][1].update(extension="201"), "staff extension used more than once"),
    (lambda p: p["business"].update(kind="bakery"), "business.kind"),
    (lambda p: p.pop("urgency"), "urgency"),
    (lambda p: p["services"][0].update(price_eur=-5), "services.0.price_eur"),
    (lambda p: p["exceptions"][1].update(until="2026-12-01"), "exceptions.1"),
    (lambda p: p.update(colour="blue"), "colour"),
])
def test_errors_name_the_field(change, field):
    raw = _raw()
    change(raw)
    with pytest.raises(ProfileError) as info:
        parse_profile(raw, "p.yaml")
    assert field in str(info.value)


def test_unreadable_files_give_clear_errors(tmp_path):
    with pytest.raises(ProfileError, match="not found"):
        load_profile(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("business: [unclosed\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad)
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ProfileError, match="mapping"):
        load_profile(bad)


def test_texts_may_be_dutch_only(dentist):
    raw = _raw()
    raw["faq"][0]["answer"] = "Ja, we nemen nieuwe patiënten aan."
    profile = parse_profile(raw)
    assert profile.faq[0].answer.get("en") == profile.faq[0].answer.get("nl") == "Ja, we nemen nieuwe patiënten aan."
    assert dentist.faq[0].answer.get("en").startswith("Yes")


def test_hours_follow_week_exceptions_and_holidays(dentist):
    assert [str(r) for r in hours_on(dentist, date(2026, 12, 10)).ranges] == ["08:00-17:00", "18:00-20:00"]
    christmas = hours_on(dentist, date(2026, 12, 25))
    assert christmas.closed and christmas.holiday == "Eerste kerstdag"
    eve = hours_on(dentist, date(2026, 12, 24))
    assert [str(r) for r in eve.ranges] == ["08:00-13:00"] and eve.note.nl == "kerstavond"
    assert hours_on(dentist, date(2026, 12, 30)).closed  # inside the kerstvakantie period
    assert not hours_on(dentist, date(2026, 4, 3)).closed  # Goede vrijdag is listed in open_on
    assert hours_on(dentist, date(2026, 4, 6)).closed  # Tweede paasdag
    assert hours_on(dentist, date(2026, 12, 12)).closed  # a Saturday


def test_open_now_and_next_opening(dentist):
    assert is_open(dentist, datetime(2026, 12, 8, 10, 30))
    assert not is_open(dentist, datetime(2026, 12, 8, 17, 0))  # closing time itself is closed
    assert next_opening(dentist, datetime(2026, 12, 8, 19, 30)) == datetime(2026, 12, 9, 8, 0)
    assert next_opening(dentist, datetime(2026, 12, 24, 14, 0)) == datetime(2027, 1, 4, 8, 0)


def test_staff_work_their_own_hours_only_when_open(dentist):
    pieter = next(s for s in dentist.staff if s.name == "Pieter Jansen")
    fatima = next(s for s in dentist.staff if s.name == "Fatima El Amrani")
    assert not is_working(dentist, pieter, datetime(2026, 12, 8, 10, 30))  # not on Tuesdays
    assert is_working(dentist, pieter, datetime(2026, 12, 11, 10, 30))
    assert is_working(dentist, fatima, datetime(2026, 12, 8, 10, 30))  # no own hours: the opening hours
    assert not is_working(dentist, fatima, datetime(2026, 12, 25, 10, 30))


def test_check_command(capsys, tmp_path):
    assert check(argparse.Namespace(file=PROFILES / "tandarts.yaml")) == 0
    assert "ok" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("business: {name: X}\n")
    assert check(argparse.Namespace(file=bad)) == 1
    assert "business.kind" in capsys.readouterr().err


def test_schema_command_publishes_the_input_format(capsys):
    assert schema(argparse.Namespace()) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["title"] == "Balie business profile"
    assert set(document["required"]) >= {"business", "address", "contact", "opening_hours", "urgency"}
    monday = document["$defs"]["WeeklyHours"]["properties"]["monday"]
    assert any(option.get("type") == "string" for option in monday["anyOf"])
    assert any(option.get("type") == "string" for option in document["$defs"]["Localized"]["anyOf"])
