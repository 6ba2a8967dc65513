"""The suite runs offline: pytest-socket lets tests connect to this machine only, and the
processes the tests start (notebook kernels) guard themselves the same way."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import requests
from pytest_socket import SocketConnectBlockedError

from workshop_site.external import DEFAULT_API_KEY, PartnerService
from workshop_site.external.offline import NetworkBlocked, is_loopback, offline

ROOT = Path(__file__).resolve().parent.parent
# pytest-socket warns as well as raising when it blocks a connection: here that is the point.
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket")


def test_the_guard_is_on_for_the_whole_suite():
    pytest_options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    addopts = pytest_options["ini_options"]["addopts"].split()
    assert "--disable-socket" in addopts
    hosts = next(a for a in addopts if a.startswith("--allow-hosts="))
    assert set(hosts.removeprefix("--allow-hosts=").split(",")) <= {"127.0.0.1", "::1", "localhost"}


def test_a_non_loopback_address_is_refused_before_any_packet_leaves():
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never routed.
    with socket.socket() as sock, pytest.raises(SocketConnectBlockedError, match="192.0.2.1"):
        sock.connect(("192.0.2.1", 80))


def test_a_forgotten_external_call_breaks_the_test():
    with pytest.raises(SocketConnectBlockedError):
        requests.get("http://192.0.2.1/", timeout=1)


def test_loopback_is_allowed():
    with PartnerService() as service:
        response = requests.get(
            f"{service.url}/stock/1",
            headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
            timeout=2,
        )
        assert response.status_code == 200


KERNEL = """
import socket
from workshop_site.external import PartnerService
from workshop_site.external.offline import NetworkBlocked
with PartnerService() as service, socket.create_connection(("127.0.0.1", service.port)):
    pass
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
except NetworkBlocked as exc:
    print("blocked:", exc)
"""


def test_processes_the_suite_starts_are_guarded_from_their_start():
    # As a notebook's kernel: a process of its own, with the suite's environment, guarded
    # before it imports anything of the workshop.
    result = subprocess.run([sys.executable, "-c", KERNEL], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "blocked: this process may connect to this machine only, not to '192.0.2.1'"
    )


def test_importing_lab_installs_no_guard():
    # The guard is the test harness's, not the package's: outside the suite, a learner's
    # kernel that imports lab keeps its network.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import socket; original = socket.socket.connect\n"
        "from workshop_site import lab\n"
        "print(socket.socket.connect is original)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("localhost", True)]
    + [("192.0.2.1", False), ("10.0.0.1", False), ("no-such-host.invalid", False)],
)
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_offline_guards_the_block_then_puts_the_previous_rule_back():
    before = socket.socket.connect  # pytest-socket's own guard, in this suite
    with offline(), socket.socket() as sock, pytest.raises(NetworkBlocked, match="192.0.2.1"):
        sock.connect(("192.0.2.1", 80))
    assert socket.socket.connect is before
