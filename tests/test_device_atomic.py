"""atomic_write_text: replace-or-nothing, permissions kept, no temporary files left."""

from __future__ import annotations

import stat

import pytest

from appliance.atomic import atomic_write_bytes, atomic_write_text


def test_writes_and_replaces(tmp_path):
    path = tmp_path / "settings.yaml"
    atomic_write_text(path, "a: 1\n")
    assert path.read_text() == "a: 1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # new settings files are private
    path.chmod(0o640)
    atomic_write_text(path, "a: 2\n")
    assert path.read_text() == "a: 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # an existing file keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["settings.yaml"]


def test_a_failed_write_leaves_the_old_file_and_no_litter(tmp_path):
    path = tmp_path / "settings.yaml"
    atomic_write_text(path, "old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "\udcff", encoding="utf-8")
    assert path.read_text() == "old"

    with pytest.raises(TypeError):
        atomic_write_bytes(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.yaml"]


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "nope" / "settings.yaml", "x")
