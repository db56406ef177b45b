"""`balie doctor`: checks what a box needs to answer calls, one clear line per problem with its fix."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from appliance.app import DISK_LOW_BYTES, config_from_args
from appliance.config import AppConfig, ConfigError
from appliance.models.manifest import ManifestError, load_manifest
from appliance.models.store import verify
from appliance.telephony.registration import RegistrationSnapshot

REGISTRATION_WAIT_SECONDS = 8.0


@dataclass
class Finding:
    check: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'ok     ' if self.ok else 'PROBLEM'} {self.check}: {self.message}"


def check_profile(config: AppConfig) -> Finding:
    from appliance.profile import ProfileError, load_profile

    try:
        profile = load_profile(config.profile)
    except ProfileError as exc:
        first, _, details = str(exc).partition("\n")
        fix = f"{first}; fix the file and run `balie profile check {config.profile}`"
        return Finding("profile", False, f"{fix}\n{details}" if details else fix)
    return Finding("profile", True, f"{profile.name} ({config.profile})")


def check_models(config: AppConfig) -> list[Finding]:
    try:
        manifest = load_manifest()
    except ManifestError as exc:
        return [Finding("models", False, f"{exc}; reinstall Balie, or point BALIE_MODELS_DIR at its models "
                                         f"directory (the one holding manifest.toml)")]
    speech = config.speech
    wanted = {"asr_model": speech.asr_model, "vad_model": speech.vad_model, "llm_model": speech.llm_model}
    findings = []
    for setting, name in wanted.items():
        try:
            model = manifest.get(name)
        except KeyError as exc:
            message = f"{exc.args[0]}; fix speech.{setting} in the config"
            findings.append(Finding(f"model {name}", False, message))
            continue
        problems = verify(manifest, model, full=True)
        findings.append(Finding(f"model {name}", not problems,
                                f"{problems[0]}; fix: balie models fetch {name}" if problems else
                                f"{model.role}, {model.size / 1e6:.0f} MB, sha256 verified"))
    return findings


def check_audio_path(config: AppConfig) -> Finding:
    """Speaks a test sentence, finds it with the VAD and recognises it again: the whole speech path."""
    from appliance.call.stack import CALL_RATE, create_configured_synthesizer
    from appliance.models.store import model_path
    from appliance.speech.asr import create_transcriber
    from appliance.speech.resample import resample
    from appliance.speech.vad import SpeechDetector

    try:
        manifest = load_manifest()
        synthesizer = create_configured_synthesizer(config.speech, manifest)
        audio = resample(synthesizer.synthesize("Testing one two three.", "en"), synthesizer.sample_rate, CALL_RATE)
        detector = SpeechDetector(model_path(manifest, config.speech.vad_model, "silero_vad.onnx"), CALL_RATE)
        speech_windows = sum(p >= 0.5 for p in detector.feed(audio))
        transcriber = create_transcriber(config.speech.asr_backend, model_path(manifest, config.speech.asr_model),
                                         threads=config.speech.threads)
        started = time.monotonic()
        text = transcriber.transcribe(audio, language="en").text
        elapsed = time.monotonic() - started
    except Exception as exc:  # any failure here is exactly what the installer needs to see
        return Finding("audio path", False, f"{type(exc).__name__}: {exc}")
    heard = "three" in text.lower() or "3" in text
    if not speech_windows or not heard:
        return Finding("audio path", False, f"speech → VAD ({speech_windows} speech windows) → ASR heard {text!r}")
    return Finding("audio path", True, f"TTS → VAD → ASR heard {text.strip()!r} in {elapsed * 1000:.0f} ms")


def check_sip(config: AppConfig) -> Finding:
    """Asks a running appliance for its registration; without one, tries to register (or bind) here."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{config.web.port}/api/status", timeout=2) as response:
            status = json.load(response)
        registration = status["registration"]
        running = RegistrationSnapshot(**{**registration, "retry_in_seconds": None}) if registration else None
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no appliance (or something else) on the web port: check here
    else:
        if running is None or running.state in ("registered", "disabled"):
            return Finding("SIP (running appliance)", True, status.get("registration_summary", ""))
        return Finding("SIP (running appliance)", False, _registration_problem(running, config, waited=None))
    from appliance.telephony.engine import SipEngine

    engine = SipEngine(config.sip, session_factory=_refuse_calls, on_busy=lambda _incoming: None)
    with _native_stdout_silenced():
        try:
            engine.start()
        except RuntimeError as exc:
            return Finding("SIP", False, f"{exc} (is port {config.sip.port} in use by another program?)")
        try:
            deadline = time.monotonic() + REGISTRATION_WAIT_SECONDS
            while engine.registration.snapshot().state == "registering" and time.monotonic() < deadline:
                time.sleep(0.1)
            snapshot = replace(engine.registration.snapshot(), retry_in_seconds=None)
        finally:
            engine.stop()
    if snapshot.state in ("registered", "disabled"):
        return Finding("SIP", True, snapshot.summary())
    return Finding("SIP", False, _registration_problem(snapshot, config, waited=REGISTRATION_WAIT_SECONDS))


def _registration_problem(snapshot: RegistrationSnapshot, config: AppConfig, waited: float | None) -> str:
    """What went wrong with the registration, and what to change. `waited`: how long this check waited for an
    answer (None when a running appliance was asked)."""
    account = config.sip.account
    registrar = account.registrar if account else "?"
    if snapshot.state != "registering":
        what = snapshot.summary()
    elif waited is None:
        what = f"the running appliance is still waiting for the registrar {registrar}"
    else:
        what = f"no answer from the registrar {registrar} within {waited:.0f} s"
    if snapshot.state == "refused":
        fix = (f"check sip.account.user ({account.user if account else '?'}) and sip.account.password in the "
               f"config against the extension on the phone system")
    else:
        fix = (f"check that the phone system at {registrar} is on and reachable, "
               f"and sip.account.registrar in the config")
    return f"{what}; {fix}"


@contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """pjlib prints its start-up and shutdown lines straight to file descriptor 1, amid the doctor's lines."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _refuse_calls(_incoming, controls):
    raise RuntimeError("doctor takes no calls")


def check_disk(config: AppConfig) -> Finding:
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(config.data_dir).free
    except OSError as exc:
        why = exc.strerror or exc
        return Finding("disk", False, f"cannot use the data directory {config.data_dir} ({why}); "
                                      f"fix data_dir in the config or pass --data-dir")
    ok = free >= DISK_LOW_BYTES
    return Finding("disk", ok, f"{free / 1e9:.1f} GB free in {config.data_dir}" +
                   ("" if ok else "; delete old recordings or backups"))


def main(args: argparse.Namespace) -> int:
    try:
        config = config_from_args(args)
    except ConfigError as exc:
        print(Finding("config", False, str(exc)).line())
        return 1
    checks: list[Callable[[], Finding | list[Finding]]] = [
        lambda: check_profile(config), lambda: check_models(config), lambda: check_audio_path(config),
        lambda: check_sip(config), lambda: check_disk(config)]
    failures = 0
    for check in checks:
        result = check()
        for finding in result if isinstance(result, list) else [result]:
            print(finding.line(), flush=True)
            failures += not finding.ok
    print(f"{failures} problem(s)" if failures else "all checks passed")
    sys.stdout.flush()
    return 1 if failures else 0
