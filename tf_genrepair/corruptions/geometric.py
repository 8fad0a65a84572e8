"""Geometric warps: elastic deformation and small affine transforms (edges replicated). Every pixel stays observed."""

import math

import tensorflow as tf

from tf_genrepair.corruptions.core import (
    bilinear_sample,
    image_coordinates,
    observed_everywhere,
    severity_corruption,
    smooth_field,
    sub_seed,
)


@severity_corruption({"displacement": (0.8, 1.2, 1.6, 2.2, 3.0)})
def elastic(images: tf.Tensor, seed: tf.Tensor, *, displacement: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Elastic deformation (Simard et al. 2003): pixels moved by a smooth random field of up to `displacement` pixels.

    Example:
        >>> damaged, mask = elastic(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    rows, cols = image_coordinates(images)
    scale = displacement[:, tf.newaxis, tf.newaxis]
    shift_rows = (2.0 * smooth_field(sub_seed(seed, 0), shape[0], shape[1], shape[2])[..., 0] - 1.0) * scale
    shift_cols = (2.0 * smooth_field(sub_seed(seed, 1), shape[0], shape[1], shape[2])[..., 0] - 1.0) * scale
    return bilinear_sample(images, rows + shift_rows, cols + shift_cols), observed_everywhere(images)


@severity_corruption({"degrees": (4.0, 8.0, 12.0, 16.0, 22.0), "scale": (0.04, 0.07, 0.1, 0.13, 0.17), "shift": (0.03, 0.05, 0.07, 0.09, 0.12)})
def affine(images: tf.Tensor, seed: tf.Tensor, *, degrees: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """A small affine transform about the centre: rotation up to `degrees`, zoom up to `1 +- scale`, translation up to `shift` of the size.

    Each bound is drawn uniformly per image (signs included). Edges are replicated.

    Example:
        >>> damaged, mask = affine(images, severity=3, seed=0)
    """
    shape = tf.shape(images)
    batch = shape[0]
    draws = tf.random.stateless_uniform([batch, 4], seed, -1.0, 1.0)
    angle = draws[:, 0] * degrees * math.pi / 180.0
    zoom = 1.0 + draws[:, 1] * scale
    size = tf.cast(shape[1:3], tf.float32)
    offset_rows, offset_cols = draws[:, 2] * shift * size[0], draws[:, 3] * shift * size[1]
    rows, cols = image_coordinates(images)
    centre_rows, centre_cols = rows - (size[0] - 1.0) / 2.0, cols - (size[1] - 1.0) / 2.0
    cos, sin = (tf.cos(angle) / zoom)[:, None, None], (tf.sin(angle) / zoom)[:, None, None]
    source_rows = cos * centre_rows - sin * centre_cols + (size[0] - 1.0) / 2.0 - offset_rows[:, None, None]
    source_cols = sin * centre_rows + cos * centre_cols + (size[1] - 1.0) / 2.0 - offset_cols[:, None, None]
    return bilinear_sample(images, source_rows, source_cols), observed_everywhere(images)
