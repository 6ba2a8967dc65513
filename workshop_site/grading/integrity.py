"""Is a grading database still the seeded data? Row counts and a cheap checksum per table.

Learners' code runs inside a transaction that is rolled back, which leaves the SQLite file
byte for byte as it was. So the cheap test is a digest of the file; only when it differs
(code that committed anyway, e.g. through the raw sqlite3 connection) are the tables
compared one by one, to say what changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TableState", "file_digest", "table_states", "describe_changes"]


@dataclass(frozen=True)
class TableState:
    rows: int
    digest: str


def file_digest(path: Path) -> str:
    """A digest of the whole file: a few milliseconds for a grading database."""
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def table_states(path: Path) -> dict[str, TableState]:
    """Every table's row count and a digest of its rows, read without Django."""
    # A file: URI (read-only), built by pathlib so that Windows paths are valid too.
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        states = {}
        for name in names:
            digest = hashlib.blake2b(digest_size=8)
            rows = 0
            quoted = '"' + name.replace('"', '""') + '"'
            for row in connection.execute(f"SELECT * FROM {quoted} ORDER BY rowid"):
                digest.update(repr(row).encode())
                rows += 1
            states[name] = TableState(rows, digest.hexdigest())
        return states
    finally:
        connection.close()


def describe_changes(
    before: dict[str, TableState], after: dict[str, TableState], *, names: dict[str, str]
) -> list[str]:
    """ "Order: 600 → 0 rows" for each table that differs; ``names`` maps tables to models."""
    changes = []
    for table in sorted(before.keys() | after.keys()):
        shown = names.get(table, table)
        old, new = before.get(table), after.get(table)
        if old is None:
            changes.append(f"{shown}: a new table")
        elif new is None:
            changes.append(f"{shown}: the table was dropped")
        elif old.rows != new.rows:
            changes.append(f"{shown}: {old.rows:,} → {new.rows:,} rows")
        elif old.digest != new.digest:
            changes.append(f"{shown}: {old.rows:,} rows, some of them changed")
    return changes
