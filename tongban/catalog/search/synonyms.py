"""The synonym list search reads (``SearchSynonym``, edited in the admin), cached.

The parsed list is kept in Django's cache (shared by every process in production) under
the catalogue generation (``tongban.core.generations``): saving or deleting a synonym
moves the generation (``signals.py``), so every process reads the new list at once.
"""

from __future__ import annotations

from django.core.cache import cache

from tongban.catalog.models import SearchSynonym
from tongban.catalog.search.text import Synonym, make_synonyms
from tongban.core import generations

GENERATION = "catalogue"
CACHE_TIMEOUT = 24 * 3600


def load_synonyms() -> tuple[Synonym, ...]:
    """Every synonym from the table, parsed (one query)."""
    return make_synonyms(SearchSynonym.objects.values_list("term", "expands_to"))


def current_synonyms() -> tuple[Synonym, ...]:
    """The synonym list for this catalogue generation: one primary-key read when cached."""
    key = f"catalog.search.synonyms.{generations.current(GENERATION)}"
    synonyms: tuple[Synonym, ...] | None = cache.get(key)
    if synonyms is None:
        synonyms = load_synonyms()
        cache.set(key, synonyms, CACHE_TIMEOUT)
    return synonyms
