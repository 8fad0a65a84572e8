"""`ConditionalGAN`: class-conditional generation; both networks also take the label."""

import keras
import tensorflow as tf

from tf_genrepair.models.gan import GAN
from tf_genrepair.models.labels import split_labelled_batch


@keras.saving.register_keras_serializable(package="tf_genrepair")
class ConditionalGAN(GAN):
    """A `GAN` whose data are `(images, labels)` and whose networks take `[x, labels]`.

    Generated images in a batch are conditioned on that batch's real labels, so the
    generator sees classes at their data frequency. Build the networks with
    `num_classes` (e.g. `dcgan_generator(num_classes=10)`, whose discriminator adds a
    projection term).

    Args:
        num_classes: Number of classes.
        **kwargs: As for `GAN`.

    Example:
        >>> cgan = ConditionalGAN(generator=dcgan_generator(num_classes=10),
        ...                       discriminator=dcgan_discriminator(num_classes=10), latent_dim=100, num_classes=10)
        >>> cgan.compile()
        >>> cgan.fit(generation_dataset(load_dataset("mnist"), batch_size=256, conditional=True), epochs=10)
        >>> sevens = cgan.sample(16, labels=7)
    """

    kind = "cgan"
    conditional = True

    def __init__(self, generator: keras.Model, discriminator: keras.Model, *, num_classes: int, **kwargs) -> None:
        super().__init__(generator, discriminator, **kwargs)
        # === Config ===
        self.num_classes = num_classes

    def unpack(self, data: tuple) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = split_labelled_batch(data, "ConditionalGAN")
        return images, labels

    def network_inputs(self, tensor: tf.Tensor, labels: tf.Tensor | None) -> list[tf.Tensor]:
        return [tensor, labels]

    def call(self, inputs: list[tf.Tensor], training: bool | None = None) -> tf.Tensor:
        return self.generator(inputs, training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes}
