"""`Classifier`: recognition model whose penultimate features serve FID/KID on its domain."""

import keras
import numpy as np
import tensorflow as tf

from tf_genrepair.networks.classifier import FEATURES_LAYER


@keras.saving.register_keras_serializable(package="tf_genrepair")
class Classifier(keras.Model):
    """Wraps a network mapping images in [0, 1] to logits; adds probabilities, labels and features.

    Args:
        network: A functional model with a layer named `features` (see
            `digit_classifier_network`).

    Example:
        >>> classifier = Classifier(network=digit_classifier_network())
        >>> classifier.compile(optimizer="adam")
        >>> classifier.fit(classification_dataset(load_dataset("sample"), batch_size=64), epochs=1)
    """

    def __init__(self, network: keras.Model, **kwargs) -> None:
        super().__init__(**kwargs)
        # === Layers ===
        self.network = network
        self._features = keras.Model(network.inputs, network.get_layer(FEATURES_LAYER).output, name="features")
        self.built = True  # The network arrives built.

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
            self.optimizer.build(self.trainable_variables)

    def feature_extractor(self) -> keras.Model:
        """The model from images to the penultimate `features` layer (for FID/KID)."""
        return self._features

    def predict_labels(self, images: np.ndarray | tf.Tensor, *, batch_size: int = 512) -> np.ndarray:
        """Class ids, `[N]` int64."""
        logits = self.predict(images, batch_size=batch_size, verbose=0)
        return np.argmax(logits, axis=-1).astype(np.int64)

    def get_config(self) -> dict:
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network)}

    @classmethod
    def from_config(cls, config: dict) -> "Classifier":
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)
