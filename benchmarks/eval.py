"""`make eval`: extract and cluster every dev article, score whole-set and cross-validated.

Reads ../shared/eval-dev at run time (its texts are never copied into the repository) and scores with the
dev set's own scorers (`score.py`, `score_incidents.py`). Prints, for extraction and for clustering:

- the whole set (58 texts);
- each fold on its own: A = `000`-`040` (Oct-Dec 2025), B = `B001`-`B042` (2021-2025);
- the two-fold cross-validated figure: the extractor's tunable settings (`truceline.pipeline.tuning`) are
  chosen on one fold by a small grid search and scored on the other, both ways; the figure is the mean of
  the two held-out scores. The rules and lexicons themselves are written from general reporting
  conventions, never from these texts (`../shared/tools/dev-overlap` checks it), so the per-fold figures
  with the default settings are held-out figures too.

A gap of more than 0.10 F1 between the whole-set and the cross-validated figure means the method is still
fitted to texts. `--quick` skips the grid search (defaults only). `--verbose` prints per-article counts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from truceline.incidents.clustering import cluster_claims
from truceline.incidents.rules import build_incident
from truceline.incidents.values import SourceInfo
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extract import RulesExtractor
from truceline.pipeline.tuning import DEFAULT_TUNING, TUNING_GRID, Tuning

REPO = Path(__file__).resolve().parent.parent
EVAL_DEV = REPO.parent / "shared" / "eval-dev"
OUT = REPO / "eval-out"
SCENARIO_ID = "af-pk-2025"
TODAY = datetime.now(UTC).date()  # every dev article has its publication date; this stands in for none
FOLDS = {"A (000-040)": lambda stem: not stem.startswith("B"), "B (B001-B042)": lambda s: s.startswith("B")}


def load_context() -> ExtractionContext:
    from truceline.scenarios import load_scenario

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


def write_predictions(
    articles: Iterable[Path], *, context: ExtractionContext, pred_dir: Path, tuning: Tuning = DEFAULT_TUNING
) -> dict[str, list[ClaimValue]]:
    """Extract each article into pred_dir/NNN.jsonl (what `truceline extract --format jsonl` prints)."""
    pred_dir.mkdir(parents=True, exist_ok=True)
    extractor = RulesExtractor(tuning=tuning)
    out: dict[str, list[ClaimValue]] = {}
    for path in articles:
        claims = extractor.extract(read_document(path), context, today=TODAY)
        lines = [json.dumps(claim.to_json(), ensure_ascii=False) for claim in claims]
        (pred_dir / f"{path.stem}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        out[path.stem] = claims
    return out


def _sources(articles: Iterable[Path]) -> dict[str, SourceInfo]:
    out = {}
    for path in articles:
        data = json.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = SourceInfo(
            outlet=str(data.get("outlet") or ""),
            url=str(data.get("url") or ""),
            text=str(data.get("text") or ""),
        )
    return out


@dataclass
class Scores:
    extraction: dict[str, Any]
    incidents: dict[str, Any]

    @property
    def f1(self) -> float:
        return float(self.extraction["f1"])


def score_subset(stems: list[str], pred_dir: Path, claims: dict[str, list[ClaimValue]], work: Path) -> Scores:
    """Score the articles `stems` only: a gold folder of just those, incidents restricted to them."""
    gold = work / "gold"
    if gold.exists():
        shutil.rmtree(gold)
    gold.mkdir(parents=True)
    for stem in stems:
        (gold / f"{stem}.json").symlink_to(EVAL_DEV / "gold" / f"{stem}.json")
    keep = set(stems)
    incidents = json.loads((EVAL_DEV / "gold" / "incidents.json").read_text(encoding="utf-8"))
    restricted = [
        {**inc, "members": [m for m in inc.get("members", []) if m.rsplit("-", 1)[0] in keep]}
        for inc in incidents
    ]
    (gold / "incidents.json").write_text(json.dumps(restricted), encoding="utf-8")
    subset_claims = [c for stem in stems for c in claims.get(stem, [])]
    sources = _sources(EVAL_DEV / "articles" / f"{stem}.json" for stem in stems)
    by_claim = {c.id: sources[c.document_id] for c in subset_claims}
    clusters = cluster_claims(subset_claims, sources=by_claim)
    predicted = [build_incident(cluster, sources=by_claim) for cluster in clusters]
    inc_path = work / "incidents.jsonl"
    inc_path.write_text("".join(json.dumps(i.to_json()) + "\n" for i in predicted), encoding="utf-8")
    extraction = _run(["score.py", "--gold", gold, "--pred", pred_dir], work / "extraction.json")
    clustered = _run(
        ["score_incidents.py", "--gold", gold, "--claims", pred_dir, "--incidents", inc_path],
        work / "incidents.json",
    )
    return Scores(extraction, clustered)


def _run(args: list[Any], json_out: Path) -> dict[str, Any]:
    command = [sys.executable, str(EVAL_DEV / args[0]), *map(str, args[1:]), "--json", str(json_out)]
    subprocess.run(command, check=True, capture_output=True)
    return dict(json.loads(json_out.read_text(encoding="utf-8")))


def _line(name: str, s: Scores) -> str:
    e, i = s.extraction, s.incidents
    return (
        f"{name:<26} F1 {e['f1']:.3f} (P {e['precision']:.3f} R {e['recall']:.3f}, "
        f"{e['matched']}/{e['gold_events']} gold, {e['pred_events']} pred)  "
        f"incidents B3 {i['bcubed_f1']:.3f} pair {i['pair_f1']:.3f}"
    )


def _attributes(s: Scores) -> str:
    acc = s.extraction["attribute_accuracy_on_matched"]
    return "  ".join(f"{k} {v:.2f}" for k, v in acc.items())


def run(articles: list[Path], context: ExtractionContext, tuning: Tuning, work: Path) -> dict[str, Scores]:
    pred_dir = work / "pred"
    if pred_dir.exists():
        shutil.rmtree(pred_dir)
    claims = write_predictions(articles, context=context, pred_dir=pred_dir, tuning=tuning)
    stems = [p.stem for p in articles]
    out = {"whole set": score_subset(stems, pred_dir, claims, work / "whole")}
    for name, member in FOLDS.items():
        out[name] = score_subset([s for s in stems if member(s)], pred_dir, claims, work / name[0])
    return out


def cross_validate(articles: list[Path], context: ExtractionContext, work: Path) -> list[str]:
    """Two folds: pick the tuning with the best F1 on one, score it on the other."""
    grid = [
        replace(DEFAULT_TUNING, **dict(zip(TUNING_GRID, values, strict=True)))
        for values in itertools.product(*TUNING_GRID.values())
    ]
    results = [run(articles, context, tuning, work / f"grid{n}") for n, tuning in enumerate(grid)]
    names = list(FOLDS)
    lines = []
    held_out = []
    for tune_on, score_on in (names, names[::-1]):
        best = max(range(len(grid)), key=lambda n: results[n][tune_on].f1)
        scores = results[best][score_on]
        held_out.append(scores)
        chosen = {k: getattr(grid[best], k) for k in TUNING_GRID}
        lines.append(f"tuned on {tune_on}, scored on {score_on}: {chosen}")
        lines.append("  " + _line(score_on, scores))
    lines.append(_pooled(held_out))
    return lines


def _pooled(held_out: list[Scores]) -> str:
    """The held-out folds as one set: extraction counts added up; B-cubed weighted by aligned events;
    pair F1 from the pair counts of each fold (gold pairs never cross folds: the periods differ)."""
    matched = sum(s.extraction["matched"] for s in held_out)
    gold = sum(s.extraction["gold_events"] for s in held_out)
    pred = sum(s.extraction["pred_events"] for s in held_out)
    p, r = (matched / pred if pred else 0.0), (matched / gold if gold else 0.0)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    aligned = [int(s.incidents["aligned"]) for s in held_out]
    b3 = sum(s.incidents["bcubed_f1"] * n for s, n in zip(held_out, aligned, strict=True)) / max(
        sum(aligned), 1
    )
    pair = sum(s.incidents["pair_f1"] * s.incidents["gold_pairs_among_aligned"] for s in held_out) / max(
        sum(s.incidents["gold_pairs_among_aligned"] for s in held_out), 1
    )
    weights = [int(s.extraction["matched"]) for s in held_out]
    names = held_out[0].extraction["attribute_accuracy_on_matched"]
    attributes = {
        k: sum(
            s.extraction["attribute_accuracy_on_matched"][k] * n
            for s, n in zip(held_out, weights, strict=True)
        )
        / max(sum(weights), 1)
        for k in names
    }  # each fold's accuracy weighted by its matched pairs (location: nearly, it counts pairs with a point)
    return (
        f"cross-validated (held-out folds pooled): F1 {f1:.3f} (P {p:.3f} R {r:.3f})  "
        f"incidents B3 {b3:.3f} pair {pair:.3f}\n"
        "attributes on matched pairs (held-out folds pooled): "
        + "  ".join(f"{k} {v:.2f}" for k, v in attributes.items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="default settings only; no grid search")
    parser.add_argument("--verbose", action="store_true", help="per-article counts for the whole set")
    args = parser.parse_args(argv)
    articles = sorted((EVAL_DEV / "articles").glob("*.json"))
    if not articles:
        print(f"eval: no dev articles at {EVAL_DEV}/articles (expected ../shared/eval-dev next to the repo)")
        return 2
    context = load_context()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scores = run(articles, context, DEFAULT_TUNING, work / "default")
        keep = OUT / "pred"
        if keep.exists():
            shutil.rmtree(keep)
        shutil.copytree(work / "default" / "pred", keep)
        print(f"eval on {len(articles)} dev articles, default settings (predictions in eval-out/pred)")
        for name, s in scores.items():
            print(_line(name, s))
        print("attributes on matched pairs (whole set): " + _attributes(scores["whole set"]))
        if args.verbose:
            for stem, row in scores["whole set"].extraction["per_article"].items():
                print(f"  {stem}: gold {row['gold']} pred {row['pred']} matched {row['matched']}")
        if not args.quick:
            print()
            for line in cross_validate(articles, context, work):
                print(line)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
