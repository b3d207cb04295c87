"""A document's metadata and outline, as shown by `recueil show` and GET /v1/documents/{id}."""

from __future__ import annotations

from ingest.kinds import NOT_SEARCHED
from ingest.store import DocumentRow, Store


def document_outline(store: Store, document: DocumentRow) -> dict:
    """Metadata plus one entry per section, in reading order, with page and speakers."""
    passages = store.passages(document.id)
    outline: list[dict] = []
    open_path: list[str] = []  # the titles of the entries the last passage stands under
    for passage in passages:
        if passage.kind == "note":
            continue
        titles = passage.section.split(" › ") if passage.section else ["(début)"]
        if titles != open_path:
            # Parents without a passage of their own ("MISE EN DEBAT" above its first
            # sub-heading) still show, once, where their part begins.
            shared = next(
                (i for i, (a, b) in enumerate(zip(titles, open_path, strict=False)) if a != b),
                min(len(titles), len(open_path)),
            )
            if shared == len(titles):
                shared -= 1  # back to a parent: it shows again where it resumes
            for depth in range(shared, len(titles)):
                outline.append(
                    {
                        "path": " › ".join(titles[: depth + 1]),
                        "title": titles[depth],
                        "depth": depth,
                        "page": passage.page_start,
                        "first_passage": passage.id,
                        "passages": 0,
                        "speakers": [],
                    }
                )
            open_path = titles
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
        # Counted as everywhere (stats, the documents list): the passages search reads.
        "passages": sum(1 for p in passages if p.kind not in NOT_SEARCHED),
        "notes": sum(1 for p in passages if p.kind == "note"),
        "ingested_at": document.ingested_at,
        "outline": outline,
    }
