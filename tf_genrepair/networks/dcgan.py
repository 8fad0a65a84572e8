"""DCGAN networks for any image size divisible by 4 (the TensorFlow DCGAN tutorial's sizes by default)."""

from typing import Sequence

import keras

from tf_genrepair.networks.conditioning import (
    image_and_label_inputs,
    latent_and_label_inputs,
)
from tf_genrepair.networks.shapes import check_divisible_by_4


def dcgan_generator(
    *,
    latent_dim: int = 100,
    image_shape: Sequence[int] = (28, 28, 1),
    base_filters: int = 64,
    num_classes: int | None = None,
    name: str = "dcgan_generator",
) -> keras.Model:
    """Dense to (H/4, W/4, 4f), then transposed convolutions 2f (stride 1), f (stride 2) and C (stride 2, tanh).

    With `base_filters=64` this is the generator of the TensorFlow DCGAN tutorial
    (256-128-64 filters, 5x5 kernels, batch norm and leaky ReLU). With `num_classes` the
    label embedding is concatenated to the latent code.

    Example:
        >>> generator = dcgan_generator(latent_dim=100, image_shape=(32, 32, 3))
    """
    check_divisible_by_4(image_shape)
    height, width, channels = image_shape
    inputs, x = latent_and_label_inputs(latent_dim, num_classes)
    x = keras.layers.Dense((height // 4) * (width // 4) * 4 * base_filters, use_bias=False)(x)
    x = keras.layers.BatchNormalization(synchronized=True)(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Reshape((height // 4, width // 4, 4 * base_filters))(x)
    for filters, stride in ((2 * base_filters, 1), (base_filters, 2)):
        x = keras.layers.Conv2DTranspose(filters, 5, strides=stride, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization(synchronized=True)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    images = keras.layers.Conv2DTranspose(channels, 5, strides=2, padding="same", activation="tanh")(x)
    return keras.Model(inputs, images, name=name)


def dcgan_discriminator(
    *,
    image_shape: Sequence[int] = (28, 28, 1),
    base_filters: int = 64,
    dropout: float = 0.3,
    stages: int = 2,
    num_classes: int | None = None,
    class_logits: bool = False,
    name: str = "dcgan_discriminator",
) -> keras.Model:
    """`stages` strided 5x5 convolutions (f, 2f, 4f, ...) with leaky ReLU and dropout, then one raw score.

    Two stages are the TensorFlow DCGAN tutorial's discriminator; a third (4f filters at H/8) gives the
    class logits deeper features for a small share of the step (the generator costs most).

    With `num_classes` the score gains a projection term `<embed(y), phi(x)>`
    (Miyato and Koyama 2018); with `class_logits` too, the outputs are `[B, 1 + num_classes]`:
    the score, then class logits from the same features (an AC-GAN's auxiliary classifier).

    Example:
        >>> discriminator = dcgan_discriminator(image_shape=(28, 28, 1), num_classes=10)
    """
    check_divisible_by_4(image_shape)
    if class_logits and num_classes is None:
        raise ValueError("`class_logits` needs `num_classes`.")
    if stages < 1:
        raise ValueError(f"`stages` must be >= 1. Received: stages={stages}")
    inputs, images, labels = image_and_label_inputs(image_shape, num_classes)
    x = images
    for filters in (base_filters * 2**stage for stage in range(stages)):
        x = keras.layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        x = keras.layers.Dropout(dropout)(x)
    features = keras.layers.Flatten()(x)
    score = keras.layers.Dense(1)(features)
    if labels is not None:
        projection = keras.layers.Embedding(num_classes, features.shape[-1])(labels)
        score = keras.layers.Add()([score, keras.layers.Dot(axes=1)([projection, features])])
    if class_logits:
        score = keras.layers.Concatenate()([score, keras.layers.Dense(num_classes)(features)])
    return keras.Model(inputs, score, name=name)
