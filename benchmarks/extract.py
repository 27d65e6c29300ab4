"""Extraction speed: articles/s of the whole pipeline over the dev articles, against bare tokenization.

Repeats the dev articles until at least `--seconds` of work (default 30), in one process, then prints
articles/s of `extract_claims`, articles/s of the same spaCy pipeline's tokenizer alone, their ratio, and
the peak resident memory (resource.getrusage).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval import EVAL_DEV, load_context, read_document

from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extractors import extract_claims
from truceline.pipeline.nlp import load_nlp


def rate(work: list[SourceDocument], run: object, *, seconds: float) -> float:
    """Articles per second of `run(doc)` over `work`, repeated until `seconds` have passed."""
    assert callable(run)
    done = 0
    start = time.perf_counter()
    while True:
        for doc in work:
            run(doc)
        done += len(work)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="minimum seconds of work per measurement")
    args = parser.parse_args()
    paths = sorted((EVAL_DEV / "articles").glob("*.json"))
    if not paths:
        print(f"bench: no dev articles at {EVAL_DEV}/articles")
        return 2
    docs = [read_document(path) for path in paths]
    context = load_context()
    nlp = load_nlp()
    today = datetime.now(UTC).date()
    extract_claims(docs[0], context=context, today=today)  # load the model and build the matchers, untimed
    pipeline_rate = rate(
        docs, lambda doc: extract_claims(doc, context=context, today=today), seconds=args.seconds
    )
    tokenize_rate = rate(docs, lambda doc: nlp.tokenizer(doc.text), seconds=args.seconds / 3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {len(docs)} dev articles, {sum(len(d.text) for d in docs)} characters, repeated")
    print(f"spaCy pipeline: {nlp.meta.get('name', 'blank')} {nlp.pipe_names}")
    print(f"extract_claims:     {pipeline_rate:8.1f} articles/s")
    print(f"tokenization only:  {tokenize_rate:8.1f} articles/s")
    print(f"ratio:              {tokenize_rate / pipeline_rate:8.1f}x slower than tokenizing")
    print(f"peak memory:        {peak_mb:8.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
