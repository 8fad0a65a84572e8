"""The networks of the semi-supervised GAN of Salimans et al. (2016) on digits: an MLP generator, a K-logit discriminator."""

import functools
from typing import Sequence

import keras
import numpy as np

from tf_genrepair.networks.layers import WeightNormDense

FEATURES_OUTPUT = "features"


def feature_matching_generator(
    *,
    latent_dim: int = 100,
    image_shape: Sequence[int] = (28, 28, 1),
    hidden_units: Sequence[int] = (500, 500),
    weight_norm: bool = True,
    name: str = "feature_matching_generator",
) -> keras.Model:
    """Latents through dense softplus layers with batch normalisation to sigmoid images in [0, 1].

    With `weight_norm`, the output layer is weight-normalised (`WeightNormDense`), as in Salimans et al.

    Example:
        >>> generator = feature_matching_generator(latent_dim=100)
    """
    inputs = keras.Input(shape=(latent_dim,), name="latents")
    x = inputs
    for units in hidden_units:
        x = keras.layers.Dense(units, use_bias=False)(x)
        x = keras.layers.BatchNormalization(synchronized=True)(x)  # The same statistics on N replicas as on one device.
        x = keras.layers.Activation("softplus")(x)
    output_layer = WeightNormDense if weight_norm else keras.layers.Dense
    x = output_layer(int(np.prod(image_shape)), activation="sigmoid")(x)
    return keras.Model(inputs, keras.layers.Reshape(tuple(image_shape))(x), name=name)


def k_plus_one_discriminator(
    *,
    image_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    hidden_units: Sequence[int] = (1000, 500, 250, 250, 250),
    input_noise: float = 0.3,
    hidden_noise: float = 0.5,
    weight_norm: bool = True,
    name: str = "k_plus_one_discriminator",
) -> keras.Model:
    """Images in [0, 1] to `[class_logits, features]`: K logits (the fake class's logit is fixed at 0) and the last hidden layer.

    Gaussian noise on the input and after every hidden layer (training only) regularises it, as in
    Salimans et al.'s MNIST model, and with `weight_norm` every layer is weight-normalised as there
    (`WeightNormDense`; the hidden layers' scales stay where `initialize_weight_norm` puts them, the
    logits' scale is learned); the last hidden layer is what feature matching compares.

    Example:
        >>> discriminator = k_plus_one_discriminator(num_classes=10)
        >>> logits, features = discriminator(images)
    """
    inputs = keras.Input(shape=tuple(image_shape), name="images")
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.GaussianNoise(input_noise)(x) if input_noise else x
    dense = functools.partial(WeightNormDense, direction_stddev=0.1) if weight_norm else keras.layers.Dense  # As Salimans et al.'s MNIST code.
    hidden = functools.partial(dense, trainable_scale=False) if weight_norm else dense
    for index, units in enumerate(hidden_units):
        x = hidden(units, activation="relu", name=FEATURES_OUTPUT if index == len(hidden_units) - 1 else None)(x)
        features = x
        x = keras.layers.GaussianNoise(hidden_noise)(x) if hidden_noise else x
    logits = dense(num_classes, name="class_logits")(x)
    return keras.Model(inputs, [logits, features], name=name)
