"""Extract claims from every dev article and score them with the dev set's own scorer (`make eval`).

Reads ../shared/eval-dev (never copied into the repository), writes eval-out/pred/NNN.jsonl, then runs
`score.py --verbose` and prints its output. Later stages (clustering) add a step after `write_predictions`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extract import extract_claims

REPO = Path(__file__).resolve().parent.parent
EVAL_DEV = REPO.parent / "shared" / "eval-dev"
OUT = REPO / "eval-out"
SCENARIO_ID = "af-pk-2025"


def load_context() -> ExtractionContext:
    """The scenario's context; without the scenario package, world places and rules aliases only."""
    try:
        from truceline.scenarios import load_scenario
    except ImportError:
        print("warning: truceline.scenarios not available; evaluating without the gazetteer", file=sys.stderr)
        return ExtractionContext.from_parts(scenario_id=SCENARIO_ID)
    return ExtractionContext.from_scenario(load_scenario(SCENARIO_ID))


def read_document(path: Path) -> SourceDocument:
    data = json.loads(path.read_text(encoding="utf-8"))
    published = data.get("published")
    return SourceDocument(
        id=path.stem,
        text=data.get("text", ""),
        published=date.fromisoformat(published) if published else None,
        title=data.get("title", ""),
        url=data.get("url", ""),
        outlet=data.get("outlet", ""),
    )


def write_predictions(articles: list[Path], *, context: ExtractionContext, pred_dir: Path) -> int:
    pred_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in articles:
        claims = extract_claims(read_document(path), context=context)
        lines = [json.dumps(claim.to_json(), ensure_ascii=False) for claim in claims]
        (pred_dir / f"{path.stem}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        total += len(claims)
    return total


def main() -> int:
    articles = sorted((EVAL_DEV / "articles").glob("*.json"))
    if not articles:
        print(f"eval: no dev articles at {EVAL_DEV}/articles (expected ../shared/eval-dev next to the repo)")
        return 2
    context = load_context()
    pred_dir = OUT / "pred"
    total = write_predictions(articles, context=context, pred_dir=pred_dir)
    print(f"extracted {total} claims from {len(articles)} articles into {pred_dir.relative_to(REPO)}")
    score = [
        sys.executable,
        str(EVAL_DEV / "score.py"),
        "--gold",
        str(EVAL_DEV / "gold"),
        "--pred",
        str(pred_dir),
    ]
    return subprocess.run([*score, "--verbose"], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
