"""Is this environment able to run the workshop? Each check says what it found and a fix."""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from importlib import metadata

__all__ = ["Check", "EnvironmentReport", "check_environment"]

# (distribution, minimum version, why the course needs it)
_PACKAGES = [
    ("django", "6.1", "fetch modes (FETCH_PEERS / FETCH_RAISE) are new in Django 6.1"),
    ("sqlparse", "0.5", "formats the SQL the inspector shows"),
    ("pandas", "2.2", "tables of measurements"),
    ("matplotlib", "3.8", "plots of queries and time against rows"),
    ("tqdm", "4.66", "progress bars"),
    ("ipywidgets", "8.1", "progress bars in JupyterLab"),
    ("requests", "2.32", "the external-calls lesson"),
    ("vcrpy", "6.0", "recorded HTTP in tests"),
    ("opentelemetry-sdk", "1.45", "traces as production APMs receive them (lesson 02)"),
]
_FIX = "run `make install` from the workshop folder (or `pip install -e .`)"


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""


@dataclass(frozen=True)
class EnvironmentReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __repr__(self) -> str:
        lines = [
            f"{'✅' if c.ok else '❌'} {c.name}: {c.found}" + ("" if c.ok else f" — {c.fix}")
            for c in self.checks
        ]
        verdict = "All good." if self.ok else "Fix the ❌ lines above, then restart the kernel."
        return "\n".join([*lines, verdict])

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{'✅' if c.ok else '❌'}</td><td>{html.escape(c.name)}</td>"
            f"<td>{html.escape(c.found)}</td><td>{html.escape('' if c.ok else c.fix)}</td></tr>"
            for c in self.checks
        )
        verdict = (
            "<b>All good.</b>"
            if self.ok
            else "<b>Fix the ❌ lines, then restart the kernel (Kernel → Restart).</b>"
        )
        return (
            "<table><tr><th></th><th>check</th><th>found</th><th>fix</th></tr>"
            f"{rows}</table><p>{verdict}</p>"
        )


def check_environment() -> EnvironmentReport:
    """Python and package versions against what the workshop needs."""
    checks = [
        Check(
            "Python >= 3.12",
            sys.version_info >= (3, 12),
            sys.version.split()[0],
            "install Python 3.12 or newer and run `make lab` again",
        )
    ]
    for dist, minimum, why in _PACKAGES:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            checks.append(Check(f"{dist} >= {minimum}", False, "not installed", f"{_FIX} ({why})"))
            continue
        ok = _version_tuple(version) >= _version_tuple(minimum)
        checks.append(Check(f"{dist} >= {minimum}", ok, version, f"{_FIX} ({why})"))
    try:
        metadata.version("django-perf-workshop")
        checks.append(Check("workshop package installed", True, "yes"))
    except metadata.PackageNotFoundError:
        checks.append(Check("workshop package installed", False, "no", _FIX))
    return EnvironmentReport(checks)
