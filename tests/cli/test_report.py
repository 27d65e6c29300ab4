"""`truceline report`: writes the mechanism's report for a period; bad input writes nothing."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pypdf
import pytest

from tests.cli.conftest import RunCli
from tests.reports.test_compliance import add_week_of_incidents
from truceline.cli.main import main
from truceline.runtime import Runtime


def test_report_writes_the_pdf_of_a_period_and_prints_its_path(
    run_cli: RunCli, runtime: Runtime, tmp_path: Path
) -> None:
    with runtime.transaction() as session:
        add_week_of_incidents(session)
    out = tmp_path / "week.pdf"  # the format follows the file name
    result = run_cli("report", "--from", "2025-11-03", "--to", "2025-11-09", "--output", str(out))
    assert result.code == 0, result.err
    assert result.out.strip() == str(out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "2025-11-03 to 2025-11-09" in text
    assert "6 incidents involving violence" in text.replace("\n", " ")
    assert "pk-1" in text  # the mechanism's report lists the incidents


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["truceline", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return int(exit_info.value.code or 0)


def test_bad_input_is_one_line_and_writes_no_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    home = ["--home", str(tmp_path / "home"), "--database", f"sqlite:///{tmp_path / 'x.db'}"]
    bad = {
        ("--from", "2025-11-09", "--to", "2025-11-01"): (1, "expected 'from' on or before 'to'"),
        ("--from", "9/11/2025"): (1, "from: expected a date as YYYY-MM-DD"),
        ("--from", "2024-01-01", "--to", date(2025, 6, 1).isoformat()): (1, "at most 366 days"),
        ("--format", "docx"): (2, "'docx' is not one of 'html', 'pdf'"),
    }
    for args, (code, message) in bad.items():
        assert run_main(monkeypatch, *home, "report", *args, "--output", str(out)) == code
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
        if code == 1:
            assert err.count("\n") == 1
    missing = tmp_path / "no-such-folder" / "r.html"
    assert run_main(monkeypatch, *home, "report", "--output", str(missing)) == 1
    assert "expected a file in an existing folder" in capsys.readouterr().err
    assert not out.exists() and not missing.parent.exists()
    assert run_main(monkeypatch, "report", "--help") == 0
    assert "Example" in capsys.readouterr().out
