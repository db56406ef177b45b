"""Postcodes, street addresses and e-mail addresses, written or spoken."""

from __future__ import annotations

import re

from appliance.brain.parsers.numbers import digits_of
from appliance.brain.parsers.spelling import _CODE_WORDS
from appliance.brain.text import normalize

_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([a-z])\s?([a-z])\b")
_NOT_POSTCODE_LETTERS = {"sa", "sd", "ss"}
# Two-letter words that follow a number in ordinary speech ("in 2026 de ...", "om 1430 na").
_COMMON_WORDS = {"de", "en", "op", "in", "te", "om", "na", "is", "al", "nu", "ik", "je", "ze", "er", "ja", "at",
                 "on", "to", "of", "or", "an", "as", "be", "by", "do", "go", "he", "if", "it", "me", "my", "no",
                 "so", "up", "us", "we"}
_STREET_SUFFIX = (r"straat|weg|laan|plein|gracht|kade|dijk|singel|hof|park|steeg|pad|dreef|markt|plantsoen|"
                  r"wal|haven|baan|erf|veld|ring|boulevard|burg|laantje")
_STREET = re.compile(rf"\b((?:[a-z][a-z'\-]*\s){{0,2}}[a-z'\-]*(?:{_STREET_SUFFIX}))\s+(\d{{1,5}})\s?([a-z]\b)?")


_LETTER_WITH_CODE = re.compile(r"\b([a-z]) (?:van|voor|as in|zoals) ([a-z]+)\b")


def _without_code_words(text: str) -> str:
    """ "a van anton b" -> "a b": a code word that confirms the letter before it is dropped."""
    def keep_letter(match: re.Match) -> str:
        letter, word = match.groups()
        return letter if _CODE_WORDS.get(word, "")[:1] == letter else match.group(0)

    return _LETTER_WITH_CODE.sub(keep_letter, normalize(text))


def _spoken_digits(text: str) -> str:
    """Rewrites number words as digits ("drieduizend vijfhonderd elf" -> "3000 500 11") for pattern matching."""
    out = []
    for token in _without_code_words(text).split():
        digits = digits_of(token)
        out.append(digits if digits is not None and not token.isdigit() else _CODE_WORDS.get(token, token))
    return " ".join(out)


def parse_postcode(text: str) -> str | None:
    """A Dutch postcode, "3511 AB", also from "35 11 A van Anton B" or "drieduizend vijfhonderdelf AB"."""
    for candidate in (_without_code_words(text), _spoken_digits(text)):
        merged = _merge_digit_groups(candidate)
        for match in _POSTCODE.finditer(merged):
            letters = (match.group(2) + match.group(3))
            said_as_word = letters in match.group(0)  # "de", not "d e"
            if letters in _COMMON_WORDS and said_as_word and "postcode" not in candidate:
                continue
            if letters not in _NOT_POSTCODE_LETTERS:
                return f"{match.group(1)} {letters.upper()}"
    return None


def _merge_digit_groups(text: str) -> str:
    """Joins spoken groups that add up to four digits: "35 11" -> "3511", "3000 500 11" -> "3511"."""
    tokens = text.replace(" van ", " ").split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].isdigit():
            group = [tokens[i]]
            while i + len(group) < len(tokens) and tokens[i + len(group)].isdigit():
                group.append(tokens[i + len(group)])
            out.append(_combine(group))
            i += len(group)
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)


def _combine(group: list[str]) -> str:
    joined = "".join(group)
    if len(joined) == 4:
        return joined
    total = sum(int(g) for g in group)
    if 1000 <= total <= 9999 and all(int(g) >= 10 ** (len(g) - 1) for g in group) and int(group[0]) >= 1000:
        return str(total)
    return " ".join(group)


def parse_street_address(text: str) -> str | None:
    """ "Kerkstraat 12a" from "ik woon op de kerkstraat 12 a in Utrecht"."""
    match = _STREET.search(_spoken_digits(text))
    if not match:
        return None
    words = [w for w in match.group(1).split() if w not in {"op", "de", "het", "aan", "in", "is", "adres", "woon"}]
    if not words:
        return None
    street = " ".join(words)
    number = match.group(2) + (match.group(3) or "")
    return f"{street[:1].upper()}{street[1:]} {number}"


_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}")
_SPOKEN_SYMBOLS = (
    (r"\s*\b(apenstaartje|at|at sign|apestaart)\b\s*", "@"),
    (r"\s*\b(punt|dot)\b\s*", "."),
    (r"\s*\b(laag streepje|underscore)\b\s*", "_"),
    (r"\s*\b(streepje|koppelteken|dash|hyphen|min)\b\s*", "-"),
)


def parse_email(text: str) -> str | None:
    """ "jan punt de vries apenstaartje gmail punt com" -> "jan.devries@gmail.com"."""
    lowered = normalize(text)
    match = _EMAIL.search(lowered.replace(" ", "")) if "@" in lowered else None
    if match and " " not in lowered.split("@")[0][-3:]:
        direct = _EMAIL.search(lowered)
        if direct:
            return direct.group(0)
    spoken = lowered
    for pattern, symbol in _SPOKEN_SYMBOLS:
        spoken = re.sub(pattern, symbol, spoken)
    if "@" not in spoken:
        return None
    local, _, domain = spoken.partition("@")
    local_words = local.split()
    for lead in ("is", "mailadres", "e-mailadres", "email", "e-mail", "adres"):
        if lead in local_words:
            local_words = local_words[len(local_words) - local_words[::-1].index(lead):]
    domain_words = domain.split()
    candidate = "".join(local_words) + "@" + (domain_words[0] if domain_words else "")
    match = _EMAIL.fullmatch(candidate)
    return match.group(0) if match else None
