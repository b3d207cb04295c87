"""The store's implementations: one module per backend, each the only one to know its schema.

`ingest.store` holds the interface they implement and `open_store`, which picks one.
"""
