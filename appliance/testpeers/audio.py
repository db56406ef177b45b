"""Test audio: speak text with espeak-ng, lay utterances out on a time line, read WAVs, compare and segment them.

Everything here works on mono 16-bit PCM WAV files, the format baresip plays (aufile) and records (sndfile).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PHONE_RATE = 8000
FRAME_SECONDS = 0.02
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


class AudioError(ValueError):
    """A WAV file or an audio request that the test harness cannot use; the message says why."""


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Returns (samples as float32 in [-1, 1), sample rate). Stereo files are mixed down to mono."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file") from None
    except (wave.Error, EOFError) as error:
        raise AudioError(f"{path}: not a PCM WAV file ({error})") from None
    if width != 2:
        raise AudioError(f"{path}: {8 * width}-bit samples; only 16-bit PCM is supported")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(axis=1)
    return samples, rate


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Writes float samples in [-1, 1] (clipped) as a mono 16-bit PCM WAV."""
    pcm = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return path


def wav_seconds(path: Path) -> float:
    samples, rate = read_wav(path)
    return len(samples) / rate


def synthesize_utterance(text: str, lang: str, path: Path, rate: int = PHONE_RATE) -> Path:
    """Speaks `text` with the espeak-ng voice `lang` ("nl", "en", "en-us") into a mono 16-bit WAV at `rate`."""
    if not text.strip():
        raise AudioError("nothing to say: the text is empty")
    if not _LANGUAGE.match(lang):
        raise AudioError(f"{lang!r} is not an espeak-ng voice name such as 'nl' or 'en-us'")
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise AudioError(f"{tool} is not installed (apt-get install {tool})")
    with tempfile.TemporaryDirectory(prefix="balie-tts-") as tmp:
        spoken = Path(tmp) / "espeak.wav"
        _run(["espeak-ng", "-v", lang, "--stdin", "-w", str(spoken)], stdin=text)
        _run(["sox", "-D", str(spoken), "-r", str(rate), "-c", "1", "-b", "16", str(path)])
    return path


def _run(argv: list[str], stdin: str | None = None) -> None:
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise AudioError(f"{argv[0]} failed (exit {done.returncode}): {done.stderr.strip()}")


def compose(parts: Sequence[tuple[float, Path]], total_seconds: float, path: Path) -> Path:
    """Places each WAV at its offset (seconds) in silence lasting `total_seconds`, and writes the result.

    All parts must share one sample rate (8 kHz when there are none) and must not overlap or run past the end.
    """
    if total_seconds <= 0:
        raise AudioError(f"total_seconds must be positive, not {total_seconds}")
    loaded = [(offset, wav, *read_wav(wav)) for offset, wav in sorted(parts, key=lambda part: part[0])]
    rates = {rate for _, _, _, rate in loaded}
    if len(rates) > 1:
        raise AudioError(f"parts have different sample rates {sorted(rates)}; resample them first")
    rate = rates.pop() if rates else PHONE_RATE
    timeline = np.zeros(round(total_seconds * rate), dtype=np.float32)
    taken_until, previous = 0, None
    for offset, wav, samples, _ in loaded:
        start = round(offset * rate)
        if offset < 0:
            raise AudioError(f"{wav}: negative offset {offset}")
        if start < taken_until:
            raise AudioError(f"{wav} at {offset:.2f} s overlaps {previous}")
        if start + len(samples) > len(timeline):
            raise AudioError(f"{wav} at {offset:.2f} s runs past the end ({total_seconds:.2f} s)")
        timeline[start : start + len(samples)] = samples
        taken_until, previous = start + len(samples), wav
    return write_wav(path, timeline, rate)


def pad_with_silence(wav: Path, total_seconds: float, path: Path) -> Path:
    """Copies `wav` to `path` followed by silence up to `total_seconds` (baresip hangs up when its file ends)."""
    return compose([(0.0, wav)], total_seconds, path)


def frame_rms(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS of each consecutive 20 ms frame (a trailing partial frame is dropped)."""
    size = max(1, round(rate * FRAME_SECONDS))
    frames = np.asarray(samples, dtype=np.float64)[: len(samples) // size * size].reshape(-1, size)
    return np.sqrt(np.mean(frames**2, axis=1))


def frame_levels(samples: np.ndarray, rate: int) -> np.ndarray:
    """Level of each 20 ms frame in dB relative to full scale (digital silence reads -120 dBFS)."""
    return 20.0 * np.log10(np.maximum(frame_rms(samples, rate), 1e-6))


def speech_onsets(
    samples: np.ndarray,
    rate: int,
    threshold: float = -40.0,
    min_gap: float = 0.3,
    min_duration: float = 0.06,
) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of sound louder than `threshold` dBFS.

    Frames are 20 ms. Stretches separated by less than `min_gap` seconds are joined (pauses between words);
    stretches shorter than `min_duration` are dropped (clicks). The threshold sits well above G.711 comfort
    noise and line hiss (below -55 dBFS) and well below speech (-30 to -10 dBFS).
    """
    loud = frame_levels(samples, rate) > threshold
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    segments: list[list[float]] = []
    for start, end in zip(edges[::2] * FRAME_SECONDS, edges[1::2] * FRAME_SECONDS, strict=True):
        if segments and start - segments[-1][1] < min_gap:
            segments[-1][1] = end
        else:
            segments.append([start, end])
    return [(round(float(start), 3), round(float(end), 3)) for start, end in segments if end - start >= min_duration]


@dataclass(frozen=True)
class EnvelopeMatch:
    correlation: float
    """Pearson correlation of the two loudness envelopes at the best lag, -1..1."""
    lag_seconds: float
    """How much later the content appears in `b` than in `a`."""


def envelope_match(a: np.ndarray, b: np.ndarray, rate: int, max_lag_seconds: float = 1.0) -> EnvelopeMatch:
    """Finds the lag (within ±max_lag_seconds, 20 ms steps) at which the loudness envelopes of a and b agree best.

    Envelopes (frame RMS) ignore phase and codec detail, so a G.711 round trip of the same speech still scores
    0.9-1.0 while different speech scores far lower.
    """
    env_a, env_b = frame_rms(a, rate), frame_rms(b, rate)
    max_lag = round(max_lag_seconds / FRAME_SECONDS)
    best = EnvelopeMatch(correlation=-1.0, lag_seconds=0.0)
    for lag in range(-max_lag, max_lag + 1):
        x, y = (env_a, env_b[lag:]) if lag >= 0 else (env_a[-lag:], env_b)
        n = min(len(x), len(y))
        if n < 10 or np.std(x[:n]) == 0 or np.std(y[:n]) == 0:
            continue
        correlation = float(np.corrcoef(x[:n], y[:n])[0, 1])
        if correlation > best.correlation:
            best = EnvelopeMatch(correlation=correlation, lag_seconds=lag * FRAME_SECONDS)
    return best


def envelope_correlation(a: np.ndarray, b: np.ndarray, rate: int, max_lag_seconds: float = 1.0) -> float:
    """Best envelope correlation of a and b (see envelope_match); both must be sampled at `rate`."""
    return envelope_match(a, b, rate, max_lag_seconds).correlation
