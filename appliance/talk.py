"""`balie talk`: a conversation with the box through a local microphone and speaker (e.g. a USB headset).

The same call session as a SIP call, with sounddevice in place of RTP; the call is recorded like any other.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
import uuid

from appliance.app import config_from_args
from appliance.call.session import CallSession
from appliance.call.stack import load_stack
from appliance.config import ConfigError
from appliance.models.store import ModelMissingError
from appliance.profile import ProfileError
from appliance.store import CallStore
from appliance.telephony.engine import IncomingCall
from appliance.telephony.media import BRIDGE_RATE, FRAME_SAMPLES, SILENCE


class LocalControls:
    """CallControls for a local conversation: hanging up (or transferring) ends the session."""

    def __init__(self) -> None:
        self.hung_up = threading.Event()
        self.transferred_to: str | None = None

    def hangup(self) -> None:
        self.hung_up.set()

    def transfer(self, target_uri: str) -> None:
        self.transferred_to = target_uri
        print(f"[the box would now transfer the call to {target_uri}]", flush=True)
        self.hung_up.set()


class RealTimePacer:
    """Holds the audio callback to the wall clock when a device has no clock of its own.

    ALSA's `null` device (and a `file` plugin over it) hands out frames as fast as they are asked for:
    thousands of seconds of audio per second, which would flood the call with input and burn a core. A real
    sound card never runs ahead of the wall clock by more than its buffer, so with one this never sleeps.
    """

    def __init__(self, rate: int, slack_seconds: float = 0.5) -> None:
        self.rate = rate
        self.slack_seconds = slack_seconds
        self.frames = 0
        self._started: float | None = None

    def pace(self, frames: int) -> None:
        """Called once per block; sleeps while the stream is more than `slack_seconds` ahead of real time."""
        now = time.monotonic()
        if self._started is None:
            self._started = now
        self.frames += frames
        ahead = self.frames / self.rate - (now - self._started)
        if ahead > self.slack_seconds:
            time.sleep(ahead - self.slack_seconds)


def _device(value: str | None) -> int | str | None:
    return int(value) if value and value.isdigit() else value


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.seconds is not None and args.seconds <= 0:
        print(f"balie talk: --seconds must be positive, not {args.seconds:g} "
              f"(leave it out to talk until Ctrl-C)", file=sys.stderr)
        return 2
    import sounddevice as sd

    try:
        sd.check_input_settings(device=_device(args.input_device), channels=1, dtype="int16",
                                samplerate=BRIDGE_RATE)
        sd.check_output_settings(device=_device(args.output_device), channels=1, dtype="int16",
                                 samplerate=BRIDGE_RATE)
    except (sd.PortAudioError, ValueError) as exc:
        print(f"balie talk: no usable sound device ({exc}); plug in a USB headset or pass "
              f"--input-device/--output-device (see `python -m sounddevice`)", file=sys.stderr)
        return 2
    try:
        config = config_from_args(args)
        store = CallStore(config.data_dir / "balie.db")
        stack = load_stack(config)
    except (ConfigError, ProfileError, ModelMissingError) as exc:
        print(f"balie talk: {exc}", file=sys.stderr)
        return 2
    controls = LocalControls()
    incoming = IncomingCall("local", "", "balie talk", "talk", f"talk-{uuid.uuid4().hex[:12]}")
    session = CallSession(stack, store, config.turns, incoming, controls)
    pacer = RealTimePacer(BRIDGE_RATE)

    def on_audio(indata, outdata, frames, _time, _status) -> None:
        pacer.pace(frames)
        session.audio_in(bytes(indata))
        outdata[:] = session.audio_out() or SILENCE

    stream = sd.RawStream(samplerate=BRIDGE_RATE, blocksize=FRAME_SAMPLES, channels=1, dtype="int16",
                          device=(_device(args.input_device), _device(args.output_device)), callback=on_audio)
    print("Talking to the box; Ctrl-C hangs up.", flush=True)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    with stream:
        session.media_started()
        try:
            while not controls.hung_up.wait(0.1):
                if deadline and time.monotonic() > deadline:
                    break
        except KeyboardInterrupt:
            pass
    session.disconnected("local hang-up")
    session.wait_ended(timeout=60)
    for turn in store.turns(session.call_id):
        print(f"{turn['role']:>9}: {turn['text']}")
    print(f"call record {session.call_id} in {store.path}")
    store.close()
    return 0
