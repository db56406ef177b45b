"""How every benchmark hands over its result: JSON to a file (--output) and to stdout (--json), else a table."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable


def publish(result: dict, args: argparse.Namespace, human: Callable[[dict], str]) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else human(result))
