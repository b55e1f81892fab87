"""The process cache: bounded, least recently used out first, safe across threads."""

from __future__ import annotations

import threading

from formflow.process_cache import ProcessCache


def test_the_least_recently_used_entry_leaves_first() -> None:
    cache: ProcessCache[str, int] = ProcessCache(2)
    assert cache.put("a", 1) == 1
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_threads_reading_and_filling_one_small_cache_never_fail() -> None:
    cache: ProcessCache[int, int] = ProcessCache(4)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(5_000):
                key = (n + offset) % 9
                if cache.get(key) is None:
                    cache.put(key, key)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) == 4
