"""``lab.show_source(fn, ...)``: the shop's own code, shown in the notebook.

For code a learner reads but does not type: the shop's models, views and querysets (a
lesson's examples are typed in its cells instead; see docs/lessons.md). Shown with the
file it comes from, highlighted by Pygments (an IPython dependency). Several functions
sit side by side when the notebook is wide enough.
"""

from __future__ import annotations

import html
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

__all__ = ["show_source", "SourceView", "Listing"]

_PACKAGE = Path(__file__).resolve().parent.parent
_FORMATTER = HtmlFormatter(noclasses=True, nobackground=True, style="default")
_BLOCK = (
    "flex:1 1 440px;min-width:0;border-left:4px solid #2563eb;padding:2px 10px;"
    "margin:4px 0;overflow-x:auto"
)


@dataclass(frozen=True)
class Listing:
    """One object's source: where it is defined, and the code."""

    name: str
    where: str  # "shop/models.py:27"
    code: str


def _where(obj: Any) -> str:
    # getsource() follows a decorator's __wrapped__ to the code; getsourcefile() does not.
    obj = inspect.unwrap(obj) if callable(obj) and not isinstance(obj, type) else obj
    filename = inspect.getsourcefile(obj) or "?"
    try:
        line = inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        line = 0
    path = Path(filename).resolve()
    try:
        shown = path.relative_to(_PACKAGE).as_posix()
    except ValueError:
        shown = path.name
    return f"{shown}:{line}" if line else shown


def _listing(obj: Callable[..., Any] | type) -> Listing:
    try:
        code = textwrap.dedent(inspect.getsource(obj)).rstrip()
    except (OSError, TypeError) as exc:
        raise TypeError(
            f"show_source() needs a function or class defined in a file, got {obj!r} ({exc})"
        ) from None
    return Listing(name=getattr(obj, "__qualname__", repr(obj)), where=_where(obj), code=code)


class SourceView:
    """What ``show_source`` returns: HTML in a notebook, plain text elsewhere."""

    def __init__(self, listings: list[Listing]) -> None:
        self.listings = listings

    def __repr__(self) -> str:
        return "\n\n".join(f"# {item.where}\n{item.code}" for item in self.listings)

    def _repr_html_(self) -> str:
        blocks = "".join(
            f"<div style='{_BLOCK}'><small><code>{html.escape(item.where)}</code></small>"
            f"{highlight(item.code, PythonLexer(), _FORMATTER)}</div>"
            for item in self.listings
        )
        return f"<div style='display:flex;flex-wrap:wrap;gap:12px'>{blocks}</div>"


def show_source(*objects: Callable[..., Any] | type) -> SourceView:
    """The source of each function or class, with the file and line it comes from."""
    if not objects:
        raise TypeError("show_source() needs at least one function, e.g. show_source(fn)")
    return SourceView([_listing(obj) for obj in objects])
