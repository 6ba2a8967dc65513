"""manage.py run_partners: the partners for a site run by hand."""

from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_serves_with_the_behaviour_asked_for_then_stops():
    out = StringIO()
    port = _free_port()
    call_command(
        "run_partners",
        "--port", str(port), "--delay", "stock=0.2", "--fail", "crm=0.5", "--hang", "mail",
        "--for", "0.1",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert f"Partners at http://127.0.0.1:{port}" in text
    assert "stock           Behaviour(delay=0.2, failure_rate=0.0, hang=False, trickle=0.0)" in text
    assert "crm             Behaviour(delay=0.0, failure_rate=0.5, hang=False, trickle=0.0)" in text
    assert "mail            Behaviour(delay=0.0, failure_rate=0.0, hang=True, trickle=0.0)" in text
    assert text.rstrip().endswith("Stopped; 0 requests served.")
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # closed again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delay", "stok=1"], "--delay stok=1: no partner 'stok'"),
        (["--delay", "stock=slow"], "--delay stock=slow: expected stock=<number>"),
        (["--hang", "nobody"], "--hang: no partner 'nobody'"),
    ],
)
def test_bad_options_are_named(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_partners", *args, "--for", "0")
