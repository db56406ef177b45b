"""Normalizes transcribed text for matching: lower case, no accents or punctuation, single spaces."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9@.:+\-' ]+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _NON_WORD.sub(" ", plain.replace("’", "'"))
    plain = re.sub(r"(?<!\d):|:(?!\d)", " ", plain)  # keep ":" only inside clock times like 14:30
    return _SPACES.sub(" ", plain).strip(" .-'")


def words(text: str) -> list[str]:
    return [w.strip(".-'") for w in normalize(text).split() if w.strip(".-'")]
