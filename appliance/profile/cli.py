"""`balie profile check FILE` and `balie profile schema`."""

from __future__ import annotations

import argparse
import json
import sys

from appliance.profile.loader import ProfileError, load_profile
from appliance.profile.schema import BusinessProfile


def check(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(args.file)
    except ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.file}: ok ({profile.name}: {len(profile.services)} services, {len(profile.faq)} FAQ entries, "
          f"{len(profile.staff)} staff, {len(profile.appointment_types)} appointment types)")
    return 0


def schema(args: argparse.Namespace) -> int:
    document = BusinessProfile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "Balie business profile"
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0
