"""The model manifest and store: assembly from packages, verification, clear errors."""

import shutil
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.models.manifest import ManifestError, load_manifest
from appliance.models.store import ModelMissingError, model_path, verify


def test_manifest_lists_every_role_with_licence_and_checksums():
    manifest = load_manifest()
    roles = {m.role for m in manifest.models}
    assert {"asr", "vad", "tts", "llm"} <= roles
    for model in manifest.models:
        assert model.license
        for spec in model.files:
            if model.profile == "dev":  # assembled here: always pinned
                assert len(spec.sha256) == 64 and spec.size > 0
            else:  # downloaded by the image build, which refuses unpinned files
                assert model.source_kind == "url" and spec.url.startswith("https://")
    assert {m.role for m in manifest.models if m.profile == "production"} >= {"asr", "tts", "llm"}


def test_dev_models_are_assembled_and_verified(capsys):
    main_exit = pytest.raises(SystemExit)
    with main_exit as exit_info:
        main(["models", "verify", "silero-vad", "whisper-base"])
    assert exit_info.value.code == 0
    assert "silero-vad: ok" in capsys.readouterr().out


@pytest.fixture
def copied_store(tmp_path: Path) -> Path:
    """A private models dir holding a copy of the small VAD model, to damage freely."""
    manifest = load_manifest()
    (tmp_path / "manifest.toml").write_text((manifest.directory / "manifest.toml").read_text())
    source = manifest.store_dir(manifest.get("silero-vad"))
    shutil.copytree(source, tmp_path / "store" / "silero-vad")
    return tmp_path


def test_corrupt_model_is_detected_and_fetch_repairs_it(copied_store: Path, monkeypatch, capsys):
    monkeypatch.setenv("BALIE_MODELS_DIR", str(copied_store))
    target = copied_store / "store" / "silero-vad" / "silero_vad.onnx"
    data = bytearray(target.read_bytes())
    data[1000] ^= 0xFF
    target.write_bytes(bytes(data))
    manifest = load_manifest()
    problems = verify(manifest, manifest.get("silero-vad"))
    assert [p.problem for p in problems] == ["sha256 mismatch (corrupt or tampered)"]
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "verify", "silero-vad"])
    assert exit_info.value.code == 1
    assert "balie models fetch silero-vad" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "fetch", "silero-vad"])
    assert exit_info.value.code == 0
    assert verify(manifest, manifest.get("silero-vad")) == []


def test_missing_model_error_says_how_to_fix(copied_store: Path):
    manifest = load_manifest(copied_store)
    with pytest.raises(ModelMissingError, match="balie models fetch whisper-base"):
        model_path(manifest, "whisper-base")


def test_malformed_manifest_names_the_missing_field(tmp_path: Path):
    (tmp_path / "manifest.toml").write_text('[[model]]\nname = "x"\nrole = "asr"\n')
    with pytest.raises(ManifestError, match="lacks field"):
        load_manifest(tmp_path)
