"""The sherpa-onnx ASR backend: no ONNX ASR model ships on PyPI, so this checks how it treats bad directories."""

import pytest

from appliance.speech.asr import AsrModelError, create_transcriber
from appliance.speech.asr_sherpa import pick_file


def make_files(directory, *names, content=b"not an onnx model"):
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_bytes(b"a 0\nb 1\n" if name.endswith(".txt") else content)
    return directory


def test_empty_directory_names_the_missing_files(tmp_path):
    with pytest.raises(AsrModelError, match="no encoder, decoder, tokens file"):
        create_transcriber("sherpa-onnx", tmp_path)


def test_missing_tokens_is_named(tmp_path):
    make_files(tmp_path, "encoder.onnx", "decoder.onnx")
    with pytest.raises(AsrModelError, match="no tokens file"):
        create_transcriber("sherpa-onnx", tmp_path)


@pytest.mark.parametrize(
    ("files", "family"),
    [
        (("small-encoder.int8.onnx", "small-decoder.int8.onnx", "small-tokens.txt"), "whisper"),
        (("encoder.int8.onnx", "decoder.int8.onnx", "joiner.int8.onnx", "tokens.txt"), "transducer"),
    ],
)
def test_corrupt_model_files_give_an_error_not_a_crash(tmp_path, files, family):
    make_files(tmp_path, *files)
    with pytest.raises(AsrModelError, match=f"cannot load the {family} model"):
        create_transcriber("sherpa-onnx", tmp_path)


def test_malformed_tokens_file_is_refused_before_sherpa_sees_it(tmp_path):
    # sherpa-onnx would exit the process on this file instead of raising.
    make_files(tmp_path, "encoder.onnx", "decoder.onnx")
    (tmp_path / "tokens.txt").write_text("a 0\nthis is not a token line\n")
    with pytest.raises(AsrModelError, match="tokens.txt:2 is not a 'symbol id' line"):
        create_transcriber("sherpa-onnx", tmp_path)


def test_int8_files_are_preferred_and_ambiguity_is_refused(tmp_path):
    make_files(tmp_path, "encoder.onnx", "encoder.int8.onnx", "tokens.txt")
    assert pick_file(tmp_path, "encoder").name == "encoder.int8.onnx"
    assert pick_file(tmp_path, "joiner") is None
    assert pick_file(tmp_path, "tokens", ".txt").name == "tokens.txt"
    make_files(tmp_path, "other-encoder.int8.onnx")
    with pytest.raises(AsrModelError, match="several encoder files"):
        pick_file(tmp_path, "encoder")
