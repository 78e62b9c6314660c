"""Heap trimming: really calls malloc_trim where glibc has it, and is skipped where it is absent."""

from __future__ import annotations

import ctypes
import platform

import pytest

from tsdash.ui import housekeeping


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is a glibc function")
def test_trimming_gives_free_heap_back_on_glibc():
    trim = housekeeping.heap_trimmer()
    assert trim is not None

    def rss_kb() -> int:
        with open("/proc/self/status") as status:
            line = next(s for s in status if s.startswith("VmRSS:"))
        return int(line.split()[1])

    # 64 MB in 8 kB chunks (below the mmap threshold: they live in malloc's heap), then every
    # other chunk freed: 32 MB free in the middle of the heap, which malloc keeps by itself
    chunks = [ctypes.create_string_buffer(8192) for _ in range(8192)]
    for chunk in chunks:
        ctypes.memset(chunk, 1, 8192)  # touch every page
    del chunks[::2]
    before = rss_kb()
    trim()
    after = rss_kb()
    del chunks
    assert before - after > 8 * 1024, (before, after)


def test_no_malloc_trim_means_nothing_to_do(monkeypatch):
    class NoTrim:  # a C library without malloc_trim (macOS, musl)
        def __init__(self, name):
            pass

    monkeypatch.setattr(housekeeping.ctypes, "CDLL", NoTrim)
    assert housekeeping.heap_trimmer() is None

    def missing(name):
        raise OSError("no C library")

    monkeypatch.setattr(housekeeping.ctypes, "CDLL", missing)
    assert housekeeping.heap_trimmer() is None
