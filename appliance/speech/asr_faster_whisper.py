"""Whisper through faster-whisper (CTranslate2, int8): greedy, one temperature, no built-in VAD.

Decoding choices (all for latency on a 2-core box): beam 1 and temperature 0.0 alone, so low-confidence
audio is never decoded again at higher temperatures; no conditioning on earlier text; no timestamps.
faster-whisper's own no-speech skipping is off, so every decoded segment keeps its confidence figures
for the phantom filter. The number of new tokens is capped by the audio's duration, which bounds the cost
of Whisper's repetition loops on noise.

Short utterances (all a caller's turns but monologues) take a fast path straight on CTranslate2: the encoder
sees a window of 10-15 s instead of Whisper's fixed 30 s (whisper.cpp's "audio_ctx" trick; measured on 2 cores:
encoder 60-120 ms instead of 430-540 ms, word error rate on 8 kHz phone speech unchanged), and it runs once:
language detection and decoding share its output, so choosing the language and its prompt costs no second pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from math import ceil
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer

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
FAST_PATH_MAX_SECONDS = 25.0  # longer audio goes through faster-whisper's own 30 s segmentation
WINDOW_STEP_FRAMES = 500  # encoder windows come in 5 s steps (100 feature frames per second)
MIN_WINDOW_FRAMES = 1500
MAX_PROMPT_TOKENS = 223
LanguageChooser = Callable[[dict[str, float]], str]


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
        self,
        samples16k: np.ndarray,
        language: str | None = "nl",
        prompt: str | None = None,
        *,
        choose_language: LanguageChooser | None = None,
        prompts: Mapping[str, str] | None = None,
    ) -> Transcript:
        """With `language=None` the language is detected; `choose_language` may overrule the detection (it gets
        every language's probability) and `prompts` gives the prompt to decode with for the language chosen."""
        audio = check_audio(samples16k)
        if language is not None and language not in self._languages:
            raise ValueError(f"Whisper does not know language {language!r}")
        if prompt is not None and not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str or None, got {type(prompt).__name__}")
        duration = audio.size / SAMPLE_RATE
        if audio.size < MIN_SAMPLES:
            return empty_transcript(language, duration)
        max_new_tokens = min(MAX_NEW_TOKENS, MIN_NEW_TOKENS + ceil(min(duration, 30.0) * TOKENS_PER_SECOND))
        if duration > FAST_PATH_MAX_SECONDS:
            if language is None and choose_language is not None:
                language = self._choose_by_detection(audio, choose_language)
            if language is not None and prompts:
                prompt = prompts.get(language, prompt)
            return self._transcribe_segmented(audio, language, prompt, max_new_tokens)
        return self._transcribe_short(audio, language, prompt, max_new_tokens, choose_language, prompts or {})

    def _transcribe_short(
        self, audio: np.ndarray, language: str | None, prompt: str | None, max_new_tokens: int,
        choose_language: LanguageChooser | None, prompts: Mapping[str, str],
    ) -> Transcript:
        started = time.perf_counter()
        features = self._model.feature_extractor(audio)
        frames = features.shape[-1]
        window = min(3000, max(MIN_WINDOW_FRAMES, ceil((frames + 50) / WINDOW_STEP_FRAMES) * WINDOW_STEP_FRAMES))
        padded = np.zeros((features.shape[0], window), dtype=np.float32)
        padded[:, : min(frames, window)] = features[:, :window]
        probabilities: tuple[tuple[str, float], ...] = ()
        with self._lock:
            encoded = self._model.encode(padded)
            if language is None:
                detected = self._model.model.detect_language(encoded)[0]
                probabilities = tuple((token.strip("<|>"), float(p)) for token, p in detected)
                language = choose_language(dict(probabilities)) if choose_language else probabilities[0][0]
            tokenizer = Tokenizer(self._model.hf_tokenizer, True, task="transcribe", language=language)
            prompt_tokens = self._prompt_tokens(tokenizer, prompts.get(language, prompt))
            result = self._model.model.generate(
                encoded, [prompt_tokens], beam_size=1, max_length=len(prompt_tokens) + max_new_tokens,
                return_scores=True, return_no_speech_prob=True, suppress_blank=True, suppress_tokens=[-1],
            )[0]
        tokens = [token for token in result.sequences_ids[0] if token < tokenizer.eot]
        elapsed = time.perf_counter() - started
        duration = audio.size / SAMPLE_RATE
        text = tokenizer.decode(tokens).strip()
        if not text:
            return Transcript("", language, float(result.no_speech_prob), 0.0, duration, elapsed, probabilities)
        length = len(result.sequences_ids[0])
        return Transcript(
            text=text,
            language=language,
            no_speech_prob=float(result.no_speech_prob),
            avg_logprob=float(result.scores[0]) * length / (length + 1),
            duration_s=duration,
            elapsed_s=elapsed,
            language_probs=probabilities,
        )

    @staticmethod
    def _prompt_tokens(tokenizer: Tokenizer, prompt: str | None) -> list[int]:
        tokens: list[int] = []
        if prompt:
            tokens = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-MAX_PROMPT_TOKENS:]]
        return [*tokens, *tokenizer.sot_sequence, tokenizer.no_timestamps]

    def _choose_by_detection(self, audio: np.ndarray, choose_language: LanguageChooser) -> str:
        with self._lock:
            _, _, all_probabilities = self._model.detect_language(audio)
        return choose_language({code: float(p) for code, p in all_probabilities})

    def _transcribe_segmented(
        self, audio: np.ndarray, language: str | None, prompt: str | None, max_new_tokens: int
    ) -> Transcript:
        duration = audio.size / SAMPLE_RATE
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
