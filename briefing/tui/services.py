"""Services the app holds for the whole session and hands to the screens that use them."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from briefing.core.model import Annotation, Listing

if TYPE_CHECKING:
    from briefing.core.search.index import Hit, SearchIndex
    from briefing.store.facade import Store


class ThreadedIndex:
    """The library's search (:meth:`Store.search_index`) searched from threads, one at a time.

    The app owns one for the session and hands it to every search screen. The index is not
    thread-safe, and a cancelled thread worker still runs to its end: the lock keeps a stale
    search and the fresh one apart. Opened on the first search: the briefings' text is read
    from the shared search file, never loaded whole, so start-up pays for none of it.
    """

    def __init__(self, store: Store, briefings: Mapping[str, Listing]) -> None:
        """``briefings``: the library index (:meth:`Store.library`) when the index was made:
        titles and sections by slug."""
        self.briefings = briefings
        self._store = store
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._notes: tuple[Annotation, ...] | None = None

    def built_from(self, briefings: Mapping[str, Listing]) -> bool:
        """Whether ``briefings`` is the very library index this was made from: the store
        hands out the same one until the library file changes, so another one means the
        library was re-imported."""
        return briefings is self.briefings

    def search(self, query: str, notes: tuple[Annotation, ...], **options: Any) -> list[Hit]:
        """Hits for ``query`` (see ``SearchIndex.search`` for ``options``) among ``notes``;
        the notes part of the index is rebuilt when they changed since the last search."""
        with self._lock:
            if self._index is None:
                self._index = self._store.search_index(annotations=())
            if notes != self._notes:
                self._index.set_annotations(notes)
                self._notes = notes
            return self._index.search(query, **options)
