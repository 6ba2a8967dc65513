"""A class on a real JupyterHub, on one machine (``make class``, ``scripts/class-hub``).

- :mod:`~workshop_site.classhub.hub`: JupyterHub on 127.0.0.1, a local account per learner,
  everything stopped afterwards;
- :mod:`~workshop_site.classhub.course`: the course as a git repository at one version,
  pulled into each home by nbgitpuller;
- :mod:`~workshop_site.classhub.client` and :mod:`~workshop_site.classhub.kernel`: a learner,
  scripted through the hub's REST API and a kernel's websocket (the test, the load
  benchmark);
- :mod:`~workshop_site.classhub.accounts`, :mod:`~workshop_site.classhub.shared_env`,
  :mod:`~workshop_site.classhub.proxy`: the accounts, the one environment every learner
  runs, JupyterHub's proxy.
"""

from workshop_site.classhub.accounts import Learner
from workshop_site.classhub.errors import ClassHubError
from workshop_site.classhub.hub import ClassHub, class_hub

__all__ = ["ClassHub", "ClassHubError", "Learner", "class_hub"]
