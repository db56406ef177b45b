"""The caller's name: "met Jan de Vries", "mijn naam is ...", "this is ...", or spelled letter by letter."""

from __future__ import annotations

import re

from appliance.brain.parsers.spelling import spelled_letters
from appliance.brain.text import normalize

_INTRODUCTIONS = re.compile(
    r"(?:^|\b)(?:mijn naam is|mijn achternaam is|mijn voornaam is|ik heet|u spreekt met|je spreekt met|"
    r"spreekt u met|my name is|my name's|this is|it'?s|de naam is|op naam van|in the name of|the name is|"
    r"naam|name|ik ben|i am|i'?m|^met|^hallo met|^goedemorgen met|^goedemiddag met|^goedenavond met|"
    r"^hoi met|^ja met)\s+(.+)$")
_PARTICLES = {"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "t", "'t", "op", "la", "le", "du", "da",
              "di", "von", "el", "al", "bin"}
_STOP = {"en", "ik", "uit", "ben", "wil", "wilde", "bel", "graag", "hier", "and", "i", "from", "calling",
         "bellen", "over", "voor", "want", "would", "with", "about", "maar", "but", "ja", "nee", "yes", "no",
         "kunt", "kan", "heb", "have", "had", "is", "was", "die", "dat", "mijn", "my", "bedankt", "thanks",
         "u", "you", "the", "een", "a", "nummer", "number", "telefoonnummer", "uw", "jullie", "hallo", "hoi",
         "goedemorgen", "goedemiddag", "goedenavond"}
# Words that show "ik ben ..." / "I am ..." is not followed by a name.
_NOT_NAMES = {"klant", "patient", "client", "customer", "huurder", "eigenaar", "benieuwd", "bang", "ziek",
              "bezig", "thuis", "calling", "looking", "interested", "afraid", "sorry", "blij", "gebeld", "gewoon",
              "degene", "bellen", "benaderd", "verhuisd", "geinteresseerd", "vakantie", "urgent", "dringend",
              "new", "nieuw", "nieuwe", "going", "trying", "not", "just", "still", "here", "also", "ook"}
_NOT_FIRST = {"op", "in", "a", "an", "the", "niet", "wel", "al", "net", "er", "nog", "zo", "hier", "een", "z'n", "zn",
              "zijn", "ons", "onze", "mijn", "m'n", "je"}
_HONORIFICS = {"meneer", "mevrouw", "mr", "mrs", "ms", "miss", "dokter", "dr"}
_MAX_NAME_WORDS = 5


def title_case(name: str) -> str:
    """ "jan van der berg" -> "Jan van der Berg"; a leading particle is capitalised ("De Vries")."""
    words = name.split()
    out = []
    for i, word in enumerate(words):
        if (word in _PARTICLES and 0 < i < len(words) - 1) or word in _HONORIFICS:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def _name_words(rest: str) -> list[str]:
    words = []
    for word in rest.split():
        if word in _STOP or any(c.isdigit() for c in word) or "@" in word:
            break
        words.append(word)
        if len(words) == _MAX_NAME_WORDS:
            break
    while words and words[-1] in _PARTICLES:
        words.pop()
    return words


def parse_name(text: str, *, answer_to_question: bool = False) -> str | None:
    """The caller's name; with `answer_to_question` a bare "Jan de Vries" counts too."""
    spelled = spelled_letters(text)
    if spelled and len(spelled) >= 2:
        return title_case(spelled)
    normalized = normalize(text.replace(",", " , ").replace(".", " . "))
    for clause in re.split(r" [,.] | [,.]$", normalized):
        match = _INTRODUCTIONS.search(clause.strip())
        if match:
            words = _name_words(match.group(1))
            if _looks_like_name(words):
                return title_case(" ".join(words))
    if answer_to_question:
        words = _name_words(normalized.strip(" ,."))
        if len(words) <= 4 and len(words) == len(normalized.strip(" ,.").split()) and _looks_like_name(words):
            return title_case(" ".join(words))
    return None


def _looks_like_name(words: list[str]) -> bool:
    if not words or words[0] in _NOT_FIRST or any(w in _NOT_NAMES for w in words):
        return False
    return any(w not in _PARTICLES and w not in _HONORIFICS for w in words)
