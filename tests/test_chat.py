"""`balie chat`: the text-call contract other tools rely on."""

import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from appliance.brain.chat import run_chat
from appliance.brain.engine import Conversation
from appliance.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
DENTIST = ROOT / "appliance" / "data" / "profiles" / "tandarts.yaml"


def balie_chat(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "appliance", "chat", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_json_lines_greeting_replies_and_record():
    result = balie_chat("--profile", str(DENTIST), "--now", "2026-12-08T19:30", "--json", "--no-llm",
                        stdin="Hallo\nWanneer zijn jullie open?\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("role") for line in lines[:3]] == ["assistant"] * 3
    assert "digitale assistent" in lines[0]["text"]
    assert "gesloten" in lines[2]["text"] and "8 tot 17 uur" in lines[2]["text"]
    record = lines[-1]["record"]
    assert len(lines) == 4 and record["request_type"] == "information"
    assert record["end_reason"] == "caller_hung_up" and record["started_at"] == "2026-12-08T19:30:00"


def test_plain_text_output_and_caller_id():
    result = balie_chat("--profile", str(DENTIST), "--now", "2026-12-08T19:30", "--caller-id", "0612345678",
                        "--no-llm", stdin="Kunt u mij terugbellen?\nMet Jan Smit\n")
    assert result.returncode == 0, result.stderr
    assert "Kan ik u terugbellen op 06 12 34 56 78?" in result.stdout
    assert "--- lead record ---" in result.stdout


def test_bad_arguments_are_reported_not_raised(tmp_path):
    result = balie_chat("--profile", str(tmp_path / "nope.yaml"), "--no-llm", stdin="")
    assert result.returncode == 2 and "profile not found" in result.stderr
    result = balie_chat("--profile", str(DENTIST), "--now", "gisteren", "--no-llm", stdin="")
    assert result.returncode == 2 and "--now" in result.stderr


def test_goodbye_ends_the_call_before_input_ends():
    conversation = Conversation(load_profile(DENTIST), None, datetime(2026, 12, 8, 10, 30))
    out = io.StringIO()
    run_chat(conversation, io.StringIO("Laat maar, dag\nWat kost een kroon?\n"), out, as_json=True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 3 and lines[-1]["record"]["end_reason"] == "completed"
