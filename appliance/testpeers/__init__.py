"""Real SIP peers on 127.0.0.1 for tests and `balie bench`: a Kamailio registrar/proxy, baresip callers and
phones that play and record WAV files, and helpers to make and compare test audio."""

from appliance.testpeers.baresip import BaresipCaller, BaresipPhone, CallResult, RegistrationError
from appliance.testpeers.kamailio import Kamailio
from appliance.testpeers.ports import free_port
from appliance.testpeers.process import PeerError

__all__ = [
    "BaresipCaller",
    "BaresipPhone",
    "CallResult",
    "Kamailio",
    "PeerError",
    "RegistrationError",
    "free_port",
]
