"""`balie bench latency`: how calls are judged and summed up (no SIP), and a real two-call run over SIP."""

from __future__ import annotations

import argparse
import json

import pytest

from appliance.bench.latency import (
    STAGES,
    CallMeasurement,
    format_report,
    judge_call,
    latency_statistics,
    main,
    run_concurrency,
    run_latency,
)

QUESTION = (8.04, 9.82)
GREETING = (0.04, 5.94)


def turn(role: str, **fields) -> dict:
    row = {"role": role, "text": "", "intent": "", "asr_ms": None, "brain_ms": None, "speech_end_ms": None,
           "transcript_ms": None, "reply_text_ms": None, "first_audio_ms": None, "tts_ms": None}
    return row | fields


GREETING_TURN = turn("assistant", text="Goedemiddag ...", reply_text_ms=0.0, first_audio_ms=20.0, tts_ms=20.0)
QUESTION_TURN = turn("caller", text="Hello, what are your opening hours?", asr_ms=700.0, speech_end_ms=608.0)
ANSWER_TURN = turn("assistant", text="We are open on Monday from 8 am.", intent="hours", speech_end_ms=608.0,
                   transcript_ms=900.0, reply_text_ms=1500.0, tts_ms=40.0, first_audio_ms=1560.0,
                   brain_ms=600.0)


def measurement() -> CallMeasurement:
    return CallMeasurement(1, "100", "en-us", "Hello, what are your opening hours?", sip_status=200)


def test_a_measured_call_splits_its_latency_into_stages_that_add_up():
    judged = judge_call(measurement(), QUESTION, (GREETING, (11.5, 14.0)), [GREETING_TURN, QUESTION_TURN,
                                                                           ANSWER_TURN])
    assert judged.failure is None
    assert judged.voice_to_voice_s == pytest.approx(1.68)
    assert judged.heard_as == "Hello, what are your opening hours?" and judged.reply_intent == "hours"
    assert list(judged.stages_ms) == list(STAGES)
    assert judged.stages_ms["end_of_turn_wait"] == 608.0
    assert judged.stages_ms["recognition"] == pytest.approx(292.0)
    assert judged.stages_ms["understanding_and_reply_text"] == pytest.approx(600.0)
    assert judged.stages_ms["playout_to_first_audio"] == pytest.approx(20.0)
    assert judged.stages_ms["unseen_by_box"] == pytest.approx(120.0)
    assert sum(judged.stages_ms.values()) == pytest.approx(1680.0)


def test_a_sound_heard_without_the_box_answering_is_a_failure_not_a_latency():
    # the box ignored the question (a "phantom"); the sound the caller heard later was the silence prompt
    judged = judge_call(measurement(), QUESTION, (GREETING, (18.5, 20.0)),
                        [GREETING_TURN, turn("assistant", text="Bent u er nog?", reply_text_ms=0.0,
                                             first_audio_ms=5.0, tts_ms=5.0)])
    assert judged.failure and "did not answer" in judged.failure
    assert judged.stages_ms == {}


def test_no_sound_after_the_question_is_a_failure():
    judged = judge_call(measurement(), QUESTION, (GREETING,), [GREETING_TURN, QUESTION_TURN, ANSWER_TURN])
    assert judged.voice_to_voice_s is None
    assert judged.failure == "the caller heard no reply within the reply window"


def test_the_box_talking_over_the_question_spoils_the_measurement():
    judged = judge_call(measurement(), QUESTION, ((0.04, 8.5), (11.5, 14.0)),
                        [GREETING_TURN, QUESTION_TURN, ANSWER_TURN])
    assert judged.failure and "talking while the caller asked" in judged.failure


def test_sound_heard_long_before_the_box_played_its_reply_is_not_the_reply():
    late_answer = ANSWER_TURN | {"first_audio_ms": 4000.0}
    judged = judge_call(measurement(), QUESTION, (GREETING, (10.3, 10.6)),
                        [GREETING_TURN, QUESTION_TURN, late_answer])
    assert judged.failure and "before the box's reply began" in judged.failure


def test_statistics_leave_failed_calls_out():
    calls = []
    for seconds in (1.0, 2.0, 3.0):
        call = measurement()
        call.voice_to_voice_s = seconds
        call.stages_ms = dict.fromkeys(STAGES, seconds * 1000 / len(STAGES))
        calls.append(call)
    failed = measurement()
    failed.failure = "the caller heard no reply within the reply window"
    statistics = latency_statistics([*calls, failed])
    v2v = statistics["voice_to_voice_s"]
    assert v2v["n"] == 3 and v2v["min"] == 1.0 and v2v["max"] == 3.0 and v2v["mean"] == 2.0
    assert v2v["p50"] == 2.0 and 2.0 < v2v["p95"] <= 3.0
    assert sum(stage["share"] for stage in statistics["stages"].values()) == pytest.approx(1.0, abs=0.01)
    assert latency_statistics([failed]) == {"voice_to_voice_s": None, "stages": None}


@pytest.mark.parametrize("calls", [0, -3, 501])
def test_impossible_call_counts_are_refused_before_anything_starts(calls):
    with pytest.raises(ValueError, match="--calls"):
        run_latency(calls)


def test_the_command_reports_bad_input_and_exits_2(capsys):
    assert main(argparse.Namespace(calls=0, json=True, output=None)) == 2
    assert "--calls must be a whole number" in capsys.readouterr().err
    with pytest.raises(ValueError, match="1 to 32"):
        run_concurrency(33)


@pytest.fixture(scope="module")
def bench():
    return run_latency(2, reply_window=8.0)


@pytest.mark.sip
def test_every_call_is_answered_and_measured(bench):
    assert bench["calls"] == 2 and bench["answered"] == 2 and bench["busy_486"] == 0
    assert bench["failures"] == [], bench["failures"]
    assert [row["language"] for row in bench["per_call"]] == ["en-us", "nl"]


@pytest.mark.sip
def test_latencies_are_positive_and_below_ten_seconds(bench):
    v2v = bench["voice_to_voice_s"]
    assert v2v["n"] == 2
    assert 0 < v2v["min"] <= v2v["p50"] <= v2v["p95"] <= v2v["max"] < 10
    for row in bench["per_call"]:
        assert 0 < row["voice_to_voice_s"] < 10
        assert row["reply_heard_s"] > row["question_end_s"] > 8.0
        assert row["reply_text"] and row["heard_as"]


@pytest.mark.sip
def test_every_stage_is_present_and_the_stages_add_up(bench):
    assert list(bench["stages"]) == list(STAGES)
    for row in bench["per_call"]:
        stages = row["stages_ms"]
        assert list(stages) == list(STAGES)
        assert stages["end_of_turn_wait"] > 0 and stages["tts"] >= 0
        assert sum(stages.values()) == pytest.approx(row["voice_to_voice_s"] * 1000, abs=1.0)
    assert sum(stage["share"] for stage in bench["stages"].values()) == pytest.approx(1.0, abs=0.01)


@pytest.mark.sip
def test_the_box_and_machine_figures_are_plausible(bench):
    box = bench["box"]
    assert 0 < box["model_load_s"] < box["startup_s"]
    assert box["cpu_s_per_call"] > 0 and 0 < box["cpu_cores_busy_during_calls"] <= bench["machine"]["nproc"]
    assert 200 < box["peak_rss_mb"] < 8000
    assert all(row["box_cpu_s"] > 0 for row in bench["per_call"])
    assert bench["machine"]["nproc"] >= 1 and len(bench["machine"]["load_average_after"]) == 3
    assert bench["code"]["version"]


@pytest.mark.sip
def test_the_result_is_json_and_reads_as_a_report(bench):
    assert json.loads(json.dumps(bench)) == bench
    report = format_report(bench)
    assert "p50" in report and "end of turn wait" in report and "unseen by box" in report
    assert report.count("\n") >= len(STAGES) + len(bench["per_call"]) + 4
