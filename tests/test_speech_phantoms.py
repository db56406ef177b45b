"""The phantom filter rejects what Whisper invents on non-speech audio and keeps what callers say."""

import numpy as np
import pytest

from appliance.models.manifest import load_manifest
from appliance.models.store import model_path
from appliance.speech.asr import Transcript, create_transcriber
from appliance.speech.phantoms import is_phantom
from appliance.speech.resample import resample
from appliance.speech.tts import create_synthesizer

pytestmark = pytest.mark.slow

RATE = 16000


@pytest.fixture(scope="module")
def transcriber():
    return create_transcriber("faster-whisper", model_path(load_manifest(), "whisper-base"), threads=2)


def over_the_phone(audio: np.ndarray, rate: int = RATE) -> np.ndarray:
    return resample(resample(audio.astype(np.float32), rate, 8000), 8000, RATE)


def non_speech(kind: str) -> np.ndarray:
    rng = np.random.default_rng(11)
    seconds = np.arange(2 * RATE) / RATE
    if kind == "silence":
        return np.zeros(2 * RATE, np.float32)
    if kind == "white noise":
        return over_the_phone(rng.normal(0, 0.05, 2 * RATE))
    if kind == "cough":
        burst = np.zeros(RATE)
        length = RATE // 4
        burst[4000 : 4000 + length] = rng.normal(0, 0.6, length) * np.exp(-np.arange(length) / (0.05 * RATE))
        return over_the_phone(np.convolve(burst, np.ones(8) / 8, "same"))
    if kind == "music":  # a melody of two-partial tones, 250 ms per note
        notes = [262, 294, 330, 349, 392, 440, 494, 523]
        note = np.array(notes)[(seconds // 0.25).astype(int) % len(notes)]
        return over_the_phone(0.2 * np.sin(2 * np.pi * note * seconds) + 0.1 * np.sin(4 * np.pi * note * seconds))
    raise ValueError(kind)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", ["silence", "white noise", "cough", "music"])
def test_whisper_output_on_non_speech_is_phantom(transcriber, kind, language):
    transcript = transcriber.transcribe(non_speech(kind), language=language)
    assert is_phantom(transcript), transcript


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("What are your opening hours?", "en"),
        ("Thank you, goodbye.", "en"),
        ("Yes.", "en"),
        ("Ik heb veel pijn.", "nl"),
    ],
)
def test_whisper_output_on_real_speech_is_kept(transcriber, text, language):
    tts = create_synthesizer("espeak-ng")
    speech = over_the_phone(tts.synthesize(text, language), tts.sample_rate)
    transcript = transcriber.transcribe(np.concatenate([np.zeros(3200, np.float32), speech]), language=language)
    assert transcript.text and not is_phantom(transcript), transcript


def heard(text: str, no_speech_prob: float = 0.1, avg_logprob: float = -0.3, duration_s: float = 2.0) -> Transcript:
    return Transcript(text, "nl", no_speech_prob, avg_logprob, duration_s, 0.4)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "...",
        "♪ ♪",
        "Bedankt voor het kijken!",
        "Ondertiteld door de Amara.org gemeenschap",
        "Thank you for watching.",
        "MUZIEK",
        "[Music]",
        "m'n mouw, m'n mouw, m'n mouw, m'n mouw, m'n mouw",
        "ja ja ja ja ja ja ja ja",
    ],
)
def test_invented_text_is_phantom_even_when_confident(text):
    assert is_phantom(heard(text))


@pytest.mark.parametrize("text", ["you", "Thank you.", "Zeg het.", "Dank je wel."])
def test_fillers_are_phantom_only_with_low_confidence(text):
    assert is_phantom(heard(text, no_speech_prob=0.5, avg_logprob=-0.5))
    assert is_phantom(heard(text, no_speech_prob=0.1, avg_logprob=-1.2))
    assert not is_phantom(heard(text, no_speech_prob=0.1, avg_logprob=-0.3))


@pytest.mark.parametrize(
    "text",
    ["Ja", "Nee nee nee", "Ik wil graag een afspraak maken op dinsdag om tien uur.", "Mijn computer is stuk",
     "Mijn nummer is 06 12 34 56 78"],
)
def test_ordinary_caller_text_is_kept(text):
    assert not is_phantom(heard(text))


def test_whispers_silence_rule_and_impossible_speaking_rate():
    assert is_phantom(heard("We hebben een afspraak", no_speech_prob=0.7, avg_logprob=-1.3))
    assert not is_phantom(heard("We hebben een afspraak", no_speech_prob=0.7, avg_logprob=-0.4))
    assert is_phantom(heard("Ik wil graag een afspraak maken voor morgen", duration_s=0.5))
