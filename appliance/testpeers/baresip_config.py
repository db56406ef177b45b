"""Writes a self-contained baresip 1.0 config directory: loopback only, audio from a WAV, both directions recorded.

`audio_player aubridge,nowhere` is a sink that costs nothing; `alsa,null` would burn most of a core per call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MODULE_DIR = Path("/usr/lib/baresip/modules")
_USER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_PASSWORD = re.compile(r"^[!#-:<-~]{1,128}$")  # printable ASCII without space, '"' and ';'
_HOSTPORT = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$")


@dataclass(frozen=True)
class BaresipAccount:
    """Who a baresip instance is. Without a registrar it neither registers nor uses a proxy (direct calls)."""

    user: str
    password: str | None = None
    registrar: str | None = None
    """host:port of the registrar, also used as the outbound proxy."""
    register: bool = False
    auto_answer: bool = False

    def __post_init__(self) -> None:
        if not _USER.match(self.user):
            raise ValueError(f"SIP user {self.user!r}: use 1-64 letters, digits, '.', '_' or '-'")
        if self.password is not None and not _PASSWORD.match(self.password):
            raise ValueError("password: use 1-128 printable ASCII characters without space, '\"' or ';'")
        if self.registrar is not None and not _HOSTPORT.match(self.registrar):
            raise ValueError(f"registrar {self.registrar!r} is not host:port")
        if self.register and self.registrar is None:
            raise ValueError(f"{self.user} cannot register without a registrar")

    def line(self) -> str:
        """The line for baresip's `accounts` file."""
        host = self.registrar or "127.0.0.1"
        params = [f"<sip:{self.user}@{host}>"]
        if self.password is not None:
            params.append(f"auth_pass={self.password}")
        if self.registrar is not None:
            params.append(f'outbound="sip:{self.registrar}"')
        params.append("regint=600" if self.register else "regint=0")
        if self.auto_answer:
            params.append("answermode=auto")
        params.append("audio_codecs=PCMU,PCMA")
        return ";".join(params)


def write_config(directory: Path, account: BaresipAccount, sip_port: int, audio_source: Path) -> None:
    """Creates `directory` with config, accounts and contacts files; recordings go to `directory` too."""
    if not MODULE_DIR.is_dir():
        raise FileNotFoundError(f"{MODULE_DIR} is missing (apt-get install --no-install-recommends baresip-core)")
    if any(char.isspace() for char in str(audio_source)) or any(char.isspace() for char in str(directory)):
        raise ValueError("baresip config values cannot contain whitespace; use paths without spaces")
    directory.mkdir(parents=True, exist_ok=True)
    settings = [
        ("poll_method", "epoll"),
        ("sip_listen", f"127.0.0.1:{sip_port}"),
        ("call_local_timeout", "120"),
        # One call at a time: a phone that is in a call answers the next one with 486 Busy Here.
        ("call_max_calls", "1"),
        ("audio_player", "aubridge,nowhere"),
        ("audio_source", f"aufile,{audio_source}"),
        ("audio_alert", "aubridge,nowhere"),
        ("audio_buffer", "20-160"),
        ("rtp_ports", "10000-19999"),
        ("jitter_buffer_delay", "0"),
        ("rtp_stats", "no"),
        ("net_interface", "127.0.0.1"),
        ("module_path", str(MODULE_DIR)),
        ("module", "g711.so"),
        ("module", "sndfile.so"),
        ("module", "aubridge.so"),
        ("module", "aufile.so"),
        ("module_tmp", "account.so"),
        ("module_app", "menu.so"),
        ("snd_path", str(directory)),
    ]
    (directory / "config").write_text("".join(f"{key}\t{value}\n" for key, value in settings))
    (directory / "accounts").write_text(account.line() + "\n")
    (directory / "contacts").write_text("")
