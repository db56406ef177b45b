"""Turn-taking and playback logic: end of turn, barge-in thresholds, pause/resume, without models."""

import numpy as np

from appliance.call.playback import Playback
from appliance.call.turns import TurnDetector, TurnEvent
from appliance.config import TurnSettings
from appliance.telephony.media import FRAME_BYTES

WINDOW = 512  # Silero's window at 16 kHz: 32 ms


def run(detector: TurnDetector, pattern: list[tuple[float, float]], box_audible=False, protected=False):
    """Feeds (seconds, probability) stretches; returns (event, time) pairs."""
    events = []
    for seconds, probability in pattern:
        for _ in range(round(seconds * 16000 / WINDOW)):
            audio = np.full(WINDOW, probability, np.float32)
            for signal in detector.feed(audio, probability, box_audible, protected):
                events.append((signal.event, round(signal.at, 2), signal))
    return events


def test_end_of_turn_after_configured_silence_with_pre_roll():
    detector = TurnDetector(TurnSettings(end_of_turn_ms=480))
    events = run(detector, [(1.0, 0.0), (1.5, 0.9), (1.0, 0.05)])
    kinds = [e[0] for e in events]
    assert kinds == [TurnEvent.SPEECH_STARTED, TurnEvent.PAUSE, TurnEvent.END_OF_TURN]
    end = events[2][2]
    assert abs(end.speech_end_at - 2.5) < 0.05
    assert 0.45 <= end.at - end.speech_end_at <= 0.52
    # the utterance holds the speech, plus up to 0.3 s of audio from before it started
    assert 1.5 <= len(end.audio) / 16000 <= 1.5 + 0.3 + 0.5 + 0.04


def test_short_pause_inside_a_sentence_does_not_end_the_turn():
    detector = TurnDetector(TurnSettings(end_of_turn_ms=500))
    events = run(detector, [(0.8, 0.9), (0.3, 0.1), (0.8, 0.9), (0.7, 0.0)])
    assert [e[0] for e in events] == [TurnEvent.SPEECH_STARTED, TurnEvent.PAUSE, TurnEvent.RESUMED,
                                      TurnEvent.PAUSE, TurnEvent.END_OF_TURN]


def test_speculative_pause_holds_everything_the_turn_will_hold():
    detector = TurnDetector(TurnSettings(speculate_ms=200, end_of_turn_ms=600))
    events = run(detector, [(0.5, 0.0), (1.2, 0.9), (1.0, 0.0)])
    pause = next(e[2] for e in events if e[0] is TurnEvent.PAUSE)
    end = next(e[2] for e in events if e[0] is TurnEvent.END_OF_TURN)
    assert 0.19 <= pause.at - pause.speech_end_at <= 0.24
    assert pause.speech_end_at == end.speech_end_at
    # the final utterance only adds silence to what recognition started on
    assert np.array_equal(end.audio[:len(pause.audio)], pause.audio)
    assert not end.audio[len(pause.audio):].any()


def test_cough_is_noise_and_does_not_barge_in():
    detector = TurnDetector(TurnSettings(barge_in_min_speech_ms=250))
    events = run(detector, [(0.13, 0.95), (0.8, 0.0)], box_audible=True)
    assert [e[0] for e in events] == [TurnEvent.SPEECH_STARTED, TurnEvent.NOISE]


def test_barge_in_fires_within_300_ms_of_speech_onset():
    detector = TurnDetector(TurnSettings(barge_in_min_speech_ms=250))
    events = run(detector, [(0.5, 0.0), (1.0, 0.9)], box_audible=True)
    started = next(e for e in events if e[0] is TurnEvent.SPEECH_STARTED)
    barge = next(e for e in events if e[0] is TurnEvent.BARGE_IN)
    assert 0.0 < barge[1] - started[1] + 0.032 <= 0.3


def test_no_barge_in_while_protected_or_when_box_is_silent():
    for audible, protected in ((True, True), (False, False)):
        detector = TurnDetector(TurnSettings())
        events = run(detector, [(1.0, 0.9)], box_audible=audible, protected=protected)
        assert TurnEvent.BARGE_IN not in [e[0] for e in events]


def test_speech_that_began_while_protected_barges_in_only_if_it_goes_on_after():
    detector = TurnDetector(TurnSettings(barge_in_min_speech_ms=150))
    events = []
    for probability, protected, seconds in ((0.9, True, 0.4), (0.0, False, 0.4)):  # "Hallo?" then quiet
        events += [s.event for s in run_once(detector, probability, protected, seconds)]
    assert TurnEvent.BARGE_IN not in events
    detector = TurnDetector(TurnSettings(barge_in_min_speech_ms=150))
    events = []
    for probability, protected, seconds in ((0.9, True, 0.4), (0.9, False, 0.3)):  # ...and keeps talking
        events += [s.event for s in run_once(detector, probability, protected, seconds)]
    assert TurnEvent.BARGE_IN in events


def run_once(detector, probability, protected, seconds):
    signals = []
    for _ in range(round(seconds * 16000 / WINDOW)):
        signals += detector.feed(np.zeros(WINDOW, np.float32), probability, True, protected)
    return signals


def test_playback_pause_resume_and_drop():
    playback = Playback()
    pcm = bytes(range(256)) * 10  # 2560 bytes = 4 frames
    utterance = playback.play(pcm, tag=7)
    first = playback.next_frame()
    assert first == pcm[:FRAME_BYTES] and utterance.first_frame_at is not None
    playback.pause()
    assert playback.next_frame() is None and playback.active and not playback.audible
    playback.resume(rewind_seconds=0.0)
    assert playback.next_frame() == pcm[FRAME_BYTES:2 * FRAME_BYTES]
    dropped = playback.drop_all()
    assert dropped == [utterance] and utterance.dropped and not playback.active
    assert playback.next_frame() is None


def test_playback_pads_the_last_frame_and_finishes():
    playback = Playback()
    utterance = playback.play(b"\x01\x00" * 100)
    frame = playback.next_frame()
    assert len(frame) == FRAME_BYTES and frame.endswith(b"\x00\x00")
    assert utterance.done.is_set() and not playback.active
