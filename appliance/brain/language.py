"""Tells Dutch from English in one utterance, by the short function words each language cannot do without."""

from __future__ import annotations

import re

_DUTCH_TEXT = """
ik je u jij wij ze het de een en zijn ben bent was waren niet geen wel wat wie waar wanneer hoe hoeveel
waarom kan kun kunt kunnen mag moet wil wilt graag met van voor naar op om bij uit dat die dit deze er ook
nog maar dan als of mijn uw jullie hallo hoi goedemorgen goedemiddag goedenavond dag dank bedankt doei ja nee
alstublieft alsjeblieft morgen naam heet spreek
vandaag afspraak open gesloten hebben heeft heb tot zou zouden even meneer mevrouw ons onze hij zij mij niks niets
iets toch omdat want hoor nu zo al nou m'n z'n d'r helemaal eigenlijk
"""
_ENGLISH_TEXT = """
i you he she they it the a an and are am was were not no yes what who where when how why can could
would will want like please with of for to at from that this these there also still but then if or my your
hello hi good morning afternoon evening thanks thank bye goodbye today tomorrow appointment have has do does
speak english opening hours name need call our that's it's there's i'm i've everything cheers off near keeps
going got just because about really
"""
_DUTCH = frozenset(_DUTCH_TEXT.split())
_ENGLISH = frozenset(_ENGLISH_TEXT.split())
_WORD = re.compile(r"[a-zà-ÿ']+")


def detect_language(text: str) -> str | None:
    """ "nl", "en", or None when the utterance gives too little evidence either way."""
    words = _WORD.findall(text.lower())
    nl = sum(w in _DUTCH for w in words)
    en = sum(w in _ENGLISH for w in words)
    if "english" in words or "engels" in words:
        return "en"
    if nl == en:
        return None
    if max(nl, en) < 2 and len(words) > 2:
        return None
    return "nl" if nl > en else "en"
