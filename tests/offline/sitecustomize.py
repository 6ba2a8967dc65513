"""The test suite's offline guard for the processes it starts (notebook kernels, ``python
-c`` children, the grading report's kernels): tests/conftest.py puts this folder first on
``PYTHONPATH``, so every Python process the suite starts imports this at start-up and may
then connect to this machine only, as pytest-socket allows the suite's own process."""

from workshop_site.external.offline import loopback_only

loopback_only()
