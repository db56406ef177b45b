"""A throwaway Kamailio registrar/proxy on loopback with static users, for SIP tests and `balie bench`."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from appliance.testpeers.ports import LOOPBACK
from appliance.testpeers.process import PeerError, PeerProcess, RunsWhileInside
from appliance.testpeers.sip_ping import options_ping

_USER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_PASSWORD = re.compile(r"^[!#-\[\]-~]{1,128}$")  # printable ASCII without space, '"' and '\'
_PLACEHOLDER = re.compile(r"\{\{[A-Z_]+\}\}")
_CONTACT_ADDRESS = re.compile(r"^\s*Address:\s*(\S+)\s*$", re.MULTILINE)
_SHARED_MEMORY_MB = "16"
_PRIVATE_MEMORY_MB = "4"


class Kamailio(RunsWhileInside):
    """Kamailio 5.6 as registrar and proxy on `host`:`port` (UDP and TCP), with digest-checked static users.

    Use as a context manager; `users` maps user name to password, e.g. {"200": "secret200"}.
    """

    def __init__(
        self,
        users: Mapping[str, str],
        port: int = 5060,
        *,
        host: str = LOOPBACK,
        startup_timeout: float = 10.0,
        tls_port: int | None = None,
    ) -> None:
        for user, password in users.items():
            _check_user(user)
            if not _PASSWORD.match(password):
                raise ValueError(f'password of {user!r}: use 1-128 printable ASCII characters, no space, " or \\')
        if not 1 <= port <= 65535:
            raise ValueError(f"port {port} is outside 1..65535")
        self.users = dict(users)
        self.tls_port = tls_port
        self.host = host
        self.port = port
        self._startup_timeout = startup_timeout
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._process: PeerProcess | None = None

    @property
    def address(self) -> str:
        """host:port, as used for an outbound proxy or a registrar."""
        return f"{self.host}:{self.port}"

    def uri(self, user: str) -> str:
        """The SIP URI that reaches `user` through this proxy."""
        return f"sip:{user}@{self.address}"

    @property
    def ctl_socket(self) -> Path:
        return self._dir / "kamailio_ctl"

    @property
    def log(self) -> str:
        """Kamailio's stderr so far."""
        return self._process.text() if self._process else ""

    def start(self) -> None:
        """Writes the config, starts Kamailio in the foreground and waits until it answers OPTIONS."""
        if self._process is not None and self._process.running:
            raise PeerError("Kamailio is already running")
        binary = shutil.which("kamailio") or _sbin("kamailio")
        self._workdir = tempfile.TemporaryDirectory(prefix="balie-kamailio-")
        config = self._dir / "kamailio.cfg"
        config.write_text(self._render_config())
        self._process = PeerProcess(
            [
                binary,
                "-DD",
                "-E",
                "-f",
                str(config),
                "-P",
                str(self._dir / "kamailio.pid"),
                "-Y",
                str(self._dir),
                "-w",
                str(self._dir),
                "-m",
                _SHARED_MEMORY_MB,
                "-M",
                _PRIVATE_MEMORY_MB,
            ],
            cwd=self._dir,
        )
        self._process.start()
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if not self._process.running:
                break
            if options_ping(self.host, self.port, timeout=0.2) == 200 and self.ctl_socket.exists():
                return
            time.sleep(0.05)
        exit_code = self._process.returncode
        self._process.stop()
        output = self._process.tail(40)
        self._cleanup()
        state = f"exited with {exit_code}" if exit_code is not None else "did not answer OPTIONS"
        raise PeerError(f"Kamailio on {self.address} {state}; its output:\n{output}")

    def stop(self) -> None:
        """Stops Kamailio (SIGTERM by pid, SIGKILL after 5 s) and removes its files."""
        if self._process is not None:
            self._process.stop()
        self._cleanup()

    def registered_contacts(self, user: str) -> list[str]:
        """The contact URIs currently registered for `user` (empty when none)."""
        _check_user(user)
        kamcmd = shutil.which("kamcmd") or _sbin("kamcmd")
        # "s:" makes kamcmd pass the user as a string; a bare "200" would be sent as an integer and not match.
        argv = [kamcmd, "-s", f"unix:{self.ctl_socket}", "ul.lookup", "location", f"s:{user}"]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False)
        except subprocess.TimeoutExpired:
            raise PeerError(f"kamcmd did not answer within 5 s: {' '.join(argv)}") from None
        return parse_ul_lookup(done.stdout + done.stderr)

    def wait_registered(self, user: str, timeout: float = 5.0) -> list[str]:
        """Waits until `user` has at least one registered contact and returns the contacts."""
        deadline = time.monotonic() + timeout
        while True:
            contacts = self.registered_contacts(user)
            if contacts:
                return contacts
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{user} did not register with Kamailio on {self.address} within {timeout} s")
            time.sleep(0.05)

    @property
    def _dir(self) -> Path:
        if self._workdir is None:
            raise PeerError("Kamailio is not started")
        return Path(self._workdir.name)

    def _render_config(self) -> str:
        template = resources.files("appliance").joinpath("data/kamailio/registrar.cfg.template").read_text()
        rows = "\n".join(f'\t$sht(users=>{user}) = "{password}";' for user, password in self.users.items())
        values = {
            "{{HOST}}": self.host,
            "{{PORT}}": str(self.port),
            "{{CTL_SOCKET}}": str(self.ctl_socket),
            "{{NONCE_SECRET}}": secrets.token_hex(16),
            "{{USER_ROWS}}": rows or "\t# no users",
            "{{TLS}}": self._tls_block(),
        }
        for placeholder, value in values.items():
            template = template.replace(placeholder, value)
        leftover = _PLACEHOLDER.search(template)
        if leftover:
            raise PeerError(f"Kamailio template placeholder {leftover.group()} has no value")
        return template

    def _tls_block(self) -> str:
        """SIP over TLS on `tls_port` with a throwaway self-signed certificate (kamailio-tls-modules)."""
        if self.tls_port is None:
            return "# no TLS"
        key, cert, config = self._dir / "key.pem", self._dir / "cert.pem", self._dir / "tls.cfg"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        f"/CN={self.host}", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
        config.write_text(
            "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
            f"private_key = {key}\ncertificate = {cert}\n\n"
            "[client:default]\nverify_certificate = no\nrequire_certificate = no\n")
        return (f"enable_tls=yes\nlisten=tls:{self.host}:{self.tls_port}\n"
                f'loadmodule "tls.so"\nmodparam("tls", "config", "{config}")')

    def _cleanup(self) -> None:
        if self._workdir is not None:
            self._workdir.cleanup()
        self._workdir = None


def parse_ul_lookup(output: str) -> list[str]:
    """Contact addresses from `kamcmd ul.lookup` output; [] when the AoR is not found."""
    if "AOR not found" in output:
        return []
    contacts = _CONTACT_ADDRESS.findall(output)
    if not contacts and "AoR:" not in output:
        raise PeerError(f"unexpected answer from kamcmd ul.lookup:\n{output.strip()}")
    return contacts


def _check_user(user: str) -> None:
    if not _USER.match(user):
        raise ValueError(f"SIP user {user!r}: use 1-64 letters, digits, '.', '_' or '-'")


def _sbin(name: str) -> str:
    """Debian installs Kamailio's tools in /usr/sbin, which is not on every user's PATH."""
    path = Path("/usr/sbin") / name
    if not path.exists():
        raise PeerError(f"{name} is not installed (apt-get install --no-install-recommends kamailio)")
    return str(path)
