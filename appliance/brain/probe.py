"""A linear read-out of what the language model makes of an utterance: softmax regression on its last hidden state.

A 1.5B model asked to name a label gets about two thirds of Dutch caller requests right; the same model's hidden
state, read by a classifier trained on a few hundred labelled phrasings, gets about nine in ten (measured on
utterances written by someone who had not seen the examples). The read-out costs nothing at call time: the
hidden state comes out of the forward pass that is done anyway.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

L2 = 1.0        # weight decay, in units of one example's loss
STEPS = 1000    # full-batch Adam steps
RATE = 0.01


class ProbeFileError(ValueError):
    """A saved probe cannot be used (missing, damaged or made for other classes)."""


@dataclass(frozen=True)
class IntentProbe:
    classes: tuple[str, ...]
    mean: np.ndarray      # feature standardisation
    scale: np.ndarray
    weights: np.ndarray   # (features, classes)
    bias: np.ndarray      # (classes,)

    @classmethod
    def fit(cls, features: np.ndarray, labels: list[str], classes: tuple[str, ...]) -> IntentProbe:
        """Trains on one feature row per labelled example; deterministic for the same input."""
        unknown = set(labels) - set(classes)
        if unknown:
            raise ValueError(f"labels that are not classes: {sorted(unknown)}")
        mean = features.mean(axis=0)
        scale = features.std(axis=0) + 1e-6
        standard = (features - mean) / scale
        targets = np.eye(len(classes))[[classes.index(label) for label in labels]]
        weights = np.zeros((features.shape[1], len(classes)))
        bias = np.zeros(len(classes))
        params = [weights, bias]
        first = [np.zeros_like(p) for p in params]
        second = [np.zeros_like(p) for p in params]
        count = len(labels)
        for step in range(1, STEPS + 1):
            error = _softmax(standard @ weights + bias) - targets
            grads = [standard.T @ error / count + L2 * weights / count, error.mean(axis=0)]
            for param, grad, m, v in zip(params, grads, first, second, strict=True):
                m *= 0.9
                m += 0.1 * grad
                v *= 0.999
                v += 0.001 * grad * grad
                param -= RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        return cls(tuple(classes), mean, scale, weights, bias)

    def probabilities(self, feature: np.ndarray) -> dict[str, float]:
        scores = _softmax((((feature - self.mean) / self.scale) @ self.weights + self.bias)[None, :])[0]
        return dict(zip(self.classes, scores.tolist(), strict=True))

    def save(self, path: Path) -> None:
        """Written whole or not at all (a temporary file renamed into place)."""
        partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
        try:
            np.savez(partial, classes=np.array(self.classes), mean=self.mean, scale=self.scale,
                     weights=self.weights, bias=self.bias)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, classes: tuple[str, ...], features: int) -> IntentProbe:
        try:
            with np.load(path, allow_pickle=False) as data:
                probe = cls(tuple(str(c) for c in data["classes"]), data["mean"], data["scale"], data["weights"],
                            data["bias"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ProbeFileError(f"{path}: {exc}") from exc
        if probe.classes != tuple(classes) or probe.weights.shape != (features, len(classes)):
            raise ProbeFileError(f"{path} was made for other intents or another model")
        return probe


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
