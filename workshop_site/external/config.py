"""The partners' settings (``settings.PARTNERS``) as one typed, hashable value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PartnerConfig", "partner_config"]

Timeout = tuple[float, float]


@dataclass(frozen=True, slots=True)
class PartnerConfig:
    """Where the partners are and how long to wait: ``timeouts`` are (connect, read) s;
    ``deadlines``, seconds after which a call stops reading an answer still coming."""

    url: str
    api_key: str
    timeouts: tuple[tuple[str, Timeout], ...]
    retries: int = 2
    backoff: float = 0.05
    deadlines: tuple[tuple[str, float], ...] = ()

    def deadline(self, partner: str) -> float | None:
        """``partner``'s overall deadline in seconds (None: none set)."""
        return dict(self.deadlines).get(partner)

    def timeout(self, partner: str) -> Timeout:
        """``partner``'s (connect, read) timeout; a partner without one is a setup error."""
        for name, value in self.timeouts:
            if name == partner:
                return value
        known = ", ".join(name for name, _ in self.timeouts)
        raise KeyError(f"settings.PARTNERS['TIMEOUTS'] has no entry for {partner!r} ({known})")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PartnerConfig:
        timeouts = tuple(
            (name, (float(connect), float(read)))
            for name, (connect, read) in sorted(values["TIMEOUTS"].items())
        )
        return cls(
            url=str(values["URL"]).rstrip("/"),
            api_key=str(values["API_KEY"]),
            timeouts=timeouts,
            retries=int(values.get("RETRIES", 2)),
            backoff=float(values.get("BACKOFF", 0.05)),
            deadlines=tuple(
                (name, float(seconds))
                for name, seconds in sorted(values.get("DEADLINES", {}).items())
            ),
        )


def partner_config() -> PartnerConfig:
    """The current ``settings.PARTNERS`` (read on every call: tests and notebooks change it)."""
    from django.conf import settings

    return PartnerConfig.from_mapping(settings.PARTNERS)
