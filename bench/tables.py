"""Markdown tables, as docs/BENCHMARKS.md shows the benchmarks' results, and the command
line the benchmarks share."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def bench_main(
    doc: str, run: Callable[[], dict], markdown: Callable[[dict], str], out: Path
) -> None:
    """Run a benchmark, save its JSON to `out`, print its table (or the JSON, `--json`)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    result = run()
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2) if args.json else markdown(result))
