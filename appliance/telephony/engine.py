"""The pjsua2 endpoint on its own thread: transports, account, incoming calls, and a command queue.

pjsua2 wants every callback on one thread (`mainThreadOnly`): this thread pumps `libHandleEvents` and runs
commands handed over from other threads (hang up, transfer). Audio frames are exchanged on pjmedia's clock thread
through `AudioBridgePort`; nothing slow ever runs on either thread.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pjsua2 as pj

from appliance.config import SipSettings
from appliance.telephony.media import AudioBridgePort
from appliance.telephony.registration import RegistrationStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingCall:
    remote_uri: str
    caller_id: str
    caller_name: str
    local_uri: str
    sip_call_id: str


class CallControls(Protocol):
    def hangup(self) -> None: ...
    def transfer(self, target_uri: str) -> None: ...


class CallHandler(Protocol):
    """What the engine needs from a call's session."""

    def media_started(self) -> None: ...
    def audio_in(self, pcm16: bytes) -> None: ...
    def audio_out(self) -> bytes | None: ...
    def dtmf(self, digit: str) -> None: ...
    def transfer_result(self, code: int, final: bool) -> None: ...
    def disconnected(self, reason: str) -> None: ...


SessionFactory = Callable[[IncomingCall, CallControls], CallHandler]
BusyRecorder = Callable[[IncomingCall], None]


def parse_caller(remote_uri: str) -> tuple[str, str]:
    """Display name and user part of `"Jan" <sip:0612345678@pbx>` (either may be empty)."""
    name = remote_uri.split("<", 1)[0].strip().strip('"') if "<" in remote_uri else ""
    uri = remote_uri.split("<", 1)[-1].rstrip(">")
    user = uri.split(":", 1)[-1].split("@", 1)[0].split(";", 1)[0]
    return name, user


def remote_host(remote_uri: str) -> str:
    """host[:port] of `"Jan" <sip:0612345678@pbx.lan:5060;transport=udp>`."""
    uri = remote_uri.split("<", 1)[-1].rstrip(">")
    return uri.split("@", 1)[-1].split(";", 1)[0]


class _Call(pj.Call):
    def __init__(self, engine: SipEngine, account: pj.Account, call_id: int) -> None:
        super().__init__(account, call_id)
        self.engine = engine
        self.handler: CallHandler | None = None
        self.port: AudioBridgePort | None = None
        self.media_connected = False

    def hangup_now(self, code: int = 200) -> None:
        """Hangs up an established call, or rejects a ringing one with `code` (e.g. 486 Busy Here)."""
        if self.isActive():
            prm = pj.CallOpParam(True)
            prm.statusCode = code
            self.hangup(prm)

    # --- pjsua2 callbacks (SIP thread) ---
    def onCallState(self, prm: pj.OnCallStateParam) -> None:  # noqa: N802
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            reason = f"{info.lastStatusCode} {info.lastReason}".strip()
            self.engine.call_ended(self, reason)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:  # noqa: N802
        if self.media_connected or self.handler is None:
            return
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(index)
                self.port = AudioBridgePort(f"call{info.id}", self.handler.audio_in, self.handler.audio_out)
                audio.startTransmit(self.port)
                self.port.startTransmit(audio)
                self.media_connected = True
                self.handler.media_started()
                return

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:  # noqa: N802
        if self.handler:
            self.handler.dtmf(prm.digit)

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:  # noqa: N802
        if self.handler:
            self.handler.transfer_result(prm.statusCode, prm.finalNotify)


class _Controls:
    """CallControls for one call: hands each operation to the SIP thread."""

    def __init__(self, engine: SipEngine, call: _Call) -> None:
        self._engine = engine
        self._call = call

    def hangup(self) -> None:
        self._engine.submit(lambda: self._call.hangup_now(200))

    def transfer(self, target_uri: str) -> None:
        self._engine.submit(lambda: self._call.xfer(target_uri, pj.CallOpParam(True)))


class _Account(pj.Account):
    def __init__(self, engine: SipEngine) -> None:
        super().__init__()
        self.engine = engine

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:  # noqa: N802
        self.engine.incoming_call(_Call(self.engine, self, prm.callId))

    def onRegState(self, prm: pj.OnRegStateParam) -> None:  # noqa: N802
        self.engine.registration_changed(prm.code, prm.reason, prm.expiration)


class SipEngine:
    """Owns the pjsua2 library for the life of the process."""

    def __init__(self, settings: SipSettings, session_factory: SessionFactory, on_busy: BusyRecorder,
                 log_level: int = 1) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.on_busy = on_busy
        self.log_level = log_level
        account = settings.account
        self.registration = RegistrationStatus(
            enabled=account is not None,
            retry_min=account.retry_min_seconds if account else 2.0,
            retry_max=account.retry_max_seconds if account else 300.0,
        )
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._calls: dict[int, _Call] = {}
        self._rejected: dict[int, _Call] = {}
        self._calls_lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sip", daemon=True)
        self.last_heartbeat = 0.0
        self._endpoint: pj.Endpoint | None = None
        self._account: _Account | None = None

    # --- public, any thread ---
    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("SIP engine did not start in time")
        if self._error:
            raise RuntimeError(f"SIP engine failed to start: {self._error}") from self._error

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def submit(self, command: Callable[[], None]) -> None:
        self._commands.put(command)

    @property
    def active_calls(self) -> int:
        with self._calls_lock:
            return len(self._calls)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # --- SIP thread ---
    def _run(self) -> None:
        try:
            self._start_library()
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        while not self._stop.is_set():
            self.last_heartbeat = time.monotonic()
            self._endpoint.libHandleEvents(10)
            self._run_commands()
            if self._account is not None and self.registration.retry_due():
                self._register()
        self._shutdown()

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command()
            except pj.Error as exc:
                log.warning("SIP command failed: %s", exc.info())
            except Exception:
                log.exception("SIP command failed")

    def _start_library(self) -> None:
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.maxCalls = max(4, self.settings.max_calls * 2 + 2)
        config.uaConfig.userAgent = "Balie"
        config.logConfig.level = self.log_level
        config.logConfig.consoleLevel = self.log_level
        config.medConfig.clockRate = 16000
        config.medConfig.sndClockRate = 16000
        config.medConfig.noVad = True  # keep RTP flowing in silence: callers and jitter buffers expect it
        config.medConfig.ecTailLen = 0
        endpoint.libInit(config)
        endpoint.audDevManager().setNullDev()
        transport = pj.TransportConfig()
        transport.port = self.settings.port
        if self.settings.bind_address != "0.0.0.0":
            transport.boundAddress = self.settings.bind_address
        if self.settings.public_address:
            transport.publicAddress = self.settings.public_address
        endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        endpoint.transportCreate(pj.PJSIP_TRANSPORT_TCP, transport)
        account = self.settings.account
        if account is not None and account.transport == "tls":
            transport.port = self.settings.tls_port
            transport.tlsConfig.verifyServer = account.tls_verify_server
            if account.tls_ca_file:
                transport.tlsConfig.CaListFile = str(account.tls_ca_file)
            endpoint.transportCreate(pj.PJSIP_TRANSPORT_TLS, transport)
        endpoint.libStart()
        self._endpoint = endpoint
        self._account = self._create_account()

    def _create_account(self) -> _Account:
        account_config = pj.AccountConfig()
        media = account_config.mediaConfig.transportConfig
        if self.settings.bind_address != "0.0.0.0":
            media.boundAddress = self.settings.bind_address
        if self.settings.public_address or self.settings.bind_address != "0.0.0.0":
            media.publicAddress = self.settings.public_address or self.settings.bind_address
        settings = self.settings.account
        if settings is None:
            host = self.settings.public_address or self.settings.bind_address
            account_config.idUri = f"sip:balie@{host}:{self.settings.port}"
            account = _Account(self)
            account.create(account_config)
            return account
        account_config.idUri = settings.aor
        account_config.regConfig.registrarUri = settings.registrar_uri
        account_config.regConfig.timeoutSec = settings.register_expires
        account_config.regConfig.retryIntervalSec = 0  # we retry ourselves, with backoff
        account_config.regConfig.registerOnAdd = False
        account_config.sipConfig.authCreds.append(
            pj.AuthCredInfo("digest", "*", settings.user, 0, settings.password))
        if settings.transport != "udp":
            account_config.sipConfig.proxies.append(settings.registrar_uri + ";lr")
        account = _Account(self)
        account.create(account_config)
        self._account = account
        self._register()
        return account

    def _register(self) -> None:
        self.registration.attempting()
        try:
            self._account.setRegistration(True)
        except pj.Error as exc:
            delay = self.registration.failed(503, exc.reason or "registration could not be sent")
            log.warning("SIP registration failed to start: %s; retrying in %.0f s", exc.info(), delay)

    def registration_changed(self, code: int, reason: str, expiration: int) -> None:
        if 200 <= code < 300 and expiration > 0:
            self.registration.succeeded(code, reason)
            log.info("registered with %s", self.settings.account.registrar)
        elif 200 <= code < 300:
            return  # unregistration
        else:
            delay = self.registration.failed(code, reason)
            log.warning("SIP registration failed: %s %s; retrying in %.0f s", code, reason, delay)

    def incoming_call(self, call: _Call) -> None:
        info = call.getInfo()
        name, user = parse_caller(info.remoteUri)
        incoming = IncomingCall(info.remoteUri, user, name, info.localUri, info.callIdString)
        with self._calls_lock:
            busy = len(self._calls) >= self.settings.max_calls
            if not busy:
                self._calls[info.id] = call
        if busy:
            log.info("busy (%d calls): rejecting call from %s with 486", self.settings.max_calls, user)
            with self._calls_lock:
                self._rejected[info.id] = call  # kept alive until pjsua reports it disconnected
            call.hangup_now(486)
            self.on_busy(incoming)
            return
        prm = pj.CallOpParam(True)
        try:
            call.handler = self.session_factory(incoming, _Controls(self, call))
            prm.statusCode = 200
        except Exception:
            log.exception("could not start a session for a call from %s", user)
            with self._calls_lock:
                self._calls.pop(info.id, None)
            prm.statusCode = 500
        call.answer(prm)

    def call_ended(self, call: _Call, reason: str) -> None:
        info_id = call.getId()
        with self._calls_lock:
            tracked = self._calls.pop(info_id, None)
            self._rejected.pop(info_id, None)
        if tracked is None:
            return
        if call.port is not None:
            call.port = None
        if call.handler is not None:
            call.handler.disconnected(reason)

    def _shutdown(self) -> None:
        with self._calls_lock:
            calls = list(self._calls.values())
        for call in calls:
            with contextlib.suppress(pj.Error):
                call.hangup_now(503)
        for _ in range(20):
            self._endpoint.libHandleEvents(10)
            self._run_commands()
        with self._calls_lock:
            self._calls.clear()
            self._rejected.clear()
        del calls
        if self._account is not None:
            self._account.shutdown()
            self._account = None
        self._endpoint.libDestroy()
        self._endpoint = None
