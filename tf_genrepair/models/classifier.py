"""`Classifier`: recognition model whose penultimate features serve FID/KID on its domain."""

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.data import classification_dataset, load_dataset
from tf_genrepair.models.kind import ModelKind, Signatures
from tf_genrepair.models.signature_checks import classification_signatures
from tf_genrepair.networks import digit_classifier_network, residual_classifier_network
from tf_genrepair.networks.classifier import FEATURES_LAYER


def predict_labels(model: keras.Model, images: np.ndarray | tf.Tensor, *, batch_size: int = 512, flip_average: bool = False) -> np.ndarray:
    """Class ids `[N]` (int64) of any Keras model mapping images `[N, H, W, C]` to logits or probabilities.

    `flip_average` averages the class probabilities of each image and its mirror image (left-right), the
    usual test-time augmentation of a model trained with random flips; it doubles the cost.

    Example:
        >>> accuracy = np.mean(predict_labels(classifier, test_images) == test_labels)
    """
    scores = model.predict(images, batch_size=batch_size, verbose=0)
    if flip_average:
        mirrored = model.predict(np.asarray(images)[:, :, ::-1], batch_size=batch_size, verbose=0)
        scores = class_probabilities(scores) + class_probabilities(mirrored)
    return np.argmax(scores, axis=-1).astype(np.int64)


def class_probabilities(scores: np.ndarray) -> np.ndarray:
    """Rows of class probabilities: `scores` as they are when they already are probabilities, else their softmax (logits)."""
    scores = np.asarray(scores, np.float64)
    if scores.min() >= 0.0 and np.allclose(scores.sum(axis=-1), 1.0, atol=1e-4):
        return scores
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@keras.saving.register_keras_serializable(package="tf_genrepair")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of logits against integer labels smoothed to `(1 - s) * one_hot + s / num_classes`.

    Label smoothing (Szegedy et al. 2016); `label_smoothing=0` is the plain sparse cross-entropy.
    Keras's `SparseCategoricalCrossentropy` takes no smoothing, and one-hot labels would change the
    `(image, label)` contract of every dataset.
    """

    def __init__(self, label_smoothing: float = 0.1, name: str = "smoothed_sparse_crossentropy", **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"`label_smoothing` must be in [0, 1). Received: label_smoothing={label_smoothing}")
        self.label_smoothing = float(label_smoothing)

    def call(self, labels: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
        one_hot = tf.one_hot(labels, tf.shape(logits)[-1], dtype=logits.dtype)
        return keras.losses.categorical_crossentropy(one_hot, logits, from_logits=True, label_smoothing=self.label_smoothing)

    def get_config(self) -> dict:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="tf_genrepair")
class Classifier(ModelKind, keras.Model):
    """Wraps a network mapping images in [0, 1] to logits; adds probabilities, labels and features.

    Args:
        network: A functional model with a layer named `features` (see
            `digit_classifier_network`).

    Example:
        >>> classifier = Classifier(network=digit_classifier_network())
        >>> classifier.compile(optimizer="adam")
        >>> classifier.fit(classification_dataset(load_dataset("sample"), batch_size=64), epochs=1)
    """

    kind = "classifier"

    def __init__(self, network: keras.Model, **kwargs) -> None:
        super().__init__(**kwargs)
        # === Layers ===
        self.network = network
        self._features = keras.Model(network.inputs, network.get_layer(FEATURES_LAYER).output, name="features")
        self.built = True  # The network arrives built.

    @property
    def channels(self) -> int:
        """Image channels the network takes."""
        return int(self.network.inputs[0].shape[-1])

    def call(self, images: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        return self.network(images, training=training)

    def compile(self, optimizer: str | keras.optimizers.Optimizer = "adam", **kwargs) -> None:
        """Compiles with sparse cross-entropy on logits and accuracy unless told otherwise."""
        kwargs.setdefault("loss", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        kwargs.setdefault("metrics", [keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
        super().compile(optimizer=optimizer, **kwargs)

    def compile_from_config(self, config: dict) -> None:
        """Restores the compile state saved in a `.keras` file through the overridden `compile`."""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.build_optimizers()

    def feature_extractor(self) -> keras.Model:
        """The model from images to the penultimate `features` layer (for FID/KID)."""
        return self._features

    def predict_labels(self, images: np.ndarray | tf.Tensor, *, batch_size: int = 512, flip_average: bool = False) -> np.ndarray:
        """Class ids, `[N]` int64; `flip_average` averages each image's and its mirror image's probabilities."""
        return predict_labels(self, images, batch_size=batch_size, flip_average=flip_average)

    # --- Experiments. ---

    @classmethod
    def from_experiment(cls, config) -> "Classifier":
        """The network a `ClassifierConfig` (`config.model`) names: the digit CNN or the CIFAR ResNet."""
        model = config.model
        if model.network == "digit":
            network = digit_classifier_network(
                image_shape=model.image_shape, num_classes=model.num_classes, width=model.width, feature_dim=model.feature_dim,
                dropout=model.dropout,
            )
        elif model.network == "residual":
            network = residual_classifier_network(
                image_shape=model.image_shape, num_classes=model.num_classes, width=model.width, blocks_per_stage=model.blocks_per_stage,
                weight_decay=model.weight_decay,
            )
        else:
            raise ValueError(f"`model.network` of a classifier must be 'digit' or 'residual'. Received: {model.network!r}")
        return cls(network=network)

    def experiment_compile_arguments(self, config) -> dict:
        """The label-smoothed cross-entropy when `config.model.label_smoothing` asks for it."""
        smoothing = config.model.label_smoothing
        return {"loss": SmoothedSparseCrossentropy(smoothing)} if smoothing else {}

    @classmethod
    def experiment_datasets(cls, config) -> tuple[tf.data.Dataset, tf.data.Dataset]:
        """Shuffled training batches (half damaged when `data.augmentation` names a corruption) and the evaluation split."""
        data, seed = config.data, config.train.seed
        augmentation = dict(corruption=data.augmentation, severity=(1, data.augmentation_severity)) if data.augmentation else {}
        source = load_dataset(data.name, split=data.train_split)
        train = classification_dataset(
            source, batch_size=data.batch_size, seed=seed, shuffle_buffer=data.shuffle_buffer, flip_and_crop=data.flip_and_crop, **augmentation
        )
        evaluation = classification_dataset(load_dataset(data.name, split=data.eval_split), batch_size=512, seed=seed)
        return train, evaluation

    # --- Export. ---

    def serving_signatures(self) -> Signatures:
        """`classify` = `serving_default` (images -> probabilities, class_id) and `classify_uint8`."""
        return classification_signatures(self, self.channels)

    def serving_metadata(self) -> dict[str, int]:
        return {"image_channels": self.channels}

    def portable_model(self, image_size: tuple[int, int] | None) -> tuple[keras.Model, list]:
        """The network (images -> logits) at its trained image size."""
        return self.network, [keras.InputSpec(shape=(None, *self.network.inputs[0].shape[1:]), dtype="float32", name="images")]

    def get_config(self) -> dict:
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network)}

    @classmethod
    def from_config(cls, config: dict) -> "Classifier":
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)
