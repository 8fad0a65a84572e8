"""Lighting and contrast corruptions: brightness, contrast, gamma, haze, vignetting and uneven illumination.

Every pixel stays observed (mask of ones); what changes is how light maps to pixel values,
as in faded scans, photos taken in haze or bad light, and cheap lenses.
"""

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    image_coordinates,
    observed_everywhere,
    per_image,
    severity_corruption,
    smooth_field,
    sub_seed,
)


def _random_sign(seed: tf.Tensor, count: tf.Tensor) -> tf.Tensor:
    """+1 or -1 per image, `[B]`."""
    return tf.where(tf.random.stateless_uniform([count], seed) < 0.5, -1.0, 1.0)


@severity_corruption({"shift": (0.1, 0.2, 0.3, 0.4, 0.5)})
def brightness(images: tf.Tensor, seed: tf.Tensor, *, shift: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Every pixel lighter by `shift` (over-exposure; the darkest tones rise, the brightest saturate).

    Example:
        >>> damaged, mask = brightness(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    return images + per_image(shift), observed_everywhere(images)


@severity_corruption({"factor": (0.4, 0.3, 0.2, 0.1, 0.05)})
def contrast(images: tf.Tensor, seed: tf.Tensor, *, factor: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Contrast reduced to `factor` around each image's mean (a faded scan).

    Example:
        >>> damaged, mask = contrast(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return mean + (images - mean) * per_image(factor), observed_everywhere(images)


@severity_corruption({"exponent": (1.5, 2.0, 2.5, 3.2, 4.0)})
def gamma(images: tf.Tensor, seed: tf.Tensor, *, exponent: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """A wrong tone curve: `x ** exponent` or `x ** (1 / exponent)`, the direction drawn per image.

    Example:
        >>> damaged, mask = gamma(images, severity=3, seed=0)
    """
    power = tf.pow(exponent, _random_sign(seed, tf.shape(exponent)[0]))
    return tf.pow(tf.maximum(images, 1e-6), per_image(power)), observed_everywhere(images)


@severity_corruption({"transmission": (0.75, 0.6, 0.45, 0.35, 0.25)})
def haze(images: tf.Tensor, seed: tf.Tensor, *, transmission: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """A bright, uneven veil: `x * t + airlight * (1 - t)` with the transmission `t` varying smoothly around `transmission`.

    The atmospheric scattering model (Koschmieder); the airlight is drawn in [0.8, 1] per image
    and the transmission map is a smooth random field within 20% of the severity's value.

    Example:
        >>> damaged, mask = haze(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    field = smooth_field(sub_seed(seed, 0), shape[0], shape[1], shape[2])
    transmission_map = tf.clip_by_value(per_image(transmission) * (0.8 + 0.4 * field), 0.05, 1.0)
    airlight = per_image(tf.random.stateless_uniform([shape[0]], sub_seed(seed, 1), 0.8, 1.0))
    return images * transmission_map + airlight * (1.0 - transmission_map), observed_everywhere(images)


@severity_corruption({"strength": (0.3, 0.45, 0.6, 0.75, 0.9)})
def vignetting(images: tf.Tensor, seed: tf.Tensor, *, strength: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Corners darkened: gain `1 - strength * (r / r_max)^2` around a centre drawn within 15% of the middle.

    Example:
        >>> damaged, mask = vignetting(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    size = tf.cast(shape[1:3], tf.float32)
    centre = (0.5 + tf.random.stateless_uniform([shape[0], 2], seed, -0.15, 0.15)) * size
    rows, cols = image_coordinates(images)
    distance = tf.square(rows - centre[:, 0, None, None]) + tf.square(cols - centre[:, 1, None, None])
    farthest = tf.reduce_max(distance, axis=[1, 2], keepdims=True)
    gain = 1.0 - strength[:, None, None] * distance / farthest
    return images * gain[..., tf.newaxis], observed_everywhere(images)


@severity_corruption({"strength": (0.3, 0.45, 0.6, 0.75, 0.9)})
def uneven_illumination(images: tf.Tensor, seed: tf.Tensor, *, strength: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Light falling unevenly: gain `1 - strength * f` with `f` a smooth random field plus a random linear gradient, in [0, 1].

    Example:
        >>> damaged, mask = uneven_illumination(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    field = smooth_field(sub_seed(seed, 0), shape[0], shape[1], shape[2], cells=3)
    rows, cols = image_coordinates(images)
    direction = tf.random.stateless_uniform([shape[0], 2], sub_seed(seed, 1), -1.0, 1.0)
    size = tf.cast(shape[1:3], tf.float32)
    ramp = direction[:, 0, None, None] * rows / size[0] + direction[:, 1, None, None] * cols / size[1]
    ramp = ramp - tf.reduce_min(ramp, axis=[1, 2], keepdims=True)
    ramp = ramp / tf.maximum(tf.reduce_max(ramp, axis=[1, 2], keepdims=True), 1e-6)
    shade = 0.5 * field + 0.5 * ramp[..., tf.newaxis]
    return images * (1.0 - per_image(strength) * shade), observed_everywhere(images)
