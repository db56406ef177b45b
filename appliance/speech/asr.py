"""Speech recognition behind one small interface, with the backend chosen by name.

- "faster-whisper": Whisper in CTranslate2 format (dev default: models/store/whisper-base).
- "sherpa-onnx": ONNX exports run by sherpa-onnx (production models); see `appliance.speech.asr_sherpa`
  for the files a model directory must hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args

import numpy as np

from appliance.speech.audio import as_mono_float32

SAMPLE_RATE = 16000
AsrBackend = Literal["faster-whisper", "sherpa-onnx"]


@dataclass(frozen=True)
class Transcript:
    """What the recognizer heard in one utterance.

    `no_speech_prob` and `avg_logprob` are Whisper's own confidence figures (for backends without them:
    0.0 and 0.0). `duration_s` is the audio's length, `elapsed_s` the wall time recognition took.
    `language_probs` holds the detected languages' probabilities when no language was given.
    """

    text: str
    language: str
    no_speech_prob: float
    avg_logprob: float
    duration_s: float
    elapsed_s: float
    language_probs: tuple[tuple[str, float], ...] = ()


class Transcriber(Protocol):
    """Recognizes one finished utterance of 16 kHz audio. Calls are serialized; safe from any thread."""

    def transcribe(
        self,
        samples16k: np.ndarray,
        language: str | None = "nl",
        prompt: str | None = None,
        *,
        choose_language: Callable[[dict[str, float]], str] | None = None,
        prompts: Mapping[str, str] | None = None,
    ) -> Transcript: ...


class AsrModelError(ValueError):
    """A model directory is missing files or holds a model this backend cannot run."""


def check_audio(samples16k: np.ndarray) -> np.ndarray:
    """Validates an utterance; returns it as contiguous float32."""
    return as_mono_float32(samples16k, what="samples16k")


def empty_transcript(language: str | None, duration_s: float, elapsed_s: float = 0.0) -> Transcript:
    """The result when nothing was heard (audio too short, or the model decoded no text)."""
    return Transcript("", language or "", 1.0, 0.0, duration_s, elapsed_s)


def create_transcriber(backend: AsrBackend, model_dir: Path, threads: int = 2) -> Transcriber:
    """Loads a model (and warms it up, so the first caller does not pay for it)."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise AsrModelError(f"ASR model directory not found: {model_dir}")
    if backend == "faster-whisper":
        from appliance.speech.asr_faster_whisper import FasterWhisperTranscriber

        return FasterWhisperTranscriber(model_dir, threads)
    if backend == "sherpa-onnx":
        from appliance.speech.asr_sherpa import SherpaTranscriber

        return SherpaTranscriber(model_dir, threads)
    raise ValueError(f"unknown ASR backend {backend!r}; choose one of {list(get_args(AsrBackend))}")
