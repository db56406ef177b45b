"""Reads `models/manifest.toml`: which models exist, their role, licence, files and checksums."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODELS_DIR = PROJECT_ROOT / "models"


class ManifestError(ValueError):
    """The manifest itself is malformed."""


@dataclass(frozen=True)
class ModelFile:
    path: str
    size: int
    sha256: str
    parts: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class ModelEntry:
    name: str
    role: str
    backend: str
    format: str
    license: str
    profile: str
    source_kind: str
    packages: tuple[str, ...]
    files: tuple[ModelFile, ...]
    languages: tuple[str, ...] = ()
    description: str = ""

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class Manifest:
    models: tuple[ModelEntry, ...]
    directory: Path = field(default=DEFAULT_MODELS_DIR)

    def get(self, name: str) -> ModelEntry:
        for model in self.models:
            if model.name == name:
                return model
        known = ", ".join(m.name for m in self.models)
        raise KeyError(f"no model named {name!r} in the manifest (known: {known})")

    def store_dir(self, model: ModelEntry) -> Path:
        """Where the assembled files of `model` live."""
        return self.directory / "store" / model.name


def models_dir() -> Path:
    return Path(os.environ.get("BALIE_MODELS_DIR", DEFAULT_MODELS_DIR))


def load_manifest(directory: Path | None = None) -> Manifest:
    directory = directory or models_dir()
    path = directory / "manifest.toml"
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ManifestError(f"model manifest not found at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    models = tuple(_parse_entry(entry, path) for entry in raw.get("model", []))
    return Manifest(models=models, directory=directory)


def _parse_entry(entry: dict, path: Path) -> ModelEntry:
    name = entry.get("name", "?")
    try:
        source = entry["source"]
        files = tuple(
            ModelFile(path=f["path"], size=int(f["size"]), sha256=f.get("sha256", ""),
                      parts=tuple(f.get("parts", ())), url=f.get("url", ""))
            for f in entry["files"]
        )
        return ModelEntry(
            name=entry["name"], role=entry["role"], backend=entry["backend"], format=entry["format"],
            license=entry["license"], profile=entry["profile"], source_kind=source["kind"],
            packages=tuple(source.get("packages", ())), files=files,
            languages=tuple(entry.get("languages", ())), description=entry.get("description", ""),
        )
    except KeyError as exc:
        raise ManifestError(f"{path}: model {name!r} lacks field {exc.args[0]!r}") from exc
