"""Per-document records beside passages: quotes, practice statements, case mentions."""
