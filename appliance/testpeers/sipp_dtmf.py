"""A caller that presses phone keys: sipp sends RFC 2833 telephone events (the DTMF recordings Debian's
sip-tester ships) after the box has answered, then hangs up."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from appliance.testpeers.ports import LOOPBACK, free_port

DTMF_RECORDINGS = Path("/usr/share/sip-tester")
_SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="press keys">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="{wait_ms}"/>
{presses}
  <pause milliseconds="{after_ms}"/>
  <send retrans="500" start_txn="bye"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" response_txn="bye" crlf="true"/>
</scenario>
"""
_PRESS = """  <nop><action><exec play_pcap_audio="{recording}"/></action></nop>
  <pause milliseconds="{gap_ms}"/>"""


@dataclass(frozen=True)
class KeysResult:
    completed: bool
    output: str


def press_keys(target_port: int, keys: str, directory: Path, caller: str = "0612345678",
               wait_seconds: float = 4.0, gap_seconds: float = 1.0, after_seconds: float = 3.0) -> KeysResult:
    """Calls the box on 127.0.0.1:target_port, waits, presses each key in turn, waits, hangs up."""
    gap_ms = int(gap_seconds * 1000)
    presses = "\n".join(_PRESS.format(recording=DTMF_RECORDINGS / f"dtmf_2833_{key}.pcap", gap_ms=gap_ms)
                        for key in keys)
    directory.mkdir(parents=True, exist_ok=True)
    scenario = directory / "press-keys.xml"
    scenario.write_text(_SCENARIO.format(caller=caller, wait_ms=int(wait_seconds * 1000), presses=presses,
                                         after_ms=int(after_seconds * 1000)), encoding="ascii")
    duration = wait_seconds + len(keys) * gap_seconds + after_seconds + 20
    argv = ["sipp", f"{LOOPBACK}:{target_port}", "-sf", str(scenario), "-s", "200", "-m", "1",
            "-i", LOOPBACK, "-mi", LOOPBACK, "-p", str(free_port()), "-mp", str(free_port()),
            "-timeout", f"{int(duration)}s", "-timeout_error", "-nostdin", "-trace_err",
            "-error_file", str(directory / "errors.log")]
    done = subprocess.run(argv, cwd=directory, capture_output=True, text=True, timeout=duration + 10, check=False)
    errors = (directory / "errors.log").read_text(errors="replace") if (directory / "errors.log").exists() else ""
    return KeysResult(done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:] + errors[-2000:])
