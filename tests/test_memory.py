import psutil
import pytest

from watcher import memory


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


@pytest.mark.skipif(memory._TRIM is None, reason="the C library has no malloc_trim")
def test_freed_heap_memory_goes_back_to_the_os() -> None:
    # 1 KB blocks come from malloc's heap, not from Python's own arenas; the last one stays alive and
    # pins the heap top, so only an explicit trim can hand the freed pages below it back.
    blocks = [bytes(1000) + i.to_bytes(4, "little") for i in range(150_000)]
    keep = blocks[-1]
    del blocks
    before = _rss_mb()
    memory.release_free_memory()
    assert before - _rss_mb() > 100
    assert keep[-4:] == (149_999).to_bytes(4, "little")
