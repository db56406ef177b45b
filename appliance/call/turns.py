"""Turn-taking from voice activity: when the caller starts talking, talks over the box, and has finished.

Fed one VAD window at a time (audio plus its speech probability); pure logic, no clocks of its own: time is the
amount of audio seen, so it behaves the same live, in `balie talk` and in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from appliance.config import TurnSettings

SAMPLE_RATE = 16000
PRE_ROLL_SECONDS = 0.3
MIN_UTTERANCE_SECONDS = 0.18
SPEECH_ON = 0.5
SPEECH_OFF = 0.35


class TurnEvent(Enum):
    SPEECH_STARTED = "speech_started"
    BARGE_IN = "barge_in"
    PAUSE = "pause"          # the caller paused long enough to start recognising what was said so far
    RESUMED = "resumed"      # ...and then went on talking: what was recognised is stale
    END_OF_TURN = "end_of_turn"
    NOISE = "noise"          # a blip too short to be speech (a cough, a click)


@dataclass
class TurnSignal:
    event: TurnEvent
    at: float                                   # seconds of audio since the start of the call
    audio: np.ndarray | None = None             # the utterance, for END_OF_TURN
    speech_end_at: float | None = None          # when the caller's last speech ended (END_OF_TURN)
    voiced_seconds: float = 0.0
    overlapped_box: bool = False                # the box was speaking during this utterance


@dataclass
class TurnDetector:
    settings: TurnSettings
    clock: float = 0.0
    _in_speech: bool = False
    _speech_now: bool = False
    _voiced: float = 0.0
    _silence: float = 0.0
    _barged: bool = False
    _overlapped: bool = False
    _paused: bool = False
    _voiced_over_box: float = 0.0    # speech while the box was audible and barge-in allowed
    _last_speech_end: float = 0.0
    _chunks: list[np.ndarray] = field(default_factory=list)
    _pre_roll: list[np.ndarray] = field(default_factory=list)

    @property
    def caller_speaking(self) -> bool:
        return self._in_speech

    def feed(self, audio: np.ndarray, probability: float, box_audible: bool, protected: bool) -> list[TurnSignal]:
        """One VAD window. `box_audible`: the box is playing; `protected`: barge-in is not allowed now."""
        seconds = len(audio) / SAMPLE_RATE
        self.clock += seconds
        was_speech = self._speech_now
        self._speech_now = probability >= (SPEECH_OFF if was_speech else SPEECH_ON)
        signals: list[TurnSignal] = []
        if not self._in_speech:
            self._remember_pre_roll(audio)
            if self._speech_now:
                self._start_utterance()
                signals.append(TurnSignal(TurnEvent.SPEECH_STARTED, self.clock))
            else:
                return signals
        self._chunks.append(audio)
        self._overlapped |= box_audible
        if self._speech_now:
            self._voiced += seconds
            self._silence = 0.0
            self._last_speech_end = self.clock
            if self._paused:
                self._paused = False
                signals.append(TurnSignal(TurnEvent.RESUMED, self.clock))
        else:
            self._silence += seconds
            if (not self._paused and self._silence * 1000 >= self.settings.speculate_ms
                    and self._voiced >= MIN_UTTERANCE_SECONDS):
                self._paused = True
                signals.append(TurnSignal(TurnEvent.PAUSE, self.clock, audio=np.concatenate(self._chunks),
                                          speech_end_at=self._last_speech_end, voiced_seconds=self._voiced))
        if box_audible and not protected and self._speech_now:
            self._voiced_over_box += seconds
        if not self._barged and self._voiced_over_box * 1000 >= self.settings.barge_in_min_speech_ms:
            self._barged = True
            signals.append(TurnSignal(TurnEvent.BARGE_IN, self.clock, voiced_seconds=self._voiced))
        if self._silence * 1000 >= self.settings.end_of_turn_ms:
            signals.append(self._finish())
        return signals

    def _remember_pre_roll(self, audio: np.ndarray) -> None:
        self._pre_roll.append(audio)
        while sum(len(c) for c in self._pre_roll) > PRE_ROLL_SECONDS * SAMPLE_RATE:
            self._pre_roll.pop(0)

    def _start_utterance(self) -> None:
        self._in_speech = True
        self._voiced = self._silence = 0.0
        self._barged = self._overlapped = self._paused = False
        self._voiced_over_box = 0.0
        self._chunks = self._pre_roll[:-1]  # the current window is appended by feed()
        self._pre_roll = []

    def _finish(self) -> TurnSignal:
        self._in_speech = False
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        self._chunks = []
        if self._voiced < MIN_UTTERANCE_SECONDS:
            return TurnSignal(TurnEvent.NOISE, self.clock, voiced_seconds=self._voiced,
                              overlapped_box=self._overlapped)
        return TurnSignal(TurnEvent.END_OF_TURN, self.clock, audio=audio, speech_end_at=self._last_speech_end,
                          voiced_seconds=self._voiced, overlapped_box=self._overlapped)
