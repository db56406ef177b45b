"""What the box is saying: PCM16 audio handed to the media thread frame by frame, which can be paused
(barge-in), resumed (it was only "uh-huh") or dropped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from appliance.telephony.media import FRAME_BYTES


@dataclass
class Utterance:
    """One reply being played; `first_frame_at`/`finished_at` are monotonic seconds set by the media thread."""

    pcm16: bytes
    tag: object = None
    position: int = 0
    first_frame_at: float | None = None
    finished_at: float | None = None
    dropped: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def played_seconds(self) -> float:
        return self.position / 2 / 16000


class Playback:
    """Thread-safe queue of utterances; `next_frame` is called every 20 ms by the media clock."""

    def __init__(self, on_first_frame: Callable[[Utterance], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._queue: list[Utterance] = []
        self._paused = False
        self._on_first_frame = on_first_frame

    def play(self, pcm16: bytes, tag: object = None) -> Utterance:
        utterance = Utterance(pcm16=pcm16, tag=tag)
        with self._lock:
            self._queue.append(utterance)
        return utterance

    @property
    def active(self) -> bool:
        """True while there is unplayed audio (even if paused)."""
        with self._lock:
            return bool(self._queue)

    @property
    def audible(self) -> bool:
        with self._lock:
            return bool(self._queue) and not self._paused

    @property
    def current(self) -> Utterance | None:
        with self._lock:
            return self._queue[0] if self._queue else None

    def pause(self) -> None:
        with self._lock:
            self._paused = True

    def resume(self, rewind_seconds: float = 0.3) -> None:
        with self._lock:
            if self._queue:
                current = self._queue[0]
                current.position = max(0, current.position - int(rewind_seconds * 16000) * 2)
            self._paused = False

    def drop_all(self) -> list[Utterance]:
        """Stops speaking now; returns what was cut off."""
        with self._lock:
            dropped, self._queue = self._queue, []
            self._paused = False
        for utterance in dropped:
            utterance.dropped = True
            utterance.finished_at = time.monotonic()
            utterance.done.set()
        return dropped

    def next_frame(self) -> bytes | None:
        first: Utterance | None = None
        with self._lock:
            if self._paused or not self._queue:
                return None
            current = self._queue[0]
            frame = current.pcm16[current.position:current.position + FRAME_BYTES]
            if current.first_frame_at is None:
                current.first_frame_at = time.monotonic()
                first = current
            current.position += FRAME_BYTES
            if current.position >= len(current.pcm16):
                current.finished_at = time.monotonic()
                self._queue.pop(0)
                current.done.set()
        if first is not None and self._on_first_frame:
            self._on_first_frame(first)
        if len(frame) < FRAME_BYTES:
            frame += bytes(FRAME_BYTES - len(frame))
        return frame
