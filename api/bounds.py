"""How long a text a person types may be: one limit for the API and the CLI alike.

A question, a name or words to look up fit in a few lines; a case an editor describes in
a few paragraphs. Past that it is a pasted document, which `ingest` is for: the limits
keep a query's cost bounded (its embedding grows with its length) and say so plainly.
"""

from __future__ import annotations

QUESTION_CHARS = 2000  # /v1/search, /v1/answer, /v1/quotes… and their commands
DESCRIPTION_CHARS = 5000  # /v1/similar's text, a case page's description
