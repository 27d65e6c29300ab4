from pathlib import Path

from truceline.cli.reference import render_reference


def test_the_cli_reference_in_docs_is_current() -> None:
    committed = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render_reference(), "run `make docs` to regenerate docs/cli.md"
