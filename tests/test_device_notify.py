"""SystemdNotifier against a fake NOTIFY_SOCKET, as systemd would see it."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from appliance.device.notify import SystemdNotifier


@pytest.fixture()
def socket_path(tmp_path):
    path = tmp_path / "notify"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(path))
    listener.settimeout(2)
    yield str(path), listener
    listener.close()


def received(listener: socket.socket) -> str:
    return listener.recv(4096).decode()


def test_ready_watchdog_status_stopping_reach_the_socket(socket_path):
    path, listener = socket_path
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": path})
    assert notifier.enabled
    notifier.ready()
    assert received(listener) == "READY=1"
    notifier.watchdog()
    assert received(listener) == "WATCHDOG=1"
    notifier.status("registered as 201\nidle")
    assert received(listener) == "STATUS=registered as 201 idle"
    notifier.stopping()
    assert received(listener) == "STOPPING=1"
    notifier.close()


def test_abstract_socket():
    name = f"balie-test-{uuid.uuid4().hex}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind("\0" + name)
    listener.settimeout(2)
    try:
        SystemdNotifier.from_environment({"NOTIFY_SOCKET": "@" + name}).ready()
        assert received(listener) == "READY=1"
    finally:
        listener.close()


def test_watchdog_interval_is_half_the_timeout():
    pid = str(os.getpid())
    assert SystemdNotifier.from_environment({"WATCHDOG_USEC": "30000000"}).watchdog_interval() == 15.0
    assert SystemdNotifier.from_environment(
        {"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": pid}).watchdog_interval() == 10.0
    assert SystemdNotifier.from_environment(
        {"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}).watchdog_interval() is None  # someone else's
    assert SystemdNotifier.from_environment({"WATCHDOG_USEC": "soon"}).watchdog_interval() is None
    assert SystemdNotifier.from_environment({}).watchdog_interval() is None


def test_without_systemd_everything_is_a_no_op():
    notifier = SystemdNotifier.from_environment({})
    assert not notifier.enabled
    notifier.ready()
    notifier.watchdog()
    notifier.stopping()


def test_a_vanished_socket_is_logged_not_raised(tmp_path, caplog):
    notifier = SystemdNotifier.from_environment({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    notifier.watchdog()
    assert "could not notify systemd" in caplog.text
