"""`recueil search --format` and `recueil quotes --format`: results as files other tools read.

CSV for a spreadsheet, JSON lines for scripts (one result a line, as the API gives it),
and the citation formats (BibTeX, CSL-JSON, RIS) for a reference manager.
"""

from __future__ import annotations

import csv
import io

from api.models import QuotesResponse, SearchResponse
from search.citation_formats import FORMATS, from_passage, from_quote, passage_url
from search.engine import Hit
from search.knowledge.index import QuoteHit

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


QUOTE_CSV_COLUMNS = (
    "rank",
    "quote_id",
    "speaker",
    "role",
    "text",
    "speech",
    "method",
    "document",
    "title",
    "event",
    "date",
    "page",
    "passage_id",
    "citation",
    "url",
)


def _csv(header: tuple[str, ...], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def to_csv(hits: list[Hit], response: SearchResponse, base_url: str) -> str:
    rows = []
    for rank, (hit, result) in enumerate(zip(hits, response.results, strict=True), 1):
        document = result.document
        rows.append(
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
    return _csv(CSV_COLUMNS, rows)


def quotes_to_csv(hits: list[QuoteHit], response: QuotesResponse, base_url: str) -> str:
    rows = [
        [
            rank,
            quote.id,
            quote.speaker,
            quote.role or "",
            " ".join(quote.text.split()),
            quote.speech,
            quote.method,
            quote.document.id,
            quote.document.title,
            quote.document.event or "",
            quote.document.date or "",
            quote.page,
            quote.passage_id,
            quote.citation,
            passage_url(base_url, hit.passage, (hit.record["start"], hit.record["end"])),
        ]
        for rank, (hit, quote) in enumerate(zip(hits, response.results, strict=True), 1)
    ]
    return _csv(QUOTE_CSV_COLUMNS, rows)


def to_jsonl(response: SearchResponse | QuotesResponse) -> str:
    return "".join(result.model_dump_json() + "\n" for result in response.results)


def _as_data(output: str, response: SearchResponse | QuotesResponse) -> str | None:
    """JSON and JSON lines, the same for every kind of result; None for other formats."""
    if output == "json":
        return response.model_dump_json(indent=2) + "\n"
    if output == "jsonl":
        return to_jsonl(response)
    return None


def render(output: str, hits: list[Hit], response: SearchResponse, base_url: str) -> str:
    """`hits` and the `response` made of them, as `output` (one of OUTPUTS but text)."""
    data = _as_data(output, response)
    if data is not None:
        return data
    if output == "csv":
        return to_csv(hits, response, base_url)
    items = [from_passage(h.passage, h.document, base_url) for h in hits]
    return FORMATS[output].write(items)


def render_quotes(
    output: str, hits: list[QuoteHit], response: QuotesResponse, base_url: str
) -> str:
    """Quotes as `output` (one of OUTPUTS but text): a reference manager gets each quote as
    the speaker's speech, on its page, as `/v1/export` gives it."""
    data = _as_data(output, response)
    if data is not None:
        return data
    if output == "csv":
        return quotes_to_csv(hits, response, base_url)
    items = [from_quote(h.record, h.passage, h.document, base_url) for h in hits]
    return FORMATS[output].write(items)
