"""Generative-prior restoration: find the latent code whose image agrees with what was observed.

Given a trained generator `G` (a GAN generator or a VAE decoder from this library) and a
known damage operator `A` (a mask, blur or downsampling), restoration solves

    z* = argmin_z  sum_pixels mask * (A(G(z)) - y)^2 / (2 sigma^2)  +  prior_weight * ||z||^2 / 2

by gradient descent from several starting codes (restarts, one of them the VAE encoder's
mean when there is an encoder) and keeps the best per image: a MAP estimate under the
standard-normal latent prior and Gaussian observation noise of standard deviation sigma
(Bora et al. 2017, "Compressed sensing using generative models"). No retraining per corruption.
"""

from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.models import VAE, GenerativeModel, latents_from_seed

Operator = Callable[[tf.Tensor], tf.Tensor]
OBSERVATION_SIGMA = 0.1  # Default noise standard deviation of the observation model (in [0, 1] units).
ADAM_BETA_1, ADAM_BETA_2 = 0.9, 0.999


def gaussian_blur_operator(sigma: float, *, radius: int | None = None) -> Operator:
    """A known Gaussian blur `A` (zero padding), as a function on `[B, H, W, C]` batches."""
    radius = radius or max(1, int(round(3 * sigma)))
    offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
    weights = tf.exp(-0.5 * tf.square(offsets / sigma))
    weights = weights / tf.reduce_sum(weights)
    kernel = weights[:, tf.newaxis] * weights[tf.newaxis, :]

    def blur(images: tf.Tensor) -> tf.Tensor:
        channels = images.shape[-1]
        depthwise = tf.tile(kernel[:, :, tf.newaxis, tf.newaxis], [1, 1, channels, 1])
        return tf.nn.depthwise_conv2d(images, depthwise, [1, 1, 1, 1], "SAME")

    return blur


def downsample_operator(factor: int) -> Operator:
    """Average pooling by `factor` followed by nearest upsampling back to the input size."""

    def downsample(images: tf.Tensor) -> tf.Tensor:
        pooled = tf.nn.avg_pool2d(images, factor, factor, "VALID")
        return tf.repeat(tf.repeat(pooled, factor, axis=1), factor, axis=2)

    return downsample


class GenerativePriorRestorer:
    """Restores damaged images with a trained generator as the prior; same call signature as a `Restorer`.

    Args:
        model: A trained unconditional `GAN` (EMA generator used when present) or `VAE`.
        steps: Adam steps per restart.
        restarts: Starting codes per image (the first is the VAE encoder's mean for a VAE).
        learning_rate: Adam learning rate on the latent codes.
        prior_weight: Weight of `||z||^2 / 2` (1 is the MAP estimate).
        operator: The known damage `A` applied before comparing with the observation
            (None: identity, for missing pixels and noise).
        keep_observed: Copy observed pixels into the result (inpainting).
        seed: Seed of the random restarts.

    Example:
        >>> prior = GenerativePriorRestorer(keras.saving.load_model("workdirs/vae_mnist/model.keras"))
        >>> restored = prior.restore(damaged, mask)
    """

    def __init__(
        self,
        model: keras.Model,
        *,
        steps: int = 200,
        restarts: int = 4,
        learning_rate: float = 0.05,
        prior_weight: float = 1.0,
        operator: Operator | None = None,
        keep_observed: bool = True,
        seed: int = 0,
    ) -> None:
        if steps < 1 or restarts < 1:
            raise ValueError(f"`steps` and `restarts` must be >= 1. Received: steps={steps}, restarts={restarts}")
        if not isinstance(model, GenerativeModel) or model.conditional:
            raise ValueError(f"`model` must be an unconditional GAN or VAE from tf_genrepair. Received: {type(model).__name__}")
        self.model = model
        self.latent_dim = model.latent_dim
        self.steps = steps
        self.restarts = restarts
        self.learning_rate = learning_rate
        self.prior_weight = prior_weight
        self.operator = operator or (lambda images: images)
        self.keep_observed = keep_observed
        self.seed = seed

    def _decode(self, latents: tf.Tensor) -> tf.Tensor:
        return self.model.decode_latents(latents, None)

    def _initial_latents(self, observed: tf.Tensor, batch: int) -> tf.Tensor:
        latents = tf.reshape(latents_from_seed(self.restarts * batch, self.latent_dim, self.seed), [self.restarts, batch, self.latent_dim])
        if isinstance(self.model, VAE):
            encoded = tf.cast(self.model.encoder(observed, training=False), tf.float32)[:, : self.latent_dim]
            latents = tf.concat([encoded[tf.newaxis], latents[1:]], axis=0)
        return tf.reshape(latents, [-1, self.latent_dim])

    def _energy(self, latents: tf.Tensor, observation: tf.Tensor, weights: tf.Tensor, sigma: tf.Tensor) -> tf.Tensor:
        """Per-code negative log posterior (up to a constant)."""
        residual = weights * (self.operator(self._decode(latents)) - observation)
        data = tf.reduce_sum(tf.square(residual), axis=[1, 2, 3]) / (2.0 * sigma**2)
        return data + self.prior_weight * 0.5 * tf.reduce_sum(tf.square(latents), axis=1)

    @tf.function(reduce_retracing=True)
    def _optimise(self, damaged: tf.Tensor, mask: tf.Tensor, sigma: tf.Tensor) -> tf.Tensor:
        """Adam on every restart of every image at once (written out: no variables, so it retraces freely)."""
        batch = tf.shape(damaged)[0]
        observation = tf.tile(damaged, [self.restarts, 1, 1, 1])
        weights = tf.tile(mask, [self.restarts, 1, 1, 1])
        latents = self._initial_latents(damaged, batch)
        first_moment, second_moment = tf.zeros_like(latents), tf.zeros_like(latents)
        for step in tf.range(1, self.steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(latents)
                loss = tf.reduce_sum(self._energy(latents, observation, weights, sigma))
            gradient = tape.gradient(loss, latents)
            first_moment = ADAM_BETA_1 * first_moment + (1.0 - ADAM_BETA_1) * gradient
            second_moment = ADAM_BETA_2 * second_moment + (1.0 - ADAM_BETA_2) * tf.square(gradient)
            count = tf.cast(step, tf.float32)
            corrected_first = first_moment / (1.0 - ADAM_BETA_1**count)
            corrected_second = second_moment / (1.0 - ADAM_BETA_2**count)
            latents = latents - self.learning_rate * corrected_first / (tf.sqrt(corrected_second) + 1e-8)
        energies = tf.reshape(self._energy(latents, observation, weights, sigma), [self.restarts, batch])
        best = tf.argmin(energies, axis=0, output_type=tf.int32)
        codes = tf.reshape(latents, [self.restarts, batch, self.latent_dim])
        return self._decode(tf.gather_nd(codes, tf.stack([best, tf.range(batch)], axis=1)))

    def restore(
        self, images: np.ndarray, masks: np.ndarray | None = None, *, noise_levels: float | None = None, batch_size: int = 256
    ) -> np.ndarray:
        """Restores `[N, H, W, C]` images of the generator's size; returns them clipped to [0, 1].

        Args:
            images: Damaged images in [0, 1].
            masks: `[N, H, W, 1]`, 1 where observed (default: all observed).
            noise_levels: Observation noise standard deviation, one value (default 0.1).
            batch_size: Images optimised together.

        Example:
            >>> restored = prior.restore(damaged, mask)
        """
        damaged, mask = np.asarray(images, np.float32), masks
        expected = tuple(self._decode(tf.zeros([1, self.latent_dim])).shape[1:])
        if damaged.ndim != 4 or damaged.shape[1:] != expected:
            raise ValueError(f"`images` must be [N, {', '.join(map(str, expected))}] (the generator's size). Received: shape={damaged.shape}")
        mask = np.ones(damaged.shape[:3] + (1,), np.float32) if mask is None else np.asarray(mask, np.float32)
        if mask.shape != damaged.shape[:3] + (1,):
            raise ValueError(f"`masks` must have shape {damaged.shape[:3] + (1,)}. Received: shape={mask.shape}")
        sigma = tf.constant(noise_levels or OBSERVATION_SIGMA, tf.float32)
        restored = []
        progress = keras.utils.Progbar(len(damaged), verbose=1 if len(damaged) > batch_size else 0)
        for start in range(0, len(damaged), batch_size):
            images, masks = damaged[start : start + batch_size], mask[start : start + batch_size]
            generated = self._optimise(tf.constant(images), tf.constant(masks), sigma).numpy()
            restored.append(masks * images + (1.0 - masks) * generated if self.keep_observed else generated)
            progress.update(min(start + batch_size, len(damaged)))
        return np.clip(np.concatenate(restored), 0.0, 1.0)
