"""Puts baresip's recordings on the wall clock.

baresip's sndfile module appends one 20 ms frame to the "decode" WAV per RTP packet received, with no timing.
A far end that stops sending during silence (voice activity detection, the pjsua2 default) therefore produces a
recording with the silences cut out, and one that starts sending late produces a recording that starts late.
sndfile writes each frame straight to the file, so watching the files grow tells when every frame arrived;
`wall_clock_wav` uses that to re-insert the missing silence. Error: the poll interval plus thread scheduling,
about ±10 ms on an idle machine; stretches shorter than `tolerance` are never inserted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from appliance.testpeers.audio import read_wav, write_wav

_BYTES_PER_SAMPLE = 2


@dataclass(frozen=True)
class Growth:
    at: float
    """time.monotonic() when the file was seen at `size` bytes."""
    size: int


class FileGrowthWatcher:
    """Polls the sizes of the files matching `pattern` in `directory` on a thread, noting each change."""

    def __init__(self, directory: Path, pattern: str = "dump-*.wav", interval: float = 0.005) -> None:
        self._directory = directory
        self._pattern = pattern
        self._interval = interval
        self._histories: dict[Path, list[Growth]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="recording-watcher", daemon=True)

    def __enter__(self) -> FileGrowthWatcher:
        self.start()
        return self

    def start(self) -> None:
        self._thread.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        self._poll()

    def history(self, path: Path) -> list[Growth]:
        with self._lock:
            return list(self._histories.get(path, []))

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self._poll()

    def _poll(self) -> None:
        now = time.monotonic()
        for path in self._directory.glob(self._pattern):
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # renamed or removed between glob and stat
                continue
            with self._lock:
                history = self._histories.setdefault(path, [])
                if history and size < history[-1].size:  # a new file under the same name
                    history.clear()
                if not history or size != history[-1].size:
                    history.append(Growth(now, size))


def _frames(recording: Path, history: list[Growth]) -> tuple[np.ndarray, int, list[tuple[float, int, int]]]:
    """Samples, rate and the (end time, first sample, sample count) of each observed growth of the recording."""
    samples, rate = read_wav(recording)
    header = recording.stat().st_size - len(samples) * _BYTES_PER_SAMPLE
    steps, written = [], 0
    for growth in history:
        total = min(len(samples), max(0, (growth.size - header) // _BYTES_PER_SAMPLE))
        if total > written:
            steps.append((growth.at, written, total - written))
            written = total
    if written < len(samples):  # frames written after the last poll
        steps.append(((history[-1].at if history else 0.0), written, len(samples) - written))
    return samples, rate, steps


def recording_started_at(recording: Path, history: list[Growth]) -> float | None:
    """Estimated time.monotonic() of the recording's first sample, or None when its growth was not seen."""
    if not history:
        return None
    _, rate, steps = _frames(recording, history)
    if not steps:
        return None
    end, _, count = steps[0]
    return end - count / rate


def wall_clock_wav(recording: Path, history: list[Growth], zero: float, path: Path, tolerance: float = 0.06) -> float:
    """Writes `recording` to `path` with sample i at time zero + i/rate, filling gaps with silence.

    A frame is moved later only when it arrived more than `tolerance` seconds after the previous frames end,
    so jitter never reorders or stretches continuous audio. Returns the seconds of silence inserted.
    """
    samples, rate, steps = _frames(recording, history)
    pieces: list[np.ndarray] = []
    cursor = 0
    filled = 0
    for end, first, count in steps:
        target = round((end - zero) * rate) - count
        if target - cursor > tolerance * rate:
            pieces.append(np.zeros(target - cursor, dtype=np.float32))
            filled += target - cursor
            cursor = target
        pieces.append(samples[first : first + count])
        cursor += count
    write_wav(path, np.concatenate(pieces) if pieces else samples, rate)
    return round(filled / rate, 3)
