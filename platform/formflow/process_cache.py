"""A bounded, thread-safe cache for what a process derives from versioned data.

Compiled forms, flow and automation specs, org charts, definition rows and the SQL of lists
are built once and kept while their key (a version id, a change stamp) stays the same; the
least recently used entries leave first once the cache is full. The web server answers
requests on several threads, so each look-up, its refresh of recency and each eviction happen
under the cache's lock: an ``OrderedDict`` changed by two threads at once can lose an entry
between one thread's membership test and its ``move_to_end``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ProcessCache(Generic[K, V]):
    """At most ``size`` entries, least recently used evicted first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept under ``key`` (None when absent), now the most recently used."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` under ``key`` and return it."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
