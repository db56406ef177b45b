"""eSpeak NG in-process synthesis: Dutch and English audio of plausible length, safe under threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from appliance.speech.espeak import EspeakError, espeak
from appliance.speech.tts import create_synthesizer


@pytest.fixture(scope="module")
def synthesizer():
    return create_synthesizer("espeak-ng")


def voiced_seconds(audio: np.ndarray, rate: int) -> float:
    """Seconds of 10 ms blocks that carry sound (not silence)."""
    block = rate // 100
    blocks = audio[: audio.size // block * block].reshape(-1, block)
    return float(np.sum(np.sqrt(np.mean(blocks**2, axis=1)) > 0.01) / 100)


def test_native_rate_is_22050(synthesizer):
    assert synthesizer.sample_rate == 22050
    assert synthesizer.languages == {"nl", "en"}


@pytest.mark.parametrize(
    ("text", "language", "low", "high"),
    [
        ("Goedemorgen, u spreekt met de tandartspraktijk. Waarmee kan ik u helpen?", "nl", 2.5, 7.0),
        ("Good morning, this is the dental practice. How can I help you?", "en", 2.0, 6.0),
        ("Ja.", "nl", 0.15, 1.0),
    ],
)
def test_speech_has_plausible_duration_and_level(synthesizer, text, language, low, high):
    audio = synthesizer.synthesize(text, language)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert low <= audio.size / synthesizer.sample_rate <= high
    assert voiced_seconds(audio, synthesizer.sample_rate) >= 0.5 * low
    assert 0.1 < np.max(np.abs(audio)) <= 1.0


def test_dutch_and_english_voices_differ(synthesizer):
    dutch = synthesizer.synthesize("Tandarts", "nl")
    english = synthesizer.synthesize("Tandarts", "en")
    assert dutch.size != english.size or not np.array_equal(dutch, english)


def test_text_is_not_parsed_as_ssml(synthesizer):
    plain = synthesizer.synthesize("one two", "en")
    tagged = synthesizer.synthesize("one <break time='3s'/> two", "en")
    assert tagged.size / synthesizer.sample_rate < plain.size / synthesizer.sample_rate + 2.5


def test_blank_text_gives_no_audio(synthesizer):
    assert synthesizer.synthesize("   ", "nl").size == 0


def test_concurrent_calls_do_not_mix_their_audio(synthesizer):
    # eSpeak varies its timing a little from call to call (a few %), so compare lengths, not samples:
    # a mixed-up buffer would be far longer or shorter.
    texts = [("Hallo, met de tandartspraktijk van dokter Jansen.", "nl"), ("Bye.", "en")] * 4
    serial = [synthesizer.synthesize(text, language).size for text, language in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = [audio.size for audio in pool.map(lambda item: synthesizer.synthesize(*item), texts)]
    for one, other in zip(serial, parallel, strict=True):
        assert other == pytest.approx(one, rel=0.15)


def test_phonemize_splits_sentences_and_keeps_punctuation():
    sentences = espeak().phonemize("Hello there, friend. How are you?", "en-us")
    assert len(sentences) == 2
    assert sentences[0].endswith(".") and ", " in sentences[0]
    assert sentences[1].endswith("?")
    assert espeak().phonemize(" ... ", "en-us") == []


def test_unknown_language_voice_and_backend_are_refused(synthesizer):
    with pytest.raises(ValueError, match="no voice for language 'de'"):
        synthesizer.synthesize("Hallo", "de")
    with pytest.raises(TypeError):
        synthesizer.synthesize(None, "nl")
    with pytest.raises(EspeakError, match="no voice 'xx-none'"):
        create_synthesizer("espeak-ng", voices={"nl": "xx-none"})
    with pytest.raises(ValueError, match="unknown languages"):
        create_synthesizer("espeak-ng", voices={"fr": "fr"})
    with pytest.raises(ValueError, match="unknown TTS backend"):
        create_synthesizer("festival")
