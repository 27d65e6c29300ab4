"""PDF reports as documents: the text layer, and the PDFs we refuse."""

from __future__ import annotations

from datetime import date

import pytest

from tests.intake.pdfs import build_pdf, encrypt_pdf
from truceline.errors import InvalidInput
from truceline.intake.pdf import document_from_pdf

REPORT = "Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said."
SECOND = "The crossing (Torkham) was closed for several hours."


def test_document_from_pdf_reads_the_text_layer_and_title() -> None:
    loaded = document_from_pdf(
        build_pdf([REPORT, SECOND], title="Border report"), published=date(2025, 10, 25)
    )
    assert loaded.text == f"{REPORT}\n{SECOND}"
    assert (loaded.title, loaded.published, loaded.language) == ("Border report", date(2025, 10, 25), "en")


def test_document_from_pdf_gives_the_same_pdf_the_same_id() -> None:
    assert document_from_pdf(build_pdf([REPORT])).id == document_from_pdf(build_pdf([REPORT])).id


def test_document_from_pdf_refuses_an_encrypted_pdf() -> None:
    with pytest.raises(
        InvalidInput, match=r"^report\.pdf: expected an unencrypted PDF, found one that needs a password$"
    ):
        document_from_pdf(encrypt_pdf(build_pdf([REPORT]), user_password="secret"), source="report.pdf")


def test_document_from_pdf_refuses_a_pdf_without_a_text_layer() -> None:
    with pytest.raises(InvalidInput, match=r"expected a PDF with a text layer, found none"):
        document_from_pdf(build_pdf([]))


@pytest.mark.parametrize("data", [b"%PDF-1.4 this is not a PDF body", build_pdf([REPORT])[:200], b""])
def test_document_from_pdf_refuses_a_corrupt_pdf(data: bytes) -> None:
    with pytest.raises(InvalidInput, match=r"expected a readable PDF, found a damaged or unsupported one"):
        document_from_pdf(data)


def test_document_from_pdf_refuses_too_many_pages() -> None:
    with pytest.raises(InvalidInput, match=r"expected at most 0 pages, found 1"):
        document_from_pdf(build_pdf([REPORT]), max_pages=0)
