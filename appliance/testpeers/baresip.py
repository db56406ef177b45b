"""baresip 1.0 as a scripted caller (`BaresipCaller`) and as an auto-answering phone (`BaresipPhone`).

Each instance is its own baresip process with its own config directory and SIP port, so several can run at once.
Both sides play a WAV (8 kHz mono 16-bit) and record what they send and what they receive (module sndfile).
baresip hangs up when its WAV ends, so the WAV is padded with silence to the wanted call length.
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from appliance.testpeers.audio import AudioError, pad_with_silence, read_wav
from appliance.testpeers.baresip_config import BaresipAccount, write_config
from appliance.testpeers.baresip_log import (
    CallEstablished,
    CallTerminated,
    Event,
    Progress,
    RecordingOpened,
    Registered,
    RegistrationFailed,
    SessionClosed,
    TransferStarted,
    parse_line,
)
from appliance.testpeers.ports import free_port
from appliance.testpeers.process import LogLine, PeerError, PeerProcess, RunsWhileInside
from appliance.testpeers.recording_clock import FileGrowthWatcher, recording_started_at, wall_clock_wav

PHONE_RATE = 8000
_STATUS_LINE = re.compile(r"^\[\d+:\d\d:\d\d\] audio=")  # the once-per-frame call status line of module menu
_URI = re.compile(r"^sips?:[^\s\"<>]+$")
_READY = "baresip is ready."
_BIND_CLASH = "Address already in use"
_HANGUP_GRACE = 5.0
_START_ATTEMPTS = 3
_PHONE_LIFETIME_SECONDS = 3600


class RegistrationError(PeerError):
    def __init__(self, user: str, status: int | None, reason: str) -> None:
        super().__init__(f"registration of {user} refused: {status or ''} {reason}".strip())
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class CallResult:
    """How one call went, from the point of view of the baresip peer that recorded it.

    Times are time.monotonic() values, comparable with any other process's on this machine. `sent` and
    `received` share one time axis: sample i of either was sent / heard at media_started_at + i / 8000.
    """

    sip_status: int | None
    """200 when answered, the final error status otherwise (404, 480, 486...), None when nothing answered."""
    reason: str
    """Why the call ended, as baresip put it ("Not Found", "Connection reset by peer", "no answer")."""
    sent: Path | None
    """What this peer sent, frame by frame from the moment its media started."""
    received: Path | None
    """What this peer heard, on the wall clock: silence where the far end sent nothing (see recording_clock)."""
    received_raw: Path | None
    """sndfile's own recording: one 20 ms frame per RTP packet, so without the far end's unsent silences."""
    log: str
    connected_at: float | None = None
    media_started_at: float | None = None
    ended_at: float | None = None
    silence_filled_seconds: float = 0.0
    """Silence put into `received` where no RTP arrived; about 0 when the far end sends continuously."""
    transferred_to: str | None = None
    """The URI a REFER from the far end sent this peer to, if any."""
    transfer: CallResult | None = None
    """The call baresip placed to `transferred_to`, with its own recordings (prefix "transfer-")."""

    @property
    def answered(self) -> bool:
        return self.sip_status == 200


class _Baresip:
    """One baresip process with its own directory, started with a retry when its random port was taken.

    While it runs, a FileGrowthWatcher notes when each recorded frame reaches the disk.
    """

    def __init__(self, directory: Path, account: BaresipAccount, audio_source: Path, extra_args: list[str]):
        self.directory = directory
        self._account = account
        self._audio_source = audio_source
        self._extra_args = extra_args
        self.process: PeerProcess | None = None
        self.sip_port: int | None = None
        self.watcher = FileGrowthWatcher(directory)

    def start(self) -> PeerProcess:
        binary = shutil.which("baresip")
        if binary is None:
            raise PeerError("baresip is not installed (apt-get install --no-install-recommends baresip-core)")
        self.watcher.start()
        for _ in range(_START_ATTEMPTS):
            # baresip binds the SIP port for UDP and TCP, and port+1 for TLS.
            sip_port = free_port(span=2)
            write_config(self.directory, self._account, sip_port, self._audio_source)
            process = PeerProcess(
                [binary, "-f", str(self.directory), *self._extra_args], self.directory, ignore=_STATUS_LINE
            )
            process.start()
            if process.wait_for(lambda text: True if text == _READY else None, timeout=10.0) is not None:
                self.process, self.sip_port = process, sip_port
                return process
            process.stop()
            if _BIND_CLASH not in process.text():
                break
        self.watcher.stop()
        raise PeerError(f"baresip did not start:\n{process.tail()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        self.watcher.stop()


@dataclass
class _CallTrace:
    """Collects the events of one call from a baresip log. A REFER from the far end starts a second call, to the
    transfer target, which is traced separately in `transfer`."""

    sip_status: int | None = None
    reason: str = "no answer"
    connected_at: float | None = None
    ended_at: float | None = None
    sent: Path | None = None
    received: Path | None = None
    transfer: _CallTrace | None = None
    transfer_target: str | None = None
    over: bool = False

    def apply(self, event: Event, line: LogLine) -> None:
        if self.transfer is not None and _concerns_transfer(event, self.transfer_target):
            self.transfer.apply(event, line)
            return
        match event:
            case TransferStarted(target=target):
                self.transfer, self.transfer_target = _CallTrace(), target
            case Progress(status=status, reason=reason):
                self.sip_status, self.reason = status, reason
            case RecordingOpened(direction="encode", path=path):
                self.sent = path
            case RecordingOpened(direction="decode", path=path):
                self.received = path
            case CallEstablished():
                self.sip_status, self.reason, self.connected_at = 200, "OK", line.at
            case SessionClosed(status=status, reason=reason):
                if self.connected_at is None:
                    self.sip_status, self.ended_at, self.over = status, line.at, True
                self.reason = reason
            case CallTerminated():
                self.ended_at, self.over = line.at, True

    @property
    def finished(self) -> bool:
        """This call and the call to its transfer target (if any) are over."""
        return self.over and (self.transfer is None or self.transfer.over)

    @property
    def talking_since(self) -> float | None:
        """When the latest call (to the transfer target, if any) was answered."""
        return self.transfer.connected_at if self.transfer is not None else self.connected_at


def _concerns_transfer(event: Event, target: str | None) -> bool:
    """Events with a peer belong to the call with that peer; the others (progress, recordings) to the newest."""
    peer = getattr(event, "peer", None)
    return peer == target if peer is not None else not isinstance(event, TransferStarted)


def _follow_call(
    process: PeerProcess, start: int, answer_timeout: float, talk_timeout: float
) -> tuple[_CallTrace, int]:
    """Follows one call (and its transfer) in the log until it ends; returns the trace and the next line's index."""
    trace = _CallTrace()
    index = start
    deadline = time.monotonic() + answer_timeout
    while True:
        found = process.wait_for(parse_line, max(0.0, deadline - time.monotonic()), start=index)
        if found is None:
            for leg in (trace, trace.transfer):
                if leg is not None and not leg.over:
                    if leg.connected_at is not None:
                        leg.reason = "did not end in time"
                    elif leg.sip_status is None or leg.sip_status < 200:
                        leg.sip_status, leg.reason = None, "no answer"
            return trace, len(process.lines())
        index, line, event = found
        index += 1
        answered = trace.talking_since
        trace.apply(event, line)
        if trace.finished:
            return trace, index
        if trace.talking_since is not None and trace.talking_since != answered:
            deadline = trace.talking_since + talk_timeout
        elif isinstance(event, TransferStarted):
            deadline = line.at + answer_timeout + talk_timeout


def _finish(trace: _CallTrace, watcher: FileGrowthWatcher, directory: Path, prefix: str, log: str) -> CallResult:
    """Puts the received audio on the sent audio's time axis and moves sndfile's second-stamped dump files to
    stable names, so that a later call cannot overwrite them."""
    sent = received = received_raw = None
    media_started_at, filled = None, 0.0
    if trace.sent is not None and trace.sent.exists():
        media_started_at = recording_started_at(trace.sent, watcher.history(trace.sent))
        sent = trace.sent.replace(directory / f"{prefix}sent.wav")
    if trace.received is not None and trace.received.exists():
        history = watcher.history(trace.received)
        media_started_at = media_started_at or recording_started_at(trace.received, history)
        if media_started_at is not None:
            received = directory / f"{prefix}received.wav"
            filled = wall_clock_wav(trace.received, history, media_started_at, received)
        received_raw = trace.received.replace(directory / f"{prefix}received-raw.wav")
        received = received or received_raw
    return CallResult(
        sip_status=trace.sip_status,
        reason=trace.reason,
        sent=sent,
        received=received,
        received_raw=received_raw,
        log=log,
        connected_at=trace.connected_at,
        media_started_at=media_started_at,
        ended_at=trace.ended_at,
        silence_filled_seconds=filled,
        transferred_to=trace.transfer_target,
        transfer=_finish(trace.transfer, watcher, directory, f"{prefix}transfer-", log) if trace.transfer else None,
    )


def _check_wav(path: Path) -> None:
    _, rate = read_wav(path)
    if rate != PHONE_RATE:
        raise AudioError(f"{path}: {rate} Hz; baresip plays 8000 Hz mono 16-bit WAV files only")


def _check_seconds(wav: Path, seconds: float) -> None:
    samples, rate = read_wav(wav)
    if not 0 < seconds <= 3600:
        raise ValueError(f"call length must be between 0 and 3600 s, not {seconds}")
    if len(samples) / rate > seconds:
        raise ValueError(f"{wav} lasts {len(samples) / rate:.2f} s, longer than the {seconds} s call")


class BaresipCaller:
    """Places calls as `user`; through `registrar` (host:port) when given, else directly to the URI dialled.

    Each call runs its own baresip process in its own folder workdir/call-NNN (kept, with its recordings), so
    calls from several threads run at the same time.
    """

    def __init__(
        self,
        workdir: Path,
        user: str = "100",
        *,
        password: str | None = None,
        registrar: str | None = None,
        answer_timeout: float = 10.0,
    ) -> None:
        self.account = BaresipAccount(user=user, password=password, registrar=registrar)
        self.workdir = workdir
        self.answer_timeout = answer_timeout
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def call(self, uri: str, wav_to_send: Path, seconds: float) -> CallResult:
        """Dials `uri`, sends `wav_to_send` followed by silence, and hangs up `seconds` after media starts.

        baresip's aufile reads its WAV in one-second blocks, so the call lasts `seconds` rounded up to a whole
        second. Returns early when the far end rejects the call or hangs up. Blocks for at most
        answer_timeout + seconds + a few seconds.
        """
        if not _URI.match(uri):
            raise ValueError(f"{uri!r} is not a SIP URI such as sip:200@127.0.0.1:5070")
        _check_wav(wav_to_send)
        _check_seconds(wav_to_send, seconds)
        directory = self._new_call_directory()
        seconds = math.ceil(seconds)
        source = pad_with_silence(wav_to_send, seconds, directory / "source.wav")
        quit_after = math.ceil(self.answer_timeout + seconds + 2 * _HANGUP_GRACE)
        baresip = _Baresip(directory, self.account, source, ["-e", f"/dial {uri}", "-t", str(quit_after)])
        process = baresip.start()
        try:
            trace, _ = _follow_call(process, 0, self.answer_timeout, seconds + _HANGUP_GRACE)
        finally:
            baresip.stop()
        return _finish(trace, baresip.watcher, directory, "", process.text())

    def _new_call_directory(self) -> Path:
        """call-001, call-002...: the first number not yet taken in workdir (which may hold older calls)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        while True:
            with self._lock:
                directory = self.workdir / f"call-{next(self._numbers):03d}"
            try:
                directory.mkdir()
            except FileExistsError:
                continue
            return directory


class BaresipPhone(RunsWhileInside):
    """A phone that answers every call at once and plays `play`; it registers as `user` when given a registrar
    (host:port), and is reachable directly at `uri` either way.

    It hangs up `seconds` (rounded up to a whole second) after answering, when its padded WAV ends, unless the
    caller hangs up first. It takes one call at a time: a second caller gets 486 Busy Here. Recordings stay in
    `workdir` as call-NNN-sent.wav, call-NNN-received.wav. Use as a context manager.
    """

    def __init__(
        self,
        workdir: Path,
        user: str,
        play: Path,
        seconds: float = 10.0,
        *,
        password: str | None = None,
        registrar: str | None = None,
    ) -> None:
        self.account = BaresipAccount(
            user=user, password=password, registrar=registrar, register=registrar is not None, auto_answer=True
        )
        _check_wav(play)
        _check_seconds(play, seconds)
        self.play = play
        self.seconds = math.ceil(seconds)
        self.workdir = workdir
        self._baresip: _Baresip | None = None
        self._next_line = 0
        self._calls = itertools.count(1)

    @property
    def log(self) -> str:
        return self._process.text() if self._baresip and self._baresip.process else ""

    @property
    def uri(self) -> str:
        """The phone's own address, for calls that bypass the registrar."""
        if self._baresip is None or self._baresip.sip_port is None:
            raise PeerError(f"phone {self.account.user} is not started")
        return f"sip:{self.account.user}@127.0.0.1:{self._baresip.sip_port}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        source = pad_with_silence(self.play, self.seconds, self.workdir / "source.wav")
        # The lifetime limit makes sure a phone orphaned by a killed test run does not linger.
        self._baresip = _Baresip(self.workdir, self.account, source, ["-t", str(_PHONE_LIFETIME_SECONDS)])
        self._baresip.start()

    def stop(self) -> None:
        if self._baresip is not None:
            self._baresip.stop()

    def wait_registered(self, timeout: float = 5.0) -> None:
        """Waits for the registrar's answer; raises RegistrationError when it refuses, TimeoutError without one."""
        if not self.account.register:
            raise PeerError(f"phone {self.account.user} has no registrar to register with")

        def outcome(text: str) -> Registered | RegistrationFailed | None:
            event = parse_line(text)
            return event if isinstance(event, Registered | RegistrationFailed) else None

        found = self._process.wait_for(outcome, timeout)
        if found is None:
            raise TimeoutError(f"{self.account.user} got no answer to REGISTER within {timeout} s")
        event = found[2]
        if isinstance(event, RegistrationFailed):
            raise RegistrationError(self.account.user, event.status, event.reason)

    def wait_for_call(self, timeout: float = 15.0) -> CallResult:
        """Waits for the next incoming call to end (at most `timeout` for it to arrive) and returns its record."""
        trace, self._next_line = _follow_call(self._process, self._next_line, timeout, self.seconds + _HANGUP_GRACE)
        prefix = f"call-{next(self._calls):03d}-"
        assert self._baresip is not None
        return _finish(trace, self._baresip.watcher, self.workdir, prefix, self._process.text())

    @property
    def _process(self) -> PeerProcess:
        if self._baresip is None or self._baresip.process is None:
            raise PeerError(f"phone {self.account.user} is not started")
        return self._baresip.process
