"""Piper through sherpa-onnx: the en_US-joe voice speaks English that Whisper transcribes back."""

import os

import numpy as np
import onnxruntime
import pytest

from appliance.models.manifest import load_manifest
from appliance.models.store import model_path
from appliance.speech.asr import create_transcriber
from appliance.speech.piper_voice import PiperVoice, PiperVoiceError
from appliance.speech.resample import resample
from appliance.speech.tts import create_synthesizer

pytestmark = pytest.mark.slow

VOICE = "en_US-joe-medium"


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory):
    """The dev voice linked into a fresh directory, so the generated cache starts empty."""
    source = model_path(load_manifest(), "piper-en-joe")
    directory = tmp_path_factory.mktemp("piper")
    for name in (f"{VOICE}.onnx", f"{VOICE}.onnx.json"):
        os.symlink(source / name, directory / name)
    return directory


@pytest.fixture(scope="module")
def piper(voice_dir):
    return create_synthesizer("sherpa-onnx", model_dir=voice_dir, threads=2)


@pytest.fixture(scope="module")
def transcriber():
    return create_transcriber("faster-whisper", model_path(load_manifest(), "whisper-base"), threads=2)


def words(text: str) -> set[str]:
    return set("".join(c if c.isalnum() else " " for c in text.lower()).split())


def test_english_speech_is_transcribed_back(piper, transcriber):
    audio = piper.synthesize("Good morning. We are open from Monday to Friday. How can I help you?", "en")
    assert piper.sample_rate == 22050 and audio.dtype == np.float32
    assert 2.5 < audio.size / piper.sample_rate < 8.0
    phone = resample(resample(audio, piper.sample_rate, 8000), 8000, 16000)
    transcript = transcriber.transcribe(phone, language="en")
    assert {"morning", "open", "monday", "friday", "help"} <= words(transcript.text), transcript


def test_generated_files_carry_the_metadata_and_are_reused(piper, voice_dir):
    cache = voice_dir / ".sherpa-onnx" / VOICE
    tokens = (cache / "tokens.txt").read_text(encoding="utf-8").splitlines()
    assert "_ 0" in tokens and "^ 1" in tokens and "$ 2" in tokens and "  3" in tokens
    session = onnxruntime.InferenceSession(str(cache / "model.onnx"), providers=["CPUExecutionProvider"])
    metadata = session.get_modelmeta().custom_metadata_map
    assert metadata["comment"] == "piper" and metadata["sample_rate"] == "22050" and metadata["voice"] == "en-us"
    before = (cache / "model.onnx").stat().st_mtime_ns
    voice = PiperVoice.load(voice_dir / f"{VOICE}.onnx")
    assert voice.prepare() == (cache / "model.onnx", cache / "tokens.txt")
    assert (cache / "model.onnx").stat().st_mtime_ns == before


def test_blank_text_and_unavailable_language(piper):
    assert piper.synthesize(" ", "en").size == 0
    assert piper.languages == {"en"}
    with pytest.raises(ValueError, match="no voice for language 'nl'"):
        piper.synthesize("Goedemorgen", "nl")


def test_bad_voice_directories_are_refused(tmp_path, voice_dir):
    with pytest.raises(ValueError, match="needs model_dir"):
        create_synthesizer("sherpa-onnx")
    with pytest.raises(PiperVoiceError, match="not found"):
        create_synthesizer("sherpa-onnx", model_dir=tmp_path / "nowhere")
    with pytest.raises(PiperVoiceError, match="no Piper voice"):
        create_synthesizer("sherpa-onnx", model_dir=tmp_path)
    (tmp_path / "lonely.onnx").write_bytes(b"x")
    with pytest.raises(PiperVoiceError, match="no lonely.onnx.json"):
        create_synthesizer("sherpa-onnx", model_dir=tmp_path)
    (tmp_path / "lonely.onnx.json").write_text('{"audio": {}}')
    with pytest.raises(PiperVoiceError, match="lacks a Piper field"):
        create_synthesizer("sherpa-onnx", model_dir=tmp_path)
    with pytest.raises(PiperVoiceError, match="no Piper voice 'en-us'"):
        create_synthesizer("sherpa-onnx", model_dir=voice_dir, voices={"en": "en-us"})
