"""Image quality: PSNR and SSIM, as functions and as streaming Keras metrics.

Conventions, pinned for every number this project reports:
- PSNR and SSIM compare images in [0, 1] with peak (data range) `max_val=1.0`; the
  prediction is clipped to [0, max_val] first, the reference is not. Each is computed
  per image over all pixels and channels, then averaged over images. PSNR of an
  exact match is capped at 100 dB (MSE floored at 1e-10) so averages stay finite.
- SSIM is Wang et al. (2004): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03,
  mean over the valid window positions and channels.
"""

from typing import Callable

import keras
import tensorflow as tf

PSNR_CAP_MSE = 1e-10


def psnr(reference: tf.Tensor, prediction: tf.Tensor, *, max_val: float = 1.0) -> tf.Tensor:
    """Per-image peak signal-to-noise ratio in dB.

    Args:
        reference: Clean images `[B, H, W, C]` in [0, max_val].
        prediction: Images to score, same shape; clipped to [0, max_val].
        max_val: The peak value (data range).

    Returns:
        `[B]` PSNR values, `10 log10(max_val^2 / MSE)`.

    Example:
        >>> psnr(clean, restored).numpy().mean()
    """
    reference = tf.cast(reference, tf.float32)
    prediction = tf.clip_by_value(tf.cast(prediction, tf.float32), 0.0, max_val)
    mse = tf.reduce_mean(tf.square(reference - prediction), axis=[1, 2, 3])
    return 10.0 * tf.math.log(max_val**2 / tf.maximum(mse, PSNR_CAP_MSE)) / tf.math.log(10.0)


def ssim(reference: tf.Tensor, prediction: tf.Tensor, *, max_val: float = 1.0) -> tf.Tensor:
    """Per-image structural similarity (Wang et al. 2004), prediction clipped to [0, max_val].

    Images must be at least 11x11.

    Example:
        >>> ssim(clean, restored).numpy().mean()
    """
    reference = tf.cast(reference, tf.float32)
    prediction = tf.clip_by_value(tf.cast(prediction, tf.float32), 0.0, max_val)
    return tf.image.ssim(reference, prediction, max_val=max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03)


class _PerImageMean(keras.metrics.Metric):
    """Streaming mean of a per-image score over every image seen (not a mean of batch means)."""

    score_function: Callable[..., tf.Tensor]

    def __init__(self, *, max_val: float = 1.0, name: str, dtype: str | None = None) -> None:
        super().__init__(name=name, dtype=dtype)
        # === Config ===
        self.max_val = max_val
        # === State ===
        self.total = self.add_variable(shape=(), initializer="zeros", name="total", dtype="float64")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count", dtype="float64")

    def update_state(self, y_true: tf.Tensor, y_pred: tf.Tensor, sample_weight: tf.Tensor | None = None) -> None:
        scores = tf.cast(type(self).score_function(y_true, y_pred, max_val=self.max_val), tf.float64)
        weights = tf.ones_like(scores) if sample_weight is None else tf.cast(tf.reshape(sample_weight, [-1]), tf.float64)
        self.total.assign_add(tf.reduce_sum(scores * weights))
        self.count.assign_add(tf.reduce_sum(weights))

    def result(self) -> tf.Tensor:
        return tf.cast(tf.math.divide_no_nan(self.total, self.count), self.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_val": self.max_val}


@keras.saving.register_keras_serializable(package="tf_genrepair")
class PSNR(_PerImageMean):
    """Streaming mean PSNR in dB over images; see the module docstring for the convention.

    Example:
        >>> metric = PSNR()
        >>> metric.update_state(clean, restored)
        >>> float(metric.result())
    """

    score_function = staticmethod(psnr)

    def __init__(self, *, max_val: float = 1.0, name: str = "psnr", dtype: str | None = None) -> None:
        super().__init__(max_val=max_val, name=name, dtype=dtype)


@keras.saving.register_keras_serializable(package="tf_genrepair")
class SSIM(_PerImageMean):
    """Streaming mean SSIM over images; see the module docstring for the convention.

    Example:
        >>> model.compile(optimizer="adam", loss="mae", metrics=[PSNR(), SSIM()])
    """

    score_function = staticmethod(ssim)

    def __init__(self, *, max_val: float = 1.0, name: str = "ssim", dtype: str | None = None) -> None:
        super().__init__(max_val=max_val, name=name, dtype=dtype)
