"""A real `balie run` process for tests and benchmarks: its own config, data dir and ports, with its status,
CPU time and peak memory readable from outside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

import yaml

from appliance.testpeers.ports import LOOPBACK, free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BoxError(RuntimeError):
    """The appliance process did not come up; carries its output."""


class BoxProcess:
    """Starts `balie run` with `settings` merged into a loopback-only config; a context manager."""

    def __init__(self, settings: dict | None = None, *, data_dir: Path | None = None,
                 startup_timeout: float = 90.0, extra_args: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="balie-box-")
        self.workdir = Path(self._tmp.name)
        self.data_dir = data_dir or self.workdir / "data"
        self.sip_port = free_port(span=1)
        self.web_port = free_port()
        config = {"sip": {"bind_address": LOOPBACK, "port": self.sip_port},
                  "web": {"host": LOOPBACK, "port": self.web_port}}
        _merge(config, settings or {})
        self.config_path = self.workdir / "config.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.log_path = self.workdir / "balie.log"
        self._startup_timeout = startup_timeout
        self._extra_args = extra_args or []
        self._env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        """Direct SIP URI of the box (no registrar)."""
        return f"sip:200@{LOOPBACK}:{self.sip_port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "balie.db"

    def start(self) -> BoxProcess:
        command = [sys.executable, "-m", "appliance", "run", "--config", str(self.config_path),
                   "--data-dir", str(self.data_dir), *self._extra_args]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self._env)
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BoxError(f"balie run exited with {self.process.returncode}:\n{self.log()}")
            try:
                self.status()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise BoxError(f"balie run did not answer on port {self.web_port} in time:\n{self.log()}")

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{self.web_port}/api/status", timeout=2) as response:
            return json.load(response)

    def wait_for(self, predicate, timeout: float = 20.0, what: str = "condition") -> dict:
        deadline = time.monotonic() + timeout
        status = self.status()
        while not predicate(status):
            if time.monotonic() > deadline:
                raise BoxError(f"timed out waiting for {what}; last status: {status}")
            time.sleep(0.1)
            status = self.status()
        return status

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """Like a power cut: no chance to clean up."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def close(self) -> None:
        self.stop()
        self._tmp.cleanup()

    def __enter__(self) -> BoxProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _merge(base: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
