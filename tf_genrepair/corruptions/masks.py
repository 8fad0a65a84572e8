"""Missing-value corruptions: pixels where the mask is 0 are lost and set to 0."""

import math

import numpy as np
import tensorflow as tf

from tf_genrepair.corruptions.core import (
    Corruption,
    SeedLike,
    check_images,
    nearest_squared_distance,
    per_image,
    pixel_grid,
    severity_corruption,
    sub_seed,
)
from tf_genrepair.io.images import read_mask

MAX_STROKES = 5
STROKE_VERTICES = 5


def _hide(images: tf.Tensor, mask: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    return images * mask, mask


@severity_corruption({"side_fraction": (0.2, 0.3, 0.4, 0.5, 0.6)})
def box(images: tf.Tensor, seed: tf.Tensor, *, side_fraction: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """One random rectangle missing, with sides `side_fraction` of the image's, fully inside it.

    Example:
        >>> damaged, mask = box(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    box_height = tf.round(side_fraction * tf.cast(height, tf.float32))
    box_width = tf.round(side_fraction * tf.cast(width, tf.float32))
    corner = tf.random.stateless_uniform([batch, 2], seed)
    top = tf.floor(corner[:, 0] * (tf.cast(height, tf.float32) - box_height + 1))
    left = tf.floor(corner[:, 1] * (tf.cast(width, tf.float32) - box_width + 1))
    rows = tf.range(height, dtype=tf.float32)[tf.newaxis]
    cols = tf.range(width, dtype=tf.float32)[tf.newaxis]
    inside_rows = (rows >= top[:, None]) & (rows < (top + box_height)[:, None])
    inside_cols = (cols >= left[:, None]) & (cols < (left + box_width)[:, None])
    hole = inside_rows[:, :, None] & inside_cols[:, None, :]
    return _hide(images, tf.cast(~hole, tf.float32)[..., tf.newaxis])


@severity_corruption({"rate": (0.2, 0.4, 0.6, 0.8, 0.9)})
def pixel_dropout(images: tf.Tensor, seed: tf.Tensor, *, rate: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Each pixel (all its channels) missing independently with probability `rate`.

    Example:
        >>> damaged, mask = pixel_dropout(images, severity=4, seed=0)  # 80% missing
    """
    draw = tf.random.stateless_uniform(tf.shape(images[..., :1]), seed)
    return _hide(images, tf.cast(draw >= per_image(rate), tf.float32))


@severity_corruption({"strokes": (1, 2, 3, 4, 5), "width_fraction": (0.04, 0.06, 0.08, 0.11, 0.14)})
def free_form(images: tf.Tensor, seed: tf.Tensor, *, strokes: tf.Tensor, width_fraction: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Random brush strokes missing: `strokes` polylines of 4 segments, `width_fraction` of the short side wide.

    Each stroke starts at a uniform point and turns by a uniform angle at each vertex,
    every segment a uniform 15-35% of the long side (as in free-form inpainting masks,
    Yu et al. 2019).

    Example:
        >>> damaged, mask = free_form(images, severity=5, seed=0)  # thick strokes
    """
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    size = tf.cast(tf.stack([height, width]), tf.float32)
    start = tf.random.stateless_uniform([batch, MAX_STROKES, 1, 2], sub_seed(seed, 0)) * size
    angles = tf.random.stateless_uniform([batch, MAX_STROKES, STROKE_VERTICES - 1], sub_seed(seed, 1), maxval=2 * math.pi)
    lengths = tf.random.stateless_uniform([batch, MAX_STROKES, STROKE_VERTICES - 1], sub_seed(seed, 2), 0.15, 0.35)
    steps = tf.stack([tf.sin(angles), tf.cos(angles)], -1) * (lengths * tf.reduce_max(size))[..., tf.newaxis]
    vertices = tf.clip_by_value(tf.concat([start, start + tf.cumsum(steps, axis=2)], axis=2), 0.0, size)
    starts = tf.reshape(vertices[:, :, :-1], [batch, -1, 2])
    ends = tf.reshape(vertices[:, :, 1:], [batch, -1, 2])
    active = tf.range(MAX_STROKES, dtype=tf.float32)[tf.newaxis] < strokes[:, tf.newaxis]  # [B, strokes]
    active = tf.repeat(active, STROKE_VERTICES - 1, axis=1)  # [B, segments]
    distances = nearest_squared_distance(pixel_grid(height, width), starts, ends, active)
    half_width = width_fraction * tf.reduce_min(size) / 2
    hole = distances <= (half_width**2)[:, tf.newaxis]
    return _hide(images, tf.reshape(tf.cast(~hole, tf.float32), [batch, height, width, 1]))



def apply_mask(images: tf.Tensor, mask: tf.Tensor | np.ndarray | str) -> tuple[tf.Tensor, tf.Tensor]:
    """Hides the pixels where a user-supplied `mask` is 0.

    Args:
        images: float `[B, H, W, C]` or `[H, W, C]` in [0, 1].
        mask: `[H, W]`, `[H, W, 1]` or `[B, H, W, 1]` array with 1 where observed, or
            the path of a mask image (see `tf_genrepair.io.read_mask`).

    Returns:
        `(damaged, mask)` with the mask broadcast to `[B, H, W, 1]`.

    Example:
        >>> damaged, mask = apply_mask(images, "holes.png")
    """
    images, squeeze = check_images(images)
    if isinstance(mask, str):
        mask = read_mask(mask)
    mask = tf.convert_to_tensor(mask, tf.float32)
    if mask.shape.rank == 2:
        mask = mask[..., tf.newaxis]
    if mask.shape.rank == 3:
        mask = mask[tf.newaxis]
    if mask.shape.rank != 4 or mask.shape[-1] != 1 or mask.shape[1:3] != images.shape[1:3]:
        raise ValueError(
            f"`mask` must have shape [H, W], [H, W, 1] or [B, H, W, 1] matching images of shape "
            f"{images.shape}. Received: mask.shape={mask.shape}"
        )
    mask = tf.broadcast_to(mask, tf.concat([tf.shape(images)[:3], [1]], 0))
    damaged, mask = _hide(images, mask)
    return (damaged[0], mask[0]) if squeeze else (damaged, mask)


def mask_corruption(mask: np.ndarray | tf.Tensor | str) -> Corruption:
    """Wraps a fixed user mask (array or image path) as a corruption; severity and seed are ignored.

    Example:
        >>> corruption = mask_corruption("holes.png")
        >>> damaged, mask = corruption(images, severity=1, seed=0)
    """
    fixed = read_mask(mask) if isinstance(mask, str) else mask

    def user_mask(images: tf.Tensor, *, severity: int | tf.Tensor = 1, seed: SeedLike = 0) -> tuple[tf.Tensor, tf.Tensor]:
        del severity, seed  # The mask is fixed.
        return apply_mask(images, fixed)

    return user_mask
