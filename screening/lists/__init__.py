"""Lost and stolen travel-document lists (Interpol SLTD model): store, import and matching.

Layers inside the package (lower never import higher)::

    model, normalize, candidates, validation, hashing   pure: records, rules, keys
    feeds                                               streaming CSV / JSON readers
    store, sqlite_store, postgres_store                 the ListStore and its backends
    importer                                            feed -> validated rows -> store
    screen                                              one document -> findings

``open_store(url)`` picks the backend from the URL (``sqlite:///path`` or
``postgresql://...``); ``screen_document`` is what the scan pipeline calls.
"""

from screening.lists.model import (
    ListMatch,
    ListRecord,
    ListScreening,
    ListVersion,
    Status,
)
from screening.lists.screen import open_lists_for_screening, screen_document
from screening.lists.store import ListStore, open_store

__all__ = [
    "ListMatch",
    "ListRecord",
    "ListScreening",
    "ListStore",
    "ListVersion",
    "Status",
    "open_lists_for_screening",
    "open_store",
    "screen_document",
]
