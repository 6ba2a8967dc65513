import socket

import pytest

from workshop_site import doctor
from workshop_site.lab.environment import Check


def test_disk_check_fails_with_a_fix_when_space_is_short():
    check = doctor.check_disk(minimum=10**18)
    assert not check.ok
    assert "GB free" in check.found
    assert "WORKSHOP_HOME" in check.fix


def test_port_check_fails_when_the_port_is_taken():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        check = doctor.check_port(port, purpose="test")
    assert not check.ok
    assert check.found == "in use"
    assert f"port {port}" in check.fix


def test_main_prints_each_check_and_fails_when_one_fails(monkeypatch, capsys):
    checks = [Check("good", True, "fine"), Check("bad", False, "broken", "do this")]
    monkeypatch.setattr(doctor, "run_checks", lambda boot: checks)
    assert doctor.main(["--no-boot"]) == 1
    out = capsys.readouterr().out
    assert "[ok  ] good: fine" in out
    assert "[FAIL] bad: broken" in out
    assert "fix: do this" in out
    assert "1 check(s) failed" in out


def test_running_as_root_is_a_warning_not_a_failure(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "run_checks", lambda boot: [Check("good", True, "fine")])
    monkeypatch.setattr(doctor, "running_as_root", lambda: True)
    assert doctor.main(["--no-boot"]) == 0
    out = capsys.readouterr().out
    assert "[warn] running as root" in out
    assert "--allow-root" in out
    assert "Ready for the workshop." in out
    monkeypatch.setattr(doctor, "running_as_root", lambda: False)
    assert doctor.warnings() == []


@pytest.mark.slow
def test_kernel_boot_check_boots_the_shop():
    check = doctor.check_kernel_boot()
    assert check.ok, check.found
    assert "1,000 customers" in check.found
