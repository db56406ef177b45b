"""A process started the way systemd starts balie.service tells a (fake) systemd it is ready and alive."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid

from appliance.models.manifest import PROJECT_ROOT

CHILD = """
import time
from appliance.device.notify import SystemdNotifier

notifier = SystemdNotifier.from_environment()
notifier.status("loading models")
notifier.ready()
for _ in range(3):
    time.sleep(notifier.watchdog_interval())
    notifier.watchdog()
notifier.stopping()
"""


def test_ready_then_watchdog_at_half_the_timeout():
    name = f"balie-notify-{uuid.uuid4().hex}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind("\0" + name)
    listener.settimeout(5)
    try:
        environment = {"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "300000", "PATH": "/usr/bin:/bin"}
        child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=PROJECT_ROOT, env=environment)
        received = []
        while len(received) < 6:
            received.append((listener.recv(1024).decode(), time.monotonic()))
        assert child.wait(timeout=10) == 0
    finally:
        listener.close()
    messages = [message for message, _ in received]
    assert messages == ["STATUS=loading models", "READY=1", "WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1",
                        "STOPPING=1"]
    gaps = [later - earlier for (_, earlier), (_, later) in zip(received[1:4], received[2:5], strict=True)]
    assert all(0.1 <= gap <= 0.3 for gap in gaps), gaps  # every 0.15 s: half of WATCHDOG_USEC
