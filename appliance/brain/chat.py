"""`balie chat`: a text call. Caller utterances one per line on stdin; the box's replies on stdout; at end of
input the caller hangs up and the lead record is printed. With --json every line is one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from appliance.brain.engine import Conversation, Reply
from appliance.brain.understanding import Understander, UnderstanderError, load_understander
from appliance.config import SpeechSettings
from appliance.models.manifest import ManifestError, load_manifest
from appliance.models.store import ModelMissingError, model_path
from appliance.profile import ProfileError, load_profile


def default_understander(threads: int = 2) -> Understander:
    """The configured dev language model, loaded once (raises with a fix when it is not assembled)."""
    manifest = load_manifest()
    name = SpeechSettings().llm_model
    entry = manifest.get(name)
    gguf = next(f.path for f in entry.files if f.path.endswith(".gguf"))
    return load_understander(model_path(manifest, name, gguf), threads=threads)


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now().replace(microsecond=0)
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"--now {value!r} is not an ISO date and time like 2026-12-08T19:30") from exc


def _emit(reply: Reply, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps({"role": "assistant", "text": reply.text}, ensure_ascii=False) + "\n")
    else:
        out.write(f"{reply.text}\n")
    out.flush()


def run_chat(conversation: Conversation, lines: TextIO, out: TextIO, as_json: bool) -> int:
    _emit(conversation.greeting(), as_json, out)
    reason = "caller_hung_up"
    for line in lines:
        reply = conversation.hear(line.rstrip("\n"))
        _emit(reply, as_json, out)
        if reply.transfer_to:
            reason = "transferred"
            break
        if reply.end_call:
            reason = "completed"
            break
    record = conversation.finish(reason).to_dict()
    if as_json:
        out.write(json.dumps({"record": record}, ensure_ascii=False) + "\n")
    else:
        out.write("--- lead record ---\n" + json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    out.flush()
    return 0


def main(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(args.profile)
        now = parse_now(args.now)
        understander = None if args.no_llm else default_understander()
    except (ProfileError, ValueError, ManifestError, ModelMissingError, UnderstanderError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    conversation = Conversation(profile, understander, now, caller_id=args.caller_id)
    return run_chat(conversation, sys.stdin, sys.stdout, args.json)
