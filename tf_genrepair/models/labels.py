"""Class labels for conditional models: splitting labelled batches and checking requested classes."""

import numpy as np
import tensorflow as tf


def split_labelled_batch(data, model_name: str) -> tuple[tf.Tensor, tf.Tensor]:
    """`(images, labels)` from a batch, labels as int32 `[B]`; a clear error for unlabelled batches."""
    if not isinstance(data, (tuple, list)) or len(data) < 2:
        raise ValueError(f"{model_name} needs (images, labels) batches; use generation_dataset(..., conditional=True).")
    return data[0], tf.cast(tf.reshape(data[1], [-1]), tf.int32)


def requested_labels(labels: int | np.ndarray, num_images: int, num_classes: int) -> np.ndarray:
    """One label for all images or one per image, as int32 `[num_images]`, each in [0, num_classes)."""
    labels = np.broadcast_to(np.asarray(labels, np.int32), (num_images,))
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"`labels` must lie in [0, {num_classes}). Received: labels in [{labels.min()}, {labels.max()}]")
    return labels
