"""A SIP OPTIONS ping over UDP: the cheapest proof that a SIP server is listening and answering."""

from __future__ import annotations

import re
import secrets
import socket

_STATUS_LINE = re.compile(rb"^SIP/2\.0 (\d{3}) ")


def options_ping(host: str, port: int, timeout: float = 0.5) -> int | None:
    """Sends one OPTIONS request to host:port and returns the final status code, or None without an answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.bind((host, 0))
        local_port = sock.getsockname()[1]
        token = secrets.token_hex(8)
        request = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{local_port};branch=z9hG4bK{token};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:ping@{host}>;tag={token}\r\n"
            f"To: <sip:{host}:{port}>\r\n"
            f"Call-ID: {token}@{host}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        try:
            sock.sendto(request.encode(), (host, port))
            while True:
                status = _STATUS_LINE.match(sock.recv(65536))
                if status and int(status.group(1)) >= 200:
                    return int(status.group(1))
        except OSError:  # timeout, or ICMP port unreachable surfacing as ConnectionRefusedError
            return None
