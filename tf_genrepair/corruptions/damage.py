"""Damage corruptions: blur, compression, low resolution and scratches (mask of ones)."""

import math
from typing import Callable

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    nearest_squared_distance,
    observed_everywhere,
    pixel_grid,
    severity_corruption,
    sub_seed,
)

BLUR_SIGMAS = (0.6, 1.0, 1.4, 1.8, 2.4)
MOTION_LENGTHS = (3.0, 5.0, 7.0, 9.0, 11.0)
MAX_SCRATCHES = 8


def filter_per_image(images: tf.Tensor, kernels: tf.Tensor) -> tf.Tensor:
    """Convolves image b with kernel b: `images` [B, H, W, C], `kernels` [B, kh, kw] (odd sides).

    The batch is folded into channels so one depthwise convolution filters every image
    with its own kernel; borders are padded by symmetric reflection. An empty batch (a
    mixture's part that no image drew) passes through.
    """
    return tf.cond(tf.shape(images)[0] > 0, lambda: _filter_nonempty(images, kernels), lambda: images)


def _filter_nonempty(images: tf.Tensor, kernels: tf.Tensor) -> tf.Tensor:
    shape = tf.shape(images)
    batch, height, width, channels = shape[0], shape[1], shape[2], images.shape[-1]
    kernel_height, kernel_width = kernels.shape[1], kernels.shape[2]
    folded = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, height, width, -1])
    pad_rows, pad_cols = kernel_height // 2, kernel_width // 2
    folded = tf.pad(folded, [[0, 0], [pad_rows, pad_rows], [pad_cols, pad_cols], [0, 0]], mode="SYMMETRIC")
    filters = tf.repeat(tf.transpose(kernels, [1, 2, 0]), channels, axis=2)[..., tf.newaxis]
    filtered = tf.nn.depthwise_conv2d(folded, filters, strides=[1, 1, 1, 1], padding="VALID")
    return tf.transpose(tf.reshape(filtered, [height, width, batch, channels]), [2, 0, 1, 3])


def blur_with_kernels(images: tf.Tensor, weights: tf.Tensor, side: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Convolves image b with its kernel: `weights` `[B, side * side]` (non-negative), normalised to sum to one; mask of ones."""
    kernels = tf.reshape(weights / tf.reduce_sum(weights, axis=1, keepdims=True), [-1, side, side])
    return filter_per_image(images, kernels), observed_everywhere(images)


def _map_images(function: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], images: tf.Tensor, parameter: tf.Tensor) -> tf.Tensor:
    """Applies `function(image, parameter)` image by image; an empty batch passes through."""
    mapped = lambda: tf.map_fn(lambda pair: function(*pair), (images, parameter), fn_output_signature=tf.float32)
    return tf.cond(tf.shape(images)[0] > 0, mapped, lambda: images)


@severity_corruption({"sigma": BLUR_SIGMAS})
def gaussian_blur(images: tf.Tensor, seed: tf.Tensor, *, sigma: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Isotropic Gaussian blur with standard deviation `sigma` pixels (kernel radius 3 * max sigma).

    Example:
        >>> damaged, mask = gaussian_blur(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    radius = math.ceil(3 * max(BLUR_SIGMAS))
    offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
    weights = tf.exp(-(offsets[tf.newaxis] ** 2) / (2 * sigma[:, tf.newaxis] ** 2))
    weights /= tf.reduce_sum(weights, axis=1, keepdims=True)
    rows_blurred = filter_per_image(images, weights[:, :, tf.newaxis])  # Separable: a column pass,
    return filter_per_image(rows_blurred, weights[:, tf.newaxis, :]), observed_everywhere(images)  # then a row pass.


@severity_corruption({"length": MOTION_LENGTHS})
def motion_blur(images: tf.Tensor, seed: tf.Tensor, *, length: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Linear motion blur: a line kernel `length` pixels long at a uniform random angle.

    Example:
        >>> damaged, mask = motion_blur(images, severity=3, seed=0)
    """
    radius = math.ceil(max(MOTION_LENGTHS) / 2)
    side = 2 * radius + 1
    angle = tf.random.stateless_uniform(tf.shape(length), seed, maxval=math.pi)
    half = tf.stack([tf.sin(angle), tf.cos(angle)], -1) * ((length - 1) / 2)[:, tf.newaxis]
    centre = tf.fill([1, 2], radius + 0.5)
    starts, ends = (centre - half)[:, tf.newaxis], (centre + half)[:, tf.newaxis]
    squared = nearest_squared_distance(pixel_grid(side, side), starts, ends, tf.ones_like(starts[..., 0], tf.bool))
    return blur_with_kernels(images, tf.nn.relu(1.0 - tf.sqrt(squared)), side)


@severity_corruption({"quality": (25.0, 18.0, 15.0, 10.0, 7.0)})
def jpeg(images: tf.Tensor, seed: tf.Tensor, *, quality: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """JPEG compression at `quality` (blocking and ringing; RGB with 4:2:0 chroma, as common encoders). Needs 1 or 3 channels.

    Example:
        >>> damaged, mask = jpeg(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    return _compress(images, quality), observed_everywhere(images)


def jpeg_quality_range(low: int, high: int) -> Callable:
    """A JPEG corruption whose quality is drawn per image, uniformly among the integers `low..high` (severity is ignored).

    One restorer for every quality a photo may have been saved at (`get_corruption("jpeg_quality:10-60")`).

    Example:
        >>> damaged, mask = jpeg_quality_range(10, 60)(images, severity=1, seed=0)
    """
    if not 1 <= low <= high <= 100:
        raise ValueError(f"JPEG qualities must satisfy 1 <= low <= high <= 100. Received: low={low}, high={high}")

    @severity_corruption({"quality_low": (low - 0.5,) * 5, "quality_high": (high + 0.5,) * 5})
    def jpeg_in_range(images: tf.Tensor, seed: tf.Tensor, *, quality_low: tf.Tensor, quality_high: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        draw = tf.random.stateless_uniform(tf.shape(quality_low), seed)
        quality = tf.clip_by_value(tf.round(quality_low + draw * (quality_high - quality_low)), float(low), float(high))
        return _compress(images, quality), observed_everywhere(images)

    jpeg_in_range.__name__ = f"jpeg_quality_{low}_{high}"
    return jpeg_in_range


def _compress(images: tf.Tensor, quality: tf.Tensor) -> tf.Tensor:
    """Each image encoded at its own `quality` by libjpeg (chroma subsampled 4:2:0 for RGB) and decoded."""
    if images.shape[-1] not in (1, 3):
        raise ValueError(f"JPEG needs images with 1 or 3 channels. Received: shape={images.shape}")
    compress = lambda image, image_quality: tf.image.adjust_jpeg_quality(image, tf.cast(image_quality, tf.int32))
    return _map_images(compress, images, quality)


@severity_corruption({"factor": (1.5, 2.0, 2.5, 3.0, 4.0)})
def downsample(images: tf.Tensor, seed: tf.Tensor, *, factor: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Low resolution: area-downsampled by `factor`, then bicubic-upsampled back to the original size.

    Example:
        >>> damaged, mask = downsample(images, severity=3, seed=0)
    """
    del seed  # Deterministic.
    size = tf.shape(images)[1:3]

    def degrade(image: tf.Tensor, image_factor: tf.Tensor) -> tf.Tensor:
        small_size = tf.maximum(tf.cast(tf.round(tf.cast(size, tf.float32) / image_factor), tf.int32), 1)
        small = tf.image.resize(image, small_size, method="area")
        return tf.image.resize(small, size, method="bicubic")

    return _map_images(degrade, images, factor), observed_everywhere(images)


@severity_corruption({"count": (1, 2, 4, 6, 8)})
def scratches(images: tf.Tensor, seed: tf.Tensor, *, count: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Thin bright scratches: `count` anti-aliased lines about 1 pixel wide, 40-100% of the long side.

    Example:
        >>> damaged, mask = scratches(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    size = tf.cast(tf.stack([height, width]), tf.float32)
    centres = tf.random.stateless_uniform([batch, MAX_SCRATCHES, 2], sub_seed(seed, 0)) * size
    angles = tf.random.stateless_uniform([batch, MAX_SCRATCHES], sub_seed(seed, 1), maxval=math.pi)
    lengths = tf.random.stateless_uniform([batch, MAX_SCRATCHES], sub_seed(seed, 2), 0.4, 1.0) * tf.reduce_max(size)
    half = tf.stack([tf.sin(angles), tf.cos(angles)], -1) * (lengths / 2)[..., tf.newaxis]
    active = tf.range(MAX_SCRATCHES, dtype=tf.float32)[tf.newaxis] < count[:, tf.newaxis]
    nearest = nearest_squared_distance(pixel_grid(height, width), centres - half, centres + half, active)
    alpha = tf.reshape(tf.nn.relu(1.0 - tf.sqrt(nearest)), [batch, height, width, 1])
    return images * (1 - alpha) + alpha, observed_everywhere(images)
