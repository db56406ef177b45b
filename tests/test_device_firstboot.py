"""First boot (host name, reset token, model check), the reset token itself, and the factory reset."""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import stat

import pytest

from appliance.device.factory_reset import factory_reset
from appliance.device.firstboot import add_arguments, main
from appliance.device.reset_token import (
    issue_reset_token,
    take_unseen_reset_token,
    verify_reset_token,
)

MODEL_BYTES = b"tiny production model"
SHA = hashlib.sha256(MODEL_BYTES).hexdigest()


@pytest.fixture()
def box(tmp_path, monkeypatch):
    root, data_dir, models = tmp_path / "root", tmp_path / "data", tmp_path / "models"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hosts").write_text("127.0.0.1\tlocalhost\n127.0.1.1\tlocalhost.localdomain\n::1\tip6\n")
    data_dir.mkdir()
    (models / "store" / "good").mkdir(parents=True)
    (models / "store" / "good" / "m.bin").write_bytes(MODEL_BYTES)
    entries = []
    for name in ("good", "absent"):
        entries.append(f"""
[[model]]
name = "{name}"
role = "llm"
backend = "llama-cpp"
format = "gguf"
license = "MIT"
profile = "production"
source = {{ kind = "url" }}
files = [ {{ path = "m.bin", size = {len(MODEL_BYTES)}, sha256 = "{SHA}", url = "https://example.invalid/m" }} ]
""")
    (models / "manifest.toml").write_text("".join(entries))
    monkeypatch.setenv("BALIE_MODELS_DIR", str(models))
    return root, data_dir


def run_firstboot(root, data_dir, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return main(parser.parse_args(["--root", str(root), "--data-dir", str(data_dir), *extra]))


def test_first_boot_does_its_three_jobs(box, capsys):
    root, data_dir = box
    assert run_firstboot(root, data_dir) == 0
    assert (root / "etc" / "hostname").read_text() == "balie\n"
    hosts = (root / "etc" / "hosts").read_text().splitlines()
    assert hosts == ["127.0.0.1\tlocalhost", "::1\tip6", "127.0.1.1\tbalie"]

    token = take_unseen_reset_token(data_dir)
    assert token and len(token) == 19 and token.count("-") == 3
    assert take_unseen_reset_token(data_dir) is None  # shown once
    assert verify_reset_token(data_dir, token)
    assert verify_reset_token(data_dir, token.lower().replace("-", " "))
    assert not verify_reset_token(data_dir, "AAAA-BBBB-CCCC-DDDD")
    assert stat.S_IMODE((data_dir / "settings" / "admin-reset-token.json").stat().st_mode) == 0o600

    report = json.loads((data_dir / "model-check.json").read_text())
    assert report["problems"] == ["absent: m.bin: missing"]
    assert "models NOT ready" in capsys.readouterr().out
    assert (data_dir / ".firstboot-done").is_file()


def test_a_damaged_model_is_reported(box):
    root, data_dir = box
    models = data_dir.parent / "models"
    (models / "store" / "good" / "m.bin").write_bytes(MODEL_BYTES.upper())
    run_firstboot(root, data_dir)
    problems = json.loads((data_dir / "model-check.json").read_text())["problems"]
    assert "good: m.bin: sha256 mismatch (corrupt or tampered)" in problems


def test_bad_host_name_and_missing_data_dir_are_clear_errors(box, capsys):
    root, data_dir = box
    assert run_firstboot(root, data_dir, "--hostname", "Balie_Box") == 1
    assert "not a valid host name" in capsys.readouterr().err
    assert run_firstboot(root, data_dir.parent / "nope") == 2
    assert not (data_dir / ".firstboot-done").exists()


def test_reset_token_without_files():
    from pathlib import Path

    nowhere = Path("/nonexistent-balie")
    assert not verify_reset_token(nowhere, "ABCD")
    assert take_unseen_reset_token(nowhere) is None


def test_corrupt_token_record_verifies_nothing(tmp_path):
    issue_reset_token(tmp_path)
    (tmp_path / "settings" / "admin-reset-token.json").write_text("{not json")
    assert not verify_reset_token(tmp_path, "ABCD-EFGH-JKLM-NPQR")


def test_factory_reset_wipes_data_and_issues_a_new_token(box):
    root, data_dir = box
    run_firstboot(root, data_dir)
    old_token = take_unseen_reset_token(data_dir)
    sqlite3.connect(data_dir / "balie.db").execute("CREATE TABLE calls (id)").connection.close()
    (data_dir / "backups" / "20261204T033000Z").mkdir(parents=True)
    removed = factory_reset(data_dir)
    assert {"balie.db", "backups", "settings", "model-check.json"} <= set(removed)
    assert sorted(p.name for p in data_dir.iterdir()) == [".firstboot-done", "settings"]
    new_token = take_unseen_reset_token(data_dir)
    assert new_token and new_token != old_token
    assert not verify_reset_token(data_dir, old_token)
    with pytest.raises(FileNotFoundError):
        factory_reset(data_dir / "missing")
