"""The classic MLP GAN networks (dense 128-128, leaky ReLU), optionally class-conditional."""

from typing import Sequence

import keras
import numpy as np

from tf_genrepair.networks.conditioning import (
    concatenate_label,
    image_and_label_inputs,
    latent_and_label_inputs,
)


def mlp_generator(
    *,
    latent_dim: int = 100,
    image_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (128, 128),
    num_classes: int | None = None,
    name: str = "mlp_generator",
) -> keras.Model:
    """Latent codes (and labels, when `num_classes` is set) to tanh images in [-1, 1].

    Example:
        >>> generator = mlp_generator(latent_dim=100, image_shape=(28, 28, 1))
    """
    inputs, x = latent_and_label_inputs(latent_dim, num_classes)
    for units in hidden_units:
        x = keras.layers.Dense(units)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Dense(int(np.prod(image_shape)), activation="tanh")(x)
    return keras.Model(inputs, keras.layers.Reshape(tuple(image_shape))(x), name=name)


def mlp_discriminator(
    *,
    image_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (128, 128),
    num_classes: int | None = None,
    name: str = "mlp_discriminator",
) -> keras.Model:
    """Images in [-1, 1] (and labels) to one raw score per image; labels are concatenated.

    Example:
        >>> discriminator = mlp_discriminator(image_shape=(28, 28, 1))
    """
    inputs, images, labels = image_and_label_inputs(image_shape, num_classes)
    x = keras.layers.Flatten()(images)
    if labels is not None:
        x = concatenate_label(x, labels, num_classes)
    for units in hidden_units:
        x = keras.layers.Dense(units)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x), name=name)
