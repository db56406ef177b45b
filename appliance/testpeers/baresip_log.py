"""Reads call and registration events from baresip 1.0's console output (modules menu, sndfile, account).

baresip 1.0 has no machine-readable output without extra ports (ctrl_tcp), but its console lines are stable:

    100@127.0.0.1: Call established: sip:201@127.0.0.1:5060
    sip:202@127.0.0.1:5060: session closed: 404 Not Found          (a final error response to our INVITE)
    sip:200@127.0.0.1:5070: session closed: Connection reset by peer  (the other side hung up)
    sip:100@127.0.0.1:5060: Call with sip:201@127.0.0.1:5060 terminated (duration: 7 secs)
    call: SIP Progress: 180 Ringing (/)
    201@127.0.0.1: {0/UDP/v4} 200 OK (kamailio (5.6.3 (x86_64/linux))) [1 binding]
    reg: sip:201@127.0.0.1:5060: 403 Forbidden (kamailio (5.6.3 (x86_64/linux)))
    sndfile: dumping decode audio to /tmp/x/dump-2026-12-04-16-35-13-dec.wav
    menu: transferring call 4546f4caf8ace56e to 'sip:201@127.0.0.1:5060'      (following a REFER)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CallEstablished:
    peer: str


@dataclass(frozen=True)
class SessionClosed:
    peer: str
    status: int | None
    """The SIP status of a final error response, or None when the session closed for another reason."""
    reason: str


@dataclass(frozen=True)
class CallTerminated:
    peer: str
    duration_seconds: int


@dataclass(frozen=True)
class Progress:
    status: int
    reason: str


@dataclass(frozen=True)
class Registered:
    status: int


@dataclass(frozen=True)
class RegistrationFailed:
    status: int | None
    reason: str


@dataclass(frozen=True)
class RecordingOpened:
    direction: str
    """"encode" (what this peer sends) or "decode" (what it receives)."""
    path: Path


@dataclass(frozen=True)
class TransferStarted:
    """The far end sent REFER; baresip now calls `target` while the first call still exists."""

    target: str


Event = (
    CallEstablished
    | SessionClosed
    | CallTerminated
    | Progress
    | Registered
    | RegistrationFailed
    | RecordingOpened
    | TransferStarted
)

_PATTERNS: list[tuple[re.Pattern[str], type]] = [
    (re.compile(r"^\S+: Call established: (?P<peer>\S+)$"), CallEstablished),
    (re.compile(r"^(?P<peer>\S+): session closed: (?:(?P<status>[1-6]\d\d) )?(?P<reason>.*)$"), SessionClosed),
    (re.compile(r"^\S+: Call with (?P<peer>\S+) terminated \(duration: (?P<duration>\d+) secs?\)"), CallTerminated),
    (re.compile(r"^call: SIP Progress: (?P<status>1\d\d) (?P<reason>.*?)(?: \(.*\))?$"), Progress),
    (re.compile(r"^\S+: \{\d+/\w+/v[46]\} (?P<status>2\d\d) "), Registered),
    (re.compile(r"^reg: \S+: (?:(?P<status>[3-6]\d\d) )?(?P<reason>.*)$"), RegistrationFailed),
    (re.compile(r"^menu: transferring call \S+ to '(?P<target>[^']+)'$"), TransferStarted),
    (re.compile(r"^sndfile: dumping (?P<direction>encode|decode) audio to (?P<path>.+\.wav)$"), RecordingOpened),
]


def parse_line(line: str) -> Event | None:
    """The event a console line reports, or None for every other line."""
    for pattern, kind in _PATTERNS:
        found = pattern.match(line)
        if found:
            return _build(kind, found.groupdict())
    return None


def _build(kind: type, fields: dict[str, str | None]) -> Event:
    values: dict[str, object] = {}
    for name, value in fields.items():
        if name == "status":
            values[name] = int(value) if value is not None else None
        elif name == "duration":
            values["duration_seconds"] = int(value or 0)
        elif name == "path":
            values[name] = Path(value or "")
        else:
            values[name] = (value or "").strip()
    return kind(**values)
