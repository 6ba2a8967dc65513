"""The query inspector: which relation each N+1 loads, from which line, and the fix.

``diagnose(log)`` reads a ``lab.queries()`` log. Where Django can tell (a lazy load of a
foreign key, a reverse one-to-one or a deferred field goes through its fetch modes, which
``lab.queries()`` records), the relation is Django's answer; related managers, per-row
``count()``/``exists()``/``first()`` and lookups written by hand are read from the SQL.
Each finding carries a :class:`Fix` that can be applied to the queryset
(``fix.apply(qs)``) and is printed as the code to type.

Modules, one job each: ``sql`` (reading Django's SELECTs, pure), ``schema`` (tables and
columns to models and relations), ``loads`` (groups of queries to relation loads),
``routes`` (chains back to the loop's queryset), ``fixes`` (the fix as data), ``plans``
(one fix per queryset), ``wording`` (the messages), ``mode`` (lesson or exercise),
``findings`` (``diagnose``).
"""

from workshop_site.lab.inspector.findings import KINDS, Finding, diagnose
from workshop_site.lab.inspector.fixes import Annotation, Fix, PrefetchSpec, Read
from workshop_site.lab.inspector.mode import exercise_mode, in_exercise_mode, mode

__all__ = [
    "KINDS",
    "Annotation",
    "Finding",
    "Fix",
    "PrefetchSpec",
    "Read",
    "diagnose",
    "exercise_mode",
    "in_exercise_mode",
    "mode",
]
