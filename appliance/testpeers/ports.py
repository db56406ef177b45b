"""Free loopback ports for test peers, so tests never clash with a running box or with each other."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def free_port(span: int = 1, host: str = LOOPBACK, attempts: int = 50) -> int:
    """A port p such that p .. p+span-1 are free for both UDP and TCP on `host` right now.

    SIP peers bind one port for UDP and TCP; baresip also binds TCP on port+1 (TLS), hence `span`.
    """
    if span < 1:
        raise ValueError(f"span must be at least 1, not {span}")
    for _ in range(attempts):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            first = probe.getsockname()[1]
        if first + span <= 65536 and all(_is_free(host, port) for port in range(first, first + span)):
            return first
    raise OSError(f"no run of {span} free UDP+TCP port(s) found on {host}")


def _is_free(host: str, port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True
