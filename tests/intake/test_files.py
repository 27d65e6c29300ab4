"""Loading local files: document JSON, plain text, and load_path's sniffing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.intake.pdfs import build_pdf
from truceline.errors import InvalidInput
from truceline.intake.files import load_document_json, load_path, load_text_file

REPORT = "Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said."
SECOND = "The border crossing at Chaman stayed closed on Sunday as talks resumed in Doha."
DATA = Path(__file__).parents[1] / "data" / "intake"


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def document(**fields: object) -> dict[str, object]:
    return (
        {"id": "t-1", "url": "https://example.org/a", "outlet": "Frontier Gazette", "published": "2025-10-25"}
        | {
            "title": "Clash at Torkham",
            "text": REPORT,
        }
        | fields
    )


def test_load_document_json_reads_every_field(tmp_path: Path) -> None:
    loaded = load_document_json(write_json(tmp_path / "doc.json", document()))
    assert (loaded.id, loaded.url, loaded.outlet, loaded.title, loaded.text) == (
        "t-1",
        "https://example.org/a",
        "Frontier Gazette",
        "Clash at Torkham",
        REPORT,
    )
    assert loaded.published == date(2025, 10, 25)
    assert loaded.language == "en"


def test_load_document_json_ignores_extra_keys(tmp_path: Path) -> None:
    loaded = load_document_json(write_json(tmp_path / "doc.json", document(found_via="search", notes=[1, 2])))
    assert loaded.id == "t-1"


def test_load_document_json_derives_an_id_when_the_file_has_none(tmp_path: Path) -> None:
    loaded = load_document_json(write_json(tmp_path / "doc.json", document(id=None)))
    assert loaded.id.startswith("doc-") and len(loaded.id) == 16


def test_load_document_json_reads_the_committed_fixture() -> None:
    loaded = load_document_json(DATA / "document.json")
    assert loaded.outlet == "Test Wire" and loaded.published == date(2025, 11, 2)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"published": "25/10/2025"}, "doc.json: published: expected a date YYYY-MM-DD, found '25/10/2025'"),
        ({"published": "2025-02-30"}, "doc.json: published: expected a date YYYY-MM-DD, found '2025-02-30'"),
        ({"text": ""}, "doc.json: text: expected a non-empty string, found ''"),
        ({"text": 42}, "doc.json: text: expected a non-empty string, found a number"),
        ({"title": ["a"]}, "doc.json: title: expected a string, found a list"),
    ],
)
def test_load_document_json_names_the_file_the_field_and_what_it_found(
    tmp_path: Path, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_document_json(write_json(tmp_path / "doc.json", document(**fields)))
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_load_document_json_refuses_a_document_without_text(tmp_path: Path) -> None:
    value = document()
    del value["text"]
    with pytest.raises(InvalidInput, match=r"doc\.json: text: expected a non-empty string, found nothing$"):
        load_document_json(write_json(tmp_path / "doc.json", value))


def test_load_document_json_refuses_json_that_is_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidInput, match=r"doc\.json: expected a JSON object \(a document\), found 'hello'"
    ):
        load_document_json(write_json(tmp_path / "doc.json", "hello"))


def test_load_document_json_points_at_the_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"text": "a",\n "published": }', encoding="utf-8")
    with pytest.raises(
        InvalidInput, match=r"doc\.json: expected JSON, found a syntax error at line 2 column 15"
    ):
        load_document_json(path)


def test_load_document_json_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"doc\.json: expected JSON, found an empty file"):
        load_document_json(path)


def test_error_messages_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"text":\n\n', encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_document_json(path)
    assert "\n" not in str(caught.value)


def test_load_text_file_reads_utf8_and_keeps_the_callers_metadata(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("\ufeff" + REPORT + "\r\n", encoding="utf-8")
    loaded = load_text_file(path, published=date(2025, 10, 26), url="https://example.org/b", outlet="Wire")
    assert loaded.text == REPORT
    assert (loaded.published, loaded.url, loaded.outlet, loaded.language) == (
        date(2025, 10, 26),
        "https://example.org/b",
        "Wire",
        "en",
    )


def test_load_text_file_gives_the_same_content_the_same_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(REPORT, encoding="utf-8")
    first = load_text_file(tmp_path / "a.txt", published=date(2025, 10, 25))
    again = load_text_file(tmp_path / "b.txt", published=date(2025, 10, 25))
    assert first.id == again.id
    assert first.id.startswith("doc-") and len(first.id) == len("doc-") + 12


def test_load_text_file_gives_different_content_a_different_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SECOND, encoding="utf-8")
    assert (
        load_text_file(tmp_path / "a.txt", published=None).id
        != load_text_file(tmp_path / "b.txt", published=None).id
    )


def test_load_text_file_uses_the_callers_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    assert load_text_file(tmp_path / "a.txt", published=None, doc_id="mine").id == "mine"


def test_load_text_file_refuses_binary_data(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(InvalidInput, match=r"x\.bin: expected a UTF-8 text file, found binary data$"):
        load_text_file(path, published=None)


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_load_text_file_refuses_an_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(
        InvalidInput, match=r"empty\.txt: expected text, found (an empty file|only whitespace)$"
    ):
        load_text_file(path, published=None)


def test_load_text_file_detects_a_non_english_language_and_keeps_the_document(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    text = "Les forces pakistanaises et afghanes ont échangé des tirs près de Torkham samedi, selon l'armée."
    path.write_text(text, encoding="utf-8")
    loaded = load_text_file(path, published=None)
    assert (loaded.language, loaded.text) == ("fr", text)


def test_load_path_reads_a_single_document_json(tmp_path: Path) -> None:
    [loaded] = load_path(write_json(tmp_path / "doc.json", document()))
    assert loaded.id == "t-1"


def test_load_path_reads_a_json_list_of_documents(tmp_path: Path) -> None:
    path = write_json(tmp_path / "docs.json", [document(id="a"), document(id="b", text=SECOND)])
    assert [loaded.id for loaded in load_path(path)] == ["a", "b"]


def test_load_path_names_the_item_that_is_wrong_in_a_list(tmp_path: Path) -> None:
    path = write_json(tmp_path / "docs.json", [document(id="a"), document(id="b", published="yesterday")])
    with pytest.raises(InvalidInput, match=r"docs\.json: item 2: published: expected a date YYYY-MM-DD"):
        load_path(path)


def test_load_path_reads_json_lines_whatever_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "docs.txt"
    path.write_text(json.dumps(document(id="a")) + "\n\n" + json.dumps(document(id="b", text=SECOND)) + "\n")
    assert [loaded.id for loaded in load_path(path)] == ["a", "b"]


def test_load_path_names_the_line_that_is_wrong_in_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(document(id="a")) + "\n" + json.dumps(document(text="")) + "\n")
    with pytest.raises(InvalidInput, match=r"docs\.jsonl: line 2: text: expected a non-empty string"):
        load_path(path)


def test_load_path_reads_plain_text_with_the_callers_date(tmp_path: Path) -> None:
    path = tmp_path / "report"
    path.write_text(REPORT, encoding="utf-8")
    [loaded] = load_path(path, published=date(2025, 10, 25))
    assert (loaded.text, loaded.published) == (REPORT, date(2025, 10, 25))


def test_load_path_recognises_html_by_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text(f"<!DOCTYPE html><html><body><article><p>{REPORT}</p></article></body></html>")
    [loaded] = load_path(path)
    assert loaded.text == REPORT


def test_load_path_reads_an_rss_file(tmp_path: Path) -> None:
    [loaded] = load_path(DATA / "feed.rss")
    assert loaded.outlet == "Test Wire"
    assert "<" not in loaded.text


def test_load_path_reads_a_pdf_by_its_magic_number(tmp_path: Path) -> None:
    path = tmp_path / "report.dat"
    path.write_bytes(build_pdf([REPORT]))
    [loaded] = load_path(path)
    assert loaded.text == REPORT


def test_load_path_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"missing\.txt: no such file$"):
        load_path(tmp_path / "missing.txt")


def test_load_path_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r": expected a file, found a directory$"):
        load_path(tmp_path)


def test_load_path_refuses_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(b"\x00\x9f\x92\x96" * 100)
    with pytest.raises(
        InvalidInput, match=r"junk\.txt: expected document JSON, .* or PDF, found binary data$"
    ):
        load_path(path)


def test_load_path_names_a_known_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    with pytest.raises(InvalidInput, match=r"photo\.jpg: expected .*, found a PNG image$"):
        load_path(path)


def test_load_path_refuses_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "data.xml"
    path.write_text('<?xml version="1.0"?><inventory><item>rifles</item></inventory>')
    with pytest.raises(
        InvalidInput, match=r"data\.xml: expected .*, found XML that is neither RSS nor Atom$"
    ):
        load_path(path)


def test_load_path_refuses_a_file_over_the_20_mb_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    line = (REPORT + "\n").encode()
    with path.open("wb") as handle:
        handle.write(line * (20_000_001 // len(line) + 1))
    with pytest.raises(InvalidInput, match=r"huge\.txt: expected at most 20 MB, found a larger file$"):
        load_path(path)


def test_load_path_takes_a_smaller_cap(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"expected at most 10 bytes"):
        load_path(path, max_bytes=10)
    assert load_path(path, max_bytes=len(REPORT))[0].text == REPORT
