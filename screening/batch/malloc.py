"""Keep the C allocator from handing image buffers back to the kernel after every page.

Screening one page allocates and frees tens of megabytes of image buffers (NumPy, OpenCV,
Tesseract). glibc's default lets its thresholds grow with the largest buffer freed, so a
worker soon reuses its own memory. Dask's nanny starts every worker with
``MALLOC_TRIM_THRESHOLD_=65536`` (``distributed.nanny.pre-spawn-environ``), and setting
any threshold by environment turns that growth off: every large buffer is then mapped,
zeroed by the kernel and unmapped again. Measured on one process screening the same
8 pages (``benchmarks/batch.py`` notes): 45,000 minor page faults and 125-140 ms of
system CPU per page with the variable, 5,000 and 23 ms without, 300 and 2 ms with the
thresholds below; RSS the same (242 MB).

The thresholds pinned here are glibc's own ceilings for its dynamic ones (an allocation
of 32 MiB or more is mapped on its own; the heap top is given back above 64 MiB), so a
worker holds at most that much freed memory more than glibc's default would.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # <malloc.h>
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024  # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit glibc
TRIM_THRESHOLD_BYTES = 2 * MMAP_THRESHOLD_BYTES  # what glibc sets with a grown mmap one


def pin_malloc_thresholds() -> bool:
    """Pin glibc's mmap and trim thresholds for this process; False where there is no
    glibc ``mallopt`` (musl, macOS), which then keeps its own allocator's behaviour."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    with contextlib.suppress(OSError):
        libc = ctypes.CDLL(name)
        mallopt = getattr(libc, "mallopt", None)
        if mallopt is None:
            return False
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt.restype = ctypes.c_int
        ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
        return mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1 and ok
    return False
