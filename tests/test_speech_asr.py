"""Speech recognition with the dev Whisper model on phone-band eSpeak audio, and clear errors on bad input."""

import numpy as np
import pytest

from appliance.models.manifest import load_manifest
from appliance.models.store import model_path
from appliance.speech.asr import AsrModelError, Transcript, create_transcriber
from appliance.speech.resample import resample
from appliance.speech.tts import create_synthesizer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def transcriber():
    return create_transcriber("faster-whisper", model_path(load_manifest(), "whisper-base"), threads=2)


@pytest.fixture(scope="module")
def phone_speech():
    """Speaks English with eSpeak, band-limits it to an 8 kHz phone line, returns it at 16 kHz."""
    tts = create_synthesizer("espeak-ng")

    def speak(text: str) -> np.ndarray:
        narrow = resample(tts.synthesize(text, "en"), tts.sample_rate, 8000)
        pause = np.zeros(1600, np.float32)
        return np.concatenate([pause, resample(narrow, 8000, 16000), pause])

    return speak


def words(text: str) -> set[str]:
    return set("".join(c if c.isalnum() else " " for c in text.lower()).split())


def test_english_phone_audio_is_transcribed_with_the_key_words(transcriber, phone_speech):
    audio = phone_speech("What are your opening hours?")
    result = transcriber.transcribe(audio, language="en")
    assert isinstance(result, Transcript)
    assert {"opening", "hours"} <= words(result.text)
    assert result.language == "en"
    assert result.duration_s == pytest.approx(audio.size / 16000)
    assert 0.0 < result.elapsed_s < 10.0
    assert result.no_speech_prob < 0.5 and result.avg_logprob > -1.0


def test_a_longer_request_keeps_its_content(transcriber, phone_speech):
    result = transcriber.transcribe(phone_speech("I would like to make an appointment for tomorrow."), language="en")
    assert {"appointment", "tomorrow"} <= words(result.text)


def test_language_none_detects_english(transcriber, phone_speech):
    result = transcriber.transcribe(phone_speech("Good morning, can I speak to the dentist please?"), language=None)
    assert result.language == "en"
    assert {"good", "morning", "speak"} <= words(result.text)


def test_short_utterances_take_the_short_window_and_long_ones_still_work(transcriber, phone_speech):
    short = phone_speech("What are your opening hours?")
    long = np.concatenate([short, np.zeros(16000 * 27, np.float32), short])  # beyond the fast path's window
    quick = transcriber.transcribe(short, language="en")
    slow = transcriber.transcribe(long, language="en")
    assert {"opening", "hours"} <= words(quick.text) and {"opening", "hours"} <= words(slow.text)
    assert quick.elapsed_s < slow.elapsed_s


def test_language_chooser_and_prompts_pick_the_decoding_language(transcriber, phone_speech):
    seen: dict[str, float] = {}

    def prefer_dutch(probabilities: dict[str, float]) -> str:
        seen.update(probabilities)
        return "nl"

    result = transcriber.transcribe(phone_speech("What are your opening hours?"), language=None,
                                    choose_language=prefer_dutch, prompts={"nl": "Telefoongesprek.", "en": "Call."})
    assert seen["en"] > seen["nl"]  # it was English...
    assert result.language == "nl"  # ...but the chooser decided, in one pass
    assert dict(result.language_probs)["en"] == seen["en"]


def test_prompt_is_accepted_and_keeps_the_transcript(transcriber, phone_speech):
    result = transcriber.transcribe(
        phone_speech("What are your opening hours?"), language="en", prompt="Tandartspraktijk Jansen, opening hours."
    )
    assert {"opening", "hours"} <= words(result.text)


def test_audio_too_short_for_a_word_returns_an_empty_transcript(transcriber):
    result = transcriber.transcribe(np.zeros(800, np.float32), language="nl")
    assert result.text == "" and result.no_speech_prob == 1.0
    assert result.duration_s == pytest.approx(0.05)


def test_bad_input_is_refused_clearly(transcriber):
    with pytest.raises(ValueError, match="float"):
        transcriber.transcribe(np.zeros(16000, np.int16))
    with pytest.raises(ValueError, match="1-D"):
        transcriber.transcribe(np.zeros((16000, 2), np.float32))
    with pytest.raises(ValueError, match="language 'xx'"):
        transcriber.transcribe(np.zeros(16000, np.float32), language="xx")
    with pytest.raises(TypeError, match="prompt"):
        transcriber.transcribe(np.zeros(16000, np.float32), prompt=42)


def test_bad_model_directories_and_backends_are_refused(tmp_path):
    with pytest.raises(AsrModelError, match="not found"):
        create_transcriber("faster-whisper", tmp_path / "nowhere")
    with pytest.raises(AsrModelError, match="missing model.bin"):
        create_transcriber("faster-whisper", tmp_path)
    with pytest.raises(ValueError, match="unknown ASR backend"):
        create_transcriber("kaldi", tmp_path)
    with pytest.raises(ValueError, match="threads"):
        create_transcriber("faster-whisper", tmp_path, threads=0)
