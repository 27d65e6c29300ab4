"""HTML fragments to plain text."""

from __future__ import annotations

from truceline.intake.markup import strip_html


def test_strip_html_keeps_text_and_decodes_entities() -> None:
    assert (
        strip_html("<p>Shells &amp; rockets <b>landed</b>&nbsp;near Chaman.</p>")
        == "Shells & rockets landed near Chaman."
    )


def test_strip_html_drops_scripts_and_styles() -> None:
    assert strip_html("<style>p{}</style><p>Calm.</p><script>alert(1)</script>") == "Calm."


def test_strip_html_separates_paragraphs() -> None:
    assert strip_html("<p>First.</p><p>Second.</p>") == "First.\n\nSecond."


def test_strip_html_leaves_plain_text_alone() -> None:
    assert strip_html("No markup here.") == "No markup here."
