"""Read a query's SQL as SQL (sqlparse): which tables it reads, which columns it selects.

The ``Shape`` check kind asks "does one query read the address with the customers?" and
"is the description selected?". A text search for ``JOIN "shop_address"`` refuses right
answers: raw SQL with unquoted names, a query written from the other side of the
relation (``FROM shop_address JOIN shop_customer``), an alias. Here names are read with
their quotes and case removed and their aliases resolved, in the statement and in its
subqueries, whatever the database wrote (``"t"."c"``, ``t.c``, ``T."C"``).

Unlike the inspector's reader (``lab/inspector/sql.py``: Django's own SELECTs, one fixed
shape, read in detail), this reads any statement a learner may send, in less detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sqlparse
from sqlparse import tokens as T
from sqlparse.sql import (
    Function,
    Identifier,
    IdentifierList,
    Parenthesis,
    Statement,
    Token,
    TokenList,
)

__all__ = ["Shape", "read"]

_FROM_KEYWORDS = {"FROM", "JOIN"}
_ENDS_FROM = {"WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "UNION", "UNION ALL"}


def _name(text: str | None) -> str:
    return (text or "").strip().strip('"`[]').lower()


@dataclass(frozen=True)
class Shape:
    """What one statement reads: its tables (with the statement's subqueries), each
    alias's table, and the outermost SELECT's columns as ``(table or alias, column)`` —
    ``""`` for a column named without its table, ``"*"`` for every column."""

    tables: frozenset[str]
    aliases: dict[str, str] = field(default_factory=dict)
    columns: tuple[tuple[str, str], ...] = ()

    def table_of(self, qualifier: str) -> str:
        return self.aliases.get(qualifier, qualifier)

    def selects(self, table: str, column: str) -> bool:
        """Does the outermost SELECT list return ``table.column``?"""
        table, column = table.lower(), column.lower()
        for qualifier, name in self.columns:
            owner = self.table_of(qualifier) if qualifier else ""
            # A column named without its table is the table's when the table is read.
            if name in ("*", column) and (owner == table or (not owner and table in self.tables)):
                return True
        return False

    def joins(self, table: str) -> bool:
        """Does the statement read ``table`` together with another table (a JOIN, a
        comma join or a subquery): the related rows in the same query?"""
        return table.lower() in self.tables and len(self.tables) > 1


@lru_cache(maxsize=2048)
def read(sql: str) -> Shape:
    """The :class:`Shape` of the first statement in ``sql``."""
    statements = sqlparse.parse(sql)
    if not statements:
        return Shape(frozenset())
    tables: set[str] = set()
    aliases: dict[str, str] = {}
    _tables(statements[0], tables, aliases)
    return Shape(frozenset(tables), aliases, tuple(_select_list(statements[0])))


def _tables(tokens: TokenList, tables: set[str], aliases: dict[str, str]) -> None:
    after_from = False
    for token in tokens.tokens:
        if token.is_whitespace or token.ttype in T.Comment:
            continue
        if token.ttype in T.Keyword or token.ttype in T.DML:
            word = token.normalized.upper()
            if word in _FROM_KEYWORDS or word.endswith(" JOIN"):
                after_from = True
            elif word in _ENDS_FROM or word in ("ON", "USING", "SELECT"):
                after_from = False
            continue
        if isinstance(token, Parenthesis) or _is_subquery(token):
            _tables(token, tables, aliases)
        elif after_from and isinstance(token, Identifier | IdentifierList):
            _add_sources(token, tables, aliases)
        elif isinstance(token, TokenList):
            _tables(token, tables, aliases)
        if token.ttype is not T.Punctuation:
            after_from = after_from and isinstance(token, Identifier | IdentifierList)


def _is_subquery(token: Token) -> bool:
    return (
        isinstance(token, TokenList)
        and any(isinstance(child, Parenthesis) for child in token.tokens)
        and not isinstance(token, Identifier | IdentifierList)
    )


def _add_sources(
    token: Identifier | IdentifierList, tables: set[str], aliases: dict[str, str]
) -> None:
    items = token.get_identifiers() if isinstance(token, IdentifierList) else [token]
    for item in items:
        if not isinstance(item, Identifier):
            continue
        inner = next((t for t in item.tokens if isinstance(t, Parenthesis)), None)
        if inner is not None:  # (SELECT ...) AS sub
            _tables(inner, tables, aliases)
            continue
        real = _name(item.get_real_name())
        if not real:
            continue
        tables.add(real)
        alias = _name(item.get_alias())
        if alias:
            aliases[alias] = real


def _select_list(statement: Statement) -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    inside = False
    for token in statement.tokens:
        if token.ttype in T.DML and token.normalized.upper() == "SELECT":
            inside = True
            continue
        if not inside or token.is_whitespace:
            continue
        if token.ttype in T.Keyword:
            word = token.normalized.upper()
            if word == "FROM":
                break
            continue  # DISTINCT
        items = token.get_identifiers() if isinstance(token, IdentifierList) else [token]
        for item in items:
            columns.extend(_columns_of(item))
    return columns


def _columns_of(token: Token) -> list[tuple[str, str]]:
    if token.ttype is T.Wildcard:
        return [("", "*")]
    if isinstance(token, Identifier):
        if token.is_wildcard():
            return [(_name(token.get_parent_name()), "*")]
        # An expression (``LEFT("t"."c", 120) AS s``, a subquery) reads columns but does
        # not return them whole: not a column selected.
        first = token.token_first(skip_cm=True)
        if isinstance(first, Function | Parenthesis) or (
            first is not None and first.ttype not in (T.Name, T.Literal.String.Symbol)
        ):
            return []
        return [(_name(token.get_parent_name()), _name(token.get_real_name()))]
    if token.ttype in (T.Name, T.Literal.String.Symbol):
        return [("", _name(token.value))]
    return []
