"""The running app speaks systemd's notify protocol: READY once SIP and web are up, WATCHDOG from its health
loop, STOPPING on the way out (a fake NOTIFY_SOCKET stands in for systemd)."""

import socket
import time
from pathlib import Path

from appliance.bench.box import BoxProcess


def receive_until(sock: socket.socket, wanted: str, timeout: float) -> list[str]:
    messages: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            break
        if any(wanted in message for message in messages):
            break
    return messages


def test_app_notifies_ready_watchdog_and_stopping(tmp_path: Path):
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        with BoxProcess(env={"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "6000000"}) as box:
            ready = receive_until(sock, "READY=1", 60)
            assert any("READY=1" in m for m in ready), ready
            watchdog = receive_until(sock, "WATCHDOG=1", 10)
            assert any("WATCHDOG=1" in m for m in watchdog), watchdog
            assert any("STATUS=" in m for m in ready + watchdog)
            assert box.stop() == 0
        stopping = receive_until(sock, "STOPPING=1", 5)
        assert any("STOPPING=1" in m for m in stopping), stopping
