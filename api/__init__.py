"""Ways in: the `recueil` CLI, the FastAPI application and its French web page."""
