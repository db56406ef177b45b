"""The models every call shares, loaded once at start: recognizer, synthesizer, VAD model, understanding."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from appliance.brain.engine import Conversation
from appliance.brain.hints import asr_prompt, english_asr_prompt
from appliance.config import AppConfig, SpeechSettings
from appliance.models.manifest import Manifest, load_manifest
from appliance.models.store import model_path
from appliance.profile import BusinessProfile, load_profile
from appliance.speech.asr import Transcriber, Transcript, create_transcriber
from appliance.speech.audio import trim_and_pad
from appliance.speech.resample import resample
from appliance.speech.tts import Synthesizer, create_synthesizer
from appliance.speech.vad import SpeechDetector

if TYPE_CHECKING:
    from appliance.brain.understanding import Understander

log = logging.getLogger(__name__)
CALL_RATE = 16000
SPEECH_CACHE_SIZE = 128
ENGLISH_BIAS_IN_DUTCH = 1.5     # P(en) must exceed P(nl) this much to switch a Dutch conversation to English
ENGLISH_BIAS_IN_ENGLISH = 0.67


def choose_language(probabilities: dict[str, float], current: str | None) -> str:
    """Dutch or English, whichever Whisper finds likelier, leaning to the conversation's language so far
    (Dutch at the start). Other languages are ignored: phone audio often scores as Chinese or Welsh."""
    english, dutch = probabilities.get("en", 0.0), probabilities.get("nl", 0.0)
    bias = ENGLISH_BIAS_IN_ENGLISH if current == "en" else ENGLISH_BIAS_IN_DUTCH
    return "en" if english > 0 and english >= bias * dutch else "nl"


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def from_pcm16(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


@dataclass
class SpeechStack:
    profile: BusinessProfile
    transcriber: Transcriber
    synthesizer: Synthesizer
    vad_model: Path
    understander: Understander | None
    language_mode: str = "auto"
    load_seconds: float = 0.0
    _prompts: dict[str, str] = field(default_factory=dict)
    _cache: OrderedDict[tuple[str, str], bytes] = field(default_factory=OrderedDict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._prompts = {"nl": asr_prompt(self.profile), "en": english_asr_prompt(self.profile)}

    def new_detector(self) -> SpeechDetector:
        return SpeechDetector(self.vad_model, sample_rate=CALL_RATE)

    def new_conversation(self, caller_id: str | None, now: datetime | None = None) -> Conversation:
        return Conversation(self.profile, self.understander, now=now or datetime.now().astimezone(),
                            caller_id=caller_id)

    def transcribe(self, audio: np.ndarray, language: str | None) -> Transcript:
        """`language`: the conversation's language so far. In "auto" mode the recognizer detects the language,
        leaning to Dutch, and decodes with the business's words phrased in that language (a Dutch prompt makes
        Whisper mangle English)."""
        audio = trim_and_pad(audio, CALL_RATE)
        if self.language_mode != "auto":
            return self.transcriber.transcribe(audio, language=self.language_mode,
                                               prompt=self._prompts[self.language_mode])
        result = self.transcriber.transcribe(
            audio, language=None, prompt=self._prompts[language or "nl"],
            choose_language=lambda probabilities: choose_language(probabilities, language), prompts=self._prompts)
        probabilities = dict(result.language_probs)
        log.info("language: en %.2f, nl %.2f -> %s", probabilities.get("en", 0.0), probabilities.get("nl", 0.0),
                 result.language)
        return result

    def speak(self, text: str, language: str) -> bytes:
        """PCM16 at the call rate; repeated phrases (greetings, prompts) come from a cache."""
        key = (text, language)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        samples = self.synthesizer.synthesize(text, language)
        pcm = to_pcm16(resample(samples, self.synthesizer.sample_rate, CALL_RATE))
        with self._cache_lock:
            self._cache[key] = pcm
            while len(self._cache) > SPEECH_CACHE_SIZE:
                self._cache.popitem(last=False)
        return pcm


def create_configured_synthesizer(speech: SpeechSettings, manifest: Manifest) -> Synthesizer:
    if speech.tts_backend == "sherpa-onnx":
        return create_synthesizer("sherpa-onnx", model_dir=model_path(manifest, speech.tts_model),
                                  threads=speech.threads)
    return create_synthesizer("espeak-ng", voices={"nl": speech.tts_voice_nl, "en": speech.tts_voice_en})


def load_stack(config: AppConfig, manifest: Manifest | None = None, use_llm: bool = True) -> SpeechStack:
    """Loads every model (raises ModelMissingError with the fix when one is absent)."""
    started = time.monotonic()
    manifest = manifest or load_manifest()
    speech = config.speech
    profile = load_profile(config.profile)
    transcriber = create_transcriber(speech.asr_backend, model_path(manifest, speech.asr_model),
                                     threads=speech.threads)
    synthesizer = create_configured_synthesizer(speech, manifest)
    vad_model = model_path(manifest, speech.vad_model, "silero_vad.onnx")
    understander = None
    if use_llm:
        from appliance.brain.understanding import load_understander

        llm = manifest.get(speech.llm_model)
        understander = load_understander(model_path(manifest, llm.name, llm.files[0].path), threads=speech.threads)
    stack = SpeechStack(profile, transcriber, synthesizer, vad_model, understander, speech.asr_language)
    stack.load_seconds = time.monotonic() - started
    log.info("models loaded in %.1f s", stack.load_seconds)
    return stack
