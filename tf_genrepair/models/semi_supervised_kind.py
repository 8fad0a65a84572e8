"""`SemiSupervisedKind`: what the semi-supervised models share: their batches, their data, and being classifiers."""

from typing import ClassVar

import numpy as np
import tensorflow as tf

from tf_genrepair.data import binarize_once, load_arrays, load_dataset, semi_supervised_dataset
from tf_genrepair.models.classifier import predict_labels
from tf_genrepair.models.kind import ModelKind, Signatures
from tf_genrepair.models.signature_checks import classification_signatures


def split_semi_supervised_batch(data, model_name: str) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """`((labelled, labels), unlabelled)` as three tensors; a clear error for other batches."""
    if not (isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], (tuple, list))):
        raise ValueError(f"{model_name} trains on ((labelled_images, labels), unlabelled_images) batches; use semi_supervised_dataset.")
    (labelled, labels), unlabelled = data
    return tf.cast(labelled, tf.float32), tf.cast(tf.reshape(labels, [-1]), tf.int32), tf.cast(unlabelled, tf.float32)


class SemiSupervisedKind(ModelKind):
    """Mixin of models trained on few labels and many images whose call returns class logits.

    Subclasses give `image_channels` and say whether they draw images of a requested class
    (`samples_by_class`: `sample(n, labels=...)`); this gives their experiment data, `predict_labels`
    and the `classify` serving signatures.
    """

    samples_by_class: ClassVar[bool] = False

    @property
    def image_channels(self) -> int:
        """Channels of the images the model classifies."""
        raise NotImplementedError

    def predict_labels(self, images: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
        """Class ids from the model's class logits, `[N]` int64."""
        return predict_labels(self, images, batch_size=batch_size)

    @classmethod
    def experiment_datasets(cls, config) -> tuple[tf.data.Dataset, tf.data.Dataset]:
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
        count = int(source.cardinality())
        if count < 0:  # Unknown length (an image folder): count once.
            count = int(source.reduce(0, lambda total, _: total + 1))
        return stream.take(max(1, count // data.batch_size)), evaluation

    def serving_signatures(self) -> Signatures:
        """`classify` = `serving_default` (images -> probabilities, class_id) and `classify_uint8`."""
        return classification_signatures(self, self.image_channels)
