"""`recueil search --format`: search results as files other tools read.

CSV for a spreadsheet, JSON lines for scripts (one result a line, as the API gives it),
and the citation formats (BibTeX, CSL-JSON, RIS) for a reference manager.
"""

from __future__ import annotations

import csv
import io

from api.models import SearchResponse
from search.citation_formats import FORMATS, from_passage, passage_url
from search.engine import Hit

OUTPUTS = ("text", "json", "jsonl", "csv", *FORMATS)
CSV_COLUMNS = (
    "rank",
    "passage_id",
    "score",
    "document",
    "title",
    "event",
    "date",
    "page",
    "page_end",
    "section",
    "speaker",
    "speaker_role",
    "text",
    "citation",
    "url",
)


def to_csv(hits: list[Hit], response: SearchResponse, base_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rank, (hit, result) in enumerate(zip(hits, response.results, strict=True), 1):
        document = result.document
        writer.writerow(
            [
                rank,
                result.passage_id,
                result.score,
                document.id,
                document.title,
                document.event or "",
                document.date or "",
                result.page,
                result.page_end,
                result.section,
                result.speaker or "",
                result.speaker_role or "",
                " ".join(result.text.split()),
                result.full_citation,
                passage_url(base_url, hit.passage),
            ]
        )
    return out.getvalue()


def to_jsonl(response: SearchResponse) -> str:
    return "".join(result.model_dump_json() + "\n" for result in response.results)


def render(output: str, hits: list[Hit], response: SearchResponse, base_url: str) -> str:
    """`hits` and the `response` made of them, as `output` (one of OUTPUTS but text)."""
    if output == "json":
        return response.model_dump_json(indent=2) + "\n"
    if output == "jsonl":
        return to_jsonl(response)
    if output == "csv":
        return to_csv(hits, response, base_url)
    items = [from_passage(h.passage, h.document, base_url) for h in hits]
    return FORMATS[output].write(items)
