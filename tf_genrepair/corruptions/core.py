"""What every corruption shares: argument checks, severity tables and stateless seeds.

A corruption is `fn(images, *, severity, seed) -> (damaged, mask)`:
- `images`: float `[B, H, W, C]` (or one `[H, W, C]` image) in [0, 1];
- `severity`: a Python int in 1..5, or an int tensor, scalar or `[B]` (one per image);
- `seed`: a Python int or a shape-`[2]` int tensor for the stateless RNG;
- `damaged`: float32 like `images`, in [0, 1]; `mask`: float32 `[B, H, W, 1]`, 1 where
  a pixel is observed (all ones when nothing is missing).
"""

import functools
from typing import Callable, Mapping, Protocol, Sequence

import numpy as np
import tensorflow as tf

NUM_SEVERITIES = 5
SeedLike = int | tf.Tensor | Sequence[int]


class Corruption(Protocol):
    """Signature shared by every corruption in the registry."""

    def __call__(self, images: tf.Tensor, *, severity: int | tf.Tensor, seed: SeedLike) -> tuple[tf.Tensor, tf.Tensor]: ...


def as_seed(seed: SeedLike) -> tf.Tensor:
    """Converts an int or a pair of ints into the shape-[2] int64 seed of `tf.random.stateless_*`."""
    if isinstance(seed, bool):
        raise ValueError(f"`seed` must be an int or a shape-[2] int tensor. Received: seed={seed!r}")
    if isinstance(seed, (int, np.integer)):
        return tf.constant([int(seed), 0], tf.int64)
    seed = tf.convert_to_tensor(seed)
    if not seed.dtype.is_integer or seed.shape.rank != 1 or seed.shape[0] != 2:
        raise ValueError(f"`seed` must be an int or a shape-[2] int tensor. Received: seed with shape {seed.shape} and dtype {seed.dtype.name}")
    return tf.cast(seed, tf.int64)


def sub_seed(seed: tf.Tensor, index: int) -> tf.Tensor:
    """Derives an independent stateless seed from `seed` for draw number `index`."""
    return tf.random.experimental.stateless_fold_in(seed, index)


def check_images(images: tf.Tensor | np.ndarray) -> tuple[tf.Tensor, bool]:
    """Validates `images` and returns them as float32 `[B, H, W, C]` and whether a batch axis was added."""
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating:
        raise ValueError(
            f"`images` must be floating point in [0, 1] (use tf.image.convert_image_dtype). Received: dtype={images.dtype.name}"
        )
    if images.shape.rank not in (3, 4):
        raise ValueError(f"`images` must have rank 3 [H, W, C] or 4 [B, H, W, C]. Received: shape={images.shape}")
    if images.shape[-1] is None:
        raise ValueError(f"`images` must have a known channel count. Received: shape={images.shape}")
    images = tf.cast(images, tf.float32)
    if tf.executing_eagerly() and tf.size(images) > 0:
        low, high = float(tf.reduce_min(images)), float(tf.reduce_max(images))
        if not (0.0 <= low and high <= 1.0):
            raise ValueError(f"`images` must lie in [0, 1]. Received values in [{low:g}, {high:g}]")
    squeeze = images.shape.rank == 3
    return (images[tf.newaxis] if squeeze else images), squeeze


def check_severity(severity: int | tf.Tensor, batch_size: tf.Tensor) -> tf.Tensor:
    """Validates `severity` and returns it as an int32 `[B]` vector of values in 1..5."""
    if isinstance(severity, (int, np.integer)) and not isinstance(severity, bool):
        if not 1 <= severity <= NUM_SEVERITIES:
            raise ValueError(f"`severity` must be an int in [1, {NUM_SEVERITIES}]. Received: severity={severity}")
        return tf.fill([batch_size], tf.constant(int(severity), tf.int32))
    if isinstance(severity, (bool, float, str)) or severity is None:
        raise ValueError(f"`severity` must be an int in [1, {NUM_SEVERITIES}]. Received: severity={severity!r}")
    severity = tf.convert_to_tensor(severity)
    if not severity.dtype.is_integer or severity.shape.rank not in (0, 1):
        raise ValueError(
            f"`severity` must be an int or an int tensor of shape [] or [batch]. Received: shape={severity.shape}, dtype={severity.dtype.name}"
        )
    severity = tf.cast(severity, tf.int32)
    if tf.executing_eagerly():
        if tf.size(severity) and not bool(tf.reduce_all((severity >= 1) & (severity <= NUM_SEVERITIES))):
            raise ValueError(f"`severity` must lie in [1, {NUM_SEVERITIES}]. Received: severity={severity.numpy()}")
    else:
        tf.debugging.assert_greater_equal(severity, 1, message="`severity` must lie in [1, 5].")
        tf.debugging.assert_less_equal(severity, NUM_SEVERITIES, message="`severity` must lie in [1, 5].")
    return tf.broadcast_to(severity, [batch_size])


def observed_everywhere(images: tf.Tensor) -> tf.Tensor:
    """The mask of a corruption that hides no pixel: ones of shape `[B, H, W, 1]`."""
    return tf.ones_like(images[..., :1])


def severity_corruption(parameters: Mapping[str, Sequence[float]]) -> Callable:
    """Turns `impl(images, seed, **per_image_parameters)` into a public corruption.

    `parameters` maps each physical parameter to its five values, one per severity.
    The wrapped function receives each as a float32 `[B]` tensor, one value per image,
    a seed tensor, and float32 `[B, H, W, C]` images; it returns `(damaged, mask)`.
    The table is kept on the result as `.parameters` for docs and tests. The public
    function clips its output to [0, 1] unless called with `clip=False`.
    """
    for name, values in parameters.items():
        if len(values) != NUM_SEVERITIES:
            raise ValueError(f"Parameter {name} needs {NUM_SEVERITIES} values. Received: {values}")

    def decorate(impl: Callable) -> Corruption:
        @functools.wraps(impl)
        def corruption(
            images: tf.Tensor, *, severity: int | tf.Tensor, seed: SeedLike, clip: bool = True
        ) -> tuple[tf.Tensor, tf.Tensor]:
            images, squeeze = check_images(images)
            severity = check_severity(severity, tf.shape(images)[0])
            seed = as_seed(seed)
            per_image = {
                name: tf.gather(tf.constant(values, tf.float32), severity - 1) for name, values in parameters.items()
            }
            damaged, mask = impl(images, seed, **per_image)
            damaged = tf.clip_by_value(damaged, 0.0, 1.0) if clip else damaged
            return (damaged[0], mask[0]) if squeeze else (damaged, mask)

        corruption.parameters = dict(parameters)
        return corruption

    return decorate


def per_image(values: tf.Tensor) -> tf.Tensor:
    """Reshapes a `[B]` parameter vector to `[B, 1, 1, 1]` for broadcasting over images."""
    return tf.reshape(values, [-1, 1, 1, 1])


def pixel_grid(height: tf.Tensor, width: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Row and column coordinates of pixel centres, each float32 `[H * W]`."""
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32), indexing="ij")
    return tf.reshape(rows, [-1]) + 0.5, tf.reshape(cols, [-1]) + 0.5


@tf.function(jit_compile=True, reduce_retracing=True)
def nearest_squared_distance(
    points: tuple[tf.Tensor, tf.Tensor], starts: tf.Tensor, ends: tf.Tensor, active: tf.Tensor
) -> tf.Tensor:
    """Squared Euclidean distance from each point to the nearest active segment.

    XLA fuses the `[B, P, S]` arithmetic into one loop instead of materialising the `[B, P, S]` intermediates.

    Args:
        points: `(rows, cols)`, each `[P]`.
        starts: `[B, S, 2]` segment start points as (row, col).
        ends: `[B, S, 2]` segment end points.
        active: `[B, S]` bool, which segments exist.

    Returns:
        `[B, P]` squared distances (float32 max where no segment is active).
    """
    point_rows, point_cols = points[0][tf.newaxis, :, tf.newaxis], points[1][tf.newaxis, :, tf.newaxis]
    start_rows, start_cols = starts[:, tf.newaxis, :, 0], starts[:, tf.newaxis, :, 1]
    step_rows, step_cols = ends[:, tf.newaxis, :, 0] - start_rows, ends[:, tf.newaxis, :, 1] - start_cols
    inverse_length = 1.0 / tf.maximum(step_rows**2 + step_cols**2, 1e-12)
    offset_rows, offset_cols = point_rows - start_rows, point_cols - start_cols
    along = tf.clip_by_value((offset_rows * step_rows + offset_cols * step_cols) * inverse_length, 0.0, 1.0)
    squared = (offset_rows - along * step_rows) ** 2 + (offset_cols - along * step_cols) ** 2
    return tf.reduce_min(tf.where(active[:, tf.newaxis], squared, tf.float32.max), axis=-1)


def smooth_field(seed: tf.Tensor, batch: tf.Tensor, height: tf.Tensor, width: tf.Tensor, *, cells: int = 4) -> tf.Tensor:
    """A smooth random field `[B, H, W, 1]` in [0, 1]: uniform noise on a `cells` x `cells` grid, bicubically enlarged.

    The low-frequency shape behind haze, uneven light and elastic warps; one field per image.
    """
    coarse = tf.random.stateless_uniform(tf.stack([batch, cells, cells, 1]), seed)
    return tf.clip_by_value(tf.image.resize(coarse, tf.stack([height, width]), method="bicubic"), 0.0, 1.0)


def bilinear_sample(images: tf.Tensor, rows: tf.Tensor, cols: tf.Tensor) -> tf.Tensor:
    """`images` `[B, H, W, C]` read at real-valued pixel coordinates `rows`, `cols` (each `[B, H, W]`), edges replicated.

    Coordinates are pixel indices (0 is the centre of the first pixel); the result has the
    coordinates' height and width. Used by the geometric warps and the zoom and glass blurs.
    """
    shape = tf.shape(images)
    height, width = tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)
    rows = tf.clip_by_value(rows, 0.0, height - 1.0)
    cols = tf.clip_by_value(cols, 0.0, width - 1.0)
    top, left = tf.floor(rows), tf.floor(cols)
    bottom, right = tf.minimum(top + 1.0, height - 1.0), tf.minimum(left + 1.0, width - 1.0)
    row_weight, col_weight = (rows - top)[..., tf.newaxis], (cols - left)[..., tf.newaxis]
    batch_index = tf.broadcast_to(tf.range(shape[0])[:, tf.newaxis, tf.newaxis], tf.shape(rows))

    def read(row: tf.Tensor, col: tf.Tensor) -> tf.Tensor:
        return tf.gather_nd(images, tf.stack([batch_index, tf.cast(row, tf.int32), tf.cast(col, tf.int32)], axis=-1))

    upper = read(top, left) * (1.0 - col_weight) + read(top, right) * col_weight
    lower = read(bottom, left) * (1.0 - col_weight) + read(bottom, right) * col_weight
    return upper * (1.0 - row_weight) + lower * row_weight


def image_coordinates(images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Row and column indices of every pixel, each float32 `[B, H, W]`."""
    shape = tf.shape(images)
    rows, cols = tf.meshgrid(tf.range(shape[1], dtype=tf.float32), tf.range(shape[2], dtype=tf.float32), indexing="ij")
    return tf.broadcast_to(rows, shape[:3]), tf.broadcast_to(cols, shape[:3])
