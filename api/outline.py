"""A document's metadata and outline, as shown by `recueil show` and GET /v1/documents/{id}."""

from __future__ import annotations

from ingest.store import DocumentRow, Store


def document_outline(store: Store, document: DocumentRow) -> dict:
    """Metadata plus one entry per section, in reading order, with page and speakers."""
    passages = store.passages(document.id)
    outline: list[dict] = []
    for passage in passages:
        if passage.kind != "text":
            continue
        if not outline or outline[-1]["path"] != passage.section:
            titles = passage.section.split(" › ") if passage.section else ["(début)"]
            outline.append(
                {
                    "path": passage.section,
                    "title": titles[-1],
                    "depth": len(titles) - 1,
                    "page": passage.page_start,
                    "first_passage": passage.id,
                    "passages": 0,
                    "speakers": [],
                }
            )
        entry = outline[-1]
        entry["passages"] += 1
        if passage.speaker and passage.speaker not in entry["speakers"]:
            entry["speakers"].append(passage.speaker)
    return {
        "id": document.id,
        "file": document.file,
        "title": document.title,
        "event": document.event,
        "date": document.date,
        "place": document.place,
        "kind": document.kind,
        "url": document.url,
        "pages": document.page_count,
        "passages": sum(1 for p in passages if p.kind == "text"),
        "notes": sum(1 for p in passages if p.kind == "note"),
        "ingested_at": document.ingested_at,
        "outline": outline,
    }
