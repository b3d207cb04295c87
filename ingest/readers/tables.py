"""A table read as a person reads it aloud: a cell under a header row says what its
column is (« Ce qui n'a pas marché : lancer la collecte sans budget »).

Read cell after cell, a table loses what its columns say: a Word table of what worked and
what did not gave advice and warnings alike, and an HTML table's <th> row was dropped. A
first row that names the columns is read into each cell of its column instead; a table
without one is read row by row, as before.
"""

from __future__ import annotations

from itertools import zip_longest

from ingest.extracted import is_list_item

# A header is a label, not a sentence: longer cells, or cells ending on a full stop,
# make the first row a row of data.
HEADER_CHARS = 80

Cell = list[str]  # a cell's lines, list items marked as such


def heads_columns(first_row: list[str], rows: int, marked: bool) -> bool:
    """Whether a table's first row names its columns: the source marks it (<th>, Word's
    header row) or, in a table of two rows and two columns at least, each of its cells is
    a short label."""
    if rows < 2 or len(first_row) < 2 or not all(first_row):
        return False
    return marked or all(
        len(cell) <= HEADER_CHARS and not cell.endswith((".", "!", "?")) for cell in first_row
    )


def headed(header: str, cell: Cell) -> Cell:
    """A cell's lines under its column's header: a single sentence as « header : … », a
    list under the header as its title."""
    header = header.rstrip(" :")
    if not header or not cell:
        return cell
    if len(cell) == 1 and not is_list_item(cell[0]):
        return [f"{header} : {cell[0]}"]
    return [f"{header} :", *cell]


def table_lines(rows: list[list[Cell]], marked: bool = False) -> list[str]:
    """A table's lines in reading order, each cell of a headed table under its header."""
    first = [" ".join(cell) for cell in rows[0]] if rows else []
    if not heads_columns(first, len(rows), marked):
        return [line for row in rows for cell in row for line in cell]
    return [
        line
        for row in rows[1:]
        for header, cell in zip_longest(first, row, fillvalue=None)
        for line in headed(header or "", cell or [])
    ]
