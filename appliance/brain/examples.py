"""The labelled caller utterances the intent probe learns from (appliance/data/intent-examples.yaml)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from appliance.brain.intents import Intent

EXAMPLES_FILE = Path(__file__).resolve().parent.parent / "data" / "intent-examples.yaml"


class ExamplesError(ValueError):
    """The examples file is unreadable or names an intent that does not exist."""


@dataclass(frozen=True)
class IntentExamples:
    pairs: tuple[tuple[str, Intent], ...]

    @property
    def fingerprint(self) -> str:
        """Changes whenever an example or its label changes (keys the trained probe's cache)."""
        return hashlib.sha256(repr(self.pairs).encode()).hexdigest()[:16]

    def first(self, per_intent: int) -> tuple[tuple[str, Intent], ...]:
        """The first few examples of every intent, in the order of the file (for the model's prompt)."""
        shown: dict[Intent, int] = {}
        chosen = []
        for text, intent in self.pairs:
            if shown.get(intent, 0) < per_intent:
                shown[intent] = shown.get(intent, 0) + 1
                chosen.append((text, intent))
        return tuple(chosen)


def load_examples(path: Path = EXAMPLES_FILE) -> IntentExamples:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExamplesError(f"cannot read intent examples {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ExamplesError(f"{path}: expected intent names with lists of utterances")
    pairs = []
    for key, texts in data.items():
        try:
            intent = Intent(key)
        except ValueError as exc:
            raise ExamplesError(f"{path}: {key!r} is not an intent ({', '.join(Intent)})") from exc
        if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
            raise ExamplesError(f"{path}: {key}: expected a list of non-empty utterances")
        pairs += [(text.strip(), intent) for text in texts]
    missing = set(Intent) - {intent for _, intent in pairs}
    if missing:
        raise ExamplesError(f"{path}: no examples for {', '.join(sorted(missing))}")
    return IntentExamples(tuple(pairs))
