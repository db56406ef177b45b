"""`balie bench latency` and `balie bench concurrency`: voice-to-voice latency over real SIP calls.

A Kamailio registrar, one `balie run` box registered as extension 200, and baresip callers who each ask one
prepared question after the greeting, all on loopback. The figure that counts is what the caller hears: from
the end of the question in the caller's own audio to the onset of the first sound heard after it. The box's
own record of the turn that answered (its `turns` table) shows where the time went; `unseen_by_box` is what
the box cannot see (RTP, jitter buffers, its VAD's idea of when the caller stopped, a listener lagging).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from appliance import __version__
from appliance.bench.box import BoxError, BoxProcess
from appliance.bench.calls import Line, Script, Spans, prepare_script_then_wait, sounds_heard
from appliance.bench.report import publish
from appliance.config import ConfigError, load_config
from appliance.models.manifest import PROJECT_ROOT
from appliance.store import read_rows
from appliance.testpeers.audio import AudioError
from appliance.testpeers.baresip import BaresipCaller, CallResult
from appliance.testpeers.kamailio import Kamailio
from appliance.testpeers.ports import free_port
from appliance.testpeers.process import PeerError

QUESTIONS: tuple[Line, ...] = (
    Line("Hello, what are your opening hours?", "en-us"),
    Line("Goedemiddag, wanneer zijn jullie open?", "nl"),
    Line("Hello, where can I park my car?", "en-us"),
    Line("Hallo, waar kan ik parkeren?", "nl"),
    Line("Hello, how much does a check-up cost?", "en-us"),
    Line("Goedendag, wat kost een controle?", "nl"),
)
"""Asked in turn, English and Dutch alternating. Whisper base garbles espeak-ng's Dutch, but the box still
answers something, so the Dutch calls measure timing, not understanding."""

STAGES = ("end_of_turn_wait", "recognition", "understanding_and_reply_text", "tts", "playout_to_first_audio",
          "unseen_by_box")
"""Consecutive parts of the voice-to-voice latency; they add up to it."""

BOX_USER = "200"
FIRST_CALLER = 100
MAX_SEQUENTIAL_CALLS = 500
MAX_CONCURRENT_CALLS = 32           # the box's max_calls limit
REPLY_WINDOW_SECONDS = 10.0         # how long a caller waits after the question; no reply by then fails
STAGGER_SECONDS = 0.3
RECORD_TIMEOUT_SECONDS = 30.0
EARLIEST_REPLY_SLACK_MS = 500.0     # the caller may hear the reply this much before the box says it began


@dataclass
class CallMeasurement:
    """One call: what the caller heard, and the box's record of the turn that answered the question."""

    call: int
    caller: str
    language: str
    question: str
    sip_status: int | None = None
    question_end_s: float | None = None
    """End of the question in the caller's audio, seconds after the call's media started."""
    reply_heard_s: float | None = None
    voice_to_voice_s: float | None = None
    heard_as: str | None = None
    """What the box's recognizer made of the question."""
    reply_intent: str | None = None
    reply_text: str | None = None
    stages_ms: dict[str, float] = field(default_factory=dict)
    asr_compute_ms: float | None = None
    """The box's recognition time for the question, as its recognizer reports it."""
    brain_ms: float | None = None
    box_cpu_s: float | None = None
    """CPU seconds the box spent during this call (sequential calls only)."""
    failure: str | None = None

    @property
    def answered(self) -> bool:
        return self.sip_status == 200


@dataclass(frozen=True)
class Snapshot:
    """The box's CPU time and the machine's load at one moment."""

    at: float
    cpu_s: float
    load: tuple[float, float, float]

    @classmethod
    def of(cls, box: BoxProcess) -> Snapshot:
        return cls(time.monotonic(), box.cpu_seconds(), os.getloadavg())


@dataclass(frozen=True)
class PhoneSystem:
    """A registrar with the box registered on it, and the caller accounts it knows."""

    kamailio: Kamailio
    box: BoxProcess
    passwords: dict[str, str]
    startup_s: float
    model_load_s: float

    def caller(self, user: str, workdir: Path) -> BaresipCaller:
        return BaresipCaller(workdir / f"caller-{user}", user, password=self.passwords[user],
                             registrar=self.kamailio.address)

    def dial(self, user: str, script: Script, workdir: Path) -> CallResult:
        return self.caller(user, workdir).call(self.kamailio.uri(BOX_USER), script.wav, script.seconds)

    def check_box_alive(self) -> None:
        """Raises BoxError when the box process has exited: nothing after that would be a measurement."""
        code = self.box.process.poll() if self.box.process else None
        if code is not None:
            raise BoxError(f"balie run exited with {code} during the calls:\n{self.box.log()[-3000:]}")


# --- running the benches ---

def run_latency(calls: int, *, reply_window: float = REPLY_WINDOW_SECONDS, box_settings: dict | None = None,
                workdir: Path | None = None) -> dict:
    """Places `calls` calls one after another to a fresh box; returns the result (see `summarize`).

    `box_settings` is merged into the box's config (e.g. {"turns": {"end_of_turn_ms": 400}}); `workdir` keeps
    the callers' recordings (a temporary directory otherwise).
    """
    _check_count(calls, MAX_SEQUENTIAL_CALLS)
    _check_window(reply_window)
    user = str(FIRST_CALLER)
    lines = [QUESTIONS[i % len(QUESTIONS)] for i in range(calls)]
    with _work_directory(workdir) as work:
        scripts = _scripts(lines, work, reply_window)
        with _phone_system([user], None, box_settings) as phone:
            before = Snapshot.of(phone.box)
            measurements, last_call_id = [], 0
            for index, (line, script) in enumerate(zip(lines, scripts, strict=True)):
                cpu_before = phone.box.cpu_seconds()
                outcome = _dial(phone, user, script, work)
                phone.check_box_alive()
                if isinstance(outcome, str):
                    measurements.append(CallMeasurement(index + 1, user, line.language, line.text,
                                                        failure=f"the caller failed: {outcome}"))
                    continue
                measurement, last_call_id = _measure(index + 1, user, line, script, outcome, phone.box,
                                                     last_call_id)
                measurement.box_cpu_s = round(phone.box.cpu_seconds() - cpu_before, 2)
                measurements.append(measurement)
            return summarize("latency", measurements, phone, before, Snapshot.of(phone.box))


def run_concurrency(calls: int, *, stagger: float = STAGGER_SECONDS,
                    reply_window: float = REPLY_WINDOW_SECONDS, box_settings: dict | None = None,
                    workdir: Path | None = None) -> dict:
    """Places `calls` calls at once, `stagger` seconds apart, to a box with max_calls = `calls`."""
    _check_count(calls, MAX_CONCURRENT_CALLS)
    _check_window(reply_window)
    if not 0 <= stagger <= 10:
        raise ValueError(f"stagger must be between 0 and 10 s, not {stagger}")
    users = [str(FIRST_CALLER + i) for i in range(calls)]
    lines = [QUESTIONS[i % len(QUESTIONS)] for i in range(calls)]
    with _work_directory(workdir) as work:
        scripts = _scripts(lines, work, reply_window)
        with _phone_system(users, calls, box_settings) as phone:
            before = Snapshot.of(phone.box)
            outcomes = _call_all_at_once(phone, users, scripts, stagger, work)
            phone.check_box_alive()
            measurements = []
            calls_made = zip(users, lines, scripts, outcomes, strict=True)
            for index, (user, line, script, outcome) in enumerate(calls_made):
                if isinstance(outcome, CallResult):
                    measurements.append(_measure(index + 1, user, line, script, outcome, phone.box, 0)[0])
                else:
                    measurements.append(CallMeasurement(index + 1, user, line.language, line.text,
                                                        failure=f"the caller failed: {outcome}"))
            return summarize("concurrency", measurements, phone, before, Snapshot.of(phone.box),
                             stagger_s=stagger)


def _call_all_at_once(phone: PhoneSystem, users: list[str], scripts: list[Script], stagger: float,
                      work: Path) -> list[CallResult | str]:
    """Each caller on a thread of its own; a caller that could not call gives the reason instead."""
    outcomes: list[CallResult | str] = ["it did not finish"] * len(users)

    def place(index: int) -> None:
        time.sleep(index * stagger)
        outcomes[index] = _dial(phone, users[index], scripts[index], work)

    threads = [threading.Thread(target=place, args=(index,), name=f"bench-caller-{user}")
               for index, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _dial(phone: PhoneSystem, user: str, script: Script, work: Path) -> CallResult | str:
    """One call's result, or why the caller could not place it (baresip would not start, say)."""
    try:
        return phone.dial(user, script, work)
    except (PeerError, AudioError, OSError) as error:
        return str(error)[:500]


def _check_count(calls: int, most: int) -> None:
    if isinstance(calls, bool) or not isinstance(calls, int) or not 1 <= calls <= most:
        raise ValueError(f"--calls must be a whole number from 1 to {most}, not {calls!r}")


def _check_window(seconds: float) -> None:
    if not 2 <= seconds <= 60:
        raise ValueError(f"the reply window must be between 2 and 60 s, not {seconds}")


def _scripts(lines: list[Line], workdir: Path, reply_window: float) -> list[Script]:
    """Each caller's audio: the question after the greeting, then silence for the reply window."""
    return [prepare_script_then_wait([line], workdir, reply_window, name=f"question-{index + 1}")
            for index, line in enumerate(lines)]


@contextlib.contextmanager
def _work_directory(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="balie-bench-") as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def _phone_system(users: list[str], max_calls: int | None,
                  box_settings: dict | None) -> Iterator[PhoneSystem]:
    """Kamailio knowing the box and `users`, and the box started and registered as extension 200."""
    passwords = {user: f"caller-{user}" for user in users}
    box_password = secrets.token_hex(8)
    with Kamailio({BOX_USER: box_password, **passwords}, port=free_port()) as kamailio:
        sip: dict = {"account": {"registrar": kamailio.address, "user": BOX_USER, "password": box_password}}
        if max_calls is not None:
            sip["max_calls"] = max_calls
        settings = dict(box_settings or {})
        settings["sip"] = {**settings.get("sip", {}), **sip}
        started = time.monotonic()
        with BoxProcess(settings) as box:
            status = box.wait_for(lambda s: s["registration"]["state"] == "registered", 30, "registration")
            yield PhoneSystem(kamailio, box, passwords, round(time.monotonic() - started, 2),
                              float(status["models_load_seconds"]))


# --- measuring one call ---

def _measure(index: int, user: str, line: Line, script: Script, result: CallResult, box: BoxProcess,
             after_call_id: int) -> tuple[CallMeasurement, int]:
    """What the caller heard, judged by the box's record of the call; returns it and the box's call id."""
    measurement = CallMeasurement(index, user, line.language, line.text, sip_status=result.sip_status)
    if not result.answered:
        measurement.failure = f"not answered: {result.sip_status} {result.reason}"
        return measurement, after_call_id
    try:
        heard = sounds_heard(result)
    except (AssertionError, AudioError) as error:
        measurement.failure = f"no recording of what the caller heard: {str(error)[:300]}"
        return measurement, after_call_id
    try:
        call_id, turns = _box_turns(box.db_path, user, after_call_id)
    except TimeoutError as error:
        measurement.failure = str(error)
        return measurement, after_call_id
    judge_call(measurement, script.spoken[0], heard, turns)
    return measurement, call_id


def judge_call(measurement: CallMeasurement, question: tuple[float, float], heard: Spans,
               turns: list[dict]) -> CallMeasurement:
    """Fills in `measurement` from the question's (start, end) in the caller's audio, the stretches of sound
    the caller heard, and the box's turn rows for the call; sets `failure` when the call cannot count."""
    question_start, question_end = question
    measurement.question_end_s = question_end
    asked = next((turn for turn in turns if turn["role"] == "caller"), None)
    replies = (turn for turn in turns if turn["role"] == "assistant" and turn["speech_end_ms"] is not None)
    answer = next(replies, None)
    if asked is not None:
        measurement.heard_as, measurement.asr_compute_ms = asked["text"], asked["asr_ms"]
    if answer is not None:
        measurement.reply_intent, measurement.reply_text = answer["intent"], answer["text"]
        measurement.brain_ms = answer["brain_ms"]
    reply = next((start for start, _ in heard if start > question_end), None)
    if reply is not None:
        measurement.reply_heard_s = reply
        measurement.voice_to_voice_s = round(reply - question_end, 3)
    overlap = next(((start, end) for start, end in heard if start < question_end and end > question_start),
                   None)
    measurement.failure = _failure(measurement, overlap, answer)
    if measurement.failure is None:
        measurement.stages_ms = stage_breakdown(answer, measurement.voice_to_voice_s * 1000)
    return measurement


def _failure(measurement: CallMeasurement, overlap: tuple[float, float] | None,
             answer: dict | None) -> str | None:
    if overlap is not None:
        return f"the box was talking while the caller asked (heard {overlap[0]:.2f}-{overlap[1]:.2f} s)"
    if answer is None:
        return f"the box did not answer the question (it heard {measurement.heard_as!r})"
    if measurement.voice_to_voice_s is None:
        return "the caller heard no reply within the reply window"
    missing = [key for key in ("speech_end_ms", "transcript_ms", "reply_text_ms", "first_audio_ms", "tts_ms")
               if answer[key] is None]
    if missing:
        return f"the box's record of its reply lacks {', '.join(missing)} (was it played?)"
    if measurement.voice_to_voice_s * 1000 < answer["first_audio_ms"] - EARLIEST_REPLY_SLACK_MS:
        return (f"the caller heard sound {measurement.voice_to_voice_s:.2f} s after the question, before the "
                f"box's reply began ({answer['first_audio_ms'] / 1000:.2f} s)")
    return None


def stage_breakdown(answer: dict, voice_to_voice_ms: float) -> dict[str, float]:
    """Splits voice-to-voice latency into STAGES using the box's `turns` row for its answer.

    The row's moments count from the caller's end of speech as the box saw it: `speech_end_ms` when it decided
    the turn was over, `transcript_ms` when recognition was done, `reply_text_ms` when the reply's text was
    ready, `first_audio_ms` when its first frame went out; `tts_ms` is the synthesis in between.
    """
    stages = {
        "end_of_turn_wait": answer["speech_end_ms"],
        "recognition": answer["transcript_ms"] - answer["speech_end_ms"],
        "understanding_and_reply_text": answer["reply_text_ms"] - answer["transcript_ms"],
        "tts": answer["tts_ms"],
        "playout_to_first_audio": answer["first_audio_ms"] - answer["reply_text_ms"] - answer["tts_ms"],
        "unseen_by_box": voice_to_voice_ms - answer["first_audio_ms"],
    }
    return {name: round(value, 1) for name, value in stages.items()}


def _box_turns(db: Path, user: str, after_call_id: int) -> tuple[int, list[dict]]:
    """The turns of the box's first answered call from `user` after call `after_call_id`, once closed."""
    query = ("SELECT id, status FROM calls WHERE caller_id = ? AND id > ? AND status != 'rejected_busy'"
             " ORDER BY id LIMIT 1")
    deadline = time.monotonic() + RECORD_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = read_rows(db, query, user, after_call_id)
        if found and found[0]["status"] != "in_progress":
            return found[0]["id"], read_rows(db, "SELECT * FROM turns WHERE call_id = ? ORDER BY seq", found[0]["id"])
        time.sleep(0.2)
    raise TimeoutError(f"the box closed no record of a call from {user} "
                       f"within {RECORD_TIMEOUT_SECONDS:.0f} s")


# --- the result ---

def summarize(bench: str, measurements: list[CallMeasurement], phone: PhoneSystem, before: Snapshot,
              after: Snapshot, **extra: float) -> dict:
    """The JSON-ready result: latency over the calls that were measured (failures are listed, never counted as
    zero), each stage's mean and share, the box's CPU and memory, the machine, and a row per call."""
    config = load_config(phone.box.config_path)
    speech = config.speech
    cpu_s, wall_s = after.cpu_s - before.cpu_s, after.at - before.at
    return {
        "bench": bench,
        "calls": len(measurements),
        **extra,
        "answered": sum(m.answered for m in measurements),
        "busy_486": sum(m.sip_status == 486 for m in measurements),
        "measured": sum(m.failure is None for m in measurements),
        "failures": [{"call": m.call, "reason": m.failure} for m in measurements if m.failure],
        **latency_statistics(measurements),
        "box": {
            "startup_s": phone.startup_s,
            "model_load_s": phone.model_load_s,
            "cpu_s_during_calls": round(cpu_s, 2),
            "cpu_s_per_call": round(cpu_s / len(measurements), 2),
            "cpu_cores_busy_during_calls": round(cpu_s / wall_s, 3),
            "cpu_share_of_machine": round(cpu_s / wall_s / (os.cpu_count() or 1), 3),
            "peak_rss_mb": round(phone.box.peak_rss_mb(), 1),
            "asr": f"{speech.asr_backend} {speech.asr_model} (language {speech.asr_language})",
            "llm": speech.llm_model,
            "tts": speech.tts_backend,
            "end_of_turn_ms": config.turns.end_of_turn_ms,
            "speculate_ms": config.turns.speculate_ms,
            "max_calls": config.sip.max_calls,
        },
        "machine": machine(before.load, after.load),
        "code": code_version(),
        "wall_s": round(wall_s, 1),
        "per_call": [asdict(m) | {"answered": m.answered} for m in measurements],
    }


def latency_statistics(measurements: list[CallMeasurement]) -> dict:
    """Voice-to-voice p50/p95/mean/min/max in seconds (percentiles interpolated linearly) over the measured
    calls, and each stage's mean and median in ms with its share of the mean voice-to-voice latency."""
    measured = [m for m in measurements if m.failure is None and m.voice_to_voice_s is not None]
    if not measured:
        return {"voice_to_voice_s": None, "stages": None}
    totals = np.array([m.voice_to_voice_s for m in measured])
    mean_ms = float(totals.mean()) * 1000
    stages = {}
    for name in STAGES:
        values = np.array([m.stages_ms[name] for m in measured])
        stages[name] = {"mean_ms": round(float(values.mean()), 1),
                        "p50_ms": round(float(np.median(values)), 1),
                        "share": round(float(values.mean()) / mean_ms, 3)}
    return {
        "voice_to_voice_s": {
            "p50": round(float(np.percentile(totals, 50)), 3),
            "p95": round(float(np.percentile(totals, 95)), 3),
            "mean": round(float(totals.mean()), 3),
            "min": round(float(totals.min()), 3),
            "max": round(float(totals.max()), 3),
            "n": len(totals),
        },
        "stages": stages,
    }


def machine(load_before: tuple[float, ...], load_after: tuple[float, ...]) -> dict:
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
    }


def code_version() -> dict:
    """The version measured: the package version and, in a git checkout, the commit and whether files
    differed from it (figures move with the pipeline)."""
    version: dict = {"version": __version__, "commit": None, "modified": None}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = _git("rev-parse", "--short", "HEAD").strip()
        version |= {"commit": commit, "modified": bool(_git("status", "--porcelain", "--untracked-files=no"))}
    return version


def _git(*arguments: str) -> str:
    return subprocess.run(["git", "-C", str(PROJECT_ROOT), *arguments], capture_output=True, text=True,
                          timeout=5, check=True).stdout


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def format_report(result: dict) -> str:
    """The result as a human-readable summary and a table of calls."""
    box, host, v2v = result["box"], result["machine"], result["voice_to_voice_s"]
    lines = [f"balie bench {result['bench']}: {result['calls']} calls, {result['answered']} answered, "
             f"{result['busy_486']} got 486 Busy, {len(result['failures'])} failed",
             f"machine: {host['nproc']} x {host['cpu_model']}; load average "
             f"{host['load_average_before'][0]:.2f} before, {host['load_average_after'][0]:.2f} after",
             f"box: {box['asr']}, {box['llm']}, {box['tts']}; "
             f"turn ends after {box['end_of_turn_ms']} ms silence; code {_describe(result['code'])}"]
    if v2v:
        lines += [f"voice-to-voice as the caller hears it ({v2v['n']} calls): p50 {v2v['p50']:.2f} s, "
                  f"p95 {v2v['p95']:.2f} s, mean {v2v['mean']:.2f} s, min {v2v['min']:.2f} s, "
                  f"max {v2v['max']:.2f} s",
                  "where the time goes (mean, share of voice-to-voice):"]
        lines += [f"  {name.replace('_', ' '):<30} {stage['mean_ms']:>7.0f} ms {stage['share']:>5.0%}"
                  for name, stage in result["stages"].items()]
    else:
        lines.append("voice-to-voice: no call was measured")
    lines.append(f"box: up in {box['startup_s']:.1f} s (models {box['model_load_s']:.1f} s), "
                 f"{box['cpu_s_per_call']:.1f} CPU s per call, "
                 f"{box['cpu_cores_busy_during_calls']:.2f} cores busy during calls "
                 f"({box['cpu_share_of_machine']:.0%} of the machine), "
                 f"peak RSS {box['peak_rss_mb']:.0f} MB")
    widths = (5, 5, 5, 4, 4, 6)
    lines.append(f"{'#':>3} {'lang':<5} {'v2v s':>6} " + " ".join(
        f"{title:>{width}}" for title, width in zip(("eot", "asr", "brain", "tts", "play", "unseen"), widths,
                                                    strict=True)) + "  heard as -> intent")
    for row in result["per_call"]:
        if row["failure"]:
            lines.append(f"{row['call']:>3} {row['language']:<5} FAILED: {row['failure']}")
            continue
        stages = " ".join(f"{row['stages_ms'][name]:>{width}.0f}" for name, width in zip(STAGES, widths,
                                                                                          strict=True))
        lines.append(f"{row['call']:>3} {row['language']:<5} {row['voice_to_voice_s']:>6.2f} {stages}  "
                     f"{row['heard_as']!r} -> {row['reply_intent']}")
    return "\n".join(lines)


def _describe(code: dict) -> str:
    if code["commit"] is None:
        return code["version"]
    return f"{code['version']} at {code['commit']}" + (" with local changes" if code["modified"] else "")


# --- the command line ---

def main(args: argparse.Namespace) -> int:
    """`balie bench latency`: exit 0 when every call was measured, 1 when some failed, 2 when it could not
    run."""
    return _run_command(lambda: run_latency(args.calls), args)


def concurrency(args: argparse.Namespace) -> int:
    """`balie bench concurrency`: the same, with all calls at once."""
    return _run_command(lambda: run_concurrency(args.calls), args)


def _run_command(bench: Callable[[], dict], args: argparse.Namespace) -> int:
    try:
        result = bench()
    except (ValueError, ConfigError) as error:
        print(f"balie bench: {error}", file=sys.stderr)
        return 2
    except (BoxError, PeerError, AudioError, OSError, sqlite3.Error) as error:
        print(f"balie bench: the bench could not run: {error}", file=sys.stderr)
        return 2
    publish(result, args, format_report)
    return 1 if result["failures"] else 0
