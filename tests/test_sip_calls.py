"""End to end over real SIP: Kamailio as the office phone system, baresip as the caller, `balie run` as the box.

With the dev models callers speak English (Whisper base cannot read espeak-ng's Dutch); the Dutch variant runs
when a Dutch-capable ASR model is configured (BALIE_DUTCH_ASR_MODEL names it in the manifest).
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from appliance.bench.box import BoxProcess
from appliance.bench.calls import Line, clip, first_sound_after, prepare_script, received_audio, sounds_heard
from appliance.config import DEFAULT_PROFILE
from appliance.models.manifest import load_manifest
from appliance.models.store import model_path
from appliance.speech.asr import create_transcriber
from appliance.speech.resample import resample
from appliance.store import read_rows
from appliance.testpeers.audio import compose, envelope_match, read_wav, synthesize_utterance, write_wav
from appliance.testpeers.baresip import BaresipCaller, BaresipPhone
from appliance.testpeers.kamailio import Kamailio
from appliance.testpeers.ports import free_port

pytestmark = pytest.mark.sip

USERS = {"200": "box-secret-200", "100": "caller-100", "101": "caller-101", "102": "caller-102"}
QUESTION = "Hello, what are your opening hours?"




def wait_for_record(db: Path, call_id: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = read_rows(db, "SELECT * FROM calls WHERE id = ?", call_id)
        if found and found[0]["status"] != "in_progress":
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"call {call_id} was not closed in time: {found}")


@pytest.fixture(scope="module")
def kamailio():
    with Kamailio(USERS, port=free_port()) as registrar:
        yield registrar


@pytest.fixture(scope="module")
def box(kamailio):
    account = {"registrar": kamailio.address, "user": "200", "password": USERS["200"]}
    with BoxProcess({"sip": {"account": account, "max_calls": 2}}) as process:
        process.wait_for(lambda s: s["registration"]["state"] == "registered", 30, "registration")
        yield process


@pytest.fixture(scope="module")
def whisper():
    return create_transcriber("faster-whisper", model_path(load_manifest(), "whisper-base"))


def heard_text(whisper, samples, rate: int) -> str:
    return whisper.transcribe(resample(samples, rate, 16000), language="en").text.lower()


def test_box_registers_and_answers_opening_hours_from_the_profile(kamailio, box, whisper, tmp_path):
    assert kamailio.registered_contacts("200"), "Kamailio shows no registration for extension 200"
    script = prepare_script([Line(QUESTION)], tmp_path, seconds=26)
    caller = BaresipCaller(tmp_path / "caller", "100", password=USERS["100"], registrar=kamailio.address)
    result = caller.call(kamailio.uri("200"), script.wav, script.seconds)
    assert result.answered, result.log[-2000:]

    greeting = first_sound_after(result, 0.0)
    assert greeting and greeting[0] < 2.0, "no greeting at the start of the call"
    question_end = script.spoken[0][1]
    reply = first_sound_after(result, question_end)
    assert reply, "the caller heard no reply after the question"

    call = read_rows(box.db_path, "SELECT * FROM calls ORDER BY id DESC LIMIT 1")[0]
    call = wait_for_record(box.db_path, call["id"])
    turns = read_rows(box.db_path, "SELECT * FROM turns WHERE call_id = ? ORDER BY seq", call["id"])
    assert [t["role"] for t in turns[:3]] == ["assistant", "caller", "assistant"]
    assert "digitale assistent" in turns[0]["text"]
    assert "opening" in turns[1]["text"].lower(), box.log()[-3000:]
    answer = turns[2]
    assert answer["intent"] == "hours"
    # the hours of the dental practice's profile: Monday 8:00-17:00
    assert "Monday" in answer["text"] and "8 am" in answer["text"]
    stages = [answer["speech_end_ms"], answer["transcript_ms"], answer["reply_text_ms"], answer["first_audio_ms"]]
    assert all(stage is not None for stage in stages) and stages == sorted(stages), stages

    # what the caller heard is that answer: its words, and the envelope of the same text spoken by espeak-ng
    samples, rate = received_audio(result)
    heard = clip(result, reply[0], reply[0] + 6.0)
    assert "monday" in heard_text(whisper, heard, rate) or "closed" in heard_text(whisper, heard, rate)
    reference, _ = read_wav(synthesize_utterance(answer["text"], "en-us", tmp_path / "answer.wav"))
    match = envelope_match(reference[: 4 * rate], heard[: 4 * rate], rate)
    assert match.correlation > 0.75, match


@pytest.mark.skipif(not os.environ.get("BALIE_DUTCH_ASR_MODEL"),
                    reason="needs a Dutch-capable ASR model (Whisper base cannot read espeak-ng Dutch); "
                           "set BALIE_DUTCH_ASR_MODEL to a manifest model name")
def test_dutch_caller_gets_the_opening_hours_in_dutch(kamailio, tmp_path):
    account = {"registrar": kamailio.address, "user": "200", "password": USERS["200"]}
    speech = {"asr_model": os.environ.get("BALIE_DUTCH_ASR_MODEL", ""), "asr_language": "nl"}
    with BoxProcess({"sip": {"account": account}, "speech": speech}) as process:
        script = prepare_script([Line("Wanneer zijn jullie open?", "nl")], tmp_path, seconds=24)
        result = BaresipCaller(tmp_path / "caller", "101", password=USERS["101"]).call(
            process.uri, script.wav, script.seconds)
        assert result.answered
        call = wait_for_record(process.db_path, 1)
        turns = read_rows(process.db_path, "SELECT * FROM turns WHERE call_id = ? ORDER BY seq", call["id"])
        assert any(t["intent"] == "hours" and "maandag" in t["text"].lower() for t in turns)


def silent_from(samples, rate: int, start: float, end: float, level: float = 0.03) -> float | None:
    """The first moment after `start` from which the box stays silent until `end` (None: it never does)."""
    frame = int(0.02 * rate)
    loud = [abs(samples[i:i + frame]).max() > level for i in range(int(start * rate), int(end * rate), frame)]
    for index in range(len(loud)):
        if not any(loud[index:]):
            return start + index * 0.02
    return None


def test_barge_in_stops_playback_but_not_the_start_of_the_greeting(box, kamailio, tmp_path):
    script = prepare_script([Line("Hello?", at=0.4), Line(QUESTION),
                             Line("Sorry, where can I park my car?", at=12.0)], tmp_path, seconds=30)
    caller = BaresipCaller(tmp_path / "caller", "101", password=USERS["101"], registrar=kamailio.address)
    result = caller.call(kamailio.uri("200"), script.wav, script.seconds)
    assert result.answered
    samples, rate = received_audio(result)
    # "Hello?" over the protected start of the greeting does not stop it: the greeting goes on for 5 s
    heard = sounds_heard(result)
    assert heard[0][0] < 1.0 and any(start < 5.0 < end for start, end in heard), f"the greeting stopped: {heard}"
    call = read_rows(box.db_path, "SELECT * FROM calls ORDER BY id DESC LIMIT 1")[0]
    wait_for_record(box.db_path, call["id"])
    turns = read_rows(box.db_path, "SELECT * FROM turns WHERE call_id = ? ORDER BY seq", call["id"])
    detail = [(t["role"], t["text"], t["interrupted"]) for t in turns]
    assert turns[0]["interrupted"] is None, detail  # the greeting played to its end
    interruption = next(i for i, t in enumerate(turns) if t["role"] == "caller" and "park" in t["text"].lower())
    assert turns[interruption - 1]["role"] == "assistant" and turns[interruption - 1]["interrupted"] == 1, detail
    # the caller talks over the answer: within 300 ms (±60 ms of recording clock) the box is quiet
    talk_start, talk_end = script.spoken[2]
    assert abs(samples[int(talk_start * rate) - int(0.5 * rate):int(talk_start * rate)]).max() > 0.03, \
        f"the box was not speaking when the caller interrupted: {detail}"
    quiet_from = silent_from(samples, rate, talk_start, talk_end)
    assert quiet_from is not None and quiet_from - talk_start <= 0.36, \
        f"playback went on {None if quiet_from is None else round(quiet_from - talk_start, 2)} s into the interruption"


def test_direct_call_without_registrar(tmp_path):
    with BoxProcess() as process:
        assert process.status()["registration"]["state"] == "disabled"
        script = prepare_script([Line(QUESTION)], tmp_path, seconds=22)
        result = BaresipCaller(tmp_path / "caller", "100").call(process.uri, script.wav, script.seconds)
        assert result.answered, result.log[-2000:]
        assert first_sound_after(result, script.spoken[0][1]), "no reply heard on a direct call"
        call = wait_for_record(process.db_path, 1)
        assert call["caller_id"] == "100"
        turns = read_rows(process.db_path, "SELECT role, intent FROM turns WHERE call_id = 1 ORDER BY seq")
        assert {"role": "assistant", "intent": "hours"} in turns


def test_wrong_password_is_reported_and_retried_without_crashing(kamailio):
    account = {"registrar": kamailio.address, "user": "200", "password": "not-the-password",
               "retry_min_seconds": 0.5, "retry_max_seconds": 2}
    with BoxProcess({"sip": {"account": account}}) as process:
        status = process.wait_for(lambda s: s["registration"]["attempts"] >= 3, 30, "three registration attempts")
        registration = status["registration"]
        assert registration["state"] == "refused" and registration["code"] in (401, 403), registration
        assert "password" in status["registration_summary"]
        assert any("registration" in problem for problem in status["problems"])
        assert process.process.poll() is None


def test_caller_hanging_up_mid_answer_leaves_a_complete_record(box, kamailio, tmp_path):
    script = prepare_script([Line(QUESTION)], tmp_path, seconds=13)  # hangs up while the answer plays
    caller = BaresipCaller(tmp_path / "caller", "102", password=USERS["102"], registrar=kamailio.address)
    result = caller.call(kamailio.uri("200"), script.wav, script.seconds)
    assert result.answered
    call = read_rows(box.db_path, "SELECT * FROM calls ORDER BY id DESC LIMIT 1")[0]
    call = wait_for_record(box.db_path, call["id"])
    assert call["status"] == "completed" and call["end_reason"].startswith("caller_hung_up")
    assert call["ended_at"] and call["lead"]
    turns = read_rows(box.db_path, "SELECT * FROM turns WHERE call_id = ? ORDER BY seq", call["id"])
    assert turns[-1]["role"] == "assistant" and turns[-1]["interrupted"] == 1


def test_two_calls_are_answered_and_a_third_gets_busy(box, kamailio, tmp_path):
    script = prepare_script([Line(QUESTION)], tmp_path, seconds=18)
    results: dict[str, object] = {}

    def place(user: str, delay: float) -> None:
        time.sleep(delay)
        caller = BaresipCaller(tmp_path / user, user, password=USERS[user], registrar=kamailio.address)
        results[user] = caller.call(kamailio.uri("200"), script.wav, script.seconds)

    threads = [threading.Thread(target=place, args=(user, delay))
               for user, delay in (("100", 0.0), ("101", 0.0), ("102", 4.0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results["100"].answered and results["101"].answered
    assert results["102"].sip_status == 486, results["102"].log[-1500:]
    for user in ("100", "101"):
        assert first_sound_after(results[user], script.spoken[0][1]), f"caller {user} heard no answer"
    busy = read_rows(box.db_path, "SELECT * FROM calls WHERE status = 'rejected_busy'")
    assert busy and busy[-1]["caller_id"] == "102"


def test_silence_prompts_once_then_closes_politely_and_noise_gets_no_reply(box, kamailio, tmp_path):
    rate = 8000
    rng = np.random.default_rng(7)
    noise = (rng.normal(0, 0.12, int(0.8 * rate))).astype(np.float32)  # a burst of line noise, then silence
    noise_wav = write_wav(tmp_path / "noise.wav", noise, rate)
    audio = compose([(9.0, noise_wav)], 40, tmp_path / "caller.wav")
    caller = BaresipCaller(tmp_path / "caller", "100", password=USERS["100"], registrar=kamailio.address)
    result = caller.call(kamailio.uri("200"), audio, 40)
    assert result.answered
    assert result.ended_at - result.media_started_at < 38, "the box did not close the silent call"
    call = read_rows(box.db_path, "SELECT * FROM calls ORDER BY id DESC LIMIT 1")[0]
    call = wait_for_record(box.db_path, call["id"])
    turns = read_rows(box.db_path, "SELECT role, text FROM turns WHERE call_id = ? ORDER BY seq", call["id"])
    assert [t["role"] for t in turns] == ["assistant", "assistant", "assistant"], turns  # greeting, prompt, bye
    assert call["end_reason"].startswith("completed")


def test_registers_and_takes_a_call_over_tls(tmp_path):
    with Kamailio(USERS, port=free_port(), tls_port=free_port()) as registrar:
        account = {"registrar": f"127.0.0.1:{registrar.tls_port}", "user": "200", "password": USERS["200"],
                   "transport": "tls"}
        with BoxProcess({"sip": {"account": account, "tls_port": free_port()}}) as process:
            process.wait_for(lambda s: s["registration"]["state"] == "registered", 30, "registration over TLS")
            contacts = registrar.registered_contacts("200")
            assert contacts and all("transport=tls" in contact.lower() for contact in contacts), contacts
            script = prepare_script([Line(QUESTION)], tmp_path, seconds=20)
            caller = BaresipCaller(tmp_path / "caller", "100", password=USERS["100"], registrar=registrar.address)
            result = caller.call(registrar.uri("200"), script.wav, script.seconds)
            assert result.answered, result.log[-1500:]
            assert first_sound_after(result, script.spoken[0][1]), "no reply heard over the TLS-signalled call"


def test_a_call_past_the_maximum_length_is_closed_politely(tmp_path):
    with BoxProcess({"turns": {"max_call_seconds": 30, "silence_prompt_seconds": 100}}) as process:
        audio = compose([], 45, tmp_path / "silence.wav")
        result = BaresipCaller(tmp_path / "caller", "100").call(process.uri, audio, 45)
        assert result.answered
        assert 30 <= result.ended_at - result.media_started_at < 40, "the box did not end the call at its limit"
        call = wait_for_record(process.db_path, 1)
        turns = read_rows(process.db_path, "SELECT role, text FROM turns WHERE call_id = 1 ORDER BY seq")
        assert turns[-1]["role"] == "assistant" and "Tot ziens" in turns[-1]["text"], turns
        assert call["end_reason"].startswith("completed")


def test_registration_is_refreshed_before_it_expires():
    with Kamailio({"201": "refresh-201"}, port=free_port()) as registrar:
        account = {"registrar": registrar.address, "user": "201", "password": "refresh-201", "register_expires": 30}
        with BoxProcess({"sip": {"account": account}}) as process:
            process.wait_for(lambda s: s["registration"]["state"] == "registered", 30, "registration")
            time.sleep(40)  # past the 30 s the registrar granted: only a refresh keeps the contact
            assert registrar.registered_contacts("201")
            assert process.status()["registration"]["state"] == "registered"


def test_caller_asking_for_a_colleague_is_transferred_to_their_extension(tmp_path):
    profile = yaml.safe_load(DEFAULT_PROFILE.read_text())
    always = {day: "00:00-23:59" for day in
              ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
    profile["opening_hours"] = dict(always)
    profile["public_holidays"]["closed"] = False
    profile["staff"][0]["hours"] = dict(always)  # Anna de Vries, extension 201, is always in
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True))
    users = {**USERS, "201": "anna-201"}
    with Kamailio(users, port=free_port()) as registrar:
        account = {"registrar": registrar.address, "user": "200", "password": users["200"]}
        ringback = synthesize_utterance("Hello, this is Anna.", "en-us", tmp_path / "anna.wav")
        with BoxProcess({"profile": str(tmp_path / "profile.yaml"), "sip": {"account": account}}) as process, \
                BaresipPhone(tmp_path / "anna", "201", ringback, seconds=6, password=users["201"],
                             registrar=registrar.address) as anna:
            anna.wait_registered()
            process.wait_for(lambda s: s["registration"]["state"] == "registered", 30, "registration")
            script = prepare_script([Line("Can I talk to Anna de Vries?")], tmp_path, seconds=24)
            caller = BaresipCaller(tmp_path / "caller", "100", password=users["100"], registrar=registrar.address)
            result = caller.call(registrar.uri("200"), script.wav, script.seconds)
            assert result.answered
            assert result.transferred_to and "201" in result.transferred_to, result.log[-2000:]
            assert anna.wait_for_call(timeout=15).answered
            call = wait_for_record(process.db_path, 1)
            assert call["outcome"] == "transferred" and call["end_reason"].startswith("transferred"), call
            assert json.loads(call["lead"])["action"]["extension"] == "201"
