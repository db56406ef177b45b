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


# Hesitation sounds a transcript carries that say nothing about what the caller wants.
_FILLERS = re.compile(r"\b(e+h+|e+u+h+|e+h+m+|u+h+m*|u+m+|h+m+|mm+)\b")
# A word or two said twice in a row ("lekt eh lekt", "kan ik kan ik"), once the fillers are gone.
_REPEATS = re.compile(r"\b(\w+(?: \w+)?)(?: \1\b)+")


def clean_speech(text: str) -> str:
    """Normalized text without fillers and stutters, for matching what the caller means."""
    plain = _FILLERS.sub(" ", normalize(text))
    return _REPEATS.sub(r"\1", _SPACES.sub(" ", plain).strip())
