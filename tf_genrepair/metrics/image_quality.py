"""Image quality: PSNR and SSIM, as functions and as streaming Keras metrics.

Conventions, pinned for every number this project reports:
- PSNR and SSIM compare images in [0, 1] with peak (data range) `max_val=1.0`; the
  prediction is clipped to [0, max_val] first, the reference is not. Each is computed
  per image over all pixels and channels, then averaged over images. PSNR of an
  exact match is capped at 100 dB (MSE floored at 1e-10) so averages stay finite.
- SSIM is Wang et al. (2004): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03,
  mean over the valid window positions and channels.
- PSNR-B (Yim and Bovik 2011) adds the blocking effect factor of the prediction (8x8 blocks
  from the top-left corner) to the MSE; for RGB the factor is averaged over the channels.
"""

import math

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
    return _decibels(tf.reduce_mean(tf.square(reference - prediction), axis=[1, 2, 3]), max_val)


def _decibels(mse: tf.Tensor, max_val: float) -> tf.Tensor:
    """`10 log10(max_val^2 / MSE)`, the MSE floored at `PSNR_CAP_MSE`."""
    return 10.0 * tf.math.log(max_val**2 / tf.maximum(mse, PSNR_CAP_MSE)) / tf.math.log(10.0)


def blocking_effect_factor(images: tf.Tensor, *, block: int = 8) -> tf.Tensor:
    """Per-image blocking effect factor (Yim and Bovik 2011), averaged over channels.

    The mean squared step across block boundaries minus the mean squared step between other
    neighbours, weighted by `log2(block) / log2(min(H, W))`, and 0 where the boundary steps are
    not the larger.

    Example:
        >>> blocking_effect_factor(decoded_jpeg).numpy()
    """
    images = tf.cast(images, tf.float32)
    height, width = images.shape[1], images.shape[2]
    across_columns = tf.square(images[:, :, 1:] - images[:, :, :-1])  # [B, H, W-1, C]
    across_rows = tf.square(images[:, 1:] - images[:, :-1])  # [B, H-1, W, C]
    on_column_edge = tf.constant([(index + 1) % block == 0 for index in range(width - 1)])[None, None, :, None]
    on_row_edge = tf.constant([(index + 1) % block == 0 for index in range(height - 1)])[None, :, None, None]

    def sums(steps: tf.Tensor, edge: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        edge = tf.broadcast_to(edge, tf.shape(steps))
        return tf.reduce_sum(tf.where(edge, steps, 0.0), axis=[1, 2]), tf.reduce_sum(tf.where(edge, 0.0, steps), axis=[1, 2])

    (column_edges, column_rest), (row_edges, row_rest) = sums(across_columns, on_column_edge), sums(across_rows, on_row_edge)
    edge_count = height * ((width - 1) // block) + width * ((height - 1) // block)
    rest_count = height * (width - 1) + width * (height - 1) - edge_count
    on_edges, elsewhere = (column_edges + row_edges) / max(edge_count, 1), (column_rest + row_rest) / rest_count
    weight = math.log2(block) / math.log2(min(height, width))
    return tf.reduce_mean(tf.where(on_edges > elsewhere, weight * (on_edges - elsewhere), 0.0), axis=-1)


def psnr_b(reference: tf.Tensor, prediction: tf.Tensor, *, max_val: float = 1.0) -> tf.Tensor:
    """Per-image PSNR-B in dB: PSNR with the prediction's blocking effect factor added to the MSE (Yim and Bovik 2011).

    Args:
        reference: Clean images `[B, H, W, C]` in [0, max_val], at least 9 pixels a side.
        prediction: Images to score, same shape; clipped to [0, max_val].
        max_val: The peak value (data range).

    Example:
        >>> psnr_b(clean, decoded_jpeg).numpy().mean()
    """
    reference = tf.cast(reference, tf.float32)
    prediction = tf.clip_by_value(tf.cast(prediction, tf.float32), 0.0, max_val)
    return _decibels(tf.reduce_mean(tf.square(reference - prediction), axis=[1, 2, 3]) + blocking_effect_factor(prediction), max_val)


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
