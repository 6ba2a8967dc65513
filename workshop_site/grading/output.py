"""Show something to the learner: rich in a notebook, plain text elsewhere."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["show", "Panel"]

_CODE = re.compile(r"`([^`]+)`")


def show(obj: Any) -> None:
    """Display ``obj`` (its HTML in a notebook), or print its ``repr`` outside IPython."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(repr(obj))
        return
    if get_ipython() is None:
        print(repr(obj))
    else:
        display(obj)


@dataclass(frozen=True)
class Panel:
    """A short titled message, with an optional block of code (a hint, a solution)."""

    title: str
    text: str = ""
    code: str = ""

    def __repr__(self) -> str:
        parts = [self.title]
        if self.text:
            parts.append(self.text)
        if self.code:
            parts.append(self.code.rstrip())
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        text = _CODE.sub(r"<code>\1</code>", html.escape(self.text))
        body = f"<div style='margin-top:4px'>{text}</div>" if self.text else ""
        if self.code:
            body += f"<pre style='margin-top:4px'>{html.escape(self.code.rstrip())}</pre>"
        return (
            "<div style='border-left:4px solid #1565c0;padding:4px 10px'>"
            f"<b>{html.escape(self.title)}</b>{body}</div>"
        )
