"""The denoising benchmarks' pinned noise: the same noisy test image for every method, run and machine."""

import numpy as np


def noisy_copy(clean: np.ndarray, sigma: float, index: int) -> np.ndarray:
    """`clean + sigma/255 * N(0, 1)`, drawn with NumPy's generator seeded by (sigma, image index), not clipped.

    Example:
        >>> noisy = noisy_copy(set12[0], 25, 0)   # sigma in 0..255 units
    """
    rng = np.random.default_rng([int(sigma), index])
    return (clean + sigma / 255.0 * rng.standard_normal(clean.shape)).astype(np.float32)
