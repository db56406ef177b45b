"""A test peer's child process: its output lines are read on a thread and stamped with time.monotonic()."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

T = TypeVar("T")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LINE_BREAK = re.compile(rb"[\r\n]")


class PeerError(RuntimeError):
    """A test peer could not be started or used; the message carries the tail of its output."""


@dataclass(frozen=True)
class LogLine:
    at: float
    """time.monotonic() when the line was read; comparable across processes on this machine."""
    text: str


class PeerProcess:
    """Runs `argv` in its own session with stdout and stderr merged, and keeps every non-empty output line."""

    def __init__(self, argv: Sequence[str], cwd: Path, ignore: re.Pattern[str] | None = None) -> None:
        self.argv = list(argv)
        self._cwd = cwd
        self._ignore = ignore
        self._lines: list[LogLine] = []
        self._changed = threading.Condition()
        self._popen: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._popen = subprocess.Popen(
                self.argv,
                cwd=self._cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise PeerError(f"cannot run {self.argv[0]}: {error}") from None
        self._reader = threading.Thread(target=self._read, name=f"{Path(self.argv[0]).name}-output", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise PeerError("the process has not been started")
        return self._popen.pid

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def lines(self) -> list[LogLine]:
        with self._changed:
            return list(self._lines)

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines())

    def tail(self, count: int = 25) -> str:
        return "\n".join(line.text for line in self.lines()[-count:])

    def wait_for(
        self, match: Callable[[str], T | None], timeout: float, start: int = 0
    ) -> tuple[int, LogLine, T] | None:
        """Waits for the first line from index `start` on for which `match` returns a value.

        Returns (index, line, value), or None on timeout or when the process has exited and its output is read.
        """
        deadline = time.monotonic() + timeout
        index = start
        with self._changed:
            while True:
                while index < len(self._lines):
                    value = match(self._lines[index].text)
                    if value is not None:
                        return index, self._lines[index], value
                    index += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self._reader is not None and not self._reader.is_alive()):
                    return None
                self._changed.wait(min(remaining, 0.2))

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM to the process, SIGKILL to its process group if it has not exited within `timeout`."""
        if self._popen is None:
            return None
        if self._popen.poll() is None:
            self._popen.send_signal(signal.SIGTERM)
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self._popen.pid, signal.SIGKILL)
                self._popen.wait(timeout)
        self._kill_leftover_children()
        if self._reader is not None:
            self._reader.join(timeout)
        return self._popen.returncode

    def _kill_leftover_children(self) -> None:
        """Children that outlive their parent (Kamailio workers) still carry the group id we created."""
        assert self._popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signal.SIGKILL)

    def _read(self) -> None:
        assert self._popen is not None and self._popen.stdout is not None
        pending = b""
        while chunk := self._popen.stdout.read1(65536):
            pending += chunk
            *complete, pending = _LINE_BREAK.split(pending)
            self._append(complete)
        self._append([pending])
        with self._changed:
            self._changed.notify_all()

    def _append(self, raw_lines: list[bytes]) -> None:
        now = time.monotonic()
        fresh = []
        for raw in raw_lines:
            text = _ANSI_ESCAPE.sub("", raw.decode("utf-8", errors="replace")).strip()
            if text and not (self._ignore and self._ignore.search(text)):
                fresh.append(LogLine(now, text))
        if fresh:
            with self._changed:
                self._lines.extend(fresh)
                self._changed.notify_all()


class RunsWhileInside:
    """`with peer:` starts it and always stops it again; subclasses provide start() and stop()."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
