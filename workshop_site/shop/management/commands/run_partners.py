"""``manage.py run_partners``: the shop's partners for the real site, until Ctrl+C.

The notebooks start the partners in the kernel (``lab.partners()``); a site run by hand
(``make site``) needs them in a process of their own, where ``settings.PARTNERS["URL"]``
expects them (port 8765 by default)::

    python manage.py run_partners --delay recommendations=0.4 --hang stock
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workshop_site.external import PARTNERS, PartnerService


def _pairs(values: list[str], option: str) -> dict[str, float]:
    """``["stock=0.2"]`` -> ``{"stock": 0.2}``, naming the bad value otherwise."""
    found = {}
    for value in values:
        name, _, number = value.partition("=")
        if name not in PARTNERS:
            raise CommandError(f"{option} {value}: no partner {name!r} ({', '.join(PARTNERS)})")
        try:
            found[name] = float(number)
        except ValueError:
            raise CommandError(f"{option} {value}: expected {name}=<number>") from None
    return found


class Command(BaseCommand):
    help = "Run the shop's partners (stock, shipping, ...) on 127.0.0.1 until Ctrl+C."

    def add_arguments(self, parser):
        port = urlsplit(str(settings.PARTNERS["URL"])).port or 8765
        parser.add_argument("--port", type=int, default=port, help=f"default {port}")
        parser.add_argument("--delay", action="append", default=[], help="PARTNER=SECONDS")
        parser.add_argument("--fail", action="append", default=[], help="PARTNER=RATE (0-1)")
        parser.add_argument("--hang", action="append", default=[], help="PARTNER")
        parser.add_argument("--hang-limit", type=float, default=30.0, help="seconds")
        parser.add_argument("--for", dest="seconds", type=float, help="stop after SECONDS")

    def handle(self, *args, port, delay, fail, hang, hang_limit, seconds, **options):
        delays, failures = _pairs(delay, "--delay"), _pairs(fail, "--fail")
        unknown = sorted(set(hang) - set(PARTNERS))
        if unknown:
            raise CommandError(f"--hang: no partner {unknown[0]!r} ({', '.join(PARTNERS)})")
        service = PartnerService(port=port, hang_limit=hang_limit)
        for name, value in delays.items():
            service.configure(name, delay=value)
        for name, value in failures.items():
            service.configure(name, failure_rate=value)
        for name in hang:
            service.configure(name, hang=True)
        with service:
            self.stdout.write(f"Partners at {service.url} (Ctrl+C to stop)")
            for name in PARTNERS:
                self.stdout.write(f"  {name:<16}{service.behaviour(name)}")
            try:
                threading.Event().wait(seconds)
            except KeyboardInterrupt:
                pass
        self.stdout.write(f"Stopped; {len(service.hits())} requests served.")
