"""The document JSON format (`{id, url, outlet, published, title, text}`): an object, a list, JSON Lines."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from truceline.errors import InvalidInput
from truceline.intake.documents import build_document
from truceline.pipeline.document import SourceDocument

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FOUND_MAX_CHARS = 40  # a wrong value is quoted in the message, but never a whole article


def describe_found(value: object) -> str:
    """How an unexpected JSON value is named in a message: a short quote for strings, the type otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    text = str(value)
    if len(text) > FOUND_MAX_CHARS:
        text = text[:FOUND_MAX_CHARS] + "…"
    return repr(text)


def decode_json_text(data: bytes, *, source: str) -> str:
    """UTF-8 text of a JSON file (a byte-order mark is allowed); anything else is InvalidInput."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: expected UTF-8 JSON, found bytes that are not UTF-8") from exc
    if not text.strip():
        raise InvalidInput(f"{source}: expected JSON, found an empty file")
    return text


def parse_json_value(text: str, *, source: str) -> Any:
    """One JSON value, or InvalidInput naming the line and column of the first syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidInput(f"{source}: expected JSON, found a syntax error at {where}: {exc.msg}") from exc


def document_from_mapping(value: object, *, source: str, published: date | None = None) -> SourceDocument:
    """A SourceDocument from one decoded document object; extra keys are ignored.

    `published` only fills in a document that carries no date of its own.
    """
    if not isinstance(value, dict):
        raise InvalidInput(f"{source}: expected a JSON object (a document), found {describe_found(value)}")
    text = value.get("text")
    if not isinstance(text, str) or not text.strip():
        found = "nothing" if "text" not in value else describe_found(text)
        raise InvalidInput(f"{source}: text: expected a non-empty string, found {found}")
    own_date = parse_published(value.get("published"), source=source)
    return build_document(
        text=text,
        published=own_date or published,
        doc_id=optional_string(value, "id", source=source) or None,
        url=optional_string(value, "url", source=source),
        outlet=optional_string(value, "outlet", source=source),
        title=optional_string(value, "title", source=source),
        language=optional_string(value, "language", source=source) or None,
    )


def parse_published(value: object, *, source: str) -> date | None:
    """The `published` field: absent or null is None; otherwise exactly a valid YYYY-MM-DD date."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # e.g. 2025-02-30: falls through to the same message as any other bad date
    raise InvalidInput(f"{source}: published: expected a date YYYY-MM-DD, found {describe_found(value)}")


def optional_string(mapping: dict[str, Any], key: str, *, source: str) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{source}: {key}: expected a string, found {describe_found(value)}")
    return value


def documents_from_json(data: bytes, *, source: str, published: date | None = None) -> list[SourceDocument]:
    """One document object, or a list of them, from a JSON file."""
    value = parse_json_value(decode_json_text(data, source=source), source=source)
    if isinstance(value, list):
        if not value:
            raise InvalidInput(f"{source}: expected a list of documents, found an empty list")
        return [
            document_from_mapping(item, source=f"{source}: item {index}", published=published)
            for index, item in enumerate(value, start=1)
        ]
    return [document_from_mapping(value, source=source, published=published)]


def documents_from_json_lines(
    data: bytes, *, source: str, published: date | None = None
) -> list[SourceDocument]:
    """One document object per non-blank line (JSON Lines)."""
    documents = []
    for number, line in enumerate(decode_json_text(data, source=source).splitlines(), start=1):
        if line.strip():
            where = f"{source}: line {number}"
            documents.append(
                document_from_mapping(parse_json_value(line, source=where), source=where, published=published)
            )
    if not documents:
        raise InvalidInput(f"{source}: expected JSON Lines with one document per line, found no lines")
    return documents


def looks_like_json_lines(data: bytes) -> bool:
    """True when the file has two or more non-blank lines that each hold one JSON object."""
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.lstrip().startswith(b"{") for line in lines):
        return False
    try:
        first = json.loads(lines[0])
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(first, dict)
