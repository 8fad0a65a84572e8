"""Process memory: what is resident, handing freed heap memory back to the system, and capping glibc's arenas."""

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


M_ARENA_MAX = -8  # glibc's mallopt parameter number for the arena cap (MALLOC_ARENA_MAX).


@functools.cache
def _glibc(name: str):
    """The glibc function `name`, or None where the C library has none (macOS, musl)."""
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None


def release_free_memory() -> bool:
    """Returns the pages of freed heap memory to the system (glibc `malloc_trim(0)`); False where unsupported.

    glibc keeps memory that was freed inside its heaps, so a process whose allocations come and go
    in many sizes (a `tf.data` shuffle buffer refilled every epoch, requests of every image size)
    shows a resident size that creeps up although nothing is leaked (`benchmarks/training_memory.py`
    measures training runs with and without it).
    """
    trim = _glibc("malloc_trim")
    return bool(trim(0)) if trim is not None else False


def limit_malloc_arenas(count: int) -> bool:
    """Caps glibc's malloc arenas at `count`, as `MALLOC_ARENA_MAX` would; False where unsupported.

    glibc gives threads that allocate at the same time arenas of their own, up to 8 per core, and
    each keeps its own scattered partly used pages: a server decoding and restoring images on many
    threads grows with every arena it opens (`benchmarks/soak.py` measures it). Call it first,
    before threads start; arenas already opened stay.
    """
    if count < 1:
        raise ValueError(f"`count` must be at least 1. Received: count={count}")
    mallopt = _glibc("mallopt")
    return bool(mallopt(M_ARENA_MAX, count)) if mallopt is not None else False
