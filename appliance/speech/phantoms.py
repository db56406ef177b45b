"""Recognizes text that Whisper invents on silence, noise, tones or music instead of reporting nothing.

Whisper was trained on subtitled video, so on audio without speech it tends to write subtitle credits
("Ondertiteld door ...", "Bedankt voor het kijken", "Thank you for watching"), sound labels ("MUZIEK"),
a lone "you", short invented phrases with low confidence, or loops of one fragment. On this project's
measurements (whisper-base, int8, greedy) noise, hum, DTMF, ringback, melody, clicks and coughs all came
back with no_speech_prob >= 0.65, while spoken utterances stayed at or below 0.30.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

from appliance.speech.asr import Transcript

# Whisper's own silence rule: it thinks there was no speech, and it is unsure of what it wrote.
NO_SPEECH_PROB = 0.6
LOW_AVG_LOGPROB = -1.0
# A lone filler word is believable only when Whisper is fairly sure there was speech.
FILLER_NO_SPEECH_PROB = 0.4
FILLER_AVG_LOGPROB = -0.9
# Repetition loops: Whisper's own compression-ratio threshold, applied to longer texts.
COMPRESSION_RATIO = 2.4
COMPRESSION_MIN_CHARS = 40
MIN_REPEATS = 3
MIN_LOOP_WORDS = 6
# Nobody says more than ~25 characters per second; Whisper's inventions on a short burst can.
MAX_CHARS_PER_SECOND = 35.0
MIN_DURATION_FOR_RATE = 0.3

# Phrases that are never what a caller said; matched as whole words inside the normalized text.
INVENTED_PHRASES = (
    "bedankt voor het kijken",
    "bedankt voor het luisteren",
    "bedankt voor uw aandacht",
    "dank je wel voor het kijken",
    "dank u wel voor het kijken",
    "dank jullie wel voor het kijken",
    "bedankt om te kijken",
    "ondertiteld door",
    "ondertiteling door",
    "ondertitels ingevoegd door",
    "ondertiteling tv",
    "ondertiteling nl",
    "ondertiteling npo",
    "tekst en ondertiteling",
    "abonneer op",
    "vergeet niet te abonneren",
    "thank you for watching",
    "thanks for watching",
    "thank you for listening",
    "please subscribe",
    "like and subscribe",
    "subtitles by",
    "subtitled by",
    "captions by",
    "transcribed by",
    "translated by",
    "amara org",
    "www",
    "com",
)
# Whole-text sound labels and credits.
INVENTED_TEXTS = frozenset({
    "muziek", "music", "applaus", "applause", "gelach", "laughter", "stilte", "silence", "piep", "beep",
    "ondertiteling", "subtitles", "ondertitels",
})
# Short texts Whisper writes on silence; real callers say some of them too, so only with low confidence.
FILLERS = frozenset({
    "you", "i", "thank you", "thanks", "thank you very much", "bye", "bye bye", "oh", "so", "uh", "um", "hmm",
    "en", "ik", "zeg het", "zeg het op", "dank je", "dank je wel", "dank u", "dank u wel", "doei", "ok",
})


def normalize(text: str) -> str:
    """Lower case, accents kept, every run of non-alphanumeric characters turned into one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def is_phantom(transcript: Transcript) -> bool:
    """True if the transcript is most likely not something the caller said."""
    words = normalize(transcript.text)
    if not words:
        return True  # empty, or punctuation and symbols alone ("...", "♪", "-")
    padded = f" {words} "
    if words in INVENTED_TEXTS or any(f" {phrase} " in padded for phrase in INVENTED_PHRASES):
        return True
    if transcript.no_speech_prob > NO_SPEECH_PROB and transcript.avg_logprob < LOW_AVG_LOGPROB:
        return True
    if words in FILLERS and (
        transcript.no_speech_prob > FILLER_NO_SPEECH_PROB or transcript.avg_logprob < FILLER_AVG_LOGPROB
    ):
        return True
    return _is_loop(words.split()) or _too_fast(transcript) or _compresses_too_well(transcript.text)


def _is_loop(words: list[str]) -> bool:
    """A fragment of 1-6 words repeated back to back, covering most of a text of some length."""
    if len(words) < MIN_LOOP_WORDS:
        return False
    for size in range(1, min(6, len(words) // MIN_REPEATS) + 1):
        for start in range(len(words) - size * MIN_REPEATS + 1):
            fragment = words[start : start + size]
            repeats = 1
            while words[start + repeats * size : start + (repeats + 1) * size] == fragment:
                repeats += 1
            if repeats >= MIN_REPEATS and repeats * size * 10 >= len(words) * 6:
                return True
    return False


def _too_fast(transcript: Transcript) -> bool:
    if transcript.duration_s < MIN_DURATION_FOR_RATE:
        return False
    return len(transcript.text.strip()) / transcript.duration_s > MAX_CHARS_PER_SECOND


def _compresses_too_well(text: str) -> bool:
    data = text.strip().encode("utf-8")
    return len(data) >= COMPRESSION_MIN_CHARS and len(data) / len(zlib.compress(data)) > COMPRESSION_RATIO
