"""Piper (VITS) voices run by sherpa-onnx, phonemized with eSpeak NG.

`model_dir` holds one or more Piper voices, each `<name>.onnx` with `<name>.onnx.json` (as Piper releases
them, e.g. en_US-joe-medium, nl_NL-mls-medium). Each voice's language comes from its .onnx.json; `voices`
picks one per language by name when there are several. Output is at the voices' rate (22,050 Hz for
"medium" voices); voices of different rates are resampled to the highest.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import sherpa_onnx

from appliance.speech.espeak import espeak
from appliance.speech.piper_voice import PiperVoice, PiperVoiceError
from appliance.speech.resample import resample
from appliance.speech.tts import LANGUAGES, Language, check_request


def find_voices(model_dir: Path, chosen: dict[str, str] | None) -> dict[str, PiperVoice]:
    """One Piper voice per language found in `model_dir`, honouring `chosen` (language → voice name)."""
    if not model_dir.is_dir():
        raise PiperVoiceError(f"Piper voice directory not found: {model_dir}")
    found = [PiperVoice.load(path) for path in sorted(model_dir.glob("*.onnx"))]
    if not found:
        raise PiperVoiceError(f"no Piper voice (<name>.onnx + <name>.onnx.json) in {model_dir}")
    chosen = dict(chosen or {})
    unknown = set(chosen) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"voices has unknown languages {sorted(unknown)}; known: {list(LANGUAGES)}")
    by_name = {voice.name: voice for voice in found}
    selected: dict[str, PiperVoice] = {}
    for language in LANGUAGES:
        if language in chosen:
            if chosen[language] not in by_name:
                raise PiperVoiceError(f"no Piper voice {chosen[language]!r} in {model_dir}; have {sorted(by_name)}")
            selected[language] = by_name[chosen[language]]
            continue
        candidates = [voice for voice in found if voice.language == language]
        if len(candidates) > 1:
            names = [voice.name for voice in candidates]
            raise PiperVoiceError(f"several {language} voices in {model_dir} ({names}); choose one with voices=")
        if candidates:
            selected[language] = candidates[0]
    if not selected:
        raise PiperVoiceError(f"no Dutch or English Piper voice in {model_dir}")
    return selected


class PiperSynthesizer:
    def __init__(self, model_dir: Path, *, voices: dict[str, str] | None = None, threads: int = 2) -> None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a positive integer, got {threads!r}")
        self._voices = find_voices(model_dir, voices)
        self._espeak = espeak()
        for voice in self._voices.values():
            self._espeak.check_voice(voice.espeak_voice)
        self._engines = {language: _load(voice, threads) for language, voice in self._voices.items()}
        self.sample_rate: int = max(voice.sample_rate for voice in self._voices.values())
        self.languages = frozenset(self._voices)
        self._lock = threading.Lock()

    def synthesize(self, text: str, language: Language) -> np.ndarray:
        text = check_request(text, language, self.languages)
        voice = self._voices[language]
        sentences = self._espeak.phonemize(text, voice.espeak_voice) if text else []
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        config = sherpa_onnx.GenerationConfig()
        config.sid = 0
        config.speed = 1.0
        config.phoneme_codepoints = [[ord(char) for char in sentence] for sentence in sentences]
        with self._lock:
            audio = self._engines[language].generate("", config)
        samples = np.asarray(audio.samples, dtype=np.float32)
        return resample(samples, audio.sample_rate, self.sample_rate)


def _load(voice: PiperVoice, threads: int) -> sherpa_onnx.OfflineTts:
    model, tokens = voice.prepare()
    inference = voice.config.get("inference", {})
    vits = sherpa_onnx.OfflineTtsVitsModelConfig(
        model=str(model),
        tokens=str(tokens),
        noise_scale=float(inference.get("noise_scale", 0.667)),
        noise_scale_w=float(inference.get("noise_w", 0.8)),
        length_scale=float(inference.get("length_scale", 1.0)),
    )
    config = sherpa_onnx.OfflineTtsConfig(
        model=sherpa_onnx.OfflineTtsModelConfig(vits=vits, num_threads=threads, provider="cpu"),
        max_num_sentences=1,
    )
    if not config.validate():
        raise PiperVoiceError(f"sherpa-onnx refused the configuration for {voice.name}")
    return sherpa_onnx.OfflineTts(config)
