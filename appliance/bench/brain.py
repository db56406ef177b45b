"""`balie bench brain`: runs the public scenario suite (tests/scenarios/*.yaml) through the conversation engine
and measures intent, slot and action accuracy, fact checks, invented facts and understanding latency.

Files named heldout*.yaml are held-out sets, kept out of the public suite: each is run on its own by naming it
(`suite="heldout"` runs tests/scenarios/heldout.yaml)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from appliance.bench.report import publish
from appliance.brain.engine import Conversation
from appliance.brain.grounding import invented_facts
from appliance.brain.understanding import Understander, UnderstanderError
from appliance.models.manifest import PROJECT_ROOT, ManifestError
from appliance.models.store import ModelMissingError
from appliance.profile import BusinessProfile, load_profile

SCENARIO_DIR = PROJECT_ROOT / "tests" / "scenarios"
PROFILE_DIR = PROJECT_ROOT / "appliance" / "data" / "profiles"
CALLER_FIELDS = {"name", "phone", "phone_source", "email", "address", "postcode"}
PUBLIC_SUITE = "public"
HELD_OUT_PREFIX = "heldout"


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file and scenario."""


@dataclass(frozen=True)
class Turn:
    say: str
    intent: str | None = None
    expect: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    profile: str
    now: datetime
    turns: tuple[Turn, ...]
    record: dict
    caller_id: str | None = None
    language: str | None = None


@dataclass
class ScenarioResult:
    id: str
    intents: tuple[int, int] = (0, 0)            # (correct, expected)
    slots: tuple[int, int] = (0, 0)
    facts: tuple[int, int] = (0, 0)
    action_ok: bool = False
    request_type_ok: bool = False
    invented: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    model_ms: list[float] = field(default_factory=list)


def _scenario(raw: dict, profile: str, source: Path) -> Scenario:
    try:
        turns = tuple(
            Turn(say=str(t["say"]), intent=t.get("intent"), expect=tuple(t.get("expect", ())),
                 forbid=tuple(t.get("forbid", ())))
            for t in raw["turns"]
        )
        return Scenario(id=raw["id"], profile=raw.get("profile", profile), now=datetime.fromisoformat(str(raw["now"])),
                        turns=turns, record=raw["record"], caller_id=raw.get("caller_id"),
                        language=raw.get("language"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(f"{source}: scenario {raw.get('id', '?')!r}: {exc!r}") from exc


def suite_files(suite: str = PUBLIC_SUITE, directory: Path = SCENARIO_DIR) -> list[Path]:
    """The scenario files of a suite: every non-held-out file for the public suite, else `<suite>.yaml`."""
    if suite == PUBLIC_SUITE:
        return [p for p in sorted(directory.glob("*.yaml")) if not p.stem.startswith(HELD_OUT_PREFIX)]
    path = directory / f"{suite}.yaml"
    if not path.is_file():
        raise ScenarioError(f"no scenario suite {suite!r} (looked for {path})")
    return [path]


def load_scenarios(directory: Path = SCENARIO_DIR, suite: str = PUBLIC_SUITE) -> list[Scenario]:
    scenarios: list[Scenario] = []
    for path in suite_files(suite, directory):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        scenarios += [_scenario(raw, data.get("profile", ""), path) for raw in data.get("scenarios", [])]
    ids = [s.id for s in scenarios]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ScenarioError(f"scenario ids used twice: {sorted(duplicates)}")
    return scenarios


def _record_value(record: dict, key: str) -> object:
    if key in CALLER_FIELDS:
        return record["caller"].get(key)
    return record.get(key)


def _same(expected: object, actual: object) -> bool:
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return abs(expected - actual) < 0.01
    return str(expected).strip().lower() == str(actual).strip().lower()


def run_scenario(scenario: Scenario, profile: BusinessProfile, understander: Understander | None) -> ScenarioResult:
    result = ScenarioResult(scenario.id)
    conversation = Conversation(profile, understander, scenario.now, caller_id=scenario.caller_id)
    replies = [conversation.greeting().text]
    heard: list[str] = []
    intents_ok = intents_n = facts_ok = facts_n = 0
    reason = "caller_hung_up"
    for number, turn in enumerate(scenario.turns, 1):
        heard.append(turn.say)
        reply = conversation.hear(turn.say)
        replies.append(reply.text)
        if turn.intent:
            intents_n += 1
            if reply.intent == turn.intent:
                intents_ok += 1
            else:
                result.problems.append(f"turn {number}: intent {reply.intent} != {turn.intent}")
        for fact in turn.expect:
            facts_n += 1
            if fact.lower() in reply.text.lower():
                facts_ok += 1
            else:
                result.problems.append(f"turn {number}: missing {fact!r} in {reply.text!r}")
        for fact in turn.forbid:
            facts_n += 1
            if fact.lower() not in reply.text.lower():
                facts_ok += 1
            else:
                result.problems.append(f"turn {number}: forbidden {fact!r} in {reply.text!r}")
        if reply.transfer_to or reply.end_call:
            reason = "transferred" if reply.transfer_to else "completed"
            if number < len(scenario.turns):
                result.problems.append(f"turn {number}: call ended early ({reason})")
            break
    record = conversation.finish(reason).to_dict()
    for text in replies:
        result.invented += invented_facts(text, profile, heard, scenario.now, scenario.caller_id)
    expected = scenario.record
    action = record["action"]
    result.action_ok = action["type"] == expected["action"] and all(
        _same(expected[k], action.get(k)) for k in ("transfer_to", "for_person") if k in expected)
    if not result.action_ok:
        result.problems.append(f"action {action} != {expected['action']}")
    result.request_type_ok = record["request_type"] == expected["request_type"]
    if not result.request_type_ok:
        result.problems.append(f"request_type {record['request_type']} != {expected['request_type']}")
    slots = expected.get("slots", {})
    slots_ok = 0
    for key, value in slots.items():
        actual = _record_value(record, key)
        if _same(value, actual):
            slots_ok += 1
        else:
            result.problems.append(f"slot {key}: {actual!r} != {value!r}")
    if scenario.language and record["language"] != scenario.language:
        result.problems.append(f"language {record['language']} != {scenario.language}")
        facts_n += 1
    elif scenario.language:
        facts_n += 1
        facts_ok += 1
    result.intents, result.slots, result.facts = (intents_ok, intents_n), (slots_ok, len(slots)), (facts_ok, facts_n)
    result.latencies_ms = conversation.understanding_ms
    result.model_ms = conversation.model_ms
    return result


def _ratio(pairs: list[tuple[int, int]]) -> float:
    total = sum(n for _, n in pairs)
    return round(sum(ok for ok, _ in pairs) / total, 4) if total else 1.0


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def run_suite(understander: Understander | None, scenarios: list[Scenario] | None = None) -> dict:
    """Runs every scenario; returns the summary metrics and the failures."""
    scenarios = scenarios if scenarios is not None else load_scenarios()
    profiles: dict[str, BusinessProfile] = {}
    results = []
    started = time.perf_counter()
    for scenario in scenarios:
        if scenario.profile not in profiles:
            profiles[scenario.profile] = load_profile(PROFILE_DIR / scenario.profile)
        results.append(run_scenario(scenario, profiles[scenario.profile], understander))
    latencies = [ms for r in results for ms in r.latencies_ms]
    model = [ms for r in results for ms in r.model_ms]
    return {
        "scenarios": len(results),
        "understanding": "llm" if understander else "rules",
        "intent_accuracy": _ratio([r.intents for r in results]),
        "slot_accuracy": _ratio([r.slots for r in results]),
        "action_accuracy": _ratio([(int(r.action_ok), 1) for r in results]),
        "request_type_accuracy": _ratio([(int(r.request_type_ok), 1) for r in results]),
        "fact_check_accuracy": _ratio([r.facts for r in results]),
        "invented_facts": sum(len(r.invented) for r in results),
        "understanding_ms_p50": _percentile(latencies, 0.5),
        "understanding_ms_p95": _percentile(latencies, 0.95),
        "understood_turns": len(latencies),
        "model_ms_p50": _percentile(model, 0.5),
        "model_ms_p95": _percentile(model, 0.95),
        "model_turns": len(model),
        "seconds": round(time.perf_counter() - started, 1),
        "failures": [asdict(r) | {"latencies_ms": None, "model_ms": None} for r in results
                     if r.problems or r.invented],
    }


def main(args: argparse.Namespace) -> int:
    from appliance.brain.chat import default_understander

    understander = None
    if not args.no_llm:
        try:
            understander = default_understander()
        except (ModelMissingError, UnderstanderError, ManifestError, KeyError, OSError) as exc:
            print(f"error: cannot load the language model: {exc}", file=sys.stderr)
            return 2
    try:
        summary = run_suite(understander, load_scenarios(suite=getattr(args, "suite", PUBLIC_SUITE)))
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    publish(summary, args, format_summary)
    return 0


def format_summary(summary: dict) -> str:
    lines = [f"{key:>24}: {value}" for key, value in summary.items() if key != "failures"]
    lines += [f"- {failure['id']}: {'; '.join(failure['problems'] + failure['invented'])}"
              for failure in summary["failures"]]
    return "\n".join(lines)

