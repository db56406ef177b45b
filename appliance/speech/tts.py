"""Speech synthesis behind one small interface, with the backend chosen by name.

- "espeak-ng": in-process eSpeak NG; native 22,050 Hz output; voices "nl" and "en-us" by default.
- "sherpa-onnx": Piper (VITS) voices run by sherpa-onnx; the rate is the voices' own (22,050 Hz for
  "medium" voices). See `appliance.speech.tts_piper` for the expected files.

The caller resamples to its call rate with `appliance.speech.resample.resample`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol, get_args

import numpy as np

Language = Literal["nl", "en"]
TtsBackend = Literal["espeak-ng", "sherpa-onnx"]
LANGUAGES: tuple[str, ...] = get_args(Language)


class Synthesizer(Protocol):
    """Turns reply text into mono float32 audio at `sample_rate`. Safe to call from several threads."""

    sample_rate: int
    languages: frozenset[str]

    def synthesize(self, text: str, language: Language) -> np.ndarray: ...


def check_request(text: str, language: str, languages: frozenset[str]) -> str:
    """Validates a synthesize() call; returns the text stripped (empty means: return no audio)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if language not in languages:
        raise ValueError(f"no voice for language {language!r}; this synthesizer speaks {sorted(languages)}")
    return text.strip()


def create_synthesizer(
    backend: TtsBackend,
    *,
    voices: dict[str, str] | None = None,
    model_dir: Path | None = None,
    threads: int = 2,
) -> Synthesizer:
    """Builds a synthesizer.

    espeak-ng: `voices` maps language to eSpeak voice name (default {"nl": "nl", "en": "en-us"}).
    sherpa-onnx: `model_dir` holds one or more Piper voices; `voices` may map language to a voice's file
    stem (e.g. {"en": "en_US-joe-medium"}) when the directory has several for one language.
    """
    if backend == "espeak-ng":
        from appliance.speech.tts_espeak import EspeakSynthesizer

        return EspeakSynthesizer(voices)
    if backend == "sherpa-onnx":
        if model_dir is None:
            raise ValueError("the sherpa-onnx TTS backend needs model_dir (a directory of Piper voices)")
        from appliance.speech.tts_piper import PiperSynthesizer

        return PiperSynthesizer(Path(model_dir), voices=voices, threads=threads)
    raise ValueError(f"unknown TTS backend {backend!r}; choose one of {list(get_args(TtsBackend))}")
