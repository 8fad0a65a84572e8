"""Occluders drawn over the picture: ink blots and spatter, dotted or zig-zag pen lines, stripes.

Unlike the missing-value corruptions, nobody tells the restorer where they are: every pixel
counts as observed (mask of ones), as on a real scan.
"""

import math

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    image_coordinates,
    nearest_squared_distance,
    observed_everywhere,
    per_image,
    pixel_grid,
    severity_corruption,
    sub_seed,
)

MAX_BLOTS = 6
SPATTER_PER_BLOT = 4
MAX_PEN_LINES = 3
PEN_VERTICES = 5


def _ink(images: tf.Tensor, alpha: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """`images` covered by `alpha` `[B, H, W, 1]` of an ink whose grey level (and colour) is drawn per image."""
    shape = tf.shape(images)
    level = tf.random.stateless_uniform(tf.stack([shape[0], 1, 1, shape[3]]), seed)
    return images * (1.0 - alpha) + level * alpha


@severity_corruption({"count": (1, 2, 3, 4, 6)})
def blots(images: tf.Tensor, seed: tf.Tensor, *, count: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """`count` round blots (radius 4-10% of the short side), each with a spatter of four small drops around it.

    Example:
        >>> damaged, mask = blots(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    batch = shape[0]
    size = tf.cast(shape[1:3], tf.float32)
    short = tf.reduce_min(size)
    centres = tf.random.stateless_uniform([batch, MAX_BLOTS, 1, 2], sub_seed(seed, 0)) * size
    drops = centres + tf.random.stateless_normal([batch, MAX_BLOTS, SPATTER_PER_BLOT, 2], sub_seed(seed, 1)) * 0.12 * short
    radii = tf.random.stateless_uniform([batch, MAX_BLOTS, 1], sub_seed(seed, 2), 0.04, 0.10) * short
    drop_radii = radii * tf.random.stateless_uniform([batch, MAX_BLOTS, SPATTER_PER_BLOT], sub_seed(seed, 3), 0.15, 0.35)
    centres = tf.reshape(tf.concat([centres, drops], axis=2), [batch, -1, 2])
    radii = tf.reshape(tf.concat([radii, drop_radii], axis=2), [batch, -1])
    active = tf.repeat(tf.range(MAX_BLOTS, dtype=tf.float32)[tf.newaxis] < count[:, tf.newaxis], 1 + SPATTER_PER_BLOT, axis=1)
    rows, cols = pixel_grid(shape[1], shape[2])  # Each disk has its own radius: distances to every centre, [B, P, disks].
    distance = tf.sqrt(
        tf.square(rows[tf.newaxis, :, tf.newaxis] - centres[:, tf.newaxis, :, 0]) + tf.square(cols[tf.newaxis, :, tf.newaxis] - centres[:, tf.newaxis, :, 1])
    )
    coverage = tf.clip_by_value(radii[:, tf.newaxis] + 0.5 - distance, 0.0, 1.0) * tf.cast(active, tf.float32)[:, tf.newaxis]
    alpha = tf.reshape(tf.reduce_max(coverage, axis=-1), [batch, shape[1], shape[2], 1])
    return _ink(images, alpha, sub_seed(seed, 4)), observed_everywhere(images)


@severity_corruption({"lines": (1, 1, 2, 2, 3), "width": (1.0, 1.5, 2.0, 2.5, 3.0)})
def pen_lines(images: tf.Tensor, seed: tf.Tensor, *, lines: tf.Tensor, width: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """`lines` zig-zag pen strokes `width` pixels wide across the image, solid or dotted (drawn per line), in a random ink.

    Example:
        >>> damaged, mask = pen_lines(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    batch, height, width_pixels = shape[0], shape[1], shape[2]
    size = tf.cast(shape[1:3], tf.float32)
    vertices = tf.random.stateless_uniform([batch, MAX_PEN_LINES, PEN_VERTICES, 2], sub_seed(seed, 0)) * size
    starts = tf.reshape(vertices[:, :, :-1], [batch, -1, 2])
    ends = tf.reshape(vertices[:, :, 1:], [batch, -1, 2])
    active = tf.repeat(tf.range(MAX_PEN_LINES, dtype=tf.float32)[tf.newaxis] < lines[:, tf.newaxis], PEN_VERTICES - 1, axis=1)
    nearest = nearest_squared_distance(pixel_grid(height, width_pixels), starts, ends, active)
    alpha = tf.reshape(tf.clip_by_value(width[:, tf.newaxis] / 2 + 0.5 - tf.sqrt(nearest), 0.0, 1.0), [batch, height, width_pixels, 1])
    rows, cols = image_coordinates(images)
    period = tf.random.stateless_uniform([batch, 1, 1], sub_seed(seed, 1), 3.0, 6.0)
    dots = tf.cast(tf.sin(2.0 * math.pi * (rows + cols) / period) > 0.0, tf.float32)
    dotted = tf.random.stateless_uniform([batch, 1, 1], sub_seed(seed, 2)) < 0.5
    alpha = alpha * tf.where(dotted, dots, 1.0)[..., tf.newaxis]
    return _ink(images, alpha, sub_seed(seed, 3)), observed_everywhere(images)


@severity_corruption({"amplitude": (0.1, 0.2, 0.3, 0.4, 0.5)})
def stripes(images: tf.Tensor, seed: tf.Tensor, *, amplitude: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Periodic bands (a scanner's or printer's banding): `+- amplitude` in stripes 3-8 pixels wide, horizontal or vertical.

    Example:
        >>> damaged, mask = stripes(images, severity=3, seed=0)
    """
    batch = tf.shape(images)[0]
    rows, cols = image_coordinates(images)
    horizontal = tf.random.stateless_uniform([batch, 1, 1], sub_seed(seed, 0)) < 0.5
    position = tf.where(horizontal, rows, cols)
    period = tf.random.stateless_uniform([batch, 1, 1], sub_seed(seed, 1), 6.0, 16.0)
    phase = tf.random.stateless_uniform([batch, 1, 1], sub_seed(seed, 2), 0.0, 2.0 * math.pi)
    bands = tf.where(tf.sin(2.0 * math.pi * position / period + phase) > 0.0, 1.0, -1.0)
    return images + per_image(amplitude) * bands[..., tf.newaxis], observed_everywhere(images)
