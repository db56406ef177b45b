"""The deterministic Dutch/English parsers: what callers say, and what must come out (or must not)."""

from datetime import date, datetime, time

import pytest

from appliance.brain.parsers.amounts import parse_amount, parse_party_size
from appliance.brain.parsers.contact import parse_email, parse_postcode, parse_street_address
from appliance.brain.parsers.names import parse_name
from appliance.brain.parsers.numbers import ordinal_value, word_value
from appliance.brain.parsers.phone import parse_phone
from appliance.brain.parsers.spelling import spelled_letters
from appliance.brain.parsers.when import parse_when

NOW = datetime(2026, 12, 8, 19, 30)  # a Tuesday evening


@pytest.mark.parametrize(("word", "value"), [
    ("vierendertig", 34), ("tweeentwintig", 22), ("tweeëntwintig", 22), ("achttien", 18), ("nul", 0),
    ("vijftienhonderd", 1500), ("drieduizendvijfhonderdelf", 3511), ("honderdtwintig", 120),
    ("twenty-one", 21), ("fiets", None), ("", None),
])
def test_number_words(word, value):
    assert word_value(word) == value


@pytest.mark.parametrize(("word", "value"), [("achtste", 8), ("eenentwintigste", 21), ("8e", 8), ("3rd", 3),
                                             ("dertigste", 30), ("tafel", None)])
def test_ordinals(word, value):
    assert ordinal_value(word) == value


@pytest.mark.parametrize(("said", "number"), [
    ("nul zes twaalf vierendertig zesenvijftig achtenzeventig", "0612345678"),
    ("06-12345678", "0612345678"),
    ("Mijn nummer is +31 6 1234 5678", "0612345678"),
    ("0031 20 123 4567", "0201234567"),
    ("nul twintig, een twee drie, vier vijf, zes zeven", "0201234567"),
    ("plus tweeëndertig twee vijf vijf vijf een twee drie vier", "+3225551234"),
    ("dat is 030 123 45 67 toch", "0301234567"),
    ("nul zes dubbel twee drie vier vijf zes zeven acht", "0622345678"),
    ("zero six one two three four five six seven eight", "0612345678"),
    ("ik heb 2 vragen", None),
    ("06 123", None),
    ("0012", None),
])
def test_phone_numbers(said, number):
    assert parse_phone(said) == number


@pytest.mark.parametrize(("said", "postcode"), [
    ("mijn postcode is 3511 AB", "3511 AB"), ("3511ab", "3511 AB"),
    ("35 11 A van Anton B van Bernard", "3511 AB"), ("drieduizend vijfhonderdelf a b", "3511 AB"),
    ("vijfendertig elf Anton Bernard", "3511 AB"), ("postcode 1234 SS", None),
    ("in 2026 de keuken verbouwen", None), ("0123 AB", None),
])
def test_postcodes(said, postcode):
    assert parse_postcode(said) == postcode


def test_street_address():
    assert parse_street_address("ik woon op de Kerkstraat 12 a in Utrecht") == "Kerkstraat 12a"
    assert parse_street_address("Dorpsweg vierentwintig") == "Dorpsweg 24"
    assert parse_street_address("ik woon in Utrecht") is None


@pytest.mark.parametrize(("said", "email"), [
    ("jan punt de vries apenstaartje gmail punt com", "jan.devries@gmail.com"),
    ("mijn mailadres is info@bakker.nl", "info@bakker.nl"),
    ("my email is john dot smith at example dot co dot uk", "john.smith@example.co.uk"),
    ("ik heb geen email", None),
])
def test_email(said, email):
    assert parse_email(said) == email


@pytest.mark.parametrize(("said", "letters"), [
    ("J van Jan, A van Anton, N van Nico", "jan"), ("D E spatie V R I E S", "de vries"),
    ("Bernard Anton Karel Karel Eduard Rudolf", "bakker"), ("P-I-E-T", "piet"),
    ("B as in bravo, O, B", "bob"), ("K van Karel L van Lodewijk A A S", "klaas"),
    ("Jan Pieter", None), ("de vries", None), ("A", None),
])
def test_spelling_alphabet(said, letters):
    assert spelled_letters(said) == letters


@pytest.mark.parametrize(("said", "name", "as_answer"), [
    ("Met Jan de Vries", "Jan de Vries", "Jan de Vries"),
    ("Goedemiddag, met Karin Smit, ik bel over mijn afspraak", "Karin Smit", "Karin Smit"),
    ("Mijn naam is Pieter van der Berg en ik wil een afspraak", "Pieter van der Berg", "Pieter van der Berg"),
    ("Hi, this is John Smith", "John Smith", "John Smith"),
    ("J van Jan A van Anton N van Nico S van Simon E N", "Jansen", "Jansen"),
    ("Jansen", None, "Jansen"),
    ("de vries", None, "De Vries"),
    ("ik ben klant bij jullie", None, None),
    ("ik ben op vakantie", None, None),
    ("ik wil een afspraak maken", None, None),
    ("it is urgent", None, None),
])
def test_names(said, name, as_answer):
    assert parse_name(said) == name
    assert parse_name(said, answer_to_question=True) == as_answer


@pytest.mark.parametrize(("said", "day", "at"), [
    ("morgen om half drie", date(2026, 12, 9), time(14, 30)),
    ("volgende week dinsdag om tien uur", date(2026, 12, 15), time(10, 0)),
    ("kan ik om 14:30 komen", None, time(14, 30)),
    ("op 15 december om kwart voor vier", date(2026, 12, 15), time(15, 45)),
    ("vrijdag 11 december om 9 uur", date(2026, 12, 11), time(9, 0)),
    ("de achttiende", date(2026, 12, 18), None),
    ("tien over half drie", None, time(14, 40)),
    ("vijf voor half drie", None, time(14, 25)),
    ("om 8 uur 's avonds", None, time(20, 0)),
    ("om 8 uur", None, time(8, 0)),
    ("tomorrow at 3 pm", date(2026, 12, 9), time(15, 0)),
    ("next week Monday at half past nine", date(2026, 12, 14), time(9, 30)),
    ("24-12", date(2026, 12, 24), None),
    ("3 januari", date(2027, 1, 3), None),
    ("donderdag", date(2026, 12, 10), None),
    ("dinsdag", date(2026, 12, 15), None),
    ("een tafel voor 4 personen", None, None),
])
def test_dates_and_times(said, day, at):
    when = parse_when(said, NOW)
    assert (when.day, when.at) == (day, at)


@pytest.mark.parametrize(("said", "after", "before"), [
    ("na vijven", time(17), None), ("tussen twee en vier", time(14), time(16)),
    ("ergens na de lunch", time(13), None), ("voor twaalf uur", None, time(12)),
    ("after 5 pm", time(17), None), ("na 2 weken", None, None),
])
def test_time_windows(said, after, before):
    when = parse_when(said, NOW)
    assert (when.after, when.before, when.at) == (after, before, None)


def test_vague_moments():
    assert parse_when("zo snel mogelijk", NOW).asap
    assert parse_when("maakt niet uit", NOW).anytime
    morning = parse_when("morgenochtend", NOW)
    assert (morning.day, morning.part) == (date(2026, 12, 9), "morning")
    assert parse_when("ik heb geen idee", NOW).empty
    assert parse_when("na vijven", NOW).describe("nl") == "na 17 uur"
    assert parse_when("morgen om half drie", NOW).describe("nl") == "woensdag 9 december om 14:30 uur"


@pytest.mark.parametrize(("said", "amount"), [
    ("ons budget is ongeveer vijftienduizend euro", 15000), ("rond de 2,5 ton", 250000),
    ("€ 300.000", 300000), ("niet meer dan 8000 euro", 8000), ("budget of 20k", 20000),
    ("een half miljoen", 500000), ("ik heb 2 vragen", None), ("ik bel om 3 uur", None),
])
def test_amounts(said, amount):
    assert parse_amount(said) == amount


@pytest.mark.parametrize(("said", "size"), [("met z'n vieren", 4), ("een tafel voor 6 personen", 6),
                                            ("table for two", 2), ("voor dinsdag", None)])
def test_party_size(said, size):
    assert parse_party_size(said) == size
