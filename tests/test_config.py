"""Config loading: zero-config defaults, and errors reported by field name."""

from pathlib import Path

import pytest

from appliance.config import ConfigError, load_config


def test_defaults_need_no_file():
    config = load_config(None)
    assert config.web.port == 8080 and config.sip.port == 5060 and config.sip.account is None
    assert config.profile.is_file()


def test_errors_name_each_bad_field(tmp_path: Path):
    path = tmp_path / "config.yaml"
    path.write_text("sip:\n  port: 99999\n  account:\n    registrar: pbx.local\n"
                    "    transport: carrier-pigeon\nweb:\n  prot: 80\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "sip.port" in message
    assert "sip.account.user" in message
    assert "sip.account.transport" in message
    assert "web.prot" in message


def test_account_and_relative_profile(tmp_path: Path):
    (tmp_path / "p.yaml").write_text("name: x\n")
    path = tmp_path / "config.yaml"
    path.write_text("profile: p.yaml\n"
                    "sip:\n  account: {registrar: '127.0.0.1:5062', user: '200', password: s}\n")
    config = load_config(path)
    assert config.profile == tmp_path / "p.yaml"
    assert config.sip.account.aor == "sip:200@127.0.0.1"
    assert config.sip.account.registrar_uri == "sip:127.0.0.1:5062"


def test_not_yaml_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "config.yaml"
    path.write_text("sip: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)
