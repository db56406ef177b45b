"""Money amounts ("budget van vijftienduizend euro", "2,5 ton", "€ 300.000") and party sizes ("met z'n vieren")."""

from __future__ import annotations

import re

from appliance.brain.parsers.numbers import word_value
from appliance.brain.text import normalize

_MULTIPLIERS = {"ton": 100_000, "duizend": 1_000, "k": 1_000, "thousand": 1_000, "miljoen": 1_000_000,
                "million": 1_000_000, "mille": 1_000}
_NUMBER = r"(\d+(?:[.,]\d+)*|[a-z]+)"
_AMOUNT = re.compile(rf"(euro\s*|eur\s*)?{_NUMBER}\s*(ton|duizend|k|thousand|miljoen|million|mille)?\s*(euro|eur|€)?")
_MONEY_CONTEXT = re.compile(r"budget|euro|€|\bton\b|kost|betalen|uitgeven|spend|price|prijs|bedrag|ongeveer|"
                            r"maximaal|max|rond de|around|vraagprijs|waarde|miljoen|million|duizend|thousand|\d+k\b")


def _number(token: str) -> float | None:
    if re.fullmatch(r"\d+(?:[.,]\d+)*", token):
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", token):  # 300.000 (Dutch thousands separator)
            return float(token.replace(".", ""))
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):  # 300,000 (English thousands separator)
            return float(token.replace(",", ""))
        return float(token.replace(",", "."))
    if token == "half":
        return 0.5
    value = word_value(token)
    return None if value is None else float(value)


def parse_amount(text: str) -> float | None:
    """The largest money amount mentioned with a money word nearby, in euros; None if there is none."""
    raw = re.sub(r"(\d),(\d)", r"\1.\2", text.lower()).replace("€", " € ")
    if not _MONEY_CONTEXT.search(raw):
        return None
    t = normalize(raw.replace("€", " euro ")).replace("een half", "half").replace("anderhalf", "1,5")
    amounts = []
    for match in _AMOUNT.finditer(t):
        prefix, number, multiplier, currency = match.groups()
        value = _number(number)
        if value is None or not (prefix or multiplier or currency):
            continue
        amounts.append(value * _MULTIPLIERS.get(multiplier or "", 1))
    return max(amounts) if amounts else None


_PARTY = re.compile(r"met (?:z'?n|zijn|ons) (\w+)|(?:voor|met|for|of|table for) (\w+) (?:personen|persoon|mensen|"
                    r"man|people|persons|guests|gasten)|(?:tafel|table) (?:voor|for) (\w+)")
_PARTY_WORDS = {"tweeen": 2, "drieen": 3, "vieren": 4, "vijven": 5, "zessen": 6, "zevenen": 7, "achten": 8,
                "negenen": 9, "tienen": 10, "twee": 2, "twaalven": 12}


def parse_party_size(text: str) -> int | None:
    """ "met z'n vieren" -> 4, "voor 6 personen" -> 6, "table for two" -> 2."""
    t = normalize(text)
    match = _PARTY.search(t)
    if not match:
        return None
    word = next(g for g in match.groups() if g)
    value = _PARTY_WORDS.get(word) or word_value(word)
    return value if value and 1 <= value <= 500 else None
