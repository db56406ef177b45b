"""Reading caller IDs and hosts out of SIP URIs."""

from appliance.telephony.engine import parse_caller, remote_host


def test_caller_name_and_number():
    assert parse_caller('"Jan de Vries" <sip:0612345678@pbx.lan;user=phone>') == ("Jan de Vries", "0612345678")
    assert parse_caller("<sip:100@127.0.0.1:5070>") == ("", "100")
    assert parse_caller("sip:anonymous@anonymous.invalid") == ("", "anonymous")


def test_remote_host_for_transfers_on_direct_calls():
    assert remote_host('"Jan" <sip:0612345678@pbx.lan:5060;transport=udp>') == "pbx.lan:5060"
    assert remote_host("<sip:100@127.0.0.1:40123>") == "127.0.0.1:40123"
