"""Build a judged query set from blind questions and pooled judgments.

`python eval/build_hard.py` builds eval/hard_queries.jsonl from eval/hard/;
`python eval/build_hard.py holdout` builds eval/holdout_queries.jsonl from eval/holdout/,
the set written after the blind set had been used to choose ranking changes
(eval/holdout/WRITING.md: from section headings only, by a writer who saw neither the
passages nor the earlier sets).

The questions (eval/hard/questions.jsonl) were written from section headings and the
programmes' lists of people, without reading the passages (issue #11). Each was then run
through BM25, dense and hybrid search; the pooled top results, shuffled and without their
method, were graded 0/1/2 by judges who copied the excerpt that carries the relevance
(eval/hard/JUDGING.md, eval/hard/judgments.jsonl). A gold item is that excerpt, so the set
survives a change in how passages are cut. Questions of kind "none" have no gold: they
must get no result. A question whose pool held no relevant passage is left out (listed).
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "corpus"


def main(name: str = "hard") -> None:
    files = {p.stem: p.name for p in CORPUS.glob("*") if p.suffix != ".json"}
    questions = [json.loads(line) for line in (HERE / name / "questions.jsonl").open()]
    gold: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (HERE / name / "judgments.jsonl").open():
        judged = json.loads(line)
        if judged["grade"] > 0:
            document = judged["cid"].rsplit(":", 1)[0]
            key = (files[document], judged["excerpt"])
            spans = gold[judged["qid"]]
            spans[key] = max(spans.get(key, 0), judged["grade"])
    written, left_out = 0, []
    with (HERE / f"{name}_queries.jsonl").open("w", encoding="utf-8") as out:
        for question in questions:
            items = [
                {"file": file, "span": span, "grade": grade}
                for (file, span), grade in gold.get(question["id"], {}).items()
            ]
            if not items and question["kind"] != "none":
                left_out.append(question["id"])
                continue
            row = {"id": question["id"], "kind": question["kind"], "query": question["query"]}
            out.write(json.dumps({**row, "gold": items}, ensure_ascii=False) + "\n")
            written += 1
    print(f"{written} queries; left out (no relevant passage in the pool): {left_out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
