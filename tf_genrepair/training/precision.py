"""Numeric precision of the networks: a scoped Keras dtype policy."""

import contextlib
from typing import Iterator

import keras

PRECISIONS = ("float32", "mixed_bfloat16")


@contextlib.contextmanager
def dtype_policy(name: str) -> Iterator[None]:
    """Builds layers under the Keras dtype policy `name` inside the block, restoring the previous one after.

    `mixed_bfloat16` computes in bfloat16 and keeps float32 weights; it is fast on CPUs with
    AVX512-BF16 or AMX and on recent GPUs, and slow where bfloat16 is emulated.

    Example:
        >>> with dtype_policy("mixed_bfloat16"):
        ...     generator = dcgan_generator()
    """
    if name not in PRECISIONS:
        raise ValueError(f"Unknown precision {name!r}. Valid precisions: {', '.join(PRECISIONS)}")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)
