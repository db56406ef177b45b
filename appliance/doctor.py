"""`balie doctor`: checks what a box needs to answer calls, one clear line per problem with its fix."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from appliance.app import DISK_LOW_BYTES, config_from_args
from appliance.config import AppConfig, ConfigError
from appliance.models.manifest import load_manifest
from appliance.models.store import verify


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
        return Finding("profile", False, f"{exc}; fix the file and run `balie profile check {config.profile}`")
    return Finding("profile", True, f"{profile.name} ({config.profile})")


def check_models(config: AppConfig) -> list[Finding]:
    manifest = load_manifest()
    speech = config.speech
    wanted = [speech.asr_model, speech.vad_model, speech.llm_model]
    findings = []
    for name in wanted:
        try:
            model = manifest.get(name)
        except KeyError as exc:
            findings.append(Finding(f"model {name}", False, str(exc.args[0])))
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
        summary = status.get("registration_summary", "")
        ok = not status["registration"] or status["registration"]["state"] in ("registered", "disabled")
        return Finding("SIP (running appliance)", ok, summary)
    except OSError:
        pass
    from appliance.telephony.engine import SipEngine

    engine = SipEngine(config.sip, session_factory=_refuse_calls, on_busy=lambda _incoming: None)
    try:
        engine.start()
    except RuntimeError as exc:
        return Finding("SIP", False, f"{exc} (is port {config.sip.port} in use by another program?)")
    try:
        deadline = time.monotonic() + 8
        while engine.registration.snapshot().state == "registering" and time.monotonic() < deadline:
            time.sleep(0.1)
        snapshot = engine.registration.snapshot()
    finally:
        engine.stop()
    ok = snapshot.state in ("registered", "disabled")
    return Finding("SIP", ok, snapshot.summary() if snapshot.state != "registering" else
                   "no answer from the registrar within 8 s")


def _refuse_calls(_incoming, controls):
    raise RuntimeError("doctor takes no calls")


def check_disk(config: AppConfig) -> Finding:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(config.data_dir).free
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
