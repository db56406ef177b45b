"""Whisper through faster-whisper (CTranslate2, int8): greedy, one temperature, no built-in VAD.

Decoding choices (all for latency on a 2-core box): beam 1 and temperature 0.0 alone, so low-confidence
audio is never decoded again at higher temperatures; no conditioning on earlier text; no timestamps.
faster-whisper's own no-speech skipping is off, so every decoded segment keeps its confidence figures
for the phantom filter. The number of new tokens is capped by the audio's duration, which bounds the cost
of Whisper's repetition loops on noise.
"""

from __future__ import annotations

import threading
import time
from math import ceil
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from appliance.speech.asr import (
    SAMPLE_RATE,
    AsrModelError,
    Transcript,
    check_audio,
    empty_transcript,
)

REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
MIN_SAMPLES = SAMPLE_RATE // 10  # below 0.1 s there is no word to find
TOKENS_PER_SECOND = 12  # well above fast speech in Dutch or English (~8 tokens/s)
MIN_NEW_TOKENS = 16
MAX_NEW_TOKENS = 200  # leaves room for the longest initial prompt faster-whisper keeps (223 tokens)


class FasterWhisperTranscriber:
    backend = "faster-whisper"

    def __init__(self, model_dir: Path, threads: int = 2) -> None:
        missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
        if missing:
            raise AsrModelError(f"{model_dir} is not a CTranslate2 Whisper model: missing {', '.join(missing)}")
        try:
            self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads)
        except (RuntimeError, ValueError, OSError) as error:
            raise AsrModelError(f"cannot load Whisper model from {model_dir}: {error}") from error
        self._languages = frozenset(self._model.supported_languages)
        self._lock = threading.Lock()
        self._warm_up()

    def _warm_up(self) -> None:
        noise = np.random.default_rng(0).normal(0.0, 0.01, SAMPLE_RATE).astype(np.float32)
        self.transcribe(noise, language="en")

    def transcribe(
        self, samples16k: np.ndarray, language: str | None = "nl", prompt: str | None = None
    ) -> Transcript:
        audio = check_audio(samples16k)
        if language is not None and language not in self._languages:
            raise ValueError(f"Whisper does not know language {language!r}")
        if prompt is not None and not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str or None, got {type(prompt).__name__}")
        duration = audio.size / SAMPLE_RATE
        if audio.size < MIN_SAMPLES:
            return empty_transcript(language, duration)
        max_new_tokens = min(MAX_NEW_TOKENS, MIN_NEW_TOKENS + ceil(min(duration, 30.0) * TOKENS_PER_SECOND))
        started = time.perf_counter()
        with self._lock:
            segments, info = self._model.transcribe(
                audio,
                language=language,
                beam_size=1,
                best_of=1,
                temperature=0.0,
                vad_filter=False,
                condition_on_previous_text=False,
                without_timestamps=True,
                initial_prompt=prompt or None,
                no_speech_threshold=None,
                max_new_tokens=max_new_tokens,
            )
            segments = list(segments)
        elapsed = time.perf_counter() - started
        if not segments:
            return empty_transcript(info.language, duration, elapsed)
        tokens = [max(len(segment.tokens), 1) for segment in segments]
        return Transcript(
            text=" ".join(segment.text.strip() for segment in segments).strip(),
            language=info.language,
            no_speech_prob=float(np.average([s.no_speech_prob for s in segments], weights=tokens)),
            avg_logprob=float(np.average([s.avg_logprob for s in segments], weights=tokens)),
            duration_s=duration,
            elapsed_s=elapsed,
            language_probs=tuple((code, float(p)) for code, p in (info.all_language_probs or ())),
        )
