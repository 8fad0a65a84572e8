"""Quantisation: too few grey levels (posterize) and bits cut off (bit depth). Every pixel stays observed."""

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    observed_everywhere,
    per_image,
    severity_corruption,
)


@severity_corruption({"levels": (12.0, 8.0, 6.0, 4.0, 3.0)})
def posterize(images: tf.Tensor, seed: tf.Tensor, *, levels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Each value rounded to the nearest of `levels` evenly spaced levels in [0, 1] (banding in smooth areas).

    Example:
        >>> damaged, mask = posterize(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    steps = per_image(levels) - 1.0
    return tf.round(images * steps) / steps, observed_everywhere(images)


@severity_corruption({"bits": (5.0, 4.0, 3.0, 2.0, 1.0)})
def bit_depth(images: tf.Tensor, seed: tf.Tensor, *, bits: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The low bits of 8-bit pixels dropped, keeping `bits` (as PIL's posterize does): values fall to the level below.

    Example:
        >>> damaged, mask = bit_depth(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    levels = tf.pow(2.0, per_image(bits))
    pixels = tf.round(images * 255.0)
    kept = tf.floor(pixels / 256.0 * levels) * (256.0 / levels)
    return kept / 255.0, observed_everywhere(images)
