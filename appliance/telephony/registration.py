"""What the box's SIP registration is doing, and when to try again after a failure."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass

REFUSED_CODES = {401: "wrong user or password", 403: "refused by the phone system (wrong user or password?)",
                 404: "extension unknown to the phone system"}


@dataclass
class RegistrationSnapshot:
    state: str              # disabled | registering | registered | refused | unreachable
    code: int = 0
    reason: str = ""
    detail: str = ""
    retry_in_seconds: float | None = None
    attempts: int = 0
    registered_since: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.state == "disabled":
            return "no SIP account configured: taking direct calls"
        if self.state == "registered":
            return "registered"
        text = f"{self.state}: {self.code} {self.reason}".strip()
        if self.detail:
            text += f" ({self.detail})"
        if self.retry_in_seconds is not None:
            text += f"; retrying in {self.retry_in_seconds:.0f} s"
        return text


class RegistrationStatus:
    """Thread-safe registration state plus exponential backoff with jitter for retries."""

    def __init__(self, enabled: bool, retry_min: float = 2.0, retry_max: float = 300.0) -> None:
        self._lock = threading.Lock()
        self._retry_min = retry_min
        self._retry_max = retry_max
        self._failures = 0
        self._retry_at: float | None = None
        self._snapshot = RegistrationSnapshot(state="registering" if enabled else "disabled")

    def snapshot(self) -> RegistrationSnapshot:
        with self._lock:
            snap = RegistrationSnapshot(**asdict(self._snapshot))
            if self._retry_at is not None:
                snap.retry_in_seconds = max(0.0, self._retry_at - time.monotonic())
            return snap

    def attempting(self) -> None:
        with self._lock:
            self._snapshot.attempts += 1
            self._retry_at = None

    def succeeded(self, code: int, reason: str) -> None:
        with self._lock:
            self._failures = 0
            self._retry_at = None
            since = self._snapshot.registered_since or time.time()
            self._snapshot = RegistrationSnapshot("registered", code, reason, attempts=self._snapshot.attempts,
                                                  registered_since=since)

    def failed(self, code: int, reason: str) -> float:
        """Records a failure and returns the delay before the next attempt."""
        with self._lock:
            self._failures += 1
            delay = min(self._retry_max, self._retry_min * 2 ** (self._failures - 1))
            delay *= random.uniform(0.8, 1.0)
            self._retry_at = time.monotonic() + delay
            state = "refused" if code in REFUSED_CODES or 400 <= code < 500 else "unreachable"
            detail = REFUSED_CODES.get(code, "phone system not answering" if state == "unreachable" else "")
            self._snapshot = RegistrationSnapshot(state, code, reason, detail, attempts=self._snapshot.attempts)
            return delay

    def retry_due(self) -> bool:
        with self._lock:
            return self._retry_at is not None and time.monotonic() >= self._retry_at
