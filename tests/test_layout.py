"""The layout rule import-linter cannot state (docs/architecture.md): no module under src/ over 500 lines."""

from __future__ import annotations

from pathlib import Path

import truceline

MAX_LINES = 500
PACKAGE = Path(truceline.__file__).parent


def test_no_module_is_longer_than_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines (split them along a seam): {long}"
