"""Records as rows: the content a record's commitment covers; new records INSERTed without the ORM."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Table, inspect
from sqlalchemy.types import TypeDecorator

from truceline.db.base import Record
from truceline.db.bulk_insert import driver_insert, json_text
from truceline.ledger.encoding import MAX_SEQ, NOT_PLAIN, format_time, plain_float, plain_json, plain_object


def record_content(record: Record) -> dict[str, Any]:
    """Every column of a record as JSON values: what its ledger commitment covers."""
    return {name: json_value(getattr(record, key)) for name, key in record_columns(type(record))}


@cache
def record_columns(model: type[Record]) -> tuple[tuple[str, str], ...]:
    """(column name, attribute key) of every column of a record class, in mapper order."""
    return tuple((attr.columns[0].name, attr.key) for attr in inspect(model).column_attrs)


def content_of_columns(columns: Sequence[tuple[str, str]], values: Sequence[Any]) -> dict[str, Any]:
    """`record_content` of a record read as column values (in the order of `record_columns`)."""
    return {name: json_value(value) for (name, _), value in zip(columns, values, strict=True)}


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
_PLAIN_SCALARS = frozenset({str, bool, type(None)})  # the same in a record's content as in its row


def json_value(value: Any) -> Any:
    if type(value) in _JSON_SCALARS:  # most columns: returned as they are, without the checks below
        return value
    if isinstance(value, datetime):
        return _format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


@lru_cache(maxsize=256)
def _format_time(value: datetime) -> str:
    return format_time(value)  # the records of a batch share a few times (`created_at` is `now`)


_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Column:
    key: str  # the attribute
    name: str  # the column: the key of a row and of the record's content
    default: Any  # a scalar default, or _MISSING
    is_json: bool  # written as JSON text; None is JSON null ("null"), not SQL NULL


@dataclass(frozen=True, slots=True, eq=False)  # one per record class: compared and hashed by identity
class RowLayout:
    """How a record class is written as a row: what the ORM's unit of work would insert for it."""

    table: Table
    columns: tuple[_Column, ...]
    keys: tuple[str, ...]  # the table's column keys, in the order of `columns` (and of a row's values)
    # For `row_and_content`'s common case (every attribute set), worked out once per class:
    read_all: Callable[[dict[str, Any]], tuple[Any, ...]]  # every attribute, in the order of `columns`
    json_positions: tuple[int, ...]
    defaulted: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # the values of non-JSON columns with a default
    textual: Callable[[tuple[Any, ...]], tuple[Any, ...]]  # values of str and bool columns
    textual_names: tuple[str, ...]
    typed: tuple[tuple[int, str, bool], ...]  # the other columns: (position, name, is_json)

    def row_and_content(self, record: Record) -> tuple[list[Any], dict[str, Any] | None]:
        """The INSERT values of a new record (in the order of `columns`, JSON as its text: `DriverInsert`'s
        form) and its `record_content` in the form `plain_json` gives (ready for `commitment_of_plain`),
        each value read once; None for the content when a value has no such form (the caller falls back on
        `record_content` and `commitment`).

        Written as the ORM writes it: an attribute never set, or None where None is no value, takes the
        column's default (set on the record too, as a flush would) or is SQL NULL; None in a JSON column is
        JSON null, and a JSON column never set is SQL NULL."""
        try:
            values = self.read_all(record.__dict__)
        except KeyError:  # an attribute never set
            return self._row_and_content_one_by_one(record)
        if None in self.defaulted(values) or not _PLAIN_SCALARS.issuperset(map(type, self.textual(values))):
            return self._row_and_content_one_by_one(record)  # a default to apply, or text columns to convert
        # Every column set, no default to apply, the text and boolean columns hold text, booleans or None: the
        # row is the values with JSON as its text, and only the other columns' content needs converting.
        row = list(values)
        for position in self.json_positions:
            row[position] = json_text(row[position])
        content: dict[str, Any] | None = dict(zip(self.textual_names, self.textual(values), strict=True))
        for position, name, is_json in self.typed:
            value = values[position]
            kind = type(value)
            if kind is str or value is None or kind is bool:
                plain = value
            elif kind is datetime:
                plain = _format_time(value)
            elif kind is date:
                plain = value.isoformat()
            elif kind is int and -MAX_SEQ <= value <= MAX_SEQ:
                plain = value
            elif kind is float or (kind is dict and is_json):
                plain = plain_float(value) if kind is float else plain_object(value)
                if plain is NOT_PLAIN:
                    return row, None
            else:  # JSON is left as it is (`json_value` changes nothing that `plain_json` accepts)
                plain = plain_json(value if is_json else json_value(value))
                if plain is NOT_PLAIN:
                    return row, None
            content[name] = plain  # type: ignore[index]
        return row, content

    def _row_and_content_one_by_one(self, record: Record) -> tuple[list[Any], dict[str, Any] | None]:
        values = record.__dict__
        row: list[Any] = []
        content: dict[str, Any] | None = {}
        for column in self.columns:
            value = values.get(column.key, _MISSING)
            if value is None or value is _MISSING:
                if value is None and column.is_json:
                    pass
                elif column.default is not _MISSING:
                    value = column.default
                    setattr(record, column.key, value)
                else:
                    row.append(None)
                    if content is not None:
                        content[column.name] = None
                    continue
            if column.is_json:
                row.append(json_text(value))
            else:
                row.append(value)
            if content is None:
                continue
            kind = type(value)
            if kind is str or kind is bool or value is None:
                content[column.name] = value
                continue
            # JSON is left as it is (`json_value` changes nothing that `plain_json` accepts).
            plain = plain_json(value if column.is_json else json_value(value))
            if plain is NOT_PLAIN:
                content = None
            else:
                content[column.name] = plain
        return row, content


@cache
def layout_of(model: type[Record]) -> RowLayout:
    columns, keys = [], []
    for attr in inspect(model).column_attrs:
        column = attr.columns[0]
        if not column.name.isascii():  # `commitment_of_plain` needs ASCII keys
            raise TypeError(
                f"{model.__name__}.{attr.key}: expected an ASCII column name, found {column.name!r}"
            )
        default = column.default
        if default is not None and not default.is_scalar:
            # A callable default needs the ORM's execution context: give the value when building the record.
            raise TypeError(
                f"{model.__name__}.{attr.key}: expected a scalar column default, found {default!r}"
            )
        columns.append(
            _Column(
                key=attr.key,
                name=column.name,
                default=_MISSING if default is None else default.arg,
                is_json=isinstance(column.type, JSON),
            )
        )
        keys.append(column.key)
    table = inspect(model).local_table
    assert isinstance(table, Table)
    is_textual = [
        not c.is_json and _python_type(table.columns[k].type) in (str, bool)
        for c, k in zip(columns, keys, strict=True)
    ]
    textual = [position for position, yes in enumerate(is_textual) if yes]
    defaulted = [p for p, c in enumerate(columns) if c.default is not _MISSING and not c.is_json]
    return RowLayout(
        table=table,
        columns=tuple(columns),
        keys=tuple(keys),
        read_all=_getter([c.key for c in columns]),
        json_positions=tuple(p for p, c in enumerate(columns) if c.is_json),
        defaulted=_getter(defaulted),
        textual=_getter(textual),
        textual_names=tuple(columns[p].name for p in textual),
        typed=tuple((p, c.name, c.is_json) for p, c in enumerate(columns) if not is_textual[p]),
    )


def _getter(items: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """`itemgetter(*items)`, always returning a tuple (of one item, or none)."""
    if not items:
        return lambda _: ()
    if len(items) == 1:
        get_one = itemgetter(items[0])
        return lambda values: (get_one(values),)
    return itemgetter(*items)


def _python_type(column_type: Any) -> type | None:
    if isinstance(column_type, TypeDecorator):  # its own python_type is `object`
        column_type = column_type.impl_instance
    try:
        return column_type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def insert_rows(connection: Connection, by_layout: dict[RowLayout, list[list[Any]]]) -> None:
    """Insert rows (`RowLayout.row_and_content`'s) with one executemany INSERT (or COPY) per table: tables in
    foreign-key order (a document before the claims naming it), rows of one table in the order given."""
    for layout in sorted(by_layout, key=lambda layout: _table_order()[layout.table]):
        driver_insert(layout.table, layout.keys, connection.dialect).execute(connection, by_layout[layout])


@cache
def _table_order() -> dict[Table, int]:
    return {table: number for number, table in enumerate(Record.metadata.sorted_tables)}
