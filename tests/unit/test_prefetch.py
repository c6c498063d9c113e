"""Background prefetching keeps order and hands producer errors to the consumer."""

from collections.abc import Iterator

import pytest

from ingest.prefetch import prefetch


def test_items_arrive_in_order() -> None:
    assert list(prefetch(range(100), depth=3)) == list(range(100))


def test_producer_error_reaches_consumer_after_earlier_items() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("source failed")

    seen = []
    with pytest.raises(ValueError, match="source failed"):
        for item in prefetch(pages()):
            seen.append(item)
    assert seen == [1, 2]


def test_consumer_may_stop_early() -> None:
    iterator = prefetch(iter(range(1000)), depth=2)
    assert next(iterator) == 0
    iterator.close()
