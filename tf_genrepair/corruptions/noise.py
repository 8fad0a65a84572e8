"""Noise corruptions: every pixel is observed (mask of ones) but perturbed.

Parameters follow the intensity scale of the common-corruptions benchmarks
(Hendrycks & Dietterich 2019) on images in [0, 1].
"""

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    observed_everywhere,
    per_image,
    severity_corruption,
    sub_seed,
)


@severity_corruption({"sigma": (0.08, 0.12, 0.18, 0.26, 0.38)})
def gaussian_noise(images: tf.Tensor, seed: tf.Tensor, *, sigma: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Additive white Gaussian noise: `x + sigma * N(0, 1)`.

    Example:
        >>> damaged, mask = gaussian_noise(images, severity=3, seed=0)
    """
    noise = tf.random.stateless_normal(tf.shape(images), seed)
    return images + per_image(sigma) * noise, observed_everywhere(images)


@severity_corruption({"amount": (0.03, 0.06, 0.09, 0.17, 0.27)})
def salt_and_pepper(images: tf.Tensor, seed: tf.Tensor, *, amount: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Impulse noise: a fraction `amount` of pixel positions set to 0 or 1 (half each, all channels).

    Example:
        >>> damaged, mask = salt_and_pepper(images, severity=3, seed=0)
    """
    draw = tf.random.stateless_uniform(tf.shape(images[..., :1]), seed)
    amount = per_image(amount)
    damaged = tf.where(draw < amount / 2, 1.0, tf.where(draw < amount, 0.0, images))
    return damaged, observed_everywhere(images)


@severity_corruption({"photons": (60.0, 25.0, 12.0, 5.0, 3.0)})
def poisson_noise(images: tf.Tensor, seed: tf.Tensor, *, photons: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Shot noise: `Poisson(x * photons) / photons`, so the variance at intensity x is `x / photons`.

    Example:
        >>> damaged, mask = poisson_noise(images, severity=3, seed=0)
    """
    scale = per_image(photons)
    counts = tf.random.stateless_poisson(tf.shape(images), seed, lam=images * scale, dtype=tf.float32)
    return counts / scale, observed_everywhere(images)


@severity_corruption({"sigma": (0.15, 0.2, 0.35, 0.45, 0.6)})
def speckle_noise(images: tf.Tensor, seed: tf.Tensor, *, sigma: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Multiplicative noise: `x + x * sigma * N(0, 1)`.

    Example:
        >>> damaged, mask = speckle_noise(images, severity=3, seed=0)
    """
    noise = tf.random.stateless_normal(tf.shape(images), sub_seed(seed, 0))
    return images + images * per_image(sigma) * noise, observed_everywhere(images)
