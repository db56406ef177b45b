"""The appliance's own settings (SIP account, ports, models, data directory), validated by field name.

Zero configuration works: every field has a sensible default. A YAML file may override any of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appliance.models.manifest import PROJECT_ROOT

DEFAULT_PROFILE = PROJECT_ROOT / "appliance" / "data" / "profiles" / "tandarts.yaml"


class ConfigError(ValueError):
    """The config file cannot be used; the message names each bad field."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SipAccount(Strict):
    """An extension on the office phone system. Without one, the box takes direct calls."""

    registrar: str = Field(description="host[:port] of the PBX / registrar")
    user: str
    password: str = Field(repr=False)
    transport: Literal["udp", "tcp", "tls"] = "udp"
    domain: str | None = Field(default=None, description="SIP domain; defaults to the registrar host")
    register_expires: int = Field(default=300, ge=30, le=3600)
    tls_verify_server: bool = Field(default=False, description="check the PBX's TLS certificate (needs tls_ca_file "
                                    "for a private CA)")
    tls_ca_file: Path | None = None
    retry_min_seconds: float = Field(default=2.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)

    @property
    def host(self) -> str:
        return self.registrar.split(":")[0]

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain or self.host}"

    @property
    def registrar_uri(self) -> str:
        suffix = "" if self.transport == "udp" else f";transport={self.transport}"
        return f"sip:{self.registrar}{suffix}"


class SipSettings(Strict):
    port: int = Field(default=5060, ge=1, le=65535, description="local SIP port (UDP and TCP)")
    tls_port: int = Field(default=5061, ge=0, le=65535, description="local SIP-over-TLS port (0: any), used when "
                          "the account's transport is tls")
    bind_address: str = "0.0.0.0"
    public_address: str | None = Field(default=None, description="address announced in SDP/Contact")
    max_calls: int = Field(default=4, ge=1, le=32)
    account: SipAccount | None = None


class WebSettings(Strict):
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=0, le=65535)


class SpeechSettings(Strict):
    asr_backend: Literal["faster-whisper", "sherpa-onnx"] = "faster-whisper"
    asr_model: str = "whisper-base"
    asr_language: Literal["nl", "en", "auto"] = "auto"
    tts_backend: Literal["espeak-ng", "sherpa-onnx"] = "espeak-ng"
    tts_voice_nl: str = "nl"
    tts_voice_en: str = "en-us"
    tts_model: str = Field(default="piper-en-joe", description="manifest model for the sherpa-onnx TTS backend")
    vad_model: str = "silero-vad"
    llm_model: str = "qwen2.5-coder-1.5b"
    threads: int = Field(default=2, ge=1, le=16)


class TurnSettings(Strict):
    """Turn-taking: how long silence ends a turn, when the box prompts, when it gives up."""

    end_of_turn_ms: int = Field(default=500, ge=100, le=3000)
    speculate_ms: int = Field(default=120, ge=60, le=3000,
                              description="silence after which recognition starts, before the turn surely ended")
    barge_in_min_speech_ms: int = Field(default=150, ge=60, le=2000)
    greeting_protected_ms: int = Field(default=1500, ge=0, le=10000)
    silence_prompt_seconds: float = Field(default=8.0, gt=0)
    max_call_seconds: int = Field(default=900, ge=30)


class AppConfig(Strict):
    profile: Path = DEFAULT_PROFILE
    data_dir: Path = Path("data")
    sip: SipSettings = SipSettings()
    web: WebSettings = WebSettings()
    speech: SpeechSettings = SpeechSettings()
    turns: TurnSettings = TurnSettings()

    @field_validator("profile", "data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()


def format_validation_error(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} problem(s)"]
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"  {field}: {error['msg']}")
    return "\n".join(lines)


def load_config(path: Path | None) -> AppConfig:
    """Loads and validates the config file, or returns the defaults when `path` is None."""
    if path is None:
        return AppConfig()
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        config = AppConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, str(path))) from exc
    if not config.profile.is_absolute():
        config.profile = (path.parent / config.profile).resolve()
    return config
