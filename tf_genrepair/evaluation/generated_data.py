"""Generated data for recognition: a classifier trained on few real labels, with and without conditional samples."""

from typing import Callable, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.data.semi_supervised import balanced_label_indices
from tf_genrepair.models import Classifier
from tf_genrepair.networks import digit_classifier_network

ConditionalSampler = Callable[[np.ndarray], np.ndarray]  # labels [N] -> images [N, H, W, C] in [0, 1]


def balanced_subset(images: np.ndarray, labels: np.ndarray, count: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`count` labelled images, the same number from every class: the subset `balanced_label_indices` picks with `seed`."""
    chosen = balanced_label_indices(labels, count, seed=seed)
    return images[chosen], labels[chosen]


def _batches(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    dataset = tf.data.Dataset.from_tensor_slices((images.astype(np.float32), labels.astype(np.int64)))
    return dataset.repeat().shuffle(min(len(images), 10_000), seed=seed).batch(batch_size)


def train_few_label_classifier(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    generated: tuple[np.ndarray, np.ndarray] | None = None,
    steps: int = 600,
    batch_size: int = 64,
    width: int = 32,
    seed: int = 0,
) -> Classifier:
    """Trains the digit classifier for `steps` batches: all real, or half real and half generated.

    Every configuration sees the same number of batches, so a gain from generated images
    is not a gain from longer training.
    """
    keras.utils.set_random_seed(seed)
    if generated is None:
        train = _batches(images, labels, batch_size, seed)
    else:
        half = batch_size // 2
        real, fake = _batches(images, labels, half, seed), _batches(*generated, batch_size - half, seed + 1)
        train = tf.data.Dataset.zip(real, fake).map(lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0)))
    classifier = Classifier(network=digit_classifier_network(image_shape=images.shape[1:], num_classes=int(labels.max()) + 1, width=width))
    classifier.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)))
    classifier.fit(train.prefetch(tf.data.AUTOTUNE), steps_per_epoch=steps, epochs=1, verbose=0)
    return classifier


def generated_data_gain(
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    samplers: Mapping[str, ConditionalSampler],
    *,
    label_counts: Sequence[int] = (100, 1000),
    generated_per_class: int = 1000,
    steps: int = 600,
    seed: int = 0,
) -> list[dict]:
    """Test accuracy of a classifier trained on `n` real labels alone and with each sampler's images.

    Returns:
        One row per (label count, source): `{"real_labels", "generated_by", "generated_images",
        "test_accuracy"}`, `generated_by` None for real data alone.

    Example:
        >>> rows = generated_data_gain(x, y, x_test, y_test, {"cgan": lambda labels: cgan.sample(len(labels), labels=labels)})
    """
    num_classes = int(train_labels.max()) + 1
    generated_labels = np.repeat(np.arange(num_classes), generated_per_class)
    generated = {name: (np.clip(sampler(generated_labels), 0.0, 1.0), generated_labels) for name, sampler in samplers.items()}
    rows = []
    progress = keras.utils.Progbar(len(label_counts) * (1 + len(samplers)), unit_name="classifier")
    for count in label_counts:
        images, labels = balanced_subset(train_images, train_labels, count, seed=seed)
        for name, extra in [(None, None), *generated.items()]:
            classifier = train_few_label_classifier(images, labels, generated=extra, steps=steps, seed=seed)
            accuracy = float(np.mean(classifier.predict_labels(test_images) == test_labels))
            rows.append({"real_labels": count, "generated_by": name, "generated_images": 0 if extra is None else len(extra[1]), "test_accuracy": accuracy})
            progress.add(1)
    return rows
