"""How the course writes numbers in its messages: "1 query", "3 queries", "4.2 kB".

Used by the lab's instruments and the grader alike, so one count or size reads the same
in a lesson, a plot and a verdict.
"""

from __future__ import annotations

__all__ = ["noun", "plural", "size"]


def noun(n: int, word: str, words: str | None = None) -> str:
    """The noun alone, for a count shown apart (in bold, say): 1 → "query", 3 → "queries"."""
    return word if n == 1 else words or word + "s"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``plural(1, "query", "queries")`` → "1 query"; 3 → "3 queries"; 1200 → "1,200 …"."""
    return f"{n:,} {noun(n, word, words)}"


def size(n_bytes: float) -> str:
    """A size in bytes written for a reader: 130 B, 4.2 kB, 42 kB, 5.4 MB (1 kB = 1,000 B)."""
    kb = n_bytes / 1000
    if abs(kb) >= 1000:
        return f"{kb / 1000:,.1f} MB"
    if abs(kb) < 1:
        return f"{n_bytes:.0f} B"
    return f"{kb:,.1f} kB" if abs(kb) < 10 else f"{kb:,.0f} kB"
