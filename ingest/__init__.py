"""Ingestion: source files → extracted text → cleaned text → passages → the SQLite store."""
