"""PDF reports as documents: the text layer read with pypdf; scans without one are refused, not OCRed."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from truceline.errors import InvalidInput
from truceline.intake.documents import build_document
from truceline.pipeline.document import SourceDocument

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_PAGES = 500  # a report longer than this is a book or a trap; both are out of scope for intake


def document_from_pdf(
    data: bytes,
    *,
    source: str = "PDF",
    url: str = "",
    published: date | None = None,
    doc_id: str | None = None,
    outlet: str = "",
    max_pages: int = MAX_PAGES,
) -> SourceDocument:
    """A SourceDocument from the text layer of a PDF; the title comes from the PDF metadata when set."""
    # Imported on use: it takes a fifth of a second, and most commands read no PDF.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not can_open_without_password(reader):
            raise InvalidInput(f"{source}: expected an unencrypted PDF, found one that needs a password")
        if len(reader.pages) > max_pages:
            raise InvalidInput(f"{source}: expected at most {max_pages} pages, found {len(reader.pages)}")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.title or "") if reader.metadata else ""
    except InvalidInput:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        NotImplementedError,
    ) as exc:
        # pypdf raises plain Python errors as well as its own on broken files; all of them mean "corrupt".
        raise InvalidInput(
            f"{source}: expected a readable PDF, found a damaged or unsupported one ({exc})"
        ) from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise InvalidInput(f"{source}: expected a PDF with a text layer, found none (a scan? OCR it first)")
    return build_document(
        text=text, published=published, doc_id=doc_id, url=url, outlet=outlet, title=title.strip()
    )


def can_open_without_password(reader: PdfReader) -> bool:
    """True for PDFs encrypted only against editing (the empty user password opens them)."""
    from pypdf.errors import DependencyError, PyPdfError

    try:
        return bool(reader.decrypt(""))
    except (
        PyPdfError,
        DependencyError,
        NotImplementedError,
    ):  # e.g. AES without the optional `cryptography` package
        return False
