"""The SIP test peers: Kamailio as registrar/proxy, baresip as caller and phone, and the audio helpers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from appliance.testpeers.audio import (
    AudioError,
    compose,
    envelope_correlation,
    envelope_match,
    pad_with_silence,
    read_wav,
    speech_onsets,
    synthesize_utterance,
    wav_seconds,
    write_wav,
)
from appliance.testpeers.baresip import BaresipCaller, BaresipPhone, RegistrationError
from appliance.testpeers.baresip_log import (
    CallEstablished,
    CallTerminated,
    Progress,
    RecordingOpened,
    Registered,
    RegistrationFailed,
    SessionClosed,
    TransferStarted,
    parse_line,
)
from appliance.testpeers.kamailio import Kamailio, parse_ul_lookup
from appliance.testpeers.ports import free_port
from appliance.testpeers.process import PeerError
from appliance.testpeers.recording_clock import Growth, wall_clock_wav

RATE = 8000
USERS = {"100": "secret100", "200": "secret200", "201": "secret201"}


def tone(seconds: float, level: float = 0.3, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


# --- audio helpers -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("voices")
    return {
        "greeting": synthesize_utterance("Good morning, dental practice, how can I help?", "en", folder / "g.wav"),
        "question": synthesize_utterance("Hoe laat gaan jullie morgen open?", "nl", folder / "q.wav"),
    }


def test_synthesized_speech_is_8khz_mono_speech(voices: dict[str, Path]) -> None:
    samples, rate = read_wav(voices["question"])
    assert rate == RATE
    assert 1.0 < len(samples) / rate < 4.0
    assert speech_onsets(samples, rate)[0][0] < 0.2


def test_synthesize_rejects_unknown_voice_and_empty_text(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="espeak-ng failed"):
        synthesize_utterance("hallo", "zz", tmp_path / "x.wav")
    with pytest.raises(AudioError, match="empty"):
        synthesize_utterance("  ", "nl", tmp_path / "x.wav")
    with pytest.raises(AudioError, match="voice name"):
        synthesize_utterance("hallo", "--help", tmp_path / "x.wav")


def test_compose_places_parts_at_their_offsets(tmp_path: Path) -> None:
    beep = write_wav(tmp_path / "beep.wav", tone(0.5), RATE)
    timeline = compose([(3.0, beep), (1.0, beep)], 5.0, tmp_path / "t.wav")
    samples, rate = read_wav(timeline)
    assert len(samples) == 5 * RATE
    assert speech_onsets(samples, rate) == [(1.0, 1.5), (3.0, 3.5)]


def test_compose_refuses_overlaps_overruns_and_mixed_rates(tmp_path: Path) -> None:
    beep = write_wav(tmp_path / "beep.wav", tone(0.5), RATE)
    wideband = write_wav(tmp_path / "wide.wav", np.zeros(1600, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="overlaps"):
        compose([(1.0, beep), (1.2, beep)], 5.0, tmp_path / "t.wav")
    with pytest.raises(AudioError, match="past the end"):
        compose([(4.8, beep)], 5.0, tmp_path / "t.wav")
    with pytest.raises(AudioError, match="sample rates"):
        compose([(0.0, beep), (2.0, wideband)], 5.0, tmp_path / "t.wav")


def test_pad_with_silence_keeps_the_audio_and_extends_it(tmp_path: Path) -> None:
    beep = write_wav(tmp_path / "beep.wav", tone(0.5), RATE)
    padded = pad_with_silence(beep, 2.0, tmp_path / "p.wav")
    assert wav_seconds(padded) == 2.0
    assert np.array_equal(read_wav(padded)[0][: RATE // 2], read_wav(beep)[0])


def test_read_wav_gives_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        read_wav(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(AudioError, match="not a PCM WAV"):
        read_wav(tmp_path / "text.wav")


def test_speech_onsets_ignore_comfort_noise_and_join_short_pauses() -> None:
    rng = np.random.default_rng(1)
    noise = (rng.standard_normal(4 * RATE) * 0.0005).astype(np.float32)  # about -66 dBFS
    noise[RATE : RATE + 4000] += tone(0.5)
    noise[RATE + 5600 : 2 * RATE] += tone(0.3)  # 0.2 s pause: one segment
    noise[3 * RATE : 3 * RATE + 200] += tone(0.025)  # a click: dropped
    assert speech_onsets(noise, RATE) == [(1.0, 2.0)]


def test_envelope_correlation_tells_same_speech_from_other_speech(voices: dict[str, Path]) -> None:
    greeting, rate = read_wav(voices["greeting"])
    question, _ = read_wav(voices["question"])
    delayed = np.concatenate([np.zeros(int(0.3 * rate), dtype=np.float32), greeting * 0.5])
    match = envelope_match(greeting, delayed, rate)
    assert match.correlation > 0.99
    assert match.lag_seconds == pytest.approx(0.3)
    assert envelope_correlation(question, delayed, rate) < 0.7


def test_wall_clock_wav_restores_a_gap_the_sender_left_out(tmp_path: Path) -> None:
    frame = 160
    recording = write_wav(tmp_path / "dec.wav", np.concatenate([tone(0.2), tone(0.2, frequency=880)]), RATE)
    header = recording.stat().st_size - 2 * len(read_wav(recording)[0])
    # Ten frames 20 ms apart from t=100.02, then a 2 s silence without packets, then ten more frames.
    arrivals = [100.0 + 0.02 * (i + 1) for i in range(10)] + [102.2 + 0.02 * (i + 1) for i in range(10)]
    history = [Growth(at, header + 2 * frame * (i + 1)) for i, at in enumerate(arrivals)]
    restored = tmp_path / "restored.wav"
    filled = wall_clock_wav(recording, history, zero=100.0, path=restored)
    samples, rate = read_wav(restored)
    assert filled == pytest.approx(2.0, abs=0.001)
    assert speech_onsets(samples, rate, min_gap=0.1) == [(0.0, 0.2), (2.2, 2.4)]


# --- log parsing -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("100@127.0.0.1: Call established: sip:201@127.0.0.1:5060", CallEstablished("sip:201@127.0.0.1:5060")),
        (
            "sip:202@127.0.0.1:5060: session closed: 404 Not Found",
            SessionClosed("sip:202@127.0.0.1:5060", 404, "Not Found"),
        ),
        (
            "sip:200@127.0.0.1:5070: session closed: Connection reset by peer",
            SessionClosed("sip:200@127.0.0.1:5070", None, "Connection reset by peer"),
        ),
        (
            "sip:100@127.0.0.1:5060: Call with sip:201@127.0.0.1:5060 terminated (duration: 7 secs)",
            CallTerminated("sip:201@127.0.0.1:5060", 7),
        ),
        ("call: SIP Progress: 180 Ringing (/)", Progress(180, "Ringing")),
        ("201@127.0.0.1: {0/UDP/v4} 200 OK (kamailio (5.6.3 (x86_64/linux))) [1 binding]", Registered(200)),
        (
            "reg: sip:201@127.0.0.1:5060: 403 Forbidden (kamailio (5.6.3 (x86_64/linux)))",
            RegistrationFailed(403, "Forbidden (kamailio (5.6.3 (x86_64/linux)))"),
        ),
        (
            "sndfile: dumping decode audio to /tmp/x/dump-2026-12-04-16-35-13-dec.wav",
            RecordingOpened("decode", Path("/tmp/x/dump-2026-12-04-16-35-13-dec.wav")),
        ),
        (
            "menu: transferring call 4546f4caf8ace56e to 'sip:201@127.0.0.1:5060'",
            TransferStarted("sip:201@127.0.0.1:5060"),
        ),
        ("aufile: end of file", None),
    ],
)
def test_baresip_console_lines_become_events(line: str, event: object) -> None:
    assert parse_line(line) == event


def test_ul_lookup_output_is_parsed() -> None:
    found = "{\n\tAoR: 201\n\tContacts: {\n\t\tContact: {\n\t\t\tAddress: sip:201-0x1@127.0.0.1:5401\n"
    assert parse_ul_lookup(found) == ["sip:201-0x1@127.0.0.1:5401"]
    assert parse_ul_lookup("error: 500 - AOR not found in location table") == []
    with pytest.raises(PeerError, match="unexpected"):
        parse_ul_lookup("error: connection refused")


def test_bad_users_and_uris_are_refused_before_anything_starts(voices: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SIP user"):
        Kamailio({"bad user": "x"})
    with pytest.raises(ValueError, match="password"):
        Kamailio({"200": 'with"quote'})
    caller = BaresipCaller(tmp_path)
    with pytest.raises(ValueError, match="not a SIP URI"):
        caller.call("200@127.0.0.1", voices["question"], 3.0)
    with pytest.raises(ValueError, match="longer than"):
        caller.call("sip:200@127.0.0.1", voices["greeting"], 0.5)
    with pytest.raises(ValueError, match="SIP user"):
        BaresipCaller(tmp_path, "100;evil=1")


# --- real peers on loopback ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kamailio() -> Iterator[Kamailio]:
    with Kamailio(USERS, port=free_port()) as registrar:
        yield registrar


@pytest.fixture(scope="module")
def phone(
    kamailio: Kamailio, voices: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BaresipPhone]:
    folder = tmp_path_factory.mktemp("phone201")
    with BaresipPhone(
        folder, "201", voices["greeting"], seconds=4.0, password=USERS["201"], registrar=kamailio.address
    ) as answering:
        answering.wait_registered()
        yield answering


@pytest.mark.sip
def test_kamailio_lists_the_registered_phone(kamailio: Kamailio, phone: BaresipPhone) -> None:
    contacts = kamailio.wait_registered("201", timeout=3.0)
    assert len(contacts) == 1
    assert contacts[0].startswith("sip:201") and contacts[0].endswith(phone.uri.rsplit("@", 1)[1])
    assert kamailio.registered_contacts("200") == []


@pytest.mark.sip
@pytest.mark.parametrize(("user", "password"), [("200", "wrong-password"), ("999", "secret999")])
def test_wrong_credentials_are_refused(
    kamailio: Kamailio, voices: dict[str, Path], tmp_path: Path, user: str, password: str
) -> None:
    with (
        BaresipPhone(tmp_path, user, voices["greeting"], password=password, registrar=kamailio.address) as intruder,
        pytest.raises(RegistrationError) as refused,
    ):
        intruder.wait_registered()
    assert refused.value.status == 403
    assert kamailio.registered_contacts(user) == []


@pytest.mark.sip
def test_kamailio_start_failure_shows_its_output(kamailio: Kamailio) -> None:
    with pytest.raises(PeerError, match="(?s)exited.*Address already in use"):
        Kamailio(USERS, port=kamailio.port).start()


@pytest.mark.sip
def test_call_through_kamailio_carries_audio_both_ways(
    kamailio: Kamailio, phone: BaresipPhone, voices: dict[str, Path], tmp_path: Path
) -> None:
    caller = BaresipCaller(tmp_path, "100", password=USERS["100"], registrar=kamailio.address)
    result = caller.call(kamailio.uri("201"), voices["question"], seconds=3.0)
    answered = phone.wait_for_call(timeout=5.0)

    assert result.answered, result.log
    assert result.ended_at - result.connected_at == pytest.approx(3.0, abs=0.3)
    greeting, rate = read_wav(voices["greeting"])
    heard, _ = read_wav(result.received)
    assert envelope_correlation(greeting, heard, rate) > 0.9
    assert envelope_correlation(read_wav(voices["question"])[0], heard, rate) < 0.7
    # The phone starts its greeting the moment media flows: on the shared time axis it starts at ~0 s.
    assert speech_onsets(heard, rate)[0][0] == pytest.approx(0.0, abs=0.06)
    assert result.silence_filled_seconds < 0.1

    assert answered.answered
    assert envelope_correlation(read_wav(voices["question"])[0], read_wav(answered.received)[0], rate) > 0.9
    assert envelope_correlation(greeting, read_wav(answered.sent)[0], rate) > 0.9


@pytest.mark.sip
def test_call_to_unregistered_user_is_not_found(kamailio: Kamailio, voices: dict[str, Path], tmp_path: Path):
    caller = BaresipCaller(tmp_path, "100", password=USERS["100"], registrar=kamailio.address)
    result = caller.call(kamailio.uri("200"), voices["question"], seconds=3.0)
    assert (result.sip_status, result.reason) == (404, "Not Found")
    assert result.received is None and result.connected_at is None


@pytest.mark.sip
def test_busy_phone_answers_a_second_caller_with_486(
    kamailio: Kamailio, phone: BaresipPhone, voices: dict[str, Path], tmp_path: Path
) -> None:
    caller = BaresipCaller(tmp_path, "100", password=USERS["100"], registrar=kamailio.address)

    def place_call(delay: float) -> int | None:
        time.sleep(delay)
        return caller.call(kamailio.uri("201"), voices["question"], seconds=3.0).sip_status

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.submit(place_call, 0.0), pool.submit(place_call, 1.0)
        assert (first.result(), second.result()) == (200, 486)
    phone.wait_for_call(timeout=5.0)


@pytest.mark.sip
def test_direct_call_without_registrar(voices: dict[str, Path], tmp_path: Path) -> None:
    with BaresipPhone(tmp_path / "phone", "300", voices["greeting"], seconds=4.0) as direct_phone:
        result = BaresipCaller(tmp_path / "caller").call(direct_phone.uri, voices["question"], seconds=3.0)
    assert result.answered
    assert result.received == tmp_path / "caller" / "call-001" / "received.wav"
    assert envelope_correlation(read_wav(voices["greeting"])[0], read_wav(result.received)[0], RATE) > 0.9


PJSUA2_PEER = """
import select, sys, time, pjsua2 as pj
port, wav, transfer_to = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
ep = pj.Endpoint(); ep.libCreate()
cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 0; cfg.uaConfig.mainThreadOnly = True
cfg.logConfig.level = 0; cfg.logConfig.consoleLevel = 0  # medConfig.noVad stays False: silence is not sent
ep.libInit(cfg)
tc = pj.TransportConfig(); tc.port = port; tc.boundAddress = "127.0.0.1"
ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc); ep.libStart(); ep.audDevManager().setNullDev()
calls = []
class Call(pj.Call):
    player = None; answered_at = None
    def onCallMediaState(self, prm):
        if self.player is None:
            self.player = pj.AudioMediaPlayer(); self.player.createPlayer(wav, pj.PJMEDIA_FILE_NO_LOOP)
            self.player.startTransmit(self.getAudioMedia(-1)); self.answered_at = time.monotonic()
class Account(pj.Account):
    def onIncomingCall(self, prm):
        call = Call(self, prm.callId); calls.append(call)
        op = pj.CallOpParam(); op.statusCode = 200; call.answer(op)
config = pj.AccountConfig(); config.idUri = f"sip:200@127.0.0.1:{port}"
account = Account(); account.create(config); print("READY", flush=True)
while not select.select([sys.stdin], [], [], 0)[0]:
    ep.libHandleEvents(10)
    if transfer_to and calls and calls[0].answered_at and time.monotonic() - calls[0].answered_at > 1.0:
        calls[0].xfer(transfer_to.pop(), pj.CallOpParam(True))
ep.hangupAllCalls()
for _ in range(20):
    ep.libHandleEvents(10)
calls.clear(); account.shutdown(); ep.libDestroy()
"""


@contextmanager
def pjsua2_peer(wav: Path, *transfer_to: str) -> Iterator[str]:
    """A pjsua2 extension 200 that answers, plays `wav` with pjsua2's default silence suppression, and blind-
    transfers the caller to `transfer_to` one second into the call. Yields the URI to dial."""
    port = free_port()
    peer = subprocess.Popen(
        [sys.executable, "-c", PJSUA2_PEER, str(port), str(wav), *transfer_to],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while peer.stdout.readline().strip() != "READY":
            assert peer.poll() is None, "the pjsua2 peer did not start"
        yield f"sip:200@127.0.0.1:{port}"
    finally:
        peer.communicate("quit\n", timeout=10)


@pytest.mark.sip
def test_received_audio_keeps_wall_clock_time_when_the_far_end_suppresses_silence(
    voices: dict[str, Path], tmp_path: Path
) -> None:
    """pjsua2 with its default voice activity detection sends no RTP during silence; sndfile's raw recording
    then loses the pauses, while `received` keeps every utterance where the far end played it."""
    played = compose([(0.5, voices["question"]), (3.5, voices["question"])], 6.0, tmp_path / "played.wav")
    with pjsua2_peer(played) as uri:
        result = BaresipCaller(tmp_path / "calls").call(uri, voices["greeting"], 5.0)

    assert result.answered
    raw_onsets = [start for start, _ in speech_onsets(*read_wav(result.received_raw))]
    onsets = [start for start, _ in speech_onsets(*read_wav(result.received))]
    played_onsets = [start for start, _ in speech_onsets(*read_wav(played))]
    assert onsets == pytest.approx(played_onsets, abs=0.06)
    assert raw_onsets[1] < played_onsets[1] - 0.5  # the pause was cut out of sndfile's recording
    assert result.silence_filled_seconds > 0.5


@pytest.mark.sip
def test_caller_follows_a_blind_transfer_to_the_phone(
    kamailio: Kamailio, phone: BaresipPhone, voices: dict[str, Path], tmp_path: Path
) -> None:
    caller = BaresipCaller(tmp_path, "100", password=USERS["100"], registrar=kamailio.address)
    with pjsua2_peer(voices["question"], kamailio.uri("201")) as uri:
        result = caller.call(uri, voices["question"], seconds=3.0)

    assert result.answered
    assert result.transferred_to == kamailio.uri("201")
    assert result.transfer is not None and result.transfer.answered
    assert result.transfer.received == tmp_path / "call-001" / "transfer-received.wav"
    greeting, rate = read_wav(voices["greeting"])
    assert envelope_correlation(greeting, read_wav(result.transfer.received)[0], rate) > 0.9
    assert phone.wait_for_call(timeout=5.0).answered
