"""More blurs: defocus (a disk), zoom and glass-like local pixel shuffling. Every pixel stays observed."""

import math

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    bilinear_sample,
    image_coordinates,
    observed_everywhere,
    pixel_grid,
    severity_corruption,
)
from tf_genrepair.corruptions.damage import blur_with_kernels

DEFOCUS_RADII = (1.0, 1.5, 2.0, 3.0, 4.0)
ZOOM_STEPS = 8


@severity_corruption({"radius": DEFOCUS_RADII})
def defocus_blur(images: tf.Tensor, seed: tf.Tensor, *, radius: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """An out-of-focus lens: convolution with an anti-aliased disk of `radius` pixels.

    Example:
        >>> damaged, mask = defocus_blur(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    half = math.ceil(max(DEFOCUS_RADII))
    side = 2 * half + 1
    rows, cols = pixel_grid(side, side)
    distance = tf.sqrt(tf.square(rows - half - 0.5) + tf.square(cols - half - 0.5))
    return blur_with_kernels(images, tf.clip_by_value(radius[:, tf.newaxis] + 0.5 - distance[tf.newaxis], 0.0, 1.0), side)


@severity_corruption({"zoom": (1.06, 1.11, 1.16, 1.21, 1.28)})
def zoom_blur(images: tf.Tensor, seed: tf.Tensor, *, zoom: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Zooming during the exposure: the mean of the image enlarged about its centre by factors from 1 to `zoom`.

    Example:
        >>> damaged, mask = zoom_blur(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    rows, cols = image_coordinates(images)
    centre_row = (tf.cast(tf.shape(images)[1], tf.float32) - 1.0) / 2.0
    centre_col = (tf.cast(tf.shape(images)[2], tf.float32) - 1.0) / 2.0
    total = tf.zeros_like(images)
    for step in range(ZOOM_STEPS):
        factor = (1.0 + (zoom - 1.0) * step / (ZOOM_STEPS - 1))[:, tf.newaxis, tf.newaxis]
        total += bilinear_sample(images, centre_row + (rows - centre_row) / factor, centre_col + (cols - centre_col) / factor)
    return total / ZOOM_STEPS, observed_everywhere(images)


@severity_corruption({"radius": (0.7, 1.0, 1.4, 1.8, 2.4)})
def glass_blur(images: tf.Tensor, seed: tf.Tensor, *, radius: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Frosted glass: every pixel read from a random point up to `radius` pixels away in each direction.

    Example:
        >>> damaged, mask = glass_blur(images, severity=3, seed=0)
    """
    rows, cols = image_coordinates(images)
    offsets = tf.random.stateless_uniform(tf.concat([tf.shape(rows), [2]], 0), seed, -1.0, 1.0) * radius[:, None, None, None]
    return bilinear_sample(images, rows + offsets[..., 0], cols + offsets[..., 1]), observed_everywhere(images)
