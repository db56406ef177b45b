"""Malformed SIP from the network never takes the box down: garbage, broken requests and floods are dropped or
answered with an error, and the next real call is answered as usual."""

from __future__ import annotations

import socket

import pytest

from appliance.bench.box import BoxProcess
from appliance.bench.calls import Line, first_sound_after, prepare_script
from appliance.testpeers.baresip import BaresipCaller
from appliance.testpeers.ports import LOOPBACK

pytestmark = pytest.mark.sip

BROKEN_INVITE = (
    "INVITE sip:200@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-broken\r\n"
    "From: <sip:evil@127.0.0.1>;tag=1\r\n"
    "To: <sip:200@127.0.0.1>\r\n"
    "Call-ID: broken-1\r\n"
    "CSeq: one INVITE\r\n"            # not a number
    "Content-Type: application/sdp\r\n"
    "Content-Length: 9999\r\n\r\n"   # longer than the body
    "v=0\r\no=garbage\r\n"
)
BAD_SDP_INVITE = (
    "INVITE sip:200@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-badsdp\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:evil@127.0.0.1>;tag=2\r\n"
    "To: <sip:200@127.0.0.1>\r\n"
    "Call-ID: bad-sdp-1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:evil@127.0.0.1:{port}>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: {length}\r\n\r\n{body}"
)


def test_malformed_sip_is_survived_and_the_next_call_answered(tmp_path):
    with BoxProcess() as box, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.settimeout(2.0)
        target = (LOOPBACK, box.sip_port)
        sock.sendto(b"\x00\xff" * 700, target)                       # binary garbage
        sock.sendto(BROKEN_INVITE.encode(), target)
        sock.sendto(b"REGISTER " + b"A" * 60000, target)              # one huge datagram
        body = "v=0\r\nm=audio notaport RTP/AVP 0\r\n"
        sock.sendto(BAD_SDP_INVITE.format(port=sock.getsockname()[1], length=len(body), body=body).encode(), target)
        answers = []
        try:
            while True:
                answers.append(sock.recv(65535).decode(errors="replace"))
        except TimeoutError:
            pass
        # the INVITE with a broken SDP is refused with a SIP error, not accepted or ignored
        finals = [a.split("\r\n", 1)[0] for a in answers if "bad-sdp-1" in a and not a.startswith("SIP/2.0 1")]
        assert finals and all(line.split()[1][0] in "456" for line in finals), answers
        assert box.process.poll() is None, box.log()[-2000:]
        assert box.status()["problems"] == []

        script = prepare_script([Line("Hello, what are your opening hours?")], tmp_path, seconds=20)
        result = BaresipCaller(tmp_path / "caller", "100").call(box.uri, script.wav, script.seconds)
        assert result.answered and first_sound_after(result, script.spoken[0][1])
