"""Scripted callers: what a caller says and when, and what they heard back, on one time axis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.testpeers.audio import compose, read_wav, speech_onsets, synthesize_utterance, wav_seconds
from appliance.testpeers.baresip import CallResult

GREETING_WAIT_SECONDS = 8.0   # the greeting (AI disclosure included) lasts about 6 s


@dataclass(frozen=True)
class Line:
    """One thing the caller says, `at` seconds after the call's media starts."""

    text: str
    language: str = "en-us"
    at: float = GREETING_WAIT_SECONDS


Spans = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Script:
    wav: Path
    spoken: Spans    # (start, end) seconds of each line in the caller's audio
    seconds: float


def prepare_script(lines: list[Line], workdir: Path, seconds: float, name: str = "script") -> Script:
    """Speaks each line with espeak-ng at 8 kHz and places it at its time in one WAV."""
    parts, spoken = _speak(lines, workdir, name)
    return Script(compose(parts, seconds, workdir / f"{name}.wav"), spoken, seconds)


def prepare_script_then_wait(lines: list[Line], workdir: Path, wait_seconds: float,
                             name: str = "script") -> Script:
    """Like prepare_script, but the call lasts at least `wait_seconds` after the last line is spoken (rounded up
    to whole seconds, as baresip plays its WAV in one-second blocks)."""
    parts, spoken = _speak(lines, workdir, name)
    seconds = math.ceil(max([spoken[-1][1] + wait_seconds if spoken else wait_seconds]
                            + [at + wav_seconds(wav) for at, wav in parts]))
    return Script(compose(parts, seconds, workdir / f"{name}.wav"), spoken, seconds)


def _speak(lines: list[Line], workdir: Path, name: str) -> tuple[list[tuple[float, Path]], Spans]:
    """Each line's WAV with its offset, and the (start, end) of its speech on the script's time line."""
    workdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for index, line in enumerate(lines):
        wav = synthesize_utterance(line.text, line.language, workdir / f"{name}-{index}.wav")
        parts.append((line.at, wav))
    spoken = []
    for at, wav in parts:
        samples, rate = read_wav(wav)
        segments = speech_onsets(samples, rate)
        spoken.append((at + segments[0][0], at + segments[-1][1]) if segments else (at, at + wav_seconds(wav)))
    return parts, tuple(spoken)


def received_audio(result: CallResult) -> tuple[np.ndarray, int]:
    if result.received is None:
        raise AssertionError(f"the caller recorded nothing (status {result.sip_status}):\n{result.log[-2000:]}")
    return read_wav(result.received)


def sounds_heard(result: CallResult) -> list[tuple[float, float]]:
    """(start, end) of every stretch of sound the caller heard."""
    samples, rate = received_audio(result)
    return speech_onsets(samples, rate)


def first_sound_after(result: CallResult, moment: float) -> tuple[float, float] | None:
    """The first stretch of sound the caller heard that starts after `moment` seconds."""
    return next(((start, end) for start, end in sounds_heard(result) if start > moment), None)


def clip(result: CallResult, start: float, end: float) -> np.ndarray:
    samples, rate = received_audio(result)
    return samples[int(start * rate):int(end * rate)]
