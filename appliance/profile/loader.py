"""Reads a business profile YAML file and validates it, with errors named by field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from appliance.config import format_validation_error
from appliance.profile.schema import BusinessProfile


class ProfileError(ValueError):
    """The profile cannot be used; the message names each bad field."""


def parse_profile(raw: object, source: str = "profile") -> BusinessProfile:
    """Validates already-parsed YAML/JSON data."""
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: expected a mapping (business:, address:, ...) at the top level")
    try:
        return BusinessProfile.model_validate(raw)
    except ValidationError as exc:
        raise ProfileError(format_validation_error(exc, source)) from exc


def load_profile(path: Path | str) -> BusinessProfile:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"profile not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from exc
    return parse_profile(raw, str(path))
