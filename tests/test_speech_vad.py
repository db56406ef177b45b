"""Silero VAD: finds an eSpeak utterance with tight onset/offset timing, and nothing in silence or noise."""

import numpy as np
import pytest

from appliance.models.manifest import load_manifest
from appliance.models.store import model_path
from appliance.speech.resample import resample
from appliance.speech.tts import create_synthesizer
from appliance.speech.vad import SpeechDetector, VadModelError

RATE = 16000
FRAME = 320  # 20 ms, as the call loop feeds it
LEAD_SILENCE = 1.0
# Onset: the first window whose probability reaches 0.5 must end within 100 ms after speech starts (it
# cannot end sooner than the first window holding speech). Offset: the first window below 0.35 after the
# speech must end within 150 ms after the last audible sample.
ONSET_TOLERANCE = 0.10
OFFSET_TOLERANCE = 0.15


@pytest.fixture(scope="module")
def vad_model():
    return model_path(load_manifest(), "silero-vad", "silero_vad.onnx")


@pytest.fixture(scope="module")
def utterance():
    """(audio, speech start s, speech end s): silence, phone-band eSpeak English, silence, at 16 kHz."""
    tts = create_synthesizer("espeak-ng")
    speech = resample(resample(tts.synthesize("What are your opening hours?", "en"), tts.sample_rate, 8000), 8000, RATE)
    audible = np.flatnonzero(np.abs(speech) > 0.02)
    silence = np.zeros(int(LEAD_SILENCE * RATE), np.float32)
    audio = np.concatenate([silence, speech, silence])
    return audio, LEAD_SILENCE + audible[0] / RATE, LEAD_SILENCE + audible[-1] / RATE


def feed_in_frames(detector: SpeechDetector, audio: np.ndarray) -> list[float]:
    probabilities = []
    for start in range(0, audio.size, FRAME):
        probabilities += detector.feed(audio[start : start + FRAME])
    return probabilities


def test_finds_speech_with_onset_and_offset_in_tolerance(vad_model, utterance):
    audio, start, end = utterance
    detector = SpeechDetector(vad_model)
    probabilities = np.array(feed_in_frames(detector, audio))
    assert probabilities.size == audio.size // 512
    window_ends = (np.arange(probabilities.size) + 1) * detector.window_seconds
    onset = window_ends[np.argmax(probabilities >= 0.5)]
    assert start < onset <= start + ONSET_TOLERANCE
    after = (window_ends > onset) & (probabilities < 0.35)
    offset = window_ends[np.argmax(after)]
    assert end < offset <= end + OFFSET_TOLERANCE
    speech = (window_ends > start + 0.1) & (window_ends < end - 0.1)
    assert np.mean(probabilities[speech] >= 0.5) > 0.9
    assert np.all(probabilities[window_ends < start] < 0.2)


def test_chunk_size_does_not_change_the_result(vad_model, utterance):
    audio, _, _ = utterance
    in_frames = feed_in_frames(SpeechDetector(vad_model), audio)
    at_once = SpeechDetector(vad_model).feed(audio)
    odd = SpeechDetector(vad_model)
    in_odd_chunks = [p for start in range(0, audio.size, 777) for p in odd.feed(audio[start : start + 777])]
    assert np.allclose(in_frames, at_once, atol=1e-5)
    assert np.allclose(in_frames, in_odd_chunks, atol=1e-5)


def test_speaking_follows_hysteresis_and_reset_forgets(vad_model, utterance):
    audio, start, _ = utterance
    detector = SpeechDetector(vad_model)
    detector.feed(audio[: int((start + 0.5) * RATE)])
    assert detector.speaking
    detector.feed(audio[int((start + 0.5) * RATE) :])
    assert not detector.speaking
    detector.feed(audio[: int((start + 0.5) * RATE)])
    detector.reset()
    assert not detector.speaking
    assert detector.feed(np.zeros(100, np.float32)) == []  # buffered samples were dropped too


@pytest.mark.parametrize("kind", ["silence", "white noise", "phone hiss", "50 Hz hum"])
def test_no_speech_in_silence_or_noise(vad_model, kind):
    rng = np.random.default_rng(3)
    seconds = np.arange(3 * RATE) / RATE
    audio = {
        "silence": np.zeros(3 * RATE),
        "white noise": rng.normal(0, 0.05, 3 * RATE),
        "phone hiss": resample(rng.normal(0, 0.02, 3 * 8000).astype(np.float32), 8000, RATE),
        "50 Hz hum": 0.2 * np.sin(2 * np.pi * 50 * seconds),
    }[kind].astype(np.float32)
    probabilities = feed_in_frames(SpeechDetector(vad_model), audio)
    assert max(probabilities) < 0.5


def test_8khz_works_with_256_sample_windows(vad_model, utterance):
    audio, start, end = utterance
    detector = SpeechDetector(vad_model, sample_rate=8000)
    probabilities = np.array(detector.feed(resample(audio, RATE, 8000)))
    assert detector.window_samples == 256
    window_ends = (np.arange(probabilities.size) + 1) * detector.window_seconds
    assert np.mean(probabilities[(window_ends > start + 0.1) & (window_ends < end - 0.1)] >= 0.5) > 0.8
    assert np.all(probabilities[window_ends < start] < 0.5)


def test_bad_arguments_are_refused(vad_model, tmp_path):
    with pytest.raises(ValueError, match="8000 or 16000"):
        SpeechDetector(vad_model, sample_rate=44100)
    with pytest.raises(ValueError, match="threshold"):
        SpeechDetector(vad_model, threshold=1.5)
    with pytest.raises(VadModelError, match="not found"):
        SpeechDetector(tmp_path / "missing.onnx")
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    with pytest.raises(VadModelError, match="not a loadable ONNX model"):
        SpeechDetector(garbage)
    detector = SpeechDetector(vad_model)
    with pytest.raises(ValueError, match="float"):
        detector.feed(np.zeros(320, np.int16))
    with pytest.raises(ValueError, match="1-D"):
        detector.feed(np.zeros((2, 320), np.float32))
