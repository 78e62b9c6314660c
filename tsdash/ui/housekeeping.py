"""Process memory for a dashboard left open all day: the gc's settings, and free heap given back.

Two facts shape it. Rendering makes a steady stream of short-lived cyclic garbage, which the
default gc thresholds promote to the oldest generation and free in slow full collections. And
glibc's malloc keeps the memory freed in the middle of its heap (every replaced table cell, every
superseded order row) for reuse instead of returning it to the system, so the resident size creeps
up by megabytes an hour even when what is in use stays flat. ``malloc_trim(0)`` hands those free
pages back; it costs well under a millisecond, so the app calls it once a minute.
"""

from __future__ import annotations

import ctypes
import gc
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

#: seconds between two heap trims
TRIM_INTERVAL = 60.0


def tune_gc() -> None:
    """Call once everything long-lived is loaded (the app's first mount)."""
    # Everything loaded so far (Textual, Rich, the widgets: ~60k objects) lives as long as the
    # process: keep the gc's full collections from walking it again and again.
    gc.freeze()
    # Rendering makes ~20k objects/s of cyclic garbage that lives a frame or two; with the
    # default (700, 10, 10) it reaches the oldest generation and is freed in 50-150 ms full
    # collections (visible stutter). A larger first threshold lets it die young, in collections
    # of a few ms.
    gc.set_threshold(5000, 10, 10)


def heap_trimmer() -> Callable[[], None] | None:
    """A function returning malloc's free pages to the system, or None where the C library has
    no ``malloc_trim`` (macOS, musl): there is nothing to do there."""
    try:
        # the symbols already loaded into the process (the C library among them): no search
        # for a library file, which would start a subprocess
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def trim_heap() -> None:
        trim(0)

    return trim_heap
