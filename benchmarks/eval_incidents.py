"""Extract every dev article, cluster the claims into incidents and score them with the dev incident scorer.

Reads ../shared/eval-dev at run time (its texts are never copied into the repository), writes
eval-out/incidents-pred/NNN.jsonl (claims) and eval-out/incidents.jsonl (one incident per line with its
"claims"), then runs `score_incidents.py` and prints its output. `--claims DIR` clusters claims already
extracted into DIR instead of extracting again.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from truceline.incidents.clustering import cluster_claims
from truceline.incidents.rules import build_incident
from truceline.incidents.values import SourceInfo
from truceline.pipeline.claims import Claim

REPO = Path(__file__).resolve().parent.parent
EVAL_DEV = REPO.parent / "shared" / "eval-dev"
OUT = REPO / "eval-out"
SCENARIO_ID = "af-pk-2025"


def extract_all(articles: list[Path], pred_dir: Path) -> None:
    # Imported here: `--claims` runs without the extractor (and without loading spaCy).
    from eval import load_context, write_predictions  # type: ignore[import-not-found,unused-ignore]

    write_predictions(articles, context=load_context(), pred_dir=pred_dir)


def read_claims(pred_dir: Path) -> list[Claim]:
    claims = []
    for path in sorted(pred_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                claims.append(Claim.from_json(json.loads(line)))
    return claims


def read_sources(articles: list[Path], claims: list[Claim]) -> dict[str, SourceInfo]:
    documents = {}
    for path in articles:
        data = json.loads(path.read_text(encoding="utf-8"))
        documents[path.stem] = SourceInfo(
            outlet=str(data.get("outlet") or ""),
            url=str(data.get("url") or ""),
            text=str(data.get("text") or ""),
        )
    return {c.id: documents[c.document_id] for c in claims if c.document_id in documents}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--claims", type=Path, help="cluster the claims in this folder; do not extract")
    args = parser.parse_args(argv)
    articles = sorted((EVAL_DEV / "articles").glob("*.json"))
    if not articles:
        print(f"eval_incidents: no dev articles at {EVAL_DEV}/articles", file=sys.stderr)
        return 2
    pred_dir: Path = args.claims or OUT / "incidents-pred"
    if args.claims is None:
        sys.path.insert(0, str(REPO / "benchmarks"))
        started = time.perf_counter()
        extract_all(articles, pred_dir)
        print(f"extracted {len(articles)} articles in {time.perf_counter() - started:.1f} s into {pred_dir}")
    claims = read_claims(pred_dir)
    sources = read_sources(articles, claims)
    started = time.perf_counter()
    clusters = cluster_claims(claims, sources=sources)
    incidents = [build_incident(cluster, sources=sources) for cluster in clusters]
    elapsed = time.perf_counter() - started
    out = OUT / "incidents.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "".join(json.dumps(i.to_json(), ensure_ascii=False) + "\n" for i in incidents), encoding="utf-8"
    )
    multi = sum(1 for i in incidents if len(i.claim_ids) > 1)
    print(
        f"{len(claims)} claims -> {len(incidents)} incidents ({multi} with several claims) in {elapsed:.2f} s"
    )
    score = [
        sys.executable,
        str(EVAL_DEV / "score_incidents.py"),
        "--gold",
        str(EVAL_DEV / "gold"),
        "--claims",
        str(pred_dir),
        "--incidents",
        str(out),
    ]
    return subprocess.run(score, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
