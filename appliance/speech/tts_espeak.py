"""eSpeak NG synthesizer: robotic but intelligible, and a few milliseconds per sentence."""

from __future__ import annotations

import numpy as np

from appliance.speech.espeak import espeak
from appliance.speech.tts import LANGUAGES, Language, check_request

DEFAULT_VOICES = {"nl": "nl", "en": "en-us"}


class EspeakSynthesizer:
    """Speaks at eSpeak NG's native rate (22,050 Hz)."""

    def __init__(self, voices: dict[str, str] | None = None) -> None:
        self._voices = dict(DEFAULT_VOICES if voices is None else voices)
        unknown = set(self._voices) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"voices has unknown languages {sorted(unknown)}; known: {list(LANGUAGES)}")
        if not self._voices:
            raise ValueError("voices is empty: give at least one language")
        self._espeak = espeak()
        for voice in self._voices.values():
            self._espeak.check_voice(voice)
        self.sample_rate: int = self._espeak.sample_rate
        self.languages = frozenset(self._voices)

    def synthesize(self, text: str, language: Language) -> np.ndarray:
        text = check_request(text, language, self.languages)
        if not text:
            return np.zeros(0, dtype=np.float32)
        return self._espeak.synthesize(text, self._voices[language])
