"""The shop's external partners: a local service that plays them, and the shop's clients.

- :class:`PartnerService` (``service.py``): stock, shipping, recommendations, payment,
  mail and CRM on ``127.0.0.1:<free port>``, each with a controllable delay, failure rate
  and hang mode. ``with PartnerService() as partners: ...``.
- ``client.py``: how the shop calls them, with timeouts, retries and fallbacks.
- ``naive.py``: how it called them before lesson 08 (no timeout): the code to fix.

Importing this package does not import Django; the clients read ``settings.PARTNERS``
when they are called.
"""

from workshop_site.external.behaviour import Behaviour
from workshop_site.external.partners import METHODS, PARTNERS
from workshop_site.external.service import DEFAULT_API_KEY, Hit, PartnerService

__all__ = ["DEFAULT_API_KEY", "METHODS", "PARTNERS", "Behaviour", "Hit", "PartnerService"]
