"""Start-up cost of the CLI: `truceline extract` on one article, cold (fresh home) and warm, and `--help`.

Runs each command in a fresh process, as a user does, and prints wall seconds, CPU seconds (user + system,
which grow less than wall time when other processes compete for the cores), peak resident memory, and the
load average before and after. Cold = a new TRUCELINE_HOME, so the gazetteer's index is built and stored;
warm = the same home again. The budgets (issue 14): extract <= 2 s and <= 400 MiB, --help <= 0.5 s.

    .venv/bin/python benchmarks/cli_start.py                       # a short article written for this
    .venv/bin/python benchmarks/cli_start.py article.txt --runs 5  # any text file
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLE = (
    "Mortar rounds landed in a market village outside Chaman on Friday evening, a district official\n"
    "told reporters, and two shopkeepers were hurt. Residents blamed gunners posted across the line.\n"
    "The Kabul administration denied any part in it and said its envoys would travel to Doha next week.\n"
)
PUBLISHED = "2025-10-25"


def timed(command: list[str], *, home: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of `command` in a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, env={**os.environ, "TRUCELINE_HOME": str(home)}
    )
    _, status, usage = os.wait4(process.pid, 0)  # this child's own usage, not the sum of all children
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} exited with {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def report(label: str, figures: tuple[float, float, float]) -> None:
    wall, cpu, rss = figures
    print(f"{label:<18} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {rss:6.0f} MiB peak")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, help="a plain-text article (default: a short one)")
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each command")
    args = parser.parse_args()
    truceline = [sys.executable, "-m", "truceline"]
    with tempfile.TemporaryDirectory(prefix="truceline-cli-") as folder:
        article = args.article or Path(folder) / "article.txt"
        if args.article is None:
            article.write_text(ARTICLE, encoding="utf-8")
        extract = [*truceline, "extract", str(article), "--published", PUBLISHED]
        home = Path(folder) / "home"
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        report("help (cold)", timed([*truceline, "--help"], home=home))
        report("extract (cold)", timed(extract, home=home))
        for n in range(1, args.runs + 1):
            report(f"extract (warm {n})", timed(extract, home=home))
        for n in range(1, args.runs + 1):
            report(f"help (warm {n})", timed([*truceline, "--help"], home=home))
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
