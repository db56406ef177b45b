"""Validation of audio arrays handed to the speech backends."""

from __future__ import annotations

import numpy as np


def as_mono_float32(samples: np.ndarray, *, what: str = "samples") -> np.ndarray:
    """Returns `samples` as a contiguous 1-D float32 array, or raises ValueError saying what is wrong.

    Integer PCM is refused rather than scaled: a silent int16→float mix-up would feed the models audio
    32768 times too loud.
    """
    array = np.asarray(samples)
    if array.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of mono samples, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{what} must be float samples in [-1, 1], got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{what} contain NaN or infinite values")
    return array


def check_sample_rate(rate: int, *, what: str = "sample rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, int | np.integer) or rate <= 0:
        raise ValueError(f"{what} must be a positive integer number of Hz, got {rate!r}")
    return int(rate)


def trim_and_pad(samples: np.ndarray, rate: int = 16000, pad_seconds: float = 0.25,
                 level: float = 10 ** (-45 / 20), margin_seconds: float = 0.05) -> np.ndarray:
    """The utterance with its leading and trailing quiet replaced by exactly `pad_seconds` of silence.

    Whisper's output shifts with the amount of silence around the words; where the VAD happened to cut varies by
    a window from call to call, so a fixed frame makes recognition repeatable (and slightly more accurate)."""
    loud = np.flatnonzero(np.abs(samples) > level)
    if not loud.size:
        return samples
    margin = int(margin_seconds * rate)
    core = samples[max(0, loud[0] - margin): loud[-1] + margin]
    silence = np.zeros(int(pad_seconds * rate), dtype=np.float32)
    return np.concatenate([silence, core.astype(np.float32, copy=False), silence])
