"""Latent codes from a seed: the one draw behind `generate()`, `sample()`, sample grids and the SavedModel `sample` signature."""

import tensorflow as tf


def latents_from_seed(num_images: int | tf.Tensor, latent_dim: int, seed: int | tf.Tensor) -> tf.Tensor:
    """Standard normal latent codes `[num_images, latent_dim]`, the same for the same seed in eager and graph mode.

    Example:
        >>> codes = latents_from_seed(16, 100, seed=0)
    """
    key = tf.stack([tf.cast(seed, tf.int32), tf.constant(0, tf.int32)])
    return tf.random.stateless_normal(tf.stack([tf.cast(num_images, tf.int32), latent_dim]), key)
