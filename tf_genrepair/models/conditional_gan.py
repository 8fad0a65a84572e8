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

    With `class_loss_weight` > 0 the discriminator also classifies (AC-GAN, Odena et al. 2017): its outputs
    are `[B, 1 + num_classes]`, the score then class logits (`dcgan_discriminator(class_logits=True)`). It
    learns the classes on real images only, `w * CE(y, logits(x))`, and the generator is pushed towards
    images of the requested class, `w * CE(y, logits(G(z, y)))`: what a projection alone teaches weakly
    when the discriminator's features are shallow (CIFAR-10).

    Args:
        num_classes: Number of classes.
        class_loss_weight: Weight `w` of the auxiliary classification losses (0: projection only).
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

    def __init__(self, generator: keras.Model, discriminator: keras.Model, *, num_classes: int, class_loss_weight: float = 0.0, **kwargs) -> None:
        super().__init__(generator, discriminator, **kwargs)
        if class_loss_weight < 0:
            raise ValueError(f"`class_loss_weight` must be >= 0. Received: class_loss_weight={class_loss_weight}")
        outputs = discriminator.outputs[0].shape[-1]
        expected = 1 + num_classes if class_loss_weight else 1
        if outputs != expected:
            raise ValueError(
                f"With class_loss_weight={class_loss_weight} the discriminator must give {expected} outputs per image (the score"
                f"{' and one logit per class' if class_loss_weight else ''}); it gives {outputs}. Build it with class_logits={bool(class_loss_weight)}."
            )
        # === Config ===
        self.num_classes = num_classes
        self.class_loss_weight = class_loss_weight
        # === Trackers ===
        self.real_class_accuracy_tracker = keras.metrics.Mean(name="real_class_accuracy")
        self.fake_class_accuracy_tracker = keras.metrics.Mean(name="fake_class_accuracy")

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        extra = [self.real_class_accuracy_tracker, self.fake_class_accuracy_tracker] if self.class_loss_weight else []
        return super().metrics + extra

    def unpack(self, data: tuple) -> tuple[tf.Tensor, tf.Tensor]:
        images, labels = split_labelled_batch(data, "ConditionalGAN")
        return images, labels

    def network_inputs(self, tensor: tf.Tensor, labels: tf.Tensor | None) -> list[tf.Tensor]:
        return [tensor, labels]

    def adversarial_scores(self, outputs: tf.Tensor) -> tf.Tensor:
        return outputs[:, :1] if self.class_loss_weight else outputs

    def _class_loss(self, outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor | float:
        if not self.class_loss_weight:
            return 0.0
        return self.class_loss_weight * tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=outputs[:, 1:])

    def auxiliary_discriminator_loss(self, real_outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor | float:
        return self._class_loss(real_outputs, labels)

    def auxiliary_generator_loss(self, fake_outputs: tf.Tensor, labels: tf.Tensor) -> tf.Tensor | float:
        return self._class_loss(fake_outputs, labels)

    def _update_trackers(self, generator_loss, discriminator_loss, real_outputs, fake_outputs, labels) -> dict[str, tf.Tensor]:
        if self.class_loss_weight:
            for tracker, outputs in ((self.real_class_accuracy_tracker, real_outputs), (self.fake_class_accuracy_tracker, fake_outputs)):
                predicted = tf.argmax(outputs[:, 1:], axis=-1, output_type=tf.int32)
                tracker.update_state(tf.cast(predicted == labels, tf.float32))
        return super()._update_trackers(generator_loss, discriminator_loss, real_outputs, fake_outputs, labels)

    def call(self, inputs: list[tf.Tensor], training: bool | None = None) -> tf.Tensor:
        return self.generator(inputs, training=training)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes, "class_loss_weight": self.class_loss_weight}
