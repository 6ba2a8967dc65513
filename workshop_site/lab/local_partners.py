"""``lab.partners()``: the shop's partners on a local port, for this kernel (lesson 08).

The first call starts a :class:`~workshop_site.external.PartnerService` and points the
shop's clients at it (``settings.PARTNERS["URL"]``); later calls return the same service
with every partner healthy and instant again, so running a cell twice starts from the
same state. The service stops when the kernel exits, or with ``lab.partners().stop()``.
"""

from __future__ import annotations

from workshop_site.external import PartnerService
from workshop_site.lab import exit_hooks
from workshop_site.lab.boot import require_started

__all__ = ["partners"]

_running: dict[str, PartnerService] = {}


def partners(*, hang_limit: float = 1.0, reset: bool = True) -> PartnerService:
    """This kernel's partner service, started if needed; ``reset=False`` keeps behaviours.

    ``hang_limit``: seconds a hanging partner holds a request before answering anyway
    (a real one may never answer; the limit keeps every cell short).
    """
    require_started("lab.partners()")
    from django.conf import settings

    from workshop_site.lab.setting_swap import swap_setting

    service = _running.get("service")
    if service is None or not service.running:
        service = PartnerService(hang_limit=hang_limit).start()
        if "service" not in _running:
            exit_hooks.register(_stop)
        _running["service"] = service
    service.hang_limit = hang_limit
    if reset:
        service.reset()
    if settings.PARTNERS["URL"] != service.url:
        swap_setting("PARTNERS", {**settings.PARTNERS, "URL": service.url})
    return service


def _stop() -> None:
    service = _running.get("service")
    if service is not None:
        service.stop()
