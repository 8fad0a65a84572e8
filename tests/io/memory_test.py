"""Process memory helpers: resident size, and freed heap memory handed back to the system."""

import sys

import numpy as np
import pytest

from tf_genrepair.io.memory import release_free_memory, resident_memory_mib


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
