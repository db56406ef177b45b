"""SIP and RTP through pjsua2: the endpoint thread, registration, calls and the audio bridge."""
