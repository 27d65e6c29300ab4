"""INSERTs run by the database driver: compiled once, values converted as SQLAlchemy would convert them.

An executemany INSERT through `Connection.execute` processes every parameter of every row in Python (a
dictionary per row, each value through its type's bind processor, then into the driver's parameter order):
for 1,000 ledgered records that cost more than the database spent inserting them. `DriverInsert` does that
work once per table and dialect (the statement, the parameter order, which columns need converting) and
hands the driver the rows through `Connection.exec_driver_sql`, on the caller's connection and transaction.
What reaches the database is what `Connection.execute` would send: the same statement and the same values.
"""

from __future__ import annotations

import json
import json.encoder
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeDecorator

# What the JSON type writes for a value: `json.dumps` with its defaults, as SQLAlchemy on SQLite and psycopg's
# `Json` adapter both call it. `json.dumps` makes the standard library's C encoder anew for every call, which
# costs as much as encoding a record's small object: it is made once here (without the check for circular
# references, which `json.dumps` has: a cycle raises RecursionError rather than ValueError).
_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # None without the C accelerator
_json_encoder = _make_encoder and _make_encoder(
    None,
    json.JSONEncoder().default,
    json.encoder.encode_basestring_ascii,
    None,
    ": ",
    ", ",
    False,
    False,
    True,
)


def json_text(value: Any) -> str:
    """The text a JSON column stores for `value` (`None` is JSON null: "null"; SQL NULL is no text)."""
    if _json_encoder is None:  # the standard library without its C accelerator
        return json.dumps(value)
    return "".join(_json_encoder(value, 0))


@dataclass(frozen=True, slots=True, eq=False)
class DriverInsert:
    """One table's INSERT of given columns, compiled for one dialect. Rows are lists of values in the order of
    the columns given; a JSON column's value is its text already (`json_text`) or None for SQL NULL."""

    sql: str
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, the type's bind processor)
    arrange: Callable[[Sequence[Any]], Any]  # a row's values in the driver's form: a tuple, or a dict by name
    copy_sql: str | None  # PostgreSQL: COPY ... FROM STDIN of the same columns, for several rows

    def execute(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Insert `rows` (lists are converted in place): one INSERT for one row; several with one
        executemany, or on PostgreSQL with one COPY."""
        if self.conversions:
            rows = [self._convert(values) for values in rows]
        if len(rows) == 1:
            connection.exec_driver_sql(self.sql, self.arrange(rows[0]))
        elif self.copy_sql is not None and rows:
            _copy(connection, self.copy_sql, rows)
        elif rows:
            connection.exec_driver_sql(self.sql, [self.arrange(values) for values in rows])

    def _convert(self, values: Sequence[Any]) -> list[Any]:
        converted = values if type(values) is list else list(values)
        for position, convert in self.conversions:
            converted[position] = convert(converted[position])
        return converted


def _copy(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """COPY the rows in (psycopg writes each value as its text, which the server parses as it parses the
    same parameter of an INSERT). An executemany runs one INSERT per row on the server: several times the
    server's work of a COPY."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(sql) as copy:  # psycopg's cursor
            for values in rows:
                copy.write_row(values)
    except dbapi.Error as exc:  # as `Connection.execute` would raise it (IntegrityError, ...)
        raise DBAPIError.instance(sql, None, exc, dbapi.Error, hide_parameters=True) from exc
    finally:
        cursor.close()


_BY_DIALECT: weakref.WeakKeyDictionary[Dialect, dict[tuple[Table, tuple[str, ...]], DriverInsert]] = (
    weakref.WeakKeyDictionary()
)


def driver_insert(table: Table, keys: tuple[str, ...], dialect: Dialect) -> DriverInsert:
    """The INSERT of `table`'s columns in the order of `keys` (every column once) for `dialect`, made once."""
    made = _BY_DIALECT.setdefault(dialect, {})
    found = made.get((table, keys))
    if found is None:
        found = made[(table, keys)] = _make_driver_insert(table, keys, dialect)
    return found


def _make_driver_insert(table: Table, keys: tuple[str, ...], dialect: Dialect) -> DriverInsert:
    if set(keys) != set(table.columns.keys()) or len(keys) != len(table.columns):
        raise TypeError(f"{table.name}: expected every column once, found {list(keys)}")
    if getattr(dialect, "_json_serializer", None) is not None:
        raise TypeError(f"{dialect.name}: a custom JSON serializer would store other text than json_text")
    compiled = table.insert().compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    conversions: list[tuple[int, Callable[[Any], Any]]] = []
    for position, key in enumerate(keys):
        column_type = table.columns[key].type
        if isinstance(column_type, JSON):
            continue  # given as text: the dialects pass it on as it is (PostgreSQL: cast ::JSON in the SQL)
        processor = column_type.dialect_impl(dialect).bind_processor(dialect)
        if processor is None:
            continue
        if _is_date(column_type):  # dates and datetimes: the rows of a batch share a few values
            processor = lru_cache(maxsize=1024)(processor)
        conversions.append((position, processor))
    if compiled.positional:
        names = compiled.positiontup or ()
        if set(names) != set(keys):
            raise TypeError(f"{table.name}: expected the parameters {sorted(keys)}, found {sorted(names)}")
        order = [keys.index(name) for name in names]
        arrange: Callable[[Sequence[Any]], Any] = (
            tuple if order == list(range(len(keys))) else _tuple_getter(order)
        )
    else:
        if set(compiled.binds) != set(keys):
            raise TypeError(
                f"{table.name}: expected the parameters {sorted(keys)}, found {sorted(compiled.binds)}"
            )

        def arrange(values: Sequence[Any]) -> dict[str, Any]:
            return dict(zip(keys, values, strict=True))

    copy_sql = None
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        quote = dialect.identifier_preparer
        columns = ", ".join(quote.format_column(table.columns[key]) for key in keys)
        copy_sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    return DriverInsert(
        sql=compiled.string, conversions=tuple(conversions), arrange=arrange, copy_sql=copy_sql
    )


def _is_date(column_type: Any) -> bool:
    if isinstance(column_type, TypeDecorator):  # its own python_type is `object`
        column_type = column_type.impl_instance
    try:
        return issubclass(column_type.python_type, date)
    except NotImplementedError:  # a type without a Python type
        return False


def _tuple_getter(order: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    getter = itemgetter(*order)
    if len(order) == 1:
        return lambda values: (getter(values),)
    return getter
