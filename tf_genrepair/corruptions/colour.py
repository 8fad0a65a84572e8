"""Colour corruptions for RGB images: colour casts and saturation shifts. Grayscale images pass through unchanged."""

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    observed_everywhere,
    per_image,
    severity_corruption,
    sub_seed,
)

LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601, as tf.image.rgb_to_grayscale.


@severity_corruption({"strength": (0.1, 0.2, 0.3, 0.4, 0.5)})
def colour_cast(images: tf.Tensor, seed: tf.Tensor, *, strength: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """A tint (wrong white balance): per-channel gains `1 + strength * u`, `u` a random direction drawn per image.

    Example:
        >>> damaged, mask = colour_cast(images, severity=3, seed=0)
    """
    if images.shape[-1] != 3:
        return images, observed_everywhere(images)
    direction = tf.random.stateless_normal(tf.stack([tf.shape(images)[0], 3]), sub_seed(seed, 0))
    direction = direction / tf.maximum(tf.norm(direction, axis=-1, keepdims=True), 1e-6)
    gains = 1.0 + strength[:, tf.newaxis] * direction
    return images * gains[:, tf.newaxis, tf.newaxis, :], observed_everywhere(images)


@severity_corruption({"change": (0.3, 0.5, 0.7, 0.85, 1.0)})
def saturation(images: tf.Tensor, seed: tf.Tensor, *, change: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Colours washed out (saturation `1 - change`) or overdone (`1 + 2 * change`), the direction drawn per image.

    Example:
        >>> damaged, mask = saturation(images, severity=3, seed=0)
    """
    if images.shape[-1] != 3:
        return images, observed_everywhere(images)
    luma = tf.reduce_sum(images * tf.constant(LUMA), axis=-1, keepdims=True)
    washed = tf.random.stateless_uniform([tf.shape(images)[0]], seed) < 0.5
    factor = tf.where(washed, 1.0 - change, 1.0 + 2.0 * change)
    return luma + (images - luma) * per_image(factor), observed_everywhere(images)
