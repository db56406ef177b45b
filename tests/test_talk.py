"""`balie talk` through ALSA for real, on a machine without a sound card.

The subprocess gets a HOME of its own whose `.asoundrc` makes the default device an `asym` of two ALSA
`file` plugins over `null`: capture reads raw PCM (S16_LE, mono, 16 kHz) from a file we write, playback writes
raw PCM to a file we read. The `null` device has no clock (it hands out frames as fast as they are asked
for), so this also tests that `balie talk` keeps itself to real time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from appliance.store import read_rows
from appliance.talk import RealTimePacer
from appliance.testpeers.audio import read_wav, speech_onsets, synthesize_utterance

RATE = 16000
QUESTION = "Hello, what are your opening hours?"
QUESTION_AT = 8.0          # the greeting (~6 s) plays first
TALK_SECONDS = 25.0

ASOUNDRC = """\
pcm.!default {{ type asym playback.pcm "balie_out" capture.pcm "balie_in"
               hint {{ show on description "test" }} }}
pcm.balie_out {{ type file slave.pcm "null" file "{out}" format "raw" }}
pcm.balie_in {{ type file slave.pcm "null" file "/dev/null" infile "{infile}" format "raw" }}
"""


def home_with_sound_files(directory: Path, microphone: Path, speaker: Path) -> Path:
    home = directory / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(ASOUNDRC.format(out=speaker, infile=microphone))
    return home


def talk(home: Path, *args: str, timeout: float = 90.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance", "talk", *args],
                          env={**os.environ, "HOME": str(home)}, capture_output=True, text=True,
                          timeout=timeout, check=False)




@pytest.fixture(scope="module")
def conversation(tmp_path_factory):
    """One real `balie talk` of TALK_SECONDS: silence, the question, silence (models load once)."""
    directory = tmp_path_factory.mktemp("talk")
    question, rate = read_wav(synthesize_utterance(QUESTION, "en-us", directory / "question.wav", rate=RATE))
    assert rate == RATE
    microphone = np.zeros(round((TALK_SECONDS + 10) * RATE), np.float32)
    start = round(QUESTION_AT * RATE)
    microphone[start:start + len(question)] = question
    (np.clip(microphone, -1, 1) * 32767).astype("<i2").tofile(directory / "in.raw")
    home = home_with_sound_files(directory, directory / "in.raw", directory / "out.raw")
    started = time.monotonic()
    result = talk(home, "--data-dir", str(directory / "data"), "--seconds", str(TALK_SECONDS))
    return {"result": result, "elapsed": time.monotonic() - started, "directory": directory,
            "question_end": QUESTION_AT + len(question) / RATE}


def test_talk_exits_cleanly_and_prints_the_conversation(conversation):
    result = conversation["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    spoken = [line for line in result.stdout.splitlines() if line.strip().startswith("caller:")]
    assert spoken and "opening hours" in spoken[0].lower(), result.stdout
    assert "call record 1 in" in result.stdout


def test_call_record_has_the_question_and_the_hours_answer(conversation):
    db = conversation["directory"] / "data" / "balie.db"
    [call] = read_rows(db, "SELECT * FROM calls")
    assert call["status"] == "completed" and call["caller_name"] == "balie talk", call
    assert call["answered_at"] and call["ended_at"]
    turns = read_rows(db, "SELECT * FROM turns WHERE call_id = ? ORDER BY seq", call["id"])
    assert [t["role"] for t in turns[:3]] == ["assistant", "caller", "assistant"], turns
    assert "opening hours" in turns[1]["text"].lower()
    answer = turns[2]
    assert answer["intent"] == "hours" and "Monday" in answer["text"], answer
    assert answer["first_audio_ms"] is not None and answer["first_audio_ms"] < 8000, answer


def test_speaker_heard_the_greeting_then_the_answer_after_the_question(conversation):
    pcm = np.fromfile(conversation["directory"] / "out.raw", dtype="<i2").astype(np.float32) / 32768
    sounds = speech_onsets(pcm, RATE, min_gap=1.0)
    assert sounds, "nothing was played"
    greeting_start, greeting_end = sounds[0]
    assert greeting_start < 2.0 and greeting_end - greeting_start > 3.0, sounds
    question_end = conversation["question_end"]
    after = [start for start, _ in sounds if start > question_end]
    assert after and after[0] < question_end + 8.0, f"no answer within 8 s of the question: {sounds}"
    # nothing was played while the caller asked the question
    assert not [s for s in sounds if QUESTION_AT + 0.2 < s[0] < question_end], sounds


def test_clockless_sound_device_is_held_to_real_time(conversation):
    """ALSA's null device delivers thousands of seconds per second; the call must last its real length."""
    played_seconds = (conversation["directory"] / "out.raw").stat().st_size / 2 / RATE
    assert TALK_SECONDS - 1.0 <= played_seconds <= TALK_SECONDS + 2.0, played_seconds
    assert conversation["elapsed"] >= TALK_SECONDS


def test_pacer_never_holds_back_a_device_that_keeps_real_time():
    pacer = RealTimePacer(rate=1000, slack_seconds=0.05)
    held = 0.0
    for _ in range(10):
        before = time.monotonic()
        pacer.pace(20)
        held += time.monotonic() - before
        time.sleep(0.02)    # a sound card asks for the next 20 ms block 20 ms later
    assert held < 0.01, held


def test_pacer_holds_a_clockless_device_to_the_wall_clock():
    pacer = RealTimePacer(rate=1000, slack_seconds=0.05)
    started = time.monotonic()
    for _ in range(15):     # 0.3 s of audio asked for as fast as possible
        pacer.pace(20)
    assert 0.25 <= time.monotonic() - started < 1.0


def test_no_sound_device_is_a_clear_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text('pcm.!default { type hw card 7 }\nctl.!default { type hw card 7 }\n')
    result = talk(home, "--data-dir", str(tmp_path / "data"), "--seconds", "5", timeout=30)
    assert result.returncode == 2, result.stderr
    assert "no usable sound device" in result.stderr and "USB headset" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "balie.db").exists(), "no call may be recorded without a sound device"


@pytest.mark.parametrize("flag", ["--input-device", "--output-device"])
def test_unknown_device_is_a_clear_error(tmp_path, flag):
    home = home_with_sound_files(tmp_path, Path("/dev/null"), tmp_path / "out.raw")
    result = talk(home, "--data-dir", str(tmp_path / "data"), flag, "no such headset", timeout=30)
    assert result.returncode == 2, result.stderr
    assert "'no such headset'" in result.stderr and "--input-device/--output-device" in result.stderr
    assert "Traceback" not in result.stderr


def test_seconds_must_be_positive(tmp_path):
    home = home_with_sound_files(tmp_path, Path("/dev/null"), tmp_path / "out.raw")
    result = talk(home, "--data-dir", str(tmp_path / "data"), "--seconds", "0", timeout=30)
    assert result.returncode == 2 and "--seconds" in result.stderr, result.stderr
