"""Change one Django setting for the rest of the kernel's life, and put it back later.

``override_settings().enable()`` would do, but overrides must then be undone in reverse
order; the notebook helpers that change settings (the partners' URL, the tasks backend)
start and stop independently, so each swaps its own setting and restores its own value.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed

__all__ = ["swap_setting"]


def swap_setting(name: str, value: Any) -> Any:
    """Set ``settings.<name>`` to ``value`` and tell Django (``setting_changed``), as
    ``override_settings`` does: caches built from it, such as the tasks backends, reset.
    Returns the previous value, to pass back to ``swap_setting`` when done."""
    previous = getattr(settings, name)
    setattr(settings, name, value)
    setting_changed.send(sender=type(settings), setting=name, value=value, enter=True)
    return previous
