"""Recorded partner answers (vcrpy cassettes), as the shop's tests and lesson 08 use them.

A cassette is recorded once against the local partner service and replayed afterwards
with ``record_mode="none"``: a request the cassette does not hold then fails with
``CannotOverwriteExistingCassetteException`` instead of reaching the network.

Requests are matched on method, path, query and body but not on host and port: the
local service listens on a new free port each run. The partners' API key is replaced in
the recorded ``Authorization`` header, so a committed cassette holds no secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import vcr

__all__ = ["FILTER_HEADERS", "MATCH_ON", "holds_secret", "partner_vcr"]

MATCH_ON = ("method", "path", "query", "body")
FILTER_HEADERS = (("authorization", "Bearer <partner API key>"),)


def partner_vcr(*, cassette_dir: Path | str, record_mode: str = "none") -> vcr.VCR:
    """A ``vcr.VCR`` for partner calls: cassettes in ``cassette_dir``, replay-only by default."""
    # Imported here: the grader imports this module for holds_secret, and vcrpy (0.7 s)
    # would slow every exercises notebook's first cell.
    import vcr

    return vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        record_mode=record_mode,
        match_on=MATCH_ON,
        filter_headers=FILTER_HEADERS,
        decode_compressed_response=True,
    )


def holds_secret(cassette: Path | str, secret: str) -> bool:
    """Whether the cassette file has ``secret`` anywhere in it."""
    return secret in Path(cassette).read_text(encoding="utf-8")
