"""A package's names loaded on first use (PEP 562's module ``__getattr__``): ``lab`` and
``external`` list which submodule holds each name, and import it only when it is read."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["load"]


def load(package: str, homes: Mapping[str, str], namespace: dict[str, Any], name: str) -> Any:
    """``name`` from its home in ``homes``: a submodule of ``package`` ("boot"), or a full
    module path ("workshop_site.grading.api"). Kept in ``namespace`` (the package's
    globals), so the package's ``__getattr__`` runs once per name."""
    home = homes.get(name)
    if home is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    path = home if "." in home else f"{package}.{home}"
    value = getattr(importlib.import_module(path), name)
    namespace[name] = value
    return value
