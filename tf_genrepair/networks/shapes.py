"""Shape checks shared by the networks."""

from typing import Sequence


def check_divisible_by_4(image_shape: Sequence[int]) -> None:
    """Raises unless `image_shape` is (H, W, C) with H and W divisible by 4 (two stride-2 stages)."""
    if len(image_shape) != 3 or image_shape[0] % 4 or image_shape[1] % 4:
        raise ValueError(f"`image_shape` must be (H, W, C) with H and W divisible by 4. Received: image_shape={tuple(image_shape)}")
