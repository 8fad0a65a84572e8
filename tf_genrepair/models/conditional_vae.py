"""`ConditionalVAE`: a VAE whose encoder and decoder both see the class label."""

import keras
import tensorflow as tf

from tf_genrepair.models.labels import split_labelled_batch
from tf_genrepair.models.vae import VAE


@keras.saving.register_keras_serializable(package="tf_genrepair")
class ConditionalVAE(VAE):
    """A `VAE` on `(images, labels)` batches: q(z | x, y) and p(x | z, y), with p(z) = N(0, I).

    The encoder and decoder take `[tensor, labels]` (build them with `num_classes`).
    `sample(num, labels=...)` decodes prior draws for the requested classes.

    Example:
        >>> cvae = ConditionalVAE(encoder=mlp_encoder(num_classes=10), decoder=mlp_decoder(num_classes=10),
        ...                       latent_dim=50, num_classes=10)
        >>> cvae.compile(optimizer="adam")
        >>> cvae.fit(generation_dataset(load_dataset("mnist"), batch_size=100, conditional=True), epochs=10)
        >>> sevens = cvae.sample(16, labels=7)
    """

    kind = "cvae"
    conditional = True

    def __init__(self, encoder: keras.Model, decoder: keras.Model, *, num_classes: int, **kwargs) -> None:
        super().__init__(encoder, decoder, **kwargs)
        # === Config ===
        self.num_classes = num_classes

    def unpack(self, data: tuple) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = split_labelled_batch(data, "ConditionalVAE")
        return tf.cast(images, tf.float32), labels

    def network_inputs(self, tensor: tf.Tensor, labels: tf.Tensor | None) -> list[tf.Tensor]:
        return [tensor, labels]

    def call(self, inputs: list[tf.Tensor], training: bool | None = None) -> tf.Tensor:
        """The reconstruction of `[images, labels]` from their posterior means."""
        images, labels = inputs
        mean, _ = self._encode(images, labels, training=training)
        return self.likelihood.mean(self._decode(mean, labels, training=training))

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes}
