"""tf.data pipelines for restoration, generation and classification.

Damage is drawn on the fly: every epoch sees fresh corruptions, and two pipelines
built with the same seed produce the same sequence of epochs. Corruptions run on
whole batches (vectorised) in a parallel map, followed by prefetch.
"""

from typing import Callable, Sequence

import numpy as np
import tensorflow as tf

from tf_genrepair.corruptions import Corruption, get_corruption
from tf_genrepair.corruptions.core import NUM_SEVERITIES

SeverityLike = int | tuple[int, int]


def _map_with_batch_seeds(batches: tf.data.Dataset, function: Callable, seed: int, *, fresh_each_pass: bool = True) -> tf.data.Dataset:
    """Maps `function(batch, batch_seed)` in parallel, then prefetches.

    Batch seeds are shape-[2] draws from `Dataset.random(seed)`: with `fresh_each_pass`
    different on every epoch (the same sequence of epochs for the same `seed`), otherwise
    the same on every pass.
    """
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=fresh_each_pass).batch(2)
    paired = tf.data.Dataset.zip(batches, seeds)
    return paired.map(function, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def _check_batch_size(batch_size: int) -> None:
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int. Received: batch_size={batch_size!r}")


def _shuffled_batches(
    dataset: tf.data.Dataset, batch_size: int, seed: int, shuffle_buffer: int | None, drop_remainder: bool
) -> tf.data.Dataset:
    _check_batch_size(batch_size)
    if shuffle_buffer:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder)


def _severity_sampler(severity: SeverityLike) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor | int]:
    """Returns `sample(batch, seed)`: the fixed severity, or one uniform draw per image from a range."""
    if isinstance(severity, int) and not isinstance(severity, bool):
        if not 1 <= severity <= NUM_SEVERITIES:
            raise ValueError(f"`severity` must be an int in [1, 5] or a (low, high) range. Received: severity={severity}")
        return lambda batch, seed: severity
    if (
        isinstance(severity, Sequence)
        and len(severity) == 2
        and all(isinstance(bound, int) for bound in severity)
        and 1 <= severity[0] <= severity[1] <= NUM_SEVERITIES
    ):
        low, high = severity
        return lambda batch, seed: tf.random.stateless_uniform([batch], seed, low, high + 1, dtype=tf.int32)
    raise ValueError(f"`severity` must be an int in [1, 5] or a (low, high) range within it. Received: severity={severity!r}")


def restoration_dataset(
    dataset: tf.data.Dataset,
    corruption: str | Corruption,
    *,
    severity: SeverityLike,
    batch_size: int,
    seed: int = 0,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = False,
    repeat: bool = False,
    with_labels: bool = False,
    fresh_damage: bool = True,
    augmentation: str | Corruption | None = None,
    augmentation_severity: SeverityLike = (1, 5),
    augmented_fraction: float = 0.5,
) -> tf.data.Dataset:
    """Pairs damaged images with their clean originals for training a restorer.

    Args:
        dataset: Yields `(image, label)` (labels are dropped) or images, float32 `[H, W, C]`
            in [0, 1], all of one size (cut patches first for natural images).
        corruption: A registry name (`gaussian_noise`, `box+jpeg`, ...) or a corruption callable.
        severity: An int in 1..5, or a `(low, high)` range sampled per image.
        batch_size: Images per batch.
        seed: Seeds shuffling and damage; the same seed gives the same epochs.
        shuffle_buffer: Size of the shuffle buffer; None or 0 keeps the order.
        drop_remainder: Whether to drop the last incomplete batch.
        repeat: Whether to repeat forever (each pass with fresh damage).
        with_labels: Yield `(clean, labels)` targets (for a recognition-aware loss);
            `dataset` must yield `(image, label)`.
        fresh_damage: Draw new damage on every pass (training); False repeats the same
            damage on every pass, so validation scores are comparable between epochs.
        augmentation: A change that is part of the picture, not damage (e.g. `affine|elastic`):
            applied to `augmented_fraction` of the clean images before the damage, and kept in
            their targets, so the restorer learns to leave it alone. Its mask is ignored.
        augmentation_severity: Severity or `(low, high)` range of the augmentation.
        augmented_fraction: Fraction of the images that get the augmentation.

    Returns:
        A dataset of `((damaged, mask), clean)` batches, `mask` `[B, H, W, 1]` with 1 where
        observed, or `((damaged, mask), (clean, labels))` with `with_labels`.

    Example:
        >>> pairs = restoration_dataset(load_dataset("sample"), "gaussian_noise", severity=(1, 5), batch_size=64)
    """
    corruption_fn = get_corruption(corruption) if isinstance(corruption, str) else corruption
    sample_severity = _severity_sampler(severity)
    augment = _partial_augmentation(augmentation, augmentation_severity, augmented_fraction) if augmentation else None
    batches = _shuffled_batches(dataset, batch_size, seed, shuffle_buffer, drop_remainder)
    if repeat:
        batches = batches.repeat()

    def damage(element: tuple[tf.Tensor, ...] | tf.Tensor, batch_seed: tf.Tensor):
        clean = element[0] if isinstance(element, tuple) else element
        if augment:
            clean = augment(clean, tf.random.experimental.stateless_fold_in(batch_seed, 2))
        severity_seed, damage_seed = tf.unstack(tf.random.experimental.stateless_split(batch_seed, 2))
        batch_severity = sample_severity(tf.shape(clean)[0], severity_seed)
        damaged, mask = corruption_fn(clean, severity=batch_severity, seed=damage_seed)
        return (damaged, mask), ((clean, element[1]) if with_labels else clean)

    return _map_with_batch_seeds(batches, damage, seed, fresh_each_pass=fresh_damage)


def generation_dataset(
    dataset: tf.data.Dataset,
    *,
    batch_size: int,
    seed: int = 0,
    conditional: bool = False,
    value_range: tuple[float, float] = (0.0, 1.0),
    binarize: bool = False,
    shuffle_buffer: int | None = 10_000,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Batches of training images for generative models.

    Args:
        dataset: Yields `(image, label)` with images float32 in [0, 1].
        batch_size: Images per batch.
        seed: Seeds shuffling and binarization.
        conditional: Yield `(images, labels)` instead of images.
        value_range: Range to rescale images to, e.g. `(-1, 1)` for a tanh generator.
        binarize: Dynamic binarization: a fresh Bernoulli draw of every pixel each epoch
            (Burda et al. 2016), before rescaling.
        shuffle_buffer: Size of the shuffle buffer.
        drop_remainder: Whether to drop the last incomplete batch (default True: GAN
            steps assume full batches).

    Returns:
        A dataset of image batches, or `(images, labels)` when `conditional`.

    Example:
        >>> images = generation_dataset(load_dataset("mnist"), batch_size=128, value_range=(-1, 1))
    """
    low, high = value_range
    if not low < high:
        raise ValueError(f"`value_range` must be (low, high) with low < high. Received: value_range={value_range!r}")
    batches = _shuffled_batches(dataset, batch_size, seed, shuffle_buffer, drop_remainder)

    def prepare(element: tuple[tf.Tensor, tf.Tensor], batch_seed: tf.Tensor) -> tf.Tensor | tuple[tf.Tensor, tf.Tensor]:
        images, labels = element
        if binarize:
            images = tf.cast(tf.random.stateless_uniform(tf.shape(images), batch_seed) < images, tf.float32)
        images = low + (high - low) * images
        return (images, labels) if conditional else images

    return _map_with_batch_seeds(batches, prepare, seed)


def binarize_once(images: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """A fixed Bernoulli draw of images in [0, 1] (pixel intensities as probabilities), e.g. a binarized test set.

    Example:
        >>> test_images = binarize_once(images, seed=0)  # The same 0/1 images on every call.
    """
    uniform = tf.random.stateless_uniform(np.shape(images), [seed, 0]).numpy()
    return (uniform < np.asarray(images, np.float32)).astype(np.float32)


def classification_dataset(
    dataset: tf.data.Dataset,
    *,
    batch_size: int,
    seed: int = 0,
    shuffle_buffer: int | None = None,
    corruption: str | Corruption | None = None,
    severity: SeverityLike = (1, 5),
    corrupted_fraction: float = 0.5,
    flip_and_crop: bool = False,
) -> tf.data.Dataset:
    """Batches of `(images, labels)`, optionally with flips and shifted crops and with corruptions as augmentation.

    Args:
        dataset: Yields `(image, label)`.
        batch_size: Images per batch.
        seed: Seeds shuffling and augmentation.
        shuffle_buffer: Size of the shuffle buffer; None keeps the order (evaluation).
        corruption: If given, a registry name or callable used to damage images on the fly.
        severity: Severity or `(low, high)` range for the augmentation.
        corrupted_fraction: Fraction of images in each batch that are damaged.
        flip_and_crop: Mirror each image left-right with probability 1/2 and shift it by up to 4 pixels
            each way (zero-filled): the usual CIFAR training augmentation (He et al. 2016). Before any damage.

    Returns:
        A dataset of `(images, labels)` batches.

    Example:
        >>> train = classification_dataset(load_dataset("mnist"), batch_size=128, shuffle_buffer=60_000)
    """
    batches = _shuffled_batches(dataset, batch_size, seed, shuffle_buffer, drop_remainder=False)
    if corruption is None and not flip_and_crop:
        return batches.prefetch(tf.data.AUTOTUNE)
    augment = _partial_augmentation(corruption, severity, corrupted_fraction, name="corrupted_fraction") if corruption is not None else None

    def transform(element: tuple[tf.Tensor, tf.Tensor], batch_seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        images = element[0]
        if flip_and_crop:
            images = _random_flip_and_crop(images, tf.random.experimental.stateless_fold_in(batch_seed, 1))
        return (augment(images, batch_seed) if augment else images), element[1]

    return _map_with_batch_seeds(batches, transform, seed)


def _partial_augmentation(
    corruption: str | Corruption, severity: SeverityLike, fraction: float, *, name: str = "augmented_fraction"
) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
    """`augment(images, seed)`: `corruption` (its mask ignored) on a random `fraction` of a batch, the rest unchanged."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"`{name}` must lie in [0, 1]. Received: {name}={fraction}")
    corruption_fn = get_corruption(corruption) if isinstance(corruption, str) else corruption
    sample_severity = _severity_sampler(severity)

    def augment(images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        severity_seed, damage_seed, choice_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
        batch = tf.shape(images)[0]
        changed, _ = corruption_fn(images, severity=sample_severity(batch, severity_seed), seed=damage_seed)
        chosen = tf.random.stateless_uniform([batch, 1, 1, 1], choice_seed) < fraction
        return tf.where(chosen, changed, images)

    return augment


def _random_dihedral(images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """One of the 8 flips/rotations per square image (the DnCNN training augmentation)."""
    flip_seed, mirror_seed, transpose_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
    images = tf.image.stateless_random_flip_up_down(images, flip_seed)
    images = tf.image.stateless_random_flip_left_right(images, mirror_seed)
    transpose = tf.random.stateless_uniform([tf.shape(images)[0], 1, 1, 1], transpose_seed) < 0.5
    return tf.where(transpose, tf.transpose(images, [0, 2, 1, 3]), images)


def _random_flip_and_crop(images: tf.Tensor, seed: tf.Tensor, padding: int = 4) -> tf.Tensor:
    """Each image of a batch mirrored left-right with probability 1/2, then shifted by up to `padding` pixels each way."""
    flip_seed, shift_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    images = tf.image.stateless_random_flip_left_right(images, flip_seed)
    shape = tf.shape(images)
    padded = tf.pad(images, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
    offsets = tf.random.stateless_uniform([shape[0], 2], shift_seed, 0, 2 * padding + 1, dtype=tf.int32)
    rows = offsets[:, :1] + tf.range(shape[1])[tf.newaxis]
    columns = offsets[:, 1:] + tf.range(shape[2])[tf.newaxis]
    cropped = tf.gather(tf.gather(padded, rows, axis=1, batch_dims=1), columns, axis=2, batch_dims=1)
    return tf.ensure_shape(cropped, images.shape)


def denoising_dataset(
    dataset: tf.data.Dataset,
    *,
    sigma_range: tuple[float, float],
    batch_size: int,
    seed: int = 0,
    shuffle_buffer: int | None = None,
    augment: bool = True,
    repeat: bool = False,
    fresh_damage: bool = True,
) -> tf.data.Dataset:
    """Pairs of Gaussian-noisy and clean patches with a noise-level map, for blind-range denoisers.

    Each image gets its own sigma drawn uniformly from `sigma_range` (in [0, 1] units, e.g.
    `(0, 55 / 255)`); the noise is not clipped, as in the denoising literature.

    Args:
        dataset: Yields `(image, label)` or images, float32 `[H, W, C]` in [0, 1], one size
            (cut square patches first).
        sigma_range: `(low, high)` noise standard deviations in [0, 1] units.
        batch_size: Patches per batch.
        seed: Seeds shuffling, augmentation and noise.
        shuffle_buffer: Size of the shuffle buffer; None keeps the order.
        augment: Random flips and 90-degree rotations (square patches).
        repeat: Whether to repeat forever, with fresh noise on every pass.
        fresh_damage: Draw new noise (and sigma, augmentation) on every pass; False repeats
            the same draws on every pass (validation).

    Returns:
        A dataset of `((noisy, mask, noise_level), clean)`, `mask` all ones and
        `noise_level` the `[B, H, W, 1]` sigma map.

    Example:
        >>> patches = load_dataset("bsd:Train400", patch_size=64, patches_per_image=8)
        >>> pairs = denoising_dataset(patches, sigma_range=(0, 55 / 255), batch_size=32)
    """
    low, high = sigma_range
    if not 0.0 <= low <= high:
        raise ValueError(f"`sigma_range` must be (low, high) with 0 <= low <= high. Received: sigma_range={sigma_range!r}")
    batches = _shuffled_batches(dataset, batch_size, seed, shuffle_buffer, drop_remainder=False)
    if repeat:
        batches = batches.repeat()

    def add_noise(element: tuple[tf.Tensor, ...] | tf.Tensor, batch_seed: tf.Tensor):
        clean = element[0] if isinstance(element, tuple) else element
        augment_seed, sigma_seed, noise_seed = tf.unstack(tf.random.experimental.stateless_split(batch_seed, 3))
        if augment:
            clean = _random_dihedral(clean, augment_seed)
        sigma = tf.random.stateless_uniform([tf.shape(clean)[0], 1, 1, 1], sigma_seed, low, high)
        noisy = clean + sigma * tf.random.stateless_normal(tf.shape(clean), noise_seed)
        noise_level = tf.broadcast_to(sigma, tf.shape(clean[..., :1]))
        return (noisy, tf.ones_like(noise_level), noise_level), clean

    return _map_with_batch_seeds(batches, add_noise, seed, fresh_each_pass=fresh_damage)
