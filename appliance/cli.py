"""The `balie` command line. Each subcommand lives in its own module, imported only when used."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path


def _handler(target: str):
    """Defers importing a subcommand's module (heavy model libraries) until it runs."""

    def run(args: argparse.Namespace) -> int:
        module, _, function = target.partition(":")
        return getattr(importlib.import_module(module), function)(args)

    return run


def _add_instance_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="YAML config file (defaults are used without one)")
    parser.add_argument("--data-dir", type=Path, help="where calls and settings are stored")
    parser.add_argument("--profile", type=Path, help="business profile YAML (overrides the config)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="balie", description="Balie, the offline AI receptionist.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the appliance: SIP, call handling and the web page")
    _add_instance_flags(run)
    run.add_argument("--sip-port", type=int, help="local SIP port (default 5060)")
    run.add_argument("--web-port", type=int, help="web page port (default 8080)")
    run.add_argument("--max-calls", type=int, help="simultaneous calls before answering 486 Busy")
    run.set_defaults(func=_handler("appliance.app:main"))

    talk = sub.add_parser("talk", help="talk to the box through a local microphone and speaker")
    _add_instance_flags(talk)
    talk.add_argument("--input-device", help="sounddevice input device (name or index)")
    talk.add_argument("--output-device", help="sounddevice output device (name or index)")
    talk.add_argument("--seconds", type=float, help="stop after this many seconds")
    talk.set_defaults(func=_handler("appliance.talk:main"))

    chat = sub.add_parser("chat", help="converse as text: caller lines on stdin, replies on stdout")
    chat.add_argument("--profile", type=Path, required=True)
    chat.add_argument("--now", help="ISO time used as the moment of the call, e.g. 2026-12-08T19:30")
    chat.add_argument("--caller-id", help="the caller's number, as the phone system would show it")
    chat.add_argument("--json", action="store_true", help="one JSON object per output line")
    chat.add_argument("--no-llm", action="store_true", help="understand with rules only (no model)")
    chat.set_defaults(func=_handler("appliance.brain.chat:main"))

    profile = sub.add_parser("profile", help="business profile tools")
    profile_sub = profile.add_subparsers(dest="profile_command", required=True)
    check = profile_sub.add_parser("check", help="validate a profile and report errors by field")
    check.add_argument("file", type=Path)
    check.set_defaults(func=_handler("appliance.profile.cli:check"))
    schema = profile_sub.add_parser("schema", help="print the profile's JSON schema")
    schema.set_defaults(func=_handler("appliance.profile.cli:schema"))

    models = sub.add_parser("models", help="list, fetch and verify models")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    listing = models_sub.add_parser("list", help="the models in the manifest and their state")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_handler("appliance.models.cli:list_command"))
    for name, helptext in (("fetch", "assemble or download models"), ("verify", "check every sha256")):
        cmd = models_sub.add_parser(name, help=helptext)
        cmd.add_argument("names", nargs="*", help="model names (default: all of the profile)")
        cmd.add_argument("--profile", dest="model_profile", default="dev", choices=["dev", "production"])
        cmd.set_defaults(func=_handler(f"appliance.models.cli:{name}_command"))

    doctor = sub.add_parser("doctor", help="check models, SIP registration, audio path and disk")
    _add_instance_flags(doctor)
    doctor.add_argument("--sip-port", type=int, help="SIP port for the registration check")
    doctor.set_defaults(func=_handler("appliance.doctor:main"))

    firstboot = sub.add_parser("firstboot", help="first start of a new box: host name, reset token, model check")
    from appliance.device.firstboot import add_arguments as add_firstboot_arguments

    add_firstboot_arguments(firstboot)
    firstboot.set_defaults(func=_handler("appliance.device.firstboot:main"))

    maintenance = sub.add_parser("maintenance", help="retention clean-up and backups (run by systemd timers)")
    maintenance_sub = maintenance.add_subparsers(dest="maintenance_command", required=True)
    cleanup = maintenance_sub.add_parser("cleanup", help="delete calls older than the retention period")
    cleanup.add_argument("--retention-days", type=int, default=90)
    backup = maintenance_sub.add_parser("backup", help="back up the calls database, keeping the newest N")
    backup.add_argument("--keep", type=int, default=7)
    for name, cmd in (("cleanup", cleanup), ("backup", backup)):
        cmd.add_argument("--data-dir", type=Path)
        cmd.add_argument("--config", type=Path)
        cmd.set_defaults(func=_handler(f"appliance.device.maintenance:{name}_command"))

    bench = sub.add_parser("bench", help="measure latency, concurrency and understanding")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    for name, target in (("latency", "appliance.bench.latency:main"),
                         ("concurrency", "appliance.bench.latency:concurrency")):
        cmd = bench_sub.add_parser(name, help=f"voice-to-voice {name} over real SIP calls on loopback")
        cmd.add_argument("--calls", type=int, default=5)
        cmd.add_argument("--json", action="store_true")
        cmd.add_argument("--output", type=Path, help="also write the JSON result here")
        cmd.set_defaults(func=_handler(target))
    brain = bench_sub.add_parser("brain", help="run the scenario suite: accuracy and understanding latency")
    brain.add_argument("--json", action="store_true")
    brain.add_argument("--output", type=Path, help="also write the JSON result here")
    brain.add_argument("--no-llm", action="store_true")
    brain.add_argument("--suite", default="public",
                       help='"public", or a held-out set such as "heldout3" (tests/scenarios/heldout*.yaml)')
    brain.set_defaults(func=_handler("appliance.bench.brain:main"))
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(args.func(args) or 0)
