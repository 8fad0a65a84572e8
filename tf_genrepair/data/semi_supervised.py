"""Semi-supervised streams: a few labelled images, chosen class-balanced with a seed, beside every image unlabelled."""

import numpy as np
import tensorflow as tf

from tf_genrepair.data.pipelines import _map_with_batch_seeds


def balanced_label_indices(labels: np.ndarray, count: int, *, seed: int = 0) -> np.ndarray:
    """Indices of `count` examples, the same number from every class, drawn with `seed` (sorted).

    The one place a labelled subset is chosen: the semi-supervised models, the few-label
    classifier and the report all call it, so with the same seed they see the same labels.

    Example:
        >>> chosen = balanced_label_indices(train_labels, 100, seed=0)   # ten of each digit
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if count <= 0 or count % len(classes):
        raise ValueError(f"`count` must be a positive multiple of the {len(classes)} classes. Received: count={count}")
    per_class = count // len(classes)
    counts = {int(label): int(np.sum(labels == label)) for label in classes}
    if min(counts.values()) < per_class:
        raise ValueError(f"Every class needs {per_class} examples for count={count}. Received class counts: {counts}")
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == label), per_class, replace=False) for label in classes]))


def semi_supervised_dataset(
    dataset: tf.data.Dataset,
    *,
    num_labels: int | None,
    labelled_batch_size: int,
    unlabelled_batch_size: int,
    seed: int = 0,
    binarize: bool = False,
    shuffle_buffer: int = 60_000,
    unlabelled: tf.data.Dataset | None = None,
) -> tf.data.Dataset:
    """Endless `((labelled_images, labels), unlabelled_images)` batches in a fixed ratio.

    The labelled stream cycles through `num_labels` examples of `dataset` chosen by
    `balanced_label_indices(..., seed=seed)` (all of `dataset` when `num_labels` is None); the
    unlabelled stream is every image of `dataset` with its label dropped, or of `unlabelled` when
    given (one's own data: a folder with a few labelled class sub-folders, and a folder of the rest). Each stream shows every one of its examples once per pass,
    reshuffled every pass (batches may straddle two passes); with `binarize`,
    every pixel is a fresh Bernoulli draw each time it is seen (dynamic binarization).

    Args:
        dataset: Yields `(image, label)` with images float32 in [0, 1] (e.g. `load_dataset("mnist")`).
        num_labels: Size of the labelled subset (a multiple of the number of classes), or None for all of `dataset`.
        labelled_batch_size: Labelled examples per batch.
        unlabelled_batch_size: Unlabelled images per batch.
        seed: Seeds the subset, the shuffling and the binarization.
        binarize: Dynamic binarization of both streams.
        shuffle_buffer: Shuffle buffer of the unlabelled stream.
        unlabelled: Images (or `(image, label)` pairs, labels ignored) for the unlabelled stream.

    Example:
        >>> batches = semi_supervised_dataset(load_dataset("mnist"), num_labels=100, labelled_batch_size=32,
        ...                                   unlabelled_batch_size=96, seed=0)
        >>> (labelled, labels), unlabelled = next(iter(batches))
        >>> own = semi_supervised_dataset(load_dataset("folder:photos/labelled"), num_labels=None, labelled_batch_size=16,
        ...                               unlabelled_batch_size=48, unlabelled=load_dataset("folder:photos/unlabelled"))
    """
    if labelled_batch_size < 1 or unlabelled_batch_size < 1:
        raise ValueError(
            f"Batch sizes must be >= 1. Received: labelled_batch_size={labelled_batch_size}, unlabelled_batch_size={unlabelled_batch_size}"
        )
    labels = np.fromiter(dataset.map(lambda image, label: label).as_numpy_iterator(), dtype=np.int64)
    if len(labels) == 0:
        raise ValueError("`dataset` is empty: a semi-supervised stream needs images.")
    if num_labels is None and labels.min() < 0:
        raise ValueError("`num_labels=None` takes every example of `dataset` as labelled, but some have no label (a folder without class sub-folders).")
    labelled = dataset
    if num_labels is not None:
        chosen = tf.constant(balanced_label_indices(labels, num_labels, seed=seed), tf.int64)
        labelled = dataset.enumerate().filter(lambda index, element: tf.reduce_any(tf.equal(index, chosen))).map(lambda index, element: element)
    labelled = (
        labelled.map(lambda image, label: (image, tf.cast(label, tf.int32)))
        .cache()
        .shuffle(num_labels or len(labels), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(labelled_batch_size, drop_remainder=True)
    )
    images = (unlabelled if unlabelled is not None else dataset).map(lambda *element: element[0])
    unlabelled_stream = (
        images.shuffle(shuffle_buffer, seed=seed + 1, reshuffle_each_iteration=True).repeat().batch(unlabelled_batch_size, drop_remainder=True)
    )
    batches = tf.data.Dataset.zip(labelled, unlabelled_stream)
    return _map_with_batch_seeds(batches, _binarized, seed + 2) if binarize else batches.prefetch(tf.data.AUTOTUNE)


def _binarized(batch: tuple, batch_seed: tf.Tensor) -> tuple:
    """Both streams' pixels drawn as Bernoulli variables with their intensities as probabilities."""
    (labelled, labels), unlabelled = batch

    def draw(images: tf.Tensor, stream: int) -> tf.Tensor:
        key = tf.random.experimental.stateless_fold_in(batch_seed, stream)
        return tf.cast(tf.random.stateless_uniform(tf.shape(images), key) < images, tf.float32)

    return (draw(labelled, 0), labels), draw(unlabelled, 1)
