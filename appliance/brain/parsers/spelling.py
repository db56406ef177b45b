"""Letters spelled aloud, with the Dutch (and international) spelling alphabet: "A van Anton", "Bernard"."""

from __future__ import annotations

import re

from appliance.brain.text import normalize

ALPHABET_NL = {
    "anton": "a", "bernard": "b", "cornelis": "c", "dirk": "d", "eduard": "e", "ferdinand": "f",
    "gerard": "g", "hendrik": "h", "izaak": "i", "jan": "j", "johan": "j", "karel": "k", "lodewijk": "l",
    "marie": "m", "maria": "m", "nico": "n", "otto": "o", "pieter": "p", "quirinus": "q", "quinten": "q",
    "rudolf": "r", "simon": "s", "teunis": "t", "theodoor": "t", "utrecht": "u", "victor": "v", "willem": "w",
    "xantippe": "x", "ypsilon": "y", "ijmuiden": "ij", "zaandam": "z", "zacharias": "z",
}
ALPHABET_NATO = {
    "alfa": "a", "alpha": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e", "foxtrot": "f",
    "golf": "g", "hotel": "h", "india": "i", "juliet": "j", "juliett": "j", "kilo": "k", "lima": "l",
    "mike": "m", "november": "n", "oscar": "o", "papa": "p", "quebec": "q", "romeo": "r", "sierra": "s",
    "tango": "t", "uniform": "u", "victor": "v", "whiskey": "w", "xray": "x", "x-ray": "x", "yankee": "y",
    "zulu": "z",
}
_CODE_WORDS = {**ALPHABET_NATO, **ALPHABET_NL}
# How single letters sound when transcribed as words ("bee", "es").
_LETTER_NAMES = {"aa": "a", "bee": "b", "be": "b", "cee": "c", "ce": "c", "dee": "d", "de": "d", "ee": "e",
                 "ef": "f", "gee": "g", "ge": "g", "ha": "h", "ie": "i", "jee": "j", "ka": "k", "el": "l",
                 "em": "m", "en": "n", "oo": "o", "pee": "p", "pe": "p", "ku": "q", "er": "r", "es": "s",
                 "tee": "t", "te": "t", "uu": "u", "vee": "v", "ve": "v", "wee": "w", "we": "w", "iks": "x",
                 "zet": "z", "zed": "z", "ij": "ij", "y": "y"}
_SPACE_WORDS = {"spatie", "space"}
_HYPHEN_WORDS = {"streepje", "koppelteken", "hyphen", "dash"}
_IGNORED = {"hoofdletter", "kleine", "letter", "capital", "met", "een", "en", "and", "dan", "then"}
_CONNECTORS = {"van", "voor", "as", "in", "like", "zoals", "of"}


def spelled_letters(text: str, *, loose: bool = False) -> str | None:
    """The letters spelled in the utterance ("J van Jan, A, N" -> "jan"), or None if nothing is spelled.

    Spaces and hyphens may be spelled ("spatie", "streepje"). With `loose`, letter names like "bee" count.
    Two code words alone ("Jan Pieter") are a name, not spelling.
    """
    tokens = [t for raw in re.split(r"[\s,;]+", normalize(text)) for t in _split_dashed(raw)]
    letters: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if len(token) == 1 and token.isalpha():
            letters.append(token)
            i = _skip_code_word(tokens, i + 1, token)
            continue
        if token in _CODE_WORDS:
            letters.append(_CODE_WORDS[token])
        elif token in _SPACE_WORDS:
            letters.append(" ")
        elif token in _HYPHEN_WORDS:
            letters.append("-")
        elif loose and token in _LETTER_NAMES:
            letters.append(_LETTER_NAMES[token])
        elif token not in _IGNORED and token not in _CONNECTORS:
            break
        i += 1
    spelled = "".join(letters).strip()
    single_letters = sum(len(t) == 1 and t.isalpha() for t in tokens)
    if sum(c.isalpha() for c in spelled) < 2 or (not single_letters and len(spelled) < 3):
        return None
    return spelled


def _split_dashed(token: str) -> list[str]:
    """ "p-i-e-t" -> ["p", "i", "e", "t"]; other tokens stay whole."""
    return token.split("-") if re.fullmatch(r"([a-z]-)+[a-z]", token) else [token]


def _skip_code_word(tokens: list[str], i: int, letter: str) -> int:
    """After "A", skips "van Anton" / "as in alpha" when the code word confirms the letter."""
    j = i
    while j < len(tokens) and tokens[j] in _CONNECTORS:
        j += 1
    if j > i and j < len(tokens) and _CODE_WORDS.get(tokens[j], "")[:1] == letter:
        return j + 1
    return i
