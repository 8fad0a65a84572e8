"""What the semi-supervised models train on: `((labelled, labels), unlabelled)` batches, and the experiment's streams."""

import numpy as np
import tensorflow as tf

from tf_genrepair.data import binarize_once, load_arrays, load_dataset, semi_supervised_dataset


def split_semi_supervised_batch(data, model_name: str) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """`((labelled, labels), unlabelled)` as three tensors; a clear error for other batches."""
    if not (isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], (tuple, list))):
        raise ValueError(f"{model_name} trains on ((labelled_images, labels), unlabelled_images) batches; use semi_supervised_dataset.")
    (labelled, labels), unlabelled = data
    return tf.cast(labelled, tf.float32), tf.cast(tf.reshape(labels, [-1]), tf.int32), tf.cast(unlabelled, tf.float32)


def semi_supervised_experiment_datasets(config) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """One pass over the unlabelled training images per epoch beside the labelled subset, and the labelled evaluation split."""
    data = config.data
    if not data.num_labels:
        raise ValueError("A semi-supervised model needs data.num_labels, the size of its labelled subset (e.g. 100).")
    source = load_dataset(data.name, split=data.train_split)
    stream = semi_supervised_dataset(
        source,
        num_labels=data.num_labels,
        labelled_batch_size=data.labelled_batch_size,
        unlabelled_batch_size=data.batch_size,
        seed=config.train.seed,
        binarize=data.binarize,
        shuffle_buffer=data.shuffle_buffer,
    )
    images, labels = load_arrays(data.name, split=data.eval_split)
    images = binarize_once(images, seed=config.train.seed) if data.binarize else images
    evaluation = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32))).batch(500)
    steps = max(1, int(source.reduce(0, lambda count, _: count + 1)) // data.batch_size)
    return stream.take(steps), evaluation
