"""The intent probe (softmax regression on hidden states) and the labelled examples it learns from."""

import numpy as np
import pytest
import yaml

from appliance.bench.brain import load_scenarios
from appliance.brain.examples import ExamplesError, load_examples
from appliance.brain.intents import Intent
from appliance.brain.probe import IntentProbe, ProbeFileError

CLASSES = ("hours", "prices", "urgent")


def _clusters(seed: int, per_class: int = 30) -> tuple[np.ndarray, list[str]]:
    """Three noisy clusters in 64 dimensions, one per class."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (len(CLASSES), 64))
    rows, labels = [], []
    for index, name in enumerate(CLASSES):
        rows.append(centres[index] + rng.normal(0, 0.8, (per_class, 64)))
        labels += [name] * per_class
    return np.vstack(rows), labels


def test_a_probe_learns_classes_it_has_not_seen_these_points_of():
    features, labels = _clusters(seed=1)
    probe = IntentProbe.fit(features, labels, CLASSES)
    rng = np.random.default_rng(2)
    centres = np.random.default_rng(1).normal(0, 1, (len(CLASSES), 64))
    for index, name in enumerate(CLASSES):
        fresh = centres[index] + rng.normal(0, 0.8, 64)
        scores = probe.probabilities(fresh)
        assert max(scores, key=scores.get) == name
        assert abs(sum(scores.values()) - 1.0) < 1e-9


def test_training_is_deterministic_and_a_saved_probe_reads_back_the_same(tmp_path):
    features, labels = _clusters(seed=3)
    first = IntentProbe.fit(features, labels, CLASSES)
    second = IntentProbe.fit(features, labels, CLASSES)
    assert np.array_equal(first.weights, second.weights)
    path = tmp_path / "probe.npz"
    first.save(path)
    loaded = IntentProbe.load(path, CLASSES, features=64)
    assert loaded.probabilities(features[0]) == pytest.approx(first.probabilities(features[0]))
    assert [p.name for p in tmp_path.iterdir()] == ["probe.npz"]


def test_a_damaged_or_foreign_probe_file_is_refused(tmp_path):
    features, labels = _clusters(seed=4)
    path = tmp_path / "probe.npz"
    IntentProbe.fit(features, labels, CLASSES).save(path)
    with pytest.raises(ProbeFileError, match="other intents or another model"):
        IntentProbe.load(path, ("hours", "prices", "goodbye"), features=64)
    with pytest.raises(ProbeFileError, match="other intents or another model"):
        IntentProbe.load(path, CLASSES, features=1536)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ProbeFileError):
        IntentProbe.load(path, CLASSES, features=64)
    with pytest.raises(ProbeFileError):
        IntentProbe.load(tmp_path / "missing.npz", CLASSES, features=64)


def test_labels_outside_the_classes_are_refused():
    features, labels = _clusters(seed=5)
    with pytest.raises(ValueError, match="'callback'"):
        IntentProbe.fit(features, labels[:-1] + ["callback"], CLASSES)


def test_the_shipped_examples_cover_every_intent_in_both_languages():
    examples = load_examples()
    per_intent = {intent: [t for t, i in examples.pairs if i == intent] for intent in Intent}
    assert all(len(texts) >= 10 for texts in per_intent.values()), {i: len(t) for i, t in per_intent.items()}
    english = [t for t, _ in examples.pairs if t.lower().startswith(("i ", "i'", "hi", "hello", "can ", "could "))]
    assert len(english) >= 30
    assert len(examples.first(2)) == 2 * len(Intent)


@pytest.mark.parametrize("suite", ["heldout", "heldout2", "heldout3"])
def test_no_held_out_utterance_is_among_the_training_examples(suite):
    """The held-out sets measure how well understanding generalises; training on them would hide that."""
    trained = {text.lower().strip(" ?.!") for text, _ in load_examples().pairs}
    held_out = {turn.say.lower().strip(" ?.!") for s in load_scenarios(suite=suite) for turn in s.turns}
    assert not trained & held_out


def test_the_fingerprint_follows_the_examples(tmp_path):
    path = tmp_path / "examples.yaml"
    data = {intent.value: [f"voorbeeld voor {intent.value}"] for intent in Intent}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    before = load_examples(path).fingerprint
    data["hours"].append("zijn jullie zaterdag open")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_examples(path).fingerprint != before


@pytest.mark.parametrize(("content", "message"), [
    ("hours: [a]\nopeningstijden: [b]\n", "'openingstijden' is not an intent"),
    ("hours: [a]\n", "no examples for"),
    ("hours: a\n", "expected a list"),
    ("- a\n- b\n", "expected intent names"),
    ("hours: [a\n", "cannot read intent examples"),
])
def test_a_broken_examples_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "examples.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExamplesError, match=message):
        load_examples(path)

