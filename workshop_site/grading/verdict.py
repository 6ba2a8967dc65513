"""A check's verdict: ✅ with the measured figures, or ❌ with the first thing that is wrong."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from workshop_site.grading.sealed import Sealed, seal

__all__ = ["Verdict"]

_CODE = re.compile(r"`([^`]+)`")
_COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "todo": "#757575", "error": "#ef6c00"}


def _html_text(text: str) -> str:
    """Escaped, with `code` spans as <code>."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


@seal
@dataclass(frozen=True)
class Verdict(metaclass=Sealed):
    """What ``lab.check()`` found. ``status`` is pass, fail, todo (a stub) or error (the
    check could not run: unknown exercise, ``lab.start()`` missing, a broken reference)."""

    exercise: str
    title: str
    status: str
    kind: str = ""  # the check kind or problem that decided a failure
    reason: str = ""  # its short label: "query count grows with rows"
    message: str = ""
    figures: tuple[str, ...] = ()
    queries: dict[int, int] = field(default_factory=dict)  # the learner's, per size
    seconds: float = 0.0  # the whole check
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def mark(self) -> str:
        return "✅" if self.passed else "❌"

    def headline(self) -> str:
        title = f" {self.title}" if self.title else ""
        if self.passed:
            return f"✅ {self.exercise}{title} — " + "; ".join(self.figures)
        return f"❌ {self.exercise}{title} — {self.reason}"

    def _footer(self) -> str:
        if self.passed or self.status == "error":
            return ""
        return f'Stuck? `lab.hint("{self.exercise}")` gives a hint.'

    def __repr__(self) -> str:
        lines = [self.headline()]
        if self.message and not self.passed:
            lines.extend(f"   {line}" for line in self.message.splitlines())
        lines.extend(f"   ⚠️ {note}" for note in self.notes)
        if footer := self._footer():
            lines.append(f"   {footer}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = _COLOURS.get(self.status, "#000")
        body = ""
        if self.message and not self.passed:
            body += (
                f"<div style='white-space:pre-wrap;margin-top:4px'>{_html_text(self.message)}</div>"
            )
        for note in self.notes:
            body += f"<div style='margin-top:4px'>⚠️ {_html_text(note)}</div>"
        if footer := self._footer():
            body += f"<div style='margin-top:4px;color:#555'>{_html_text(footer)}</div>"
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
            f"<b>{_html_text(self.headline())}</b>{body}</div>"
        )

    def as_record(self) -> dict[str, Any]:
        """The attempt as a progress-file record."""
        return {
            "event": "check",
            "exercise": self.exercise,
            "status": self.status,
            "kind": self.kind,
            "reason": self.reason,
            "message": self.message,
            "queries": {str(size): count for size, count in self.queries.items()},
            "seconds": round(self.seconds, 4),
        }
