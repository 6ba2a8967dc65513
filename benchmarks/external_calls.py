"""Lesson 08's figures: the checkout's response time, naive and fixed, healthy and hanging.

Run: .venv/bin/python benchmarks/external_calls.py
The partners get notebook 08's delays (700 ms in all). Each case runs ``RUNS`` times,
alternating naive and fixed so a busy machine slows both alike; the median is printed.
Targets (exits 1 when one is missed):

- naive, healthy: at least the sum of the delays (the calls add up);
- naive, recommendations hanging: at least the partner's hang limit;
- fixed, recommendations hanging: below its healthy time plus the read timeout (it gives
  up after the read timeout, and the page renders);
- fixed, with the database queue: below the fixed time with the immediate backend (the
  e-mail and CRM calls left the request).
"""

from __future__ import annotations

import logging
import statistics
import sys

from workshop_site import lab

RUNS = 5
DELAYS = {
    "stock": 0.10,
    "shipping": 0.10,
    "payment": 0.15,
    "mail": 0.15,
    "crm": 0.10,
    "recommendations": 0.10,
}


def main() -> int:
    lab.start(quiet=True)
    # The client logs each fallback: expected here, and not a figure.
    logging.getLogger("workshop_site.external.client").setLevel(logging.ERROR)
    from django.conf import settings
    from django.urls import reverse

    from workshop_site.shop.models import Customer, Listing

    customer = Customer.objects.order_by("pk").first()
    buy = {"listing": Listing.objects.public().order_by("pk")[5].pk}
    urls = {
        form: reverse(f"shop:{name}", kwargs={"customer_id": customer.pk})
        for form, name in (("naive", "checkout_naive"), ("fixed", "checkout"))
    }
    partners = lab.partners()

    def checkout(form: str) -> float:
        return lab.trace(urls[form], method="POST", data=buy).record.duration_ms

    for form in urls:  # the first requests import code: not part of any figure
        checkout(form)
    for name, seconds in DELAYS.items():
        partners.configure(name, delay=seconds)

    def medians(*forms: str) -> list[float]:
        runs: dict[str, list[float]] = {form: [] for form in forms}
        for _ in range(RUNS):
            for form in forms:
                runs[form].append(checkout(form))
        return [statistics.median(runs[form]) for form in forms]

    naive, fixed = medians("naive", "fixed")
    with partners.behaving("recommendations", hang=True):
        naive_hung, fixed_hung = medians("naive", "fixed")
    with lab.task_worker() as worker:
        (queued,) = medians("fixed")
        worker.wait(worker.queued(), timeout=30)

    total = sum(DELAYS.values()) * 1000
    hang = partners.hang_limit * 1000
    read = settings.PARTNERS["TIMEOUTS"]["recommendations"][1] * 1000
    print(f"partner delays add up to                 {total:7.0f} ms (median of {RUNS} runs)")
    print(f"naive checkout                           {naive:7.0f} ms")
    print(f"fixed checkout (immediate tasks backend) {fixed:7.0f} ms")
    print(f"naive, recommendations hanging           {naive_hung:7.0f} ms (hang limit {hang:.0f})")
    print(
        f"fixed, recommendations hanging           {fixed_hung:7.0f} ms (read timeout {read:.0f})"
    )
    print(f"fixed, e-mail and CRM on the db queue    {queued:7.0f} ms")
    missed = [
        text
        for text, ok in (
            ("naive >= sum of delays", naive >= total),
            ("naive hanging >= hang limit", naive_hung >= hang),
            ("fixed hanging < fixed + read timeout", fixed_hung < fixed + read),
            ("queued < immediate", queued < fixed),
        )
        if not ok
    ]
    for text in missed:
        print(f"MISSED: {text}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
