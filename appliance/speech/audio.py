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
