"""Chinese full-text search over the catalogue (placeholder: replaced by the search module).

Interface used by services, portal and API:
- ``reindex_items(ids)``: rebuild the index rows of these items (published or not).
- ``search_items(query, *, limit, offset) -> SearchResult``: ranked published items.
"""
