"""The real site in JupyterLab's launcher on a hub (jupyter-server-proxy).

jupyter-server-proxy finds :func:`server` through the ``jupyter_serverproxy_servers``
entry point (pyproject.toml): a "Workshop site" tile in the launcher opens
``<hub>/user/<name>/workshop-site/guide/``; the first click starts :func:`main` on a free
port as the learner, which prepares the site's database in the learner's workspace (the
first time: migrated and seeded, some seconds) and serves it with ``runserver`` on
127.0.0.1. The proxy forwards to it behind the hub's login. Settings:
``workshop_site.settings_proxy``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["NAME", "server", "main"]

NAME = "workshop-site"
_ICON = Path(__file__).resolve().parent / "shop" / "static" / "shop" / "launcher-icon.svg"


def server() -> dict[str, Any]:
    """jupyter-server-proxy's configuration of the site (``{port}`` and ``{base_url}``
    are filled in by the proxy)."""
    return {
        "command": [sys.executable, "-m", "workshop_site.site_proxy", "{port}"],
        "environment": {"WORKSHOP_SITE_PREFIX": "{base_url}" + NAME},
        # The first start migrates and seeds the site's database: give it time.
        "timeout": 180,
        "launcher_entry": {
            "title": "Workshop site",
            "path_info": f"{NAME}/guide/",
            "icon_path": str(_ICON),
            "category": "Notebook",
        },
        "new_browser_tab": True,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m workshop_site.site_proxy PORT``: prepare the site, then serve it."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m workshop_site.site_proxy PORT", file=sys.stderr)
        return 2
    os.environ["DJANGO_SETTINGS_MODULE"] = "workshop_site.settings_proxy"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("prepare_site")
    call_command("runserver", f"127.0.0.1:{args[0]}", use_reloader=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
