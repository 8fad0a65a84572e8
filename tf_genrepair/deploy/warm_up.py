"""Warm-up: run a restorer once on every input shape that bucketed requests can reach.

TensorFlow and oneDNN build (and keep) state the first time a network sees an input shape. With
shape bucketing (`SIZE_LADDER`) those shapes are few, but a server meeting them one by one keeps
growing until the rarest has arrived. Warming up pays that once at start, so memory stays flat
from the first request and no request waits for a new shape's set-up.
"""

from typing import Sequence

import numpy as np

from tf_genrepair.deploy.file_tools import restore_image
from tf_genrepair.models.restorer_inputs import SIZE_LADDER, bucketed_size


def warm_up_sides(tile_size: int, size_ladder: Sequence[int]) -> tuple[int, ...]:
    """Image sides that, paired in every way, reach each shape `restore_image` can give the network.

    One side per bucket a side up to `tile_size` is padded to (the largest side in that bucket), and
    one side over `tile_size` when the tiles' side is not itself a bucket.

    Example:
        >>> warm_up_sides(512, (32, 64, 128, 256, 512, 1024))
        (32, 64, 128, 256, 512)
    """
    largest_by_bucket = {bucketed_size(side, size_ladder): side for side in range(1, tile_size + 1)}
    sides = set(largest_by_bucket.values())
    if bucketed_size(tile_size, size_ladder) != tile_size:
        sides.add(tile_size + 1)
    return tuple(sorted(sides))


def warm_up(restorer, *, tile_size: int = 512, size_ladder: Sequence[int] | None = SIZE_LADDER) -> int:
    """Restores a blank image of each side pair of `warm_up_sides`, as `restore_image` would; returns how many.

    Call it on the thread that will restore later: oneDNN keeps its per-shape state per thread.

    Example:
        >>> warm_up(Restorer.from_preset("denoise_gray"))
        25
    """
    if size_ladder is None:
        raise ValueError("Warm-up needs a size ladder: without bucketing every image size is a new shape.")
    sides = warm_up_sides(tile_size, size_ladder)
    noise_levels = 0.1 if restorer.noise_level_input else None
    for height in sides:
        for width in sides:
            blank = np.full((height, width, restorer.channels), 0.5, np.float32)
            restore_image(restorer, blank, noise_levels=noise_levels, tile_size=tile_size, size_ladder=size_ladder)
    return len(sides) ** 2
