"""The partner calls as the shop made them before lesson 08: the code the lesson fixes.

No timeout (``requests`` waits forever by default), no session (a new connection per
call), no retry and no fallback: a slow partner makes the page slow, a hanging one makes
it hang, a failing one makes it fail.
"""

from __future__ import annotations

from typing import Any

import requests

from workshop_site.external.config import partner_config
from workshop_site.monitoring import span

__all__ = ["call"]


def call(
    partner: str,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    json: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One call to ``partner``, the naive way: its JSON answer, or whatever it raises."""
    config = partner_config()
    url = f"{config.url}{path}"
    headers = {"Authorization": f"Bearer {config.api_key}"}
    with span(f"{method} {partner}", kind="http", url=url, timeout=None):
        # Deliberately without a timeout: this is the bug lesson 08 shows and fixes, and
        # the only call in the package allowed to wait forever. (The local partner service
        # gives up on a hanging request after its hang_limit, so notebook cells still end.)
        response = requests.request(method, url, params=params, json=json, headers=headers)  # noqa: S113
        response.raise_for_status()
        return response.json()
