"""Process memory helpers: resident size, and freed heap memory handed back to the system."""

import subprocess
import sys

import numpy as np
import pytest

from tf_genrepair.io.memory import limit_malloc_arenas, release_free_memory, resident_memory_mib


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_heap_blocks_leave_the_process_only_when_released():
    blocks = [np.ones(16_384, np.float32) for _ in range(4_000)]  # 250 MiB in 64 KiB heap blocks.
    kept = blocks[::10]
    del blocks  # 9 in 10 freed, as holes between the kept ones: glibc keeps them resident.
    held = resident_memory_mib()
    assert release_free_memory()
    released = held - resident_memory_mib()
    assert released > 150, f"only {released:.0f} MiB of about 225 freed MiB left the process"
    assert all(block[0] == 1.0 for block in kept)  # The live blocks are untouched.


ARENA_COUNT = """
import ctypes, ctypes.util, sys, tempfile, threading
from tf_genrepair.io.memory import limit_malloc_arenas
if int(sys.argv[1]):
    assert limit_malloc_arenas(int(sys.argv[1]))
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype, libc.free.argtypes, libc.fopen.restype = ctypes.c_void_p, [ctypes.c_void_p], ctypes.c_void_p
def churn():  # ctypes calls let go of the GIL: the threads allocate at the same time.
    for _ in range(20_000):
        libc.free(libc.malloc(4096))
threads = [threading.Thread(target=churn) for _ in range(8)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
with tempfile.NamedTemporaryFile(suffix=".xml") as report:
    handle = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(handle))
    libc.fclose(ctypes.c_void_p(handle))
    print(open(report.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_capped_arenas_stay_at_the_cap_when_threads_allocate_at_once():
    def arenas(cap: int) -> int:
        return int(subprocess.run([sys.executable, "-c", ARENA_COUNT, str(cap)], capture_output=True, text=True, check=True).stdout)

    assert arenas(0) > 2  # Uncapped, eight busy threads open arenas of their own.
    assert arenas(2) <= 2
    with pytest.raises(ValueError, match="at least 1"):
        limit_malloc_arenas(0)
