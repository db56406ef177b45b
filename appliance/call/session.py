"""One call: greets, listens, hands finished utterances to a worker (ASR → brain → TTS), plays replies, handles
barge-in and silence, and writes the record as the call goes.

Threads: the media clock calls `audio_in`/`audio_out` every 20 ms (cheap, never blocks); the session thread runs
VAD and turn-taking; the worker thread runs the models. A slow model therefore never stalls RTP or barge-in.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from appliance.brain.engine import Conversation, Reply
from appliance.brain.phrases import say
from appliance.call.playback import Playback, Utterance
from appliance.call.stack import SpeechStack, from_pcm16
from appliance.call.turns import TurnDetector, TurnEvent, TurnSignal
from appliance.config import TurnSettings
from appliance.speech.asr import Transcript
from appliance.speech.phantoms import is_phantom
from appliance.store import CallStore, now_iso
from appliance.telephony.engine import CallControls, IncomingCall

log = logging.getLogger(__name__)

BACKCHANNELS = {"ja", "jaja", "ja ja", "hm", "hmm", "mhm", "uh huh", "uhuh", "aha", "oke", "ok", "okay", "yes",
                "yeah", "right", "precies", "klopt", "ja hoor", "uh", "um", "eh", "ehm"}


def is_backchannel(text: str) -> bool:
    words = re.sub(r"[^\w\s]", " ", text.lower().replace("é", "e")).split()
    return 0 < len(words) <= 3 and " ".join(words) in BACKCHANNELS


@dataclass
class _Job:
    kind: str                       # "utterance" | "silence" | "dtmf"
    audio: np.ndarray | None = None
    speech_end: float = 0.0         # monotonic seconds when the caller stopped speaking
    decided: float = 0.0            # monotonic seconds when the end of turn was decided
    digits: str = ""
    after_barge_in: bool = False
    early_transcript: Future[Transcript] | None = None   # recognition started at the caller's pause


class CallSession:
    """Implements the telephony layer's CallHandler for one call."""

    def __init__(self, stack: SpeechStack, store: CallStore, turns: TurnSettings, incoming: IncomingCall,
                 controls: CallControls, transfer_uri: Callable[[str], str] | None = None) -> None:
        self.stack = stack
        self.store = store
        self.turns = turns
        self.incoming = incoming
        self.controls = controls
        self.transfer_uri = transfer_uri or (lambda extension: extension)
        self.call_id = store.start_call(incoming.caller_id, incoming.caller_name, incoming.local_uri,
                                        incoming.sip_call_id)
        self.conversation: Conversation = stack.new_conversation(incoming.caller_id or None)
        self.playback = Playback()
        self.detector = TurnDetector(turns)
        self._vad = stack.new_detector()
        self._inbound: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._ended = threading.Event()              # stop listening and working
        self._closed = threading.Event()             # the call's record is complete
        self._finish_lock = threading.Lock()
        self._finished = False
        self._busy = threading.Event()            # the worker is handling a job
        self._protected_until = 0.0
        self._last_activity = time.monotonic()
        self._time_up = False                      # the call reached max_call_seconds
        self._pending_after_playback: Reply | None = None
        self._closed_by_box: str | None = None     # "completed" or "transferred" once the box ends the call
        self._awaiting_audio: dict[int, tuple[Utterance, float]] = {}
        self._window_audio = np.zeros(0, np.float32)
        self._asr = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"call{self.call_id}-asr")
        self._speculation: tuple[float, Future[Transcript]] | None = None
        self._started = time.monotonic()
        self.media_live = False
        self._threads = [threading.Thread(target=self._listen_loop, name=f"call{self.call_id}-listen", daemon=True),
                         threading.Thread(target=self._work_loop, name=f"call{self.call_id}-work", daemon=True)]
        for thread in self._threads:
            thread.start()

    # --- CallHandler (telephony threads) ---
    def media_started(self) -> None:
        self.media_live = True
        self.store.update_call(self.call_id, answered_at=now_iso())
        self._jobs.put(_Job(kind="greeting"))

    def audio_in(self, pcm16: bytes) -> None:
        self._inbound.put(pcm16)

    def audio_out(self) -> bytes | None:
        return self.playback.next_frame()

    def dtmf(self, digit: str) -> None:
        self._jobs.put(_Job(kind="dtmf", digits=digit))

    def transfer_result(self, code: int, final: bool) -> None:
        log.info("call %s: transfer status %s (final=%s)", self.call_id, code, final)
        if final and 200 <= code < 300:
            self.controls.hangup()

    def disconnected(self, reason: str) -> None:
        """SIP thread: must not block, so the record is finished on a thread of its own."""
        why = self._closed_by_box or "caller_hung_up"
        threading.Thread(target=self._finish, args=(why, reason), name=f"call{self.call_id}-end").start()

    # --- state ---

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def wait_ended(self, timeout: float | None = None) -> bool:
        """Waits until the call is over and its record complete."""
        return self._closed.wait(timeout)

    # --- the listening thread: VAD and turn-taking ---
    def _listen_loop(self) -> None:
        while not self._ended.is_set():
            try:
                frame = self._inbound.get(timeout=0.1)
            except queue.Empty:
                frame = b""
            if frame is None:
                break
            if frame:
                self._on_audio(from_pcm16(frame))
            self._check_timers()

    def _on_audio(self, samples: np.ndarray) -> None:
        self._window_audio = np.concatenate([self._window_audio, samples])
        probabilities = self._vad.feed(samples)
        if not probabilities:
            return
        window = self._vad.window_samples
        now = time.monotonic()
        for index, probability in enumerate(probabilities):
            chunk = self._window_audio[index * window:(index + 1) * window]
            signals = self.detector.feed(chunk, probability, box_audible=self.playback.audible,
                                         protected=now < self._protected_until)
            for signal in signals:
                self._on_signal(signal, now)
        self._window_audio = self._window_audio[len(probabilities) * window:]

    def _on_signal(self, signal: TurnSignal, now: float) -> None:
        if signal.event is TurnEvent.BARGE_IN:
            self.playback.pause()
            log.info("call %s: barge-in after %.0f ms of speech", self.call_id, signal.voiced_seconds * 1000)
        elif signal.event is TurnEvent.NOISE:
            if self.playback.active:
                self.playback.resume(rewind_seconds=0.0)
        elif signal.event is TurnEvent.PAUSE:
            future = self._asr.submit(self._recognize_ahead, signal.audio, self.conversation.language)
            self._speculation = (signal.speech_end_at, future)
        elif signal.event is TurnEvent.RESUMED:
            if self._speculation:
                self._speculation[1].cancel()  # only stops it if it has not started yet
            self._speculation = None
        elif signal.event is TurnEvent.END_OF_TURN:
            speech_end = now - (self.detector.clock - signal.speech_end_at)
            self._last_activity = now
            speculation = self._speculation
            self._speculation = None
            early = speculation[1] if speculation and speculation[0] == signal.speech_end_at else None
            self._jobs.put(_Job(kind="utterance", audio=signal.audio, speech_end=speech_end, decided=now,
                                after_barge_in=self.playback.active and not self.playback.audible,
                                early_transcript=early))

    def _check_timers(self) -> None:
        now = time.monotonic()
        if self._awaiting_audio:
            self._record_first_audio()
        if self.playback.active or self._busy.is_set() or self.detector.caller_speaking:
            if self.playback.active:
                self._last_activity = now
            return
        pending = self._pending_after_playback
        if pending is not None:
            self._pending_after_playback = None
            self._after_final_reply(pending)
            return
        if now - self._started > self.turns.max_call_seconds and not self._time_up:
            self._time_up = True
            self._jobs.put(_Job(kind="time_up"))
        elif now - self._last_activity >= self.turns.silence_prompt_seconds and self._jobs.empty():
            self._last_activity = now
            self._jobs.put(_Job(kind="silence"))

    def _after_final_reply(self, reply: Reply) -> None:
        if reply.transfer_to:
            self._closed_by_box = "transferred"
            self.store.update_call(self.call_id, outcome=f"transfer:{reply.transfer_to}")
            self.controls.transfer(self.transfer_uri(reply.transfer_to))
        elif reply.end_call:
            self._closed_by_box = "completed"
            self.controls.hangup()

    # --- the worker thread: models ---
    def _work_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None or self._ended.is_set():
                return
            self._busy.set()
            try:
                self._handle(job)
            except Exception:
                log.exception("call %s: turn failed", self.call_id)
                self._say(self.conversation.hear(""), started=time.monotonic())
            finally:
                self._busy.clear()

    def _handle(self, job: _Job) -> None:
        if job.kind == "greeting":
            reply = self.conversation.greeting()
            self._protected_until = time.monotonic() + self.turns.greeting_protected_ms / 1000
            self._say(reply, started=time.monotonic())
        elif job.kind == "silence":
            self._say(self.conversation.on_silence(), started=time.monotonic())
        elif job.kind == "time_up":
            language = self.conversation.language
            self._say(Reply(say("goodbye", language), language, end_call=True), started=time.monotonic())
        elif job.kind == "dtmf":
            self.store.add_turn(self.call_id, "caller", f"[DTMF {job.digits}]")
            self._say(self.conversation.hear_dtmf(job.digits), started=time.monotonic())
        else:
            self._handle_utterance(job)

    def _recognize_ahead(self, audio: np.ndarray, language: str) -> Transcript:
        """At the caller's pause: recognise and understand what was said so far, in case the turn ends here."""
        transcript = self.stack.transcribe(audio, language)
        if transcript.text.strip() and not is_phantom(transcript):
            self.conversation.prepare(transcript.text)
        return transcript

    def _handle_utterance(self, job: _Job) -> None:
        if job.early_transcript is not None:
            transcript = job.early_transcript.result()
        else:
            transcript = self.stack.transcribe(job.audio, self.conversation.language)
        transcript_at = time.monotonic()
        text = transcript.text.strip()
        if is_phantom(transcript) or not text or (job.after_barge_in and is_backchannel(text)):
            log.info("call %s: ignored %r (phantom/backchannel)", self.call_id, text)
            if job.after_barge_in:
                self.playback.resume()
            return
        if job.after_barge_in:
            for utterance in self.playback.drop_all():
                if isinstance(utterance.tag, int):
                    self.store.update_turn(utterance.tag, interrupted=1)
        self.store.add_turn(self.call_id, "caller", text, asr_ms=transcript.elapsed_s * 1000,
                            speech_end_ms=(job.decided - job.speech_end) * 1000)
        reply = self.conversation.hear(text)
        self._say(reply, started=job.speech_end, transcript_at=transcript_at,
                  endpoint_at=job.decided, asr_ms=transcript.elapsed_s * 1000)

    def _say(self, reply: Reply, started: float, transcript_at: float | None = None,
             endpoint_at: float | None = None, asr_ms: float | None = None) -> Utterance | None:
        """Speaks `reply` and records the turn; a reply without text (e.g. half a keypad number) says nothing."""
        if not reply.text.strip():
            return None
        reply_at = time.monotonic()
        pcm = self.stack.speak(reply.text, reply.language)
        tts_done = time.monotonic()

        def ms(moment: float | None) -> float | None:
            return None if moment is None else round((moment - started) * 1000, 1)

        turn_id = self.store.add_turn(
            self.call_id, "assistant", reply.text, intent=reply.intent or "",
            speech_end_ms=ms(endpoint_at), transcript_ms=ms(transcript_at), reply_text_ms=ms(reply_at),
            asr_ms=asr_ms, brain_ms=round((reply_at - (transcript_at or reply_at)) * 1000, 1),
            tts_ms=round((tts_done - reply_at) * 1000, 1))
        if reply.end_call or reply.transfer_to:
            self._pending_after_playback = reply
        utterance = self.playback.play(pcm, tag=turn_id)
        self._awaiting_audio[turn_id] = (utterance, started)
        return utterance

    def _record_first_audio(self) -> None:
        """The media thread stamps each reply's first frame; this writes those moments to the record."""
        for turn_id, (utterance, started) in list(self._awaiting_audio.items()):
            if utterance.first_frame_at is not None:
                del self._awaiting_audio[turn_id]
                self.store.update_turn(turn_id, first_audio_ms=round((utterance.first_frame_at - started) * 1000, 1))

    # --- the end ---
    def _finish(self, reason: str, sip_reason: str) -> None:
        with self._finish_lock:
            if self._finished:
                return
            self._finished = True
        self._ended.set()
        for utterance in self.playback.drop_all():
            if isinstance(utterance.tag, int):
                self.store.update_turn(utterance.tag, interrupted=1)
        self._inbound.put(None)
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(timeout=30)
        self._asr.shutdown(wait=True, cancel_futures=True)
        self._record_first_audio()
        try:
            lead = self.conversation.finish(reason).to_dict()
        except Exception:
            log.exception("call %s: could not build the lead record", self.call_id)
            lead = None
        action = (lead or {}).get("action") or {}
        outcome = action.get("type", "") if isinstance(action, dict) else str(action)
        self.store.end_call(self.call_id, status="completed", end_reason=f"{reason} ({sip_reason})",
                            outcome=outcome, lead=lead, language=self.conversation.language)
        self._closed.set()
        log.info("call %s ended: %s", self.call_id, reason)


