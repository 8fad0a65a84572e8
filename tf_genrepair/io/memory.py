"""Process memory: what is resident, and handing freed heap memory back to the system."""

import ctypes
import ctypes.util
import functools
import os


def resident_memory_mib() -> float:
    """This process's resident set size now, in MiB (Linux `/proc`; elsewhere the peak so far, from `getrusage`)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@functools.cache
def _malloc_trim():
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Returns the pages of freed heap memory to the system (glibc `malloc_trim(0)`); False where unsupported.

    glibc keeps memory that was freed inside its heaps, so a process whose allocations come and go
    in many sizes (a `tf.data` shuffle buffer refilled every epoch, requests of every image size)
    shows a resident size that creeps up although nothing is leaked (`benchmarks/training_memory.py`
    measures training runs with and without it).
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
