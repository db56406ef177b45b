"""`balie run`: loads the models, starts SIP and the web server, and watches that both stay healthy."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn

from appliance import __version__
from appliance.call.session import CallSession
from appliance.call.stack import SpeechStack, load_stack
from appliance.config import AppConfig, ConfigError, load_config
from appliance.device.runtime import DeviceRuntime
from appliance.models.store import ModelMissingError
from appliance.profile import ProfileError
from appliance.store import CallStore
from appliance.telephony.engine import CallControls, IncomingCall, SipEngine, remote_host
from appliance.web.app import create_web_app

log = logging.getLogger("balie")
HEALTH_INTERVAL = 2.0
SIP_STALL_SECONDS = 10.0
DISK_LOW_BYTES = 500_000_000


def config_from_args(args: argparse.Namespace) -> AppConfig:
    config = load_config(args.config)
    if getattr(args, "data_dir", None):
        config.data_dir = args.data_dir
    if getattr(args, "profile", None):
        config.profile = args.profile
    if getattr(args, "sip_port", None):
        config.sip.port = args.sip_port
    if getattr(args, "web_port", None) is not None:
        config.web.port = args.web_port
    if getattr(args, "max_calls", None):
        config.sip.max_calls = args.max_calls
    return config


@dataclass
class Appliance:
    config: AppConfig
    stack: SpeechStack
    store: CallStore
    engine: SipEngine | None = None
    recovered_calls: int = 0
    started_at: float = field(default_factory=time.time)
    sessions: dict[int, CallSession] = field(default_factory=dict)
    device: DeviceRuntime | None = None
    exit_code: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def new_session(self, incoming: IncomingCall, controls: CallControls) -> CallSession:
        session = CallSession(self.stack, self.store, self.config.turns, incoming, controls,
                              transfer_uri=self.transfer_target(incoming))
        self.sessions[session.call_id] = session
        self._forget_ended_sessions()
        return session

    def record_busy(self, incoming: IncomingCall) -> None:
        call_id = self.store.start_call(incoming.caller_id, incoming.caller_name, incoming.local_uri,
                                        incoming.sip_call_id, status="rejected_busy")
        self.store.update_call(call_id, ended_at=self.store.call(call_id)["started_at"], end_reason="486 busy",
                               outcome="rejected_busy")

    def transfer_target(self, incoming: IncomingCall) -> Callable[[str], str]:
        """Where "extension 12" is for this call: on the registrar's domain, or (direct calls, no registrar)
        on the system the call came from."""
        account = self.config.sip.account
        host = (account.domain or account.registrar) if account else remote_host(incoming.remote_uri)
        return lambda extension: f"sip:{extension}@{host}"

    def _forget_ended_sessions(self) -> None:
        for call_id in [cid for cid, s in self.sessions.items() if s.ended]:
            del self.sessions[call_id]

    def status(self) -> dict:
        registration = self.engine.registration.snapshot() if self.engine else None
        problems = []
        if self.engine is None or not self.engine.alive:
            problems.append("SIP engine not running")
        elif time.monotonic() - self.engine.last_heartbeat > SIP_STALL_SECONDS:
            problems.append("SIP thread stalled")
        if registration and registration.state in ("refused", "unreachable"):
            problems.append(f"SIP registration {registration.summary()}")
        free = shutil.disk_usage(self.config.data_dir).free
        if free < DISK_LOW_BYTES:
            problems.append(f"disk almost full: {free // 1_000_000} MB free")
        return {
            "version": __version__,
            "business": self.stack.profile.name,
            "uptime_seconds": round(time.time() - self.started_at),
            "sip_port": self.config.sip.port,
            "registration": registration.as_dict() if registration else None,
            "registration_summary": registration.summary() if registration else "",
            "active_calls": self.engine.active_calls if self.engine else 0,
            "ringing_calls": sum(1 for s in list(self.sessions.values()) if not s.media_live and not s.ended),
            "max_calls": self.config.sip.max_calls,
            "recovered_interrupted_calls": self.recovered_calls,
            "models_load_seconds": round(self.stack.load_seconds, 2),
            "problems": problems,
            "lights": self.device.leds.current.meaning if self.device and self.device.leds.current else "",
        }

    def stop(self, exit_code: int = 0) -> None:
        self.exit_code = exit_code
        self._stop.set()

    def serve(self) -> int:
        self.device = DeviceRuntime(self.config.data_dir, request_exit=self.stop)
        self.engine = SipEngine(self.config.sip, self.new_session, self.record_busy)
        try:
            self.engine.start()
            app = create_web_app(self.status, self.store, self.config.data_dir)
            web = _WebServer(app, self.config.web.host, self.config.web.port)
            web.start()
        except RuntimeError:
            self.device.close()
            raise
        summary = self.status()["registration_summary"] or "ready"
        print(f"balie {__version__}: answering SIP on port {self.config.sip.port}, web on port {web.port}; "
              f"{summary}", flush=True)
        self.device.ready(summary)
        try:
            while not self._stop.wait(HEALTH_INTERVAL):
                status = self.status()
                for problem in status["problems"]:
                    log.warning("health: %s", problem)
                stalled = any(p.startswith("SIP") and "registration" not in p for p in status["problems"])
                self.device.update(status, healthy=web.thread.is_alive() and not stalled)
        finally:
            self.device.close()
            web.stop()
            self.engine.stop()
            self.store.close()
        return self.exit_code


class _WebServer:
    """uvicorn on a thread of its own, so the web page never competes with SIP for an event loop."""

    def __init__(self, app, host: str, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                    lifespan="off"))
        self.server.install_signal_handlers = lambda: None
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)

    @property
    def port(self) -> int:
        sockets = [s for server in self.server.servers for s in server.sockets]
        return sockets[0].getsockname()[1] if sockets else self.server.config.port

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"web server could not listen on port {self.server.config.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1` prints every thread's stack
    try:
        config = config_from_args(args)
        config.data_dir.mkdir(parents=True, exist_ok=True)
        store = CallStore(config.data_dir / "balie.db")
        recovered = store.recover_interrupted()
    except (ConfigError, OSError) as exc:
        print(f"balie: {exc}", file=sys.stderr)
        return 2
    try:
        stack = load_stack(config)
    except (ProfileError, ModelMissingError) as exc:
        print(f"balie: {exc}", file=sys.stderr)
        return serve_without_calls(config, store, f"model missing or damaged: {exc}"
                                   if isinstance(exc, ModelMissingError) else f"profile: {exc}")
    appliance = Appliance(config, stack, store, recovered_calls=recovered)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: appliance.stop(0))
    try:
        return appliance.serve()
    except RuntimeError as exc:
        print(f"balie: {exc}", file=sys.stderr)
        return 1


def serve_without_calls(config: AppConfig, store: CallStore, problem: str) -> int:
    """The box cannot take calls (a model or the profile is broken) but stays up to say so: red LED, status page,
    health 503. Restarting would not help, so systemd is told it is running; the owner or installer fixes it."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    device = DeviceRuntime(config.data_dir, request_exit=lambda _code: stop.set())

    def status() -> dict:
        return {"version": __version__, "business": "", "registration": None, "registration_summary": problem,
                "active_calls": 0, "ringing_calls": 0, "max_calls": config.sip.max_calls, "problems": [problem]}

    web = _WebServer(create_web_app(status, store, config.data_dir), config.web.host, config.web.port)
    web.start()
    print(f"balie {__version__}: NOT taking calls: {problem}; web on port {web.port}", flush=True)
    device.ready(problem)
    try:
        while not stop.wait(HEALTH_INTERVAL):
            device.update(status(), healthy=web.thread.is_alive())
    finally:
        device.close()
        web.stop()
        store.close()
    return 0
