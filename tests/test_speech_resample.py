"""Resampling keeps a tone's pitch and level, suppresses aliasing, and refuses bad input."""

import numpy as np
import pytest

from appliance.speech.resample import resample


def tone(frequency: float, rate: int, seconds: float = 1.0, amplitude: float = 0.5) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * frequency * np.arange(int(rate * seconds)) / rate)).astype(np.float32)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


@pytest.mark.parametrize(
    ("from_rate", "to_rate", "frequency"),
    [(8000, 16000, 1000.0), (16000, 8000, 3000.0), (22050, 16000, 440.0), (22050, 8000, 2500.0), (16000, 48000, 997.0)],
)
def test_tone_keeps_its_frequency_phase_and_level(from_rate, to_rate, frequency):
    out = resample(tone(frequency, from_rate, 2.0), from_rate, to_rate)
    assert out.dtype == np.float32
    assert out.size == int(np.ceil(2.0 * from_rate * to_rate / from_rate))
    assert dominant_frequency(out, to_rate) == pytest.approx(frequency, abs=1.0)
    expected = tone(frequency, to_rate, 2.0)
    middle = slice(to_rate // 10, -to_rate // 10)  # away from the edges, where the filter sees zeros
    assert np.max(np.abs(out[middle] - expected[middle])) < 0.01


def test_frequencies_above_the_new_nyquist_are_removed():
    out = resample(tone(6000.0, 22050), 22050, 8000)
    level_db = 20 * np.log10(np.sqrt(np.mean(out[400:-400] ** 2)) / (0.5 / np.sqrt(2)))
    assert level_db < -50


def test_same_rate_and_empty_input_are_returned_unchanged():
    audio = tone(440.0, 16000, 0.1)
    same = resample(audio, 16000, 16000)
    assert np.array_equal(same, audio) and same is not audio
    assert resample(np.zeros(0, np.float32), 8000, 16000).size == 0


def test_short_frame_has_the_right_length():
    assert resample(np.zeros(160, np.float32), 8000, 16000).size == 320
    assert resample(np.zeros(441, np.float32), 22050, 8000).size == 160


@pytest.mark.parametrize(
    ("samples", "from_rate", "to_rate", "message"),
    [
        (np.zeros((2, 100), np.float32), 8000, 16000, "1-D"),
        (np.zeros(100, np.int16), 8000, 16000, "float"),
        (np.array([0.0, np.nan], np.float32), 8000, 16000, "NaN"),
        (np.zeros(100, np.float32), 0, 16000, "from_rate"),
        (np.zeros(100, np.float32), 8000, -1, "to_rate"),
        (np.zeros(100, np.float32), 8000.0, 16000, "from_rate"),
    ],
)
def test_bad_input_is_refused_clearly(samples, from_rate, to_rate, message):
    with pytest.raises(ValueError, match=message):
        resample(samples, from_rate, to_rate)


def test_trim_and_pad_gives_every_cut_of_an_utterance_the_same_frame():
    from appliance.speech.audio import trim_and_pad

    words = np.sin(np.linspace(0, 400 * np.pi, 8000)).astype(np.float32) * 0.3
    early = np.concatenate([np.zeros(1000, np.float32), words, np.zeros(9000, np.float32)])
    late = np.concatenate([np.zeros(5000, np.float32), words, np.zeros(2000, np.float32)])
    assert np.array_equal(trim_and_pad(early), trim_and_pad(late))
    assert 8000 + 2 * 4000 <= len(trim_and_pad(early)) <= 8000 + 2 * 4000 + 2 * 800  # words, padding, margins
    assert not trim_and_pad(np.zeros(100, np.float32)).any()
