"""``python -m workshop_site.doctor``: is this machine ready for the workshop?

Prints one line per check with what it found and, when it fails, the fix, then a
``[warn]`` line for what works but deserves a look (running as root). Exits 1 when any
check fails, so an instructor can run it on every laptop before the session.
"""

from __future__ import annotations

import shutil
import socket
import sys
import time
from collections.abc import Sequence

from workshop_site.lab.environment import Check, check_environment
from workshop_site.lab.workspace import workspace
from workshop_site.setup import ROOT_REASON, running_as_root

__all__ = ["run_checks", "warnings", "main", "check_disk", "check_port", "check_kernel_boot"]

MIN_FREE_BYTES = 1 * 1024**3


def check_disk(*, minimum: int = MIN_FREE_BYTES) -> Check:
    free = shutil.disk_usage(workspace()).free
    return Check(
        f"free disk >= {minimum / 1024**3:.1f} GB",
        free >= minimum,
        f"{free / 1024**3:.1f} GB free in {workspace()}",
        "free some disk space, or set WORKSHOP_HOME to a folder on a larger disk",
    )


def check_port(port: int, *, purpose: str) -> Check:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
            free, found = True, "free"
        except OSError:
            free, found = False, "in use"
    return Check(
        f"port {port} on 127.0.0.1 ({purpose})",
        free,
        found,
        f"stop what uses port {port} (JupyterLab would move to the next free port, "
        "but the README's links assume this one)",
    )


_BOOT = (
    "import time; t = time.perf_counter(); "
    "from workshop_site import lab; s = lab.start(quiet=True); "
    "print(s.rows['Customer'], round(time.perf_counter() - t, 2))"
)


def check_kernel_boot(*, timeout: float = 120) -> Check:
    """Boot the shop in a Jupyter kernel, exactly as a notebook's first cell does."""
    from jupyter_client.manager import start_new_kernel

    began = time.perf_counter()
    try:
        manager, client = start_new_kernel(kernel_name="python3")
    except Exception as exc:  # no kernelspec, broken ipykernel...
        return Check(
            "a Jupyter kernel boots the shop",
            False,
            f"no kernel: {type(exc).__name__}: {exc}",
            "run `make install` (it installs ipykernel into .venv)",
        )
    messages: list[dict] = []
    try:
        reply = client.execute_interactive(_BOOT, timeout=timeout, output_hook=messages.append)
        stream = "".join(
            m["content"].get("text", "") for m in messages if m.get("msg_type") == "stream"
        )
        if reply["content"]["status"] != "ok":
            error = f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"
            return Check(
                "a Jupyter kernel boots the shop", False, error, "see the README's troubleshooting"
            )
        customers, seconds = stream.split()
        return Check(
            "a Jupyter kernel boots the shop",
            True,
            f"{int(customers):,} customers in {float(seconds):.2f} s "
            f"(kernel start included: {time.perf_counter() - began:.1f} s)",
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run_checks(*, boot: bool = True) -> list[Check]:
    checks = list(check_environment().checks)
    checks.append(check_disk())
    checks.append(check_port(8888, purpose="JupyterLab"))
    checks.append(check_port(8000, purpose="the shop's runserver"))
    if boot:
        checks.append(check_kernel_boot())
    return checks


def warnings() -> list[str]:
    """What works but deserves a look."""
    found = []
    if running_as_root():
        found.append(f"running as root: {ROOT_REASON}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    checks = run_checks(boot="--no-boot" not in args)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        line = f"[{mark}] {check.name}: {check.found}"
        if not check.ok:
            line += f"\n       fix: {check.fix}"
        print(line)
    for warning in warnings():
        print(f"[warn] {warning}")
    failed = [c for c in checks if not c.ok]
    print(
        "Ready for the workshop."
        if not failed
        else f"{len(failed)} check(s) failed: see the fixes."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
