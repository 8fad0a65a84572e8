"""Few labels: a classifier trained on few real labels, with and without conditional samples, beside semi-supervised models."""

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
    semi_supervised: Mapping[int, Mapping[str, keras.Model]] | None = None,
    label_counts: Sequence[int] = (100, 1000),
    generated_per_class: int = 1000,
    steps: int = 600,
    seed: int = 0,
) -> list[dict]:
    """Test accuracy from `n` real labels: the digit CNN alone, with generated images, and semi-supervised models.

    For every label count the labelled subset is `balanced_subset(..., seed=seed)`, the subset a
    semi-supervised model trained with `data.num_labels=n` and `train.seed=seed` saw too.

    Args:
        samplers: Conditional generators trained on every training label (their rows say so).
        semi_supervised: Label count -> name -> a semi-supervised model trained on those labels only:
            scored as a classifier (`predict_labels`), and where it draws images of a class
            (`samples_by_class`), its samples feed the digit CNN like the samplers' do.

    Returns:
        One row per (label count, method): `{"real_labels", "classifier", "generated_by",
        "generator_labels", "generated_images", "test_accuracy"}`; `classifier` is "digit CNN" or
        the semi-supervised model's name, `generator_labels` "all" or the label count (None without
        generated images).

    Example:
        >>> rows = generated_data_gain(x, y, x_test, y_test, {"cgan": lambda labels: cgan.sample(len(labels), labels=labels)})
    """
    semi_supervised = semi_supervised or {}
    num_classes = int(train_labels.max()) + 1
    generated_labels = np.repeat(np.arange(num_classes), generated_per_class)

    def draw(sampler: ConditionalSampler) -> tuple[np.ndarray, np.ndarray]:
        return np.clip(sampler(generated_labels), 0.0, 1.0), generated_labels

    def accuracy(model) -> float:
        return float(np.mean(model.predict_labels(test_images) == test_labels))

    all_label_data = {name: draw(sampler) for name, sampler in samplers.items()}
    rows = []
    progress = keras.utils.Progbar(len(label_counts), unit_name="label count")
    for count in label_counts:
        images, labels = balanced_subset(train_images, train_labels, count, seed=seed)
        models = semi_supervised.get(count, {})
        sources = [(None, None, None), *((name, "all", data) for name, data in all_label_data.items())]
        sources += [(name, count, draw(class_sampler(model, seed))) for name, model in models.items() if model.samples_by_class]
        for name, generator_labels, extra in sources:
            classifier = train_few_label_classifier(images, labels, generated=extra, steps=steps, seed=seed)
            rows.append({
                "real_labels": count, "classifier": "digit CNN", "generated_by": name, "generator_labels": generator_labels,
                "generated_images": 0 if extra is None else len(extra[1]), "test_accuracy": accuracy(classifier),
            })
        for name, model in models.items():
            rows.append({
                "real_labels": count, "classifier": name, "generated_by": None, "generator_labels": None,
                "generated_images": 0, "test_accuracy": accuracy(model),
            })
        progress.add(1)
    return rows


def class_sampler(model: keras.Model, seed: int) -> ConditionalSampler:
    """`labels -> images` of a model that samples by class, in chunks of about 1,000."""

    def sample(labels: np.ndarray) -> np.ndarray:
        chunks = np.array_split(labels, max(1, len(labels) // 1000))
        return np.concatenate([model.sample(len(part), labels=part, seed=seed + index) for index, part in enumerate(chunks)])

    return sample
