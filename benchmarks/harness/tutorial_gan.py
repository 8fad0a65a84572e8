"""The TensorFlow DCGAN tutorial's training step (two GradientTapes in a `tf.function`), the GAN benchmarks' peer."""

from typing import Callable

import keras
import tensorflow as tf

from tf_genrepair.losses import minimax_discriminator_loss, non_saturating_generator_loss


def tutorial_train_step(
    generator: keras.Model,
    discriminator: keras.Model,
    generator_optimizer: keras.optimizers.Optimizer,
    discriminator_optimizer: keras.optimizers.Optimizer,
    *,
    latent_dim: int,
) -> Callable[[tf.Tensor], None]:
    """One step of both players on a batch of images in [0, 1] (mapped to the generator's tanh range), as the tutorial writes it.

    Fresh normal noise per step; the discriminator's minimax loss and the generator's non-saturating
    loss on logits (the tutorial's `BinaryCrossentropy(from_logits=True)`), each player's gradient from
    its own tape, float32 losses under a mixed precision policy.
    """

    @tf.function
    def train_step(images: tf.Tensor) -> None:
        images = 2.0 * images - 1.0
        noise = tf.random.normal([tf.shape(images)[0], latent_dim])
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            fake = generator(noise, training=True)
            real_scores = tf.cast(discriminator(images, training=True), tf.float32)
            fake_scores = tf.cast(discriminator(fake, training=True), tf.float32)
            generator_loss = tf.reduce_mean(non_saturating_generator_loss(fake_scores))
            discriminator_loss = tf.reduce_mean(minimax_discriminator_loss(real_scores, fake_scores))
        generator_optimizer.apply_gradients(zip(generator_tape.gradient(generator_loss, generator.trainable_variables), generator.trainable_variables))
        discriminator_optimizer.apply_gradients(
            zip(discriminator_tape.gradient(discriminator_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        )

    return train_step
