"""The audio bridge between a pjsua2 call and Python: 20 ms PCM16 frames in and out at the bridge rate."""

from __future__ import annotations

from collections.abc import Callable

import pjsua2 as pj

BRIDGE_RATE = 16000
FRAME_MS = 20
FRAME_SAMPLES = BRIDGE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2
SILENCE = bytes(FRAME_BYTES)


class AudioBridgePort(pj.AudioMediaPort):
    """A conference-bridge port: frames from the caller go to `on_audio_in`, frames to the caller come from
    `next_audio_out` (None means silence). Runs on pjmedia's clock thread: keep both callables cheap."""

    def __init__(self, name: str, on_audio_in: Callable[[bytes], None],
                 next_audio_out: Callable[[], bytes | None]) -> None:
        super().__init__()
        self._on_audio_in = on_audio_in
        self._next_audio_out = next_audio_out
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, BRIDGE_RATE, 1, FRAME_MS * 1000, 16)
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:  # noqa: N802 (pjsua2 callback name)
        if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            self._on_audio_in(bytes(frame.buf))

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:  # noqa: N802
        data = self._next_audio_out() or SILENCE
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf = pj.ByteVector(data)
        frame.size = len(data)
