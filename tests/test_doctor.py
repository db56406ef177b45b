"""`balie doctor` as an installer runs it: a subprocess, one line per check, exit 1 with the fix on a problem.

Every run gets a config with unused SIP and web ports, so a box running on this machine is never consulted
(except in the test that starts one on purpose).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from appliance.bench.box import BoxProcess
from appliance.config import DEFAULT_PROFILE
from appliance.models.manifest import load_manifest
from appliance.testpeers.ports import LOOPBACK, free_port

FINDING = re.compile(r"^(ok     |PROBLEM) (?P<check>[^:]+): (?P<message>.*)$")
CHECKS = ["profile", "model whisper-base", "model silero-vad", "model qwen2.5-coder-1.5b", "audio path",
          "SIP", "disk"]


def write_config(directory: Path, **extra: dict) -> Path:
    config = {"sip": {"bind_address": LOOPBACK, "port": free_port()},
              "web": {"host": LOOPBACK, "port": free_port()}}
    for section, values in extra.items():
        config[section] = {**config.get(section, {}), **values}
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def doctor(directory: Path, config: Path, *args: str, env: dict[str, str] | None = None,
           data_dir: Path | None = None, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Runs `balie doctor` with `config` and the data dir `directory`/data (or `data_dir`)."""
    return subprocess.run(
        [sys.executable, "-m", "appliance", "doctor", "--config", str(config),
         "--data-dir", str(data_dir or directory / "data"), *args],
        env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout, check=False)


def findings(stdout: str) -> dict[str, tuple[bool, str]]:
    """{check: (ok, message)} from the doctor's lines; lines of neither kind must be indented details."""
    found: dict[str, tuple[bool, str]] = {}
    lines = stdout.rstrip("\n").splitlines()
    for line in lines[:-1]:
        match = FINDING.match(line)
        if match:
            found[match["check"]] = (match.group(1) == "ok     ", match["message"])
        else:
            assert line.startswith("  "), f"stray output line {line!r} in:\n{stdout}"
    return found


def problems(stdout: str) -> dict[str, str]:
    return {check: message for check, (ok, message) in findings(stdout).items() if not ok}


def test_defaults_pass_every_check_with_one_line_each(tmp_path):
    result = doctor(tmp_path, write_config(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    found = findings(result.stdout)
    assert list(found) == CHECKS, result.stdout
    assert all(ok for ok, _ in found.values()), result.stdout
    assert len(result.stdout.splitlines()) == len(CHECKS) + 1, f"one line per check:\n{result.stdout}"
    assert result.stdout.splitlines()[-1] == "all checks passed"
    assert found["SIP"][1] == "no SIP account configured: taking direct calls"
    assert "sha256 verified" in found["model qwen2.5-coder-1.5b"][1]
    assert "three" in found["audio path"][1].lower() or "3" in found["audio path"][1]
    assert str(tmp_path / "data") in found["disk"][1]


def test_unreadable_config_is_one_problem_line(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("sip: {port: [not a number\n")
    result = doctor(tmp_path, config, timeout=30)
    assert result.returncode == 1
    assert result.stdout.startswith(f"PROBLEM config: {config}: not valid YAML"), result.stdout
    assert "Traceback" not in result.stderr


def test_broken_profile_names_the_field_and_the_fix(tmp_path):
    profile = tmp_path / "profile.yaml"
    text = DEFAULT_PROFILE.read_text()
    profile.write_text(text.replace("  monday: 08:00-17:00", "  monday: 08:00-27:00", 1))
    result = doctor(tmp_path, write_config(tmp_path), "--profile", str(profile))
    assert result.returncode == 1, result.stdout
    assert list(problems(result.stdout)) == ["profile"], result.stdout
    assert f"fix the file and run `balie profile check {profile}`" in problems(result.stdout)["profile"]
    assert "  opening_hours.monday:" in result.stdout and "impossible time" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 problem(s)"


@pytest.fixture
def damaged_models(tmp_path) -> Path:
    """A models dir like the real one, except silero-vad's file is missing and one whisper-base file corrupt.

    Small files are copied, big ones symlinked (read only: a fix replaces the link, never the real file).
    """
    real = load_manifest()
    models = tmp_path / "models"
    (models / "store").mkdir(parents=True)
    shutil.copy(real.directory / "manifest.toml", models / "manifest.toml")
    (models / "store" / "qwen2.5-coder-1.5b").symlink_to(real.store_dir(real.get("qwen2.5-coder-1.5b")))
    (models / "store" / "silero-vad").mkdir()
    whisper = models / "store" / "whisper-base"
    whisper.mkdir()
    for source in real.store_dir(real.get("whisper-base")).iterdir():
        if source.stat().st_size > 1_000_000:
            (whisper / source.name).symlink_to(source)
        else:
            shutil.copy2(source, whisper / source.name)
    vocabulary = bytearray((whisper / "vocabulary.txt").read_bytes())
    vocabulary[1000] = ord("#") if vocabulary[1000] != ord("#") else ord("%")
    (whisper / "vocabulary.txt").write_bytes(bytes(vocabulary))
    return models


def test_missing_and_corrupt_models_are_named_and_the_named_fix_works(tmp_path, damaged_models):
    env = {"BALIE_MODELS_DIR": str(damaged_models)}
    config = write_config(tmp_path)
    result = doctor(tmp_path, config, env=env)
    assert result.returncode == 1, result.stdout
    found = problems(result.stdout)
    assert found["model silero-vad"] == (
        "silero-vad: silero_vad.onnx: missing; fix: balie models fetch silero-vad")
    assert found["model whisper-base"] == (
        "whisper-base: vocabulary.txt: sha256 mismatch (corrupt or tampered); "
        "fix: balie models fetch whisper-base")
    assert "balie models fetch silero-vad" in found["audio path"], found
    assert "model qwen2.5-coder-1.5b" not in found

    fetch = subprocess.run(
        [sys.executable, "-m", "appliance", "models", "fetch", "silero-vad", "whisper-base"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False)
    assert fetch.returncode == 0, fetch.stderr
    again = doctor(tmp_path, config, env=env)
    assert again.returncode == 0, again.stdout
    intact = damaged_models / "store" / "whisper-base" / "model.bin"
    assert intact.is_symlink(), "an intact model file was assembled again"


def test_missing_manifest_and_unusable_data_dir_are_problems_not_crashes(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = doctor(tmp_path, write_config(tmp_path), env={"BALIE_MODELS_DIR": str(tmp_path / "nothing")},
                    data_dir=tmp_path / "a-file" / "data")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    found = problems(result.stdout)
    assert found["models"].startswith(f"model manifest not found at {tmp_path / 'nothing' / 'manifest.toml'}")
    assert "BALIE_MODELS_DIR" in found["models"]
    assert found["disk"] == (
        f"cannot use the data directory {tmp_path / 'a-file' / 'data'} (Not a directory); "
        f"fix data_dir in the config or pass --data-dir")


def test_unknown_model_in_the_config_names_the_setting(tmp_path):
    result = doctor(tmp_path, write_config(tmp_path, speech={"vad_model": "silero-vad-9"}))
    assert result.returncode == 1, result.stdout
    message = problems(result.stdout)["model silero-vad-9"]
    assert "no model named 'silero-vad-9'" in message
    assert message.endswith("fix speech.vad_model in the config")


def test_unreachable_registrar_is_a_problem_with_the_fix(tmp_path):
    closed_port = free_port()
    account = {"registrar": f"{LOOPBACK}:{closed_port}", "user": "200", "password": "secret"}
    result = doctor(tmp_path, write_config(tmp_path, sip={"account": account}))
    assert result.returncode == 1, result.stdout
    assert list(problems(result.stdout)) == ["SIP"], result.stdout
    message = problems(result.stdout)["SIP"]
    assert message.startswith(f"no answer from the registrar {LOOPBACK}:{closed_port} within 8 s"), message
    assert "sip.account.registrar" in message


def test_running_appliance_is_asked_for_its_registration(tmp_path):
    """With a box on the configured web port, the doctor reports that box's registration (TCP refused)."""
    account = {"registrar": f"{LOOPBACK}:{free_port()}", "user": "200", "password": "secret",
               "transport": "tcp"}
    with BoxProcess({"sip": {"account": account}}) as box:
        box.wait_for(lambda s: s["registration"]["state"] == "unreachable", 15, "a failed registration")
        result = doctor(tmp_path, box.config_path)
    assert result.returncode == 1, result.stdout
    found = problems(result.stdout)
    assert list(found) == ["SIP (running appliance)"], result.stdout
    assert found["SIP (running appliance)"].startswith("unreachable: 503"), found
    assert "is on and reachable" in found["SIP (running appliance)"]
    assert "retrying" not in found["SIP (running appliance)"]
