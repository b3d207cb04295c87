"""Search: store → ranked, deduplicated, cited results (lexical, dense, hybrid)."""
