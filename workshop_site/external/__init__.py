"""The shop's external partners: a local service that plays them, and the shop's clients.

- :class:`PartnerService` (``service.py``): stock, shipping, recommendations, payment,
  mail and CRM on ``127.0.0.1:<free port>``, each with a controllable delay, failure rate
  and hang mode. ``with PartnerService() as partners: ...``.
- ``client.py``: how the shop calls them, with timeouts, retries and fallbacks.
- ``naive.py``: how it called them before lesson 08 (no timeout): the code to fix.

Importing this package does not import Django; the clients read ``settings.PARTNERS``
when they are called. Nor does it import the service (an HTTP server, 0.13 s): the names
below load on first use (PEP 562), so a process that needs one submodule, such as the
test suite's offline guard (``offline.py``) in every process it starts, pays for that one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workshop_site import lazy_exports

if TYPE_CHECKING:
    from workshop_site.external.behaviour import Behaviour
    from workshop_site.external.partners import METHODS, PARTNERS
    from workshop_site.external.service import DEFAULT_API_KEY, Hit, PartnerService

__all__ = ["DEFAULT_API_KEY", "METHODS", "PARTNERS", "Behaviour", "Hit", "PartnerService"]

#: Each exported name's submodule.
_HOMES = {
    "Behaviour": "behaviour",
    "METHODS": "partners",
    "PARTNERS": "partners",
    "DEFAULT_API_KEY": "service",
    "Hit": "service",
    "PartnerService": "service",
}


def __getattr__(name: str) -> Any:
    return lazy_exports.load(__name__, _HOMES, globals(), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
